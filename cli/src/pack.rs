//! `hotline pack`: check guidance packs, print the built-in one, and manage
//! the packs kept in the vault (import, list, use, remove, attach-text).

use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use hotline_core::guidance::{
    self, BUILTIN_ALIAS, BUILTIN_FILE_NAME, BUILTIN_SOURCE, Pack, PackErrors, PackLibraryError,
};

use crate::CliError;
use crate::out::{self, errln, outln};
use crate::passphrase::AuthArgs;
use crate::vault::{lock, unlock, vault_error};

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
    /// Import a pack file into the vault after checking it (coordinators only).
    /// A pack with the same id is replaced by the new version.
    Import(ImportArgs),
    /// List the packs: the built-in one and those imported; `*` marks the active one.
    List(ListArgs),
    /// Choose the active pack: an imported pack's id, or `builtin` (coordinators only).
    Use(UseArgs),
    /// Remove an imported pack; if it was active, the built-in pack becomes active
    /// (coordinators only).
    Remove(RemoveArgs),
    /// Attach the text of a pack's seed article, so citations show the cited
    /// paragraphs (coordinators only).
    AttachText(AttachTextArgs),
}

/// Options of `hotline pack import`.
#[derive(Debug, Args)]
struct ImportArgs {
    /// The pack file (TOML, UTF-8, at most 1 MiB).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline pack list`.
#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline pack use`.
#[derive(Debug, Args)]
struct UseArgs {
    /// Id of an imported pack, or `builtin`.
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline pack remove`.
#[derive(Debug, Args)]
struct RemoveArgs {
    /// Id of the imported pack to remove.
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline pack attach-text`.
#[derive(Debug, Args)]
struct AttachTextArgs {
    /// The pack: an imported pack's id, or `builtin` (the default).
    #[arg(long, value_name = "ID", default_value = BUILTIN_ALIAS)]
    pack: String,
    /// Id of the seed-article source in the pack, such as `article`.
    #[arg(value_name = "SOURCE_ID")]
    source: String,
    /// The article's plain text (UTF-8), paragraphs separated by blank lines.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    auth: AuthArgs,
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
pub fn run(data_dir: &Path, args: &PackArgs) -> Result<(), CliError> {
    match &args.command {
        PackCommand::Check(check) => run_check(check),
        PackCommand::Dump(_) => {
            out::text(BUILTIN_SOURCE)?;
            Ok(())
        }
        PackCommand::Import(import) => {
            let vault = unlock(data_dir, &import.auth)?;
            let result = vault
                .coordinator()
                .map_err(PackLibraryError::from)
                .and_then(|c| guidance::import_pack_file(&c, &import.file));
            lock(vault, data_dir)?;
            let outcome = result
                .map_err(|err| library_error(err, &import.file.display().to_string(), data_dir))?;
            print_warnings(&outcome.pack);
            let meta = outcome.pack.meta();
            match &outcome.replaced_version {
                Some(old) => outln!(
                    "imported pack {} version {} (replaces version {old})",
                    meta.id,
                    meta.version
                )?,
                None => outln!("imported pack {} version {}", meta.id, meta.version)?,
            }
            if outcome.texts_dropped > 0 {
                outln!(
                    "{} attached text(s) no longer match this version and were removed",
                    outcome.texts_dropped
                )?;
            }
            if !outcome.active {
                outln!("make it the active pack with: hotline pack use {}", meta.id)?;
            }
            Ok(())
        }
        PackCommand::List(list) => {
            let vault = unlock(data_dir, &list.auth)?;
            let result = guidance::list_packs(&vault);
            lock(vault, data_dir)?;
            let entries = result.map_err(|err| library_error(err, "", data_dir))?;
            for entry in entries {
                let marker = if entry.active { "*" } else { " " };
                let origin = if entry.builtin {
                    "built-in"
                } else {
                    "imported"
                };
                let reviewed = entry.reviewed_on.as_deref().unwrap_or("never");
                let title = entry
                    .title
                    .get("en")
                    .or_else(|| entry.title.values().next())
                    .map_or("", String::as_str);
                let texts: Vec<String> = entry
                    .seed_sources
                    .iter()
                    .filter(|s| s.attached)
                    .map(|s| s.id.clone())
                    .collect();
                let mut line = format!(
                    "{marker} {}\t{}\treviewed {reviewed}\t{origin}\t{title}",
                    entry.id, entry.version
                );
                if !texts.is_empty() {
                    line.push_str(&format!("\ttext attached: {}", texts.join(", ")));
                }
                if let Some(problem) = &entry.problem {
                    line.push_str(&format!("\tunusable: {problem}"));
                }
                outln!("{line}")?;
            }
            Ok(())
        }
        PackCommand::Use(choice) => {
            let vault = unlock(data_dir, &choice.auth)?;
            let result = vault
                .coordinator()
                .map_err(PackLibraryError::from)
                .and_then(|c| guidance::use_pack(&c, &choice.id));
            lock(vault, data_dir)?;
            let pack = result.map_err(|err| library_error(err, &choice.id, data_dir))?;
            outln!(
                "active pack: {} version {}",
                pack.meta().id,
                pack.meta().version
            )?;
            Ok(())
        }
        PackCommand::Remove(remove) => {
            let vault = unlock(data_dir, &remove.auth)?;
            let result = vault
                .coordinator()
                .map_err(PackLibraryError::from)
                .and_then(|c| guidance::remove_pack(&c, &remove.id));
            lock(vault, data_dir)?;
            let was_active = result.map_err(|err| library_error(err, &remove.id, data_dir))?;
            outln!("removed pack {}", remove.id)?;
            if was_active {
                outln!("the built-in pack is active again")?;
            }
            Ok(())
        }
        PackCommand::AttachText(attach) => {
            let vault = unlock(data_dir, &attach.auth)?;
            let result = vault
                .coordinator()
                .map_err(PackLibraryError::from)
                .and_then(|c| {
                    guidance::attach_source_text_file(
                        &c,
                        &attach.pack,
                        &attach.source,
                        &attach.file,
                    )
                });
            lock(vault, data_dir)?;
            let count = result
                .map_err(|err| library_error(err, &attach.file.display().to_string(), data_dir))?;
            outln!(
                "attached the text of {} to pack {} ({count} paragraphs)",
                attach.source,
                attach.pack
            )?;
            Ok(())
        }
    }
}

/// A pack-library error as a CLI error; a refused import lists every problem.
fn library_error(err: PackLibraryError, name: &str, data_dir: &Path) -> CliError {
    match err {
        PackLibraryError::Invalid(errors) => report(name, &errors),
        PackLibraryError::StoredPackBroken { id, errors } => {
            for issue in errors.issues() {
                errln!("{issue}");
            }
            CliError::new(format!(
                "the stored pack \"{id}\" no longer passes the checks; import it again"
            ))
        }
        PackLibraryError::Vault(err) => vault_error(err, data_dir),
        other => CliError::coded(&other),
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
            print_warnings(&pack);
            print_summary(&name, &pack)?;
            Ok(())
        }
        Err(errors) => Err(report(&name, &errors)),
    }
}

/// Problems that did not refuse the pack, on stderr (`file:line: warning: …`).
fn print_warnings(pack: &Pack) {
    for warning in pack.warnings() {
        errln!("{warning}");
    }
}

fn print_summary(name: &str, pack: &Pack) -> Result<(), CliError> {
    let meta = pack.meta();
    let counts = pack.counts();
    let reviewed = meta
        .reviewed_on
        .map_or_else(|| "never".to_owned(), |d| d.to_string());
    outln!("{name}: OK")?;
    outln!(
        "pack {} version {}, reviewed on {reviewed}",
        meta.id,
        meta.version
    )?;
    outln!(
        "{} flows, {} nodes, {} sources, {} resources",
        counts.flows,
        counts.nodes,
        counts.sources,
        counts.resources
    )?;
    let standing = match &meta.counsel {
        Some(c) if c.approved => format!(
            "approved by counsel ({}, {})",
            c.organisation.as_deref().unwrap_or_default(),
            c.approved_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        _ => "not yet approved by counsel".to_owned(),
    };
    outln!("legal standing: {standing}")?;
    if !pack.warnings().is_empty() {
        outln!("{} warning(s), listed above", pack.warnings().len())?;
    }
    Ok(())
}

/// Print every problem on stderr; the returned error gives the count.
fn report(name: &str, errors: &PackErrors) -> CliError {
    for issue in errors.issues() {
        errln!("{issue}");
    }
    let count = errors.issues().len();
    let noun = if count == 1 { "problem" } else { "problems" };
    CliError::new(format!("{count} {noun} in {name}"))
}
