//! `hotline team create|request|invite|enrol|show|revoke|share|sync`: the
//! laptops of one hotline, their keys, what they share, and the team folder.
//! See `docs/TEAM.md`.
//!
//! Enrolment takes two files carried by hand (a USB stick): the new
//! laptop's request, and the team file the coordinator writes for it.
//! Both screens print a fingerprint; the two people compare them before
//! they trust the files.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand};
use hotline_core::team::{self, SyncReport, TeamError, TeamInfo, UpdateKind};
use hotline_core::vault::Vault;

use crate::CliError;
use crate::out::{errln, outln};
use crate::passphrase::AuthArgs;
use crate::vault::{lock, vault_error};

/// Options of `hotline team`.
#[derive(Debug, Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    command: TeamCommand,
}

#[derive(Debug, Subcommand)]
enum TeamCommand {
    /// Create a team with this laptop as its coordinator laptop (coordinators only).
    Create {
        /// The team's name, as every laptop will show it.
        #[arg(long, value_name = "NAME")]
        name: String,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Write this laptop's enrolment request for the team's coordinator (coordinators only).
    Request {
        /// A name for this laptop in the team ("shift laptop 2").
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The request file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Enrol a laptop from its request and write its team file (the coordinator laptop's coordinators only).
    Invite {
        /// The request written by `hotline team request` on the new laptop.
        #[arg(value_name = "REQUEST")]
        request: PathBuf,
        /// The team file to write, for the new laptop.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Refuse unless the request's fingerprint is exactly these words
        /// (as the new laptop's screen shows them).
        #[arg(long, value_name = "WORDS")]
        fingerprint: Option<String>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Join the team of a team file written for this laptop (coordinators only).
    Enrol {
        /// The team file written by `hotline team invite`.
        #[arg(value_name = "TEAM_FILE")]
        file: PathBuf,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Show this laptop's id and fingerprint, and its team.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Revoke a laptop: nothing it sends after sequence number N is accepted (the coordinator laptop's coordinators only).
    Revoke {
        /// The laptop's id, or at least its first 8 characters.
        #[arg(value_name = "LAPTOP")]
        laptop: String,
        /// The last of its sequence numbers still accepted.
        #[arg(long, value_name = "N")]
        after: u64,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Exchange packets with the other laptops through the team folder DIR: apply this laptop's, write theirs.
    Sync {
        /// The team folder (a USB stick, a shared drive, a Syncthing folder).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Switch on (or, with --off, off) what the team shares: the coordinator updates pack, areas, referrals, retention, auto_lock, and case handoff, cases (the coordinator laptop's coordinators only).
    Share {
        /// The kinds of update.
        #[arg(value_name = "KIND", required = true, value_parser = parse_kind)]
        kinds: Vec<UpdateKind>,
        /// Stop sharing them.
        #[arg(long)]
        off: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
}

/// A kind of coordinator update as the command line names it.
fn parse_kind(text: &str) -> Result<UpdateKind, String> {
    UpdateKind::parse(text).ok_or_else(|| {
        let all: Vec<&str> = UpdateKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "not a kind of coordinator update; one of {}",
            all.join(", ")
        )
    })
}

/// The kinds shared, for a person.
fn shares_text(kinds: &[UpdateKind]) -> String {
    if kinds.is_empty() {
        "nothing (data-minimal)".to_owned()
    } else {
        kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A team error as a message and exit status.
fn team_error(err: TeamError, data_dir: &Path) -> CliError {
    match err {
        TeamError::Vault(err) => vault_error(err, data_dir),
        other => CliError::coded(&other),
    }
}

/// Run `f` on the unlocked vault, then lock it.
fn with_vault<T>(
    data_dir: &Path,
    auth: &AuthArgs,
    f: impl FnOnce(&Vault) -> Result<T, TeamError>,
) -> Result<T, CliError> {
    let vault = crate::calls::open(data_dir, auth)?;
    let result = f(&vault).map_err(|err| team_error(err, data_dir));
    lock(vault, data_dir)?;
    result
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|err| CliError::new(format!("cannot read {}: {err}", path.display())))
}

/// Run a team command.
pub fn run(data_dir: &Path, args: &TeamArgs) -> Result<(), CliError> {
    match &args.command {
        TeamCommand::Create { name, auth } => {
            let info = with_vault(data_dir, auth, |v| {
                team::create_team(&v.coordinator()?, name)
            })?;
            errln!("created team {}", info.name);
            print_team(&info)
        }
        TeamCommand::Request {
            name,
            out,
            force,
            auth,
        } => {
            let info = with_vault(data_dir, auth, |v| {
                team::request_enrolment(&v.coordinator()?, name, out, *force)
            })?;
            errln!(
                "wrote the enrolment request of laptop {} to {}; take it to the team's coordinator and compare this fingerprint with their screen:",
                info.laptop_id,
                out.display()
            );
            outln!("{}", info.fingerprint)?;
            Ok(())
        }
        TeamCommand::Invite {
            request,
            out,
            fingerprint,
            force,
            auth,
        } => {
            let request = team::read_request(&read(request)?).map_err(|e| CliError::coded(&e))?;
            if let Some(expected) = fingerprint
                && normalise(expected) != request.fingerprint()
            {
                return Err(CliError::new(
                    "the request's fingerprint is not the one given: it is not the laptop you compared with; nothing was changed",
                ));
            }
            let invited = with_vault(data_dir, auth, |v| {
                team::invite(&v.coordinator()?, &request, out, *force)
            })?;
            errln!(
                "{} laptop {} ({}) with handles {}; wrote its team file to {}",
                if invited.already_enrolled {
                    "already enrolled:"
                } else {
                    "enrolled"
                },
                invited.laptop.name,
                invited.laptop.laptop_id,
                invited.laptop.handles.join(", "),
                out.display()
            );
            errln!("laptop fingerprint (compare with the new laptop's screen):");
            outln!("{}", invited.laptop.fingerprint)?;
            errln!("team fingerprint (the new laptop shows it after `hotline team enrol`):");
            outln!("{}", invited.team.fingerprint)?;
            Ok(())
        }
        TeamCommand::Enrol { file, auth } => {
            let bytes = read(file)?;
            let info = with_vault(data_dir, auth, |v| team::enrol(&v.coordinator()?, &bytes))?;
            errln!(
                "this laptop is in team {}; compare the team fingerprint with the coordinator's screen:",
                info.name
            );
            outln!("{}", info.fingerprint)?;
            Ok(())
        }
        TeamCommand::Show { json, auth } => {
            let (laptop, info) = with_vault(data_dir, auth, |v| {
                Ok((team::laptop(v)?, team::team_info(v)?))
            })?;
            if *json {
                let doc = serde_json::json!({ "laptop": laptop, "team": info });
                outln!("{doc:#}")?;
                return Ok(());
            }
            outln!("laptop {}", laptop.laptop_id)?;
            outln!("  fingerprint: {}", laptop.fingerprint)?;
            match info {
                Some(info) => print_team(&info),
                None => {
                    outln!("not in a team")?;
                    Ok(())
                }
            }
        }
        TeamCommand::Revoke {
            laptop,
            after,
            auth,
        } => {
            let info = with_vault(data_dir, auth, |v| {
                team::revoke(&v.coordinator()?, laptop, *after)
            })?;
            errln!(
                "revoked: nothing the laptop sends after its number {after} is accepted; revision {} of the team record",
                info.revision
            );
            Ok(())
        }
        TeamCommand::Sync { dir, json, auth } => {
            let stop = AtomicBool::new(false);
            let report = with_vault(data_dir, auth, |v| team::sync(v, dir, &mut |_| {}, &stop))?;
            if *json {
                let doc = serde_json::to_value(&report)
                    .map_err(|err| CliError::new(format!("cannot print the report: {err}")))?;
                outln!("{doc:#}")?;
                return Ok(());
            }
            print_sync(&report)
        }
        TeamCommand::Share { kinds, off, auth } => {
            let info = with_vault(data_dir, auth, |v| {
                team::share(&v.coordinator()?, kinds, !off)
            })?;
            errln!("revision {} of the team record", info.revision);
            outln!("the team shares: {}", shares_text(&info.shares))?;
            Ok(())
        }
    }
}

/// The report of a sync, one line a fact and one a refused file.
fn print_sync(report: &SyncReport) -> Result<(), CliError> {
    outln!(
        "sent {}, applied {}, held {}, refused {}, deleted {}, expired {}",
        report.sent,
        report.applied,
        report.held.len(),
        report.refused.len(),
        report.deleted,
        report.expired
    )?;
    for held in &report.held {
        outln!(
            "held: number {} from laptop {} ({}) waits for its number {}",
            held.seq,
            held.laptop,
            held.laptop_id,
            held.waiting_for
        )?;
    }
    for refused in &report.refused {
        outln!(
            "refused: {} [{}]: {} (left in the folder)",
            refused.file,
            refused.code.as_str(),
            refused.message
        )?;
    }
    if report.stopped {
        errln!("the sync was stopped before it finished; run it again to carry on");
    }
    Ok(())
}

/// Words separated by single spaces, lowercase.
fn normalise(words: &str) -> String {
    words
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_team(info: &TeamInfo) -> Result<(), CliError> {
    outln!(
        "team {} ({}), revision {}",
        info.name,
        info.team_id,
        info.revision
    )?;
    outln!("  fingerprint: {}", info.fingerprint)?;
    outln!("  shares: {}", shares_text(&info.shares))?;
    for m in &info.members {
        let revoked = m
            .revoked_after
            .map(|n| format!(", revoked after {n}"))
            .unwrap_or_default();
        let this = if m.laptop_id == info.this_laptop {
            " (this laptop)"
        } else {
            ""
        };
        outln!(
            "  laptop {}{this}: {} — handles {}; from number {}{revoked}",
            m.laptop_id,
            m.name,
            m.handles.join(", "),
            m.seq_start
        )?;
        outln!("    fingerprint: {}", m.fingerprint)?;
    }
    Ok(())
}
