//! `hotline`: the command-line face of Hotline Desk.
//!
//! Thin by design: parse arguments, call `hotline-core`, print the result,
//! map errors to a message on stderr and a non-zero exit status. The clap
//! definitions live in this library so that the `hotline` binary and the
//! generator of its man pages and shell completions (`hotline-assets`) share
//! one source.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hotline_core::errors::Coded;

mod about;
mod audit;
mod calls;
mod export;
mod out;
mod pack;
mod passphrase;
mod referral;
mod team;
mod user;
mod vault;

/// Top-level arguments shared by every subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "hotline",
    version,
    about = "Hotline Desk from a terminal",
    after_help = exit_status_help()
)]
pub struct Cli {
    /// Data directory (default: $HOTLINE_DATA_DIR, then the OS app-data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

/// Every subcommand of `hotline`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Show versions, the data directory and whether a vault exists.
    About(about::AboutArgs),
    /// Guidance packs: check, dump, import, list, use, remove, attach-text.
    Pack(pack::PackArgs),
    /// Referral directory: list, search, add, remove, import, export, schema.
    Referral(referral::ReferralArgs),
    /// Create the encrypted vault and its first coordinator (--user HANDLE).
    Init(vault::InitArgs),
    /// Add, list or remove users.
    User(user::UserArgs),
    /// Change your own passphrase.
    Passwd(vault::PasswdArgs),
    /// Passphrases: suggest one (random words from the EFF large list).
    Passphrase(passphrase::PassphraseArgs),
    /// Write an encrypted backup of the vault to a new file.
    Backup(vault::BackupArgs),
    /// Restore an encrypted backup into a data directory without a vault.
    Restore(vault::RestoreArgs),
    /// Check the vault's integrity, your passphrase and the key slots.
    Verify(vault::VerifyArgs),
    /// Audit log: verify its hash chain and checkpoints, list entries.
    Audit(audit::AuditArgs),
    /// Emergency erase: destroy the erase anchor, then everything else.
    Erase(vault::EraseArgs),
    /// Show, or switch on or off, panic erase at the lock screen.
    PanicErase(vault::PanicEraseArgs),
    /// Call log: call, purge, demo-data, retention, hold, area.
    #[command(flatten)]
    Calls(calls::CallCommands),
    /// Exports: export summary|bundle, keys coordinator, summary merge.
    #[command(flatten)]
    Exports(export::ExportCommands),
    /// The team of laptops: create, request, invite, enrol, show, revoke.
    Team(team::TeamArgs),
}

/// An error to report on stderr, with the process exit status to use.
#[derive(Debug)]
pub struct CliError {
    /// Message for the user; never contains secrets or caller data.
    pub message: String,
    /// Process exit status (non-zero).
    pub code: u8,
}

impl CliError {
    /// A failure with exit status 1.
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: hotline_core::errors::EXIT_FAILURE,
        }
    }

    /// A command line that cannot be used as given, with exit status 2
    /// (as clap's own usage errors).
    pub fn usage(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: hotline_core::errors::EXIT_USAGE,
        }
    }

    /// A core error, with the exit status the core's error map gives it.
    pub fn coded(err: &impl hotline_core::errors::Coded) -> Self {
        Self {
            message: err.to_string(),
            code: err.exit_status(),
        }
    }
}

/// The "Exit status" section of `hotline --help` (and the man page), from
/// the core's error map.
fn exit_status_help() -> String {
    use hotline_core::errors::{EXIT_FAILURE, EXIT_STATUSES, codes_with_exit_status};
    let mut text = String::from("Exit status:\n  0  success\n");
    for (status, meaning) in EXIT_STATUSES {
        let codes: Vec<&str> = codes_with_exit_status(*status)
            .map(|code| code.as_str())
            .collect();
        text.push_str(&format!("  {status}  {meaning}"));
        if *status == EXIT_FAILURE {
            text.push_str(" (every error not listed below)");
        } else if !codes.is_empty() {
            text.push_str(&format!(" ({})", codes.join(", ")));
        }
        text.push('\n');
    }
    text
}

/// Run one parsed command line.
fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir =
        hotline_core::paths::resolve_data_dir(cli.data_dir).map_err(|err| CliError::coded(&err))?;
    match cli.command {
        Command::About(args) => about::run(&data_dir, &args),
        Command::Pack(args) => pack::run(&data_dir, &args),
        Command::Referral(args) => referral::run(&data_dir, &args),
        Command::Init(args) => vault::init(&data_dir, &args),
        Command::User(args) => user::run(&data_dir, &args),
        Command::Passwd(args) => vault::passwd(&data_dir, &args),
        Command::Passphrase(args) => passphrase::run(&args),
        Command::Backup(args) => vault::backup(&data_dir, &args),
        Command::Restore(args) => vault::restore(&data_dir, &args),
        Command::Verify(args) => vault::verify(&data_dir, &args),
        Command::Audit(args) => audit::run(&data_dir, &args),
        Command::Erase(args) => vault::erase(&data_dir, &args),
        Command::PanicErase(args) => vault::panic_erase_switch(&data_dir, &args),
        Command::Calls(command) => calls::run(&data_dir, &command),
        Command::Exports(command) => export::run(&data_dir, &command),
        Command::Team(args) => team::run(&data_dir, &args),
    }
}

/// Parse the process's arguments, run them, and report the outcome: the body
/// of the `hotline` binary.
pub fn main() -> ExitCode {
    if let Err(err) = hotline_core::hardening::harden_process() {
        out::errln!("hotline: {err}");
        return ExitCode::from(err.exit_status());
    }
    match run(Cli::parse()).and_then(|()| out::flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out::errln!("hotline: {}", err.message);
            ExitCode::from(err.code)
        }
    }
}
