//! `hotline`: the command-line face of Hotline Desk.
//!
//! Thin by design: parse arguments, call `hotline-core`, print the result,
//! map errors to a message on stderr and a non-zero exit status.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod about;

/// Top-level arguments shared by every subcommand.
#[derive(Debug, Parser)]
#[command(name = "hotline", version, about = "Hotline Desk from a terminal")]
struct Cli {
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
            code: 1,
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let data_dir = hotline_core::paths::resolve_data_dir(cli.data_dir).map_err(CliError::new)?;
    match cli.command {
        Command::About(args) => about::run(&data_dir, &args),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hotline: {}", err.message);
            ExitCode::from(err.code)
        }
    }
}
