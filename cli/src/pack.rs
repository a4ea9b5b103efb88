//! `hotline pack`: check guidance packs, and print the built-in one.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use hotline_core::guidance::{self, BUILTIN_FILE_NAME, BUILTIN_SOURCE, Pack, PackErrors};

use crate::CliError;

/// Options of `hotline pack`.
#[derive(Debug, Args)]
pub struct PackArgs {
    #[command(subcommand)]
    command: PackCommand,
}

/// Subcommands of `hotline pack`.
#[derive(Debug, Subcommand)]
enum PackCommand {
    /// Check a pack file, or the built-in pack, and list every problem.
    Check(CheckArgs),
    /// Print the built-in pack's TOML source (a starting point for a new pack).
    Dump(DumpArgs),
}

/// Options of `hotline pack check`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["file", "builtin"])))]
struct CheckArgs {
    /// The pack file to check.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Check the pack built into this program instead of a file.
    #[arg(long)]
    builtin: bool,
}

/// Options of `hotline pack dump`.
#[derive(Debug, Args)]
struct DumpArgs {
    /// Print the built-in pack (the only pack this command knows for now).
    #[arg(long, required = true)]
    builtin: bool,
}

/// Run a `hotline pack` subcommand.
pub fn run(args: &PackArgs) -> Result<(), CliError> {
    match &args.command {
        PackCommand::Check(check) => run_check(check),
        PackCommand::Dump(_) => {
            print!("{BUILTIN_SOURCE}");
            Ok(())
        }
    }
}

fn run_check(args: &CheckArgs) -> Result<(), CliError> {
    let (name, result) = match &args.file {
        Some(path) if !args.builtin => (path.display().to_string(), guidance::validate_file(path)),
        _ => (
            BUILTIN_FILE_NAME.to_owned(),
            guidance::check_source(BUILTIN_SOURCE, BUILTIN_FILE_NAME),
        ),
    };
    match result {
        Ok(pack) => {
            print_summary(&name, &pack);
            Ok(())
        }
        Err(errors) => Err(report(&name, &errors)),
    }
}

fn print_summary(name: &str, pack: &Pack) {
    let meta = pack.meta();
    let counts = pack.counts();
    let reviewed = meta
        .reviewed_on
        .map_or_else(|| "never".to_owned(), |d| d.to_string());
    println!("{name}: OK");
    println!(
        "pack {} version {}, reviewed on {reviewed}",
        meta.id, meta.version
    );
    println!(
        "{} flows, {} nodes, {} sources, {} resources",
        counts.flows, counts.nodes, counts.sources, counts.resources
    );
}

/// Print every problem on stderr; the returned error gives the count.
fn report(name: &str, errors: &PackErrors) -> CliError {
    for issue in errors.issues() {
        eprintln!("{issue}");
    }
    let count = errors.issues().len();
    let noun = if count == 1 { "problem" } else { "problems" };
    CliError::new(format!("{count} {noun} in {name}"))
}
