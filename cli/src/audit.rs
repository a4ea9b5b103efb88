//! `hotline audit verify|list`: check the audit log's hash chain and
//! coordinator checkpoints, and read the log (coordinators).

use std::path::Path;

use clap::{Args, Subcommand};
use hotline_core::vault::{AuditReport, Vault, VaultError};

use crate::CliError;
use crate::out::outln;
use crate::passphrase::AuthArgs;
use crate::vault::{lock, unlock, vault_error};

/// Options of `hotline audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the audit log: print OK or each entry found edited, deleted,
    /// inserted or moved, and each forged checkpoint (exit status 4).
    Verify(VerifyArgs),
    /// List audit entries, newest first (coordinators only).
    List(ListArgs),
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Only entries before this id (to page back).
    #[arg(long, value_name = "ID")]
    before: Option<i64>,
    /// At most this many entries (up to 500).
    #[arg(long, default_value_t = 50, value_name = "N")]
    limit: u32,
    /// Print the entries as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Run `hotline audit …`.
pub fn run(data_dir: &Path, args: &AuditArgs) -> Result<(), CliError> {
    match &args.command {
        AuditCommand::Verify(verify) => {
            let vault = unlock(data_dir, &verify.auth)?;
            let report = vault.verify_audit();
            lock(vault, data_dir)?;
            let report = report.map_err(|err| vault_error(err, data_dir))?;
            if verify.json {
                outln!("{}", to_json(&report)?)?;
            } else {
                print_report(&report)?;
            }
            if !report.is_ok() {
                let err = VaultError::AuditAltered {
                    problems: report.problems.len(),
                };
                return Err(vault_error(err, data_dir));
            }
        }
        AuditCommand::List(list) => {
            let vault = unlock(data_dir, &list.auth)?;
            let entries = entries(&vault, list);
            lock(vault, data_dir)?;
            let entries = entries.map_err(|err| vault_error(err, data_dir))?;
            if list.json {
                outln!("{}", to_json(&entries)?)?;
            } else {
                for e in entries {
                    outln!(
                        "{}\t{}\t{}\t{}\t{}",
                        e.id,
                        e.at.format("%Y-%m-%dT%H:%M:%SZ"),
                        e.actor,
                        e.action,
                        e.params
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn entries(
    vault: &Vault,
    list: &ListArgs,
) -> Result<Vec<hotline_core::vault::AuditEntry>, VaultError> {
    vault.coordinator()?.audit_entries(list.before, list.limit)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(CliError::new)
}

/// The report as lines: each problem, then what is not yet checkpointed.
fn print_report(report: &AuditReport) -> Result<(), CliError> {
    for problem in &report.problems {
        outln!("problem: {problem}")?;
    }
    if report.is_ok() {
        outln!("audit log OK: {} entries", report.entries)?;
    }
    if let Some(from) = report.unchecked_from {
        outln!(
            "not yet checkpointed: entries from {from} on (no coordinator has signed them yet; anyone holding the vault files could rewrite them)"
        )?;
    }
    if report.chained_at_upgrade_to > 0 {
        outln!(
            "entries up to {} were chained when the vault was upgraded (trusted from then on)",
            report.chained_at_upgrade_to
        )?;
    }
    Ok(())
}
