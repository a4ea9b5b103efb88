//! `hotline referral`: the referral directory (list, search, add, remove,
//! import, export, schema).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use hotline_core::referrals::{self, Referral, ReferralError};

use crate::CliError;
use crate::out::{self, outln};
use crate::passphrase::AuthArgs;
use crate::vault::{lock, unlock, vault_error};

/// Largest directory file read: 8 MiB.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Options of `hotline referral`.
#[derive(Debug, Args)]
pub struct ReferralArgs {
    #[command(subcommand)]
    command: ReferralCommand,
}

/// Subcommands of `hotline referral`.
#[derive(Debug, Subcommand)]
enum ReferralCommand {
    /// List the directory: id, verified or UNVERIFIED, kinds, name.
    List(ListArgs),
    /// Search names, what they do (English and Spanish) and kinds.
    Search(SearchArgs),
    /// Add an entry (coordinators only); prints its new id.
    Add(AddArgs),
    /// Stop offering an entry (coordinators only); calls keep it.
    Remove(IdArgs),
    /// Import a directory file, merging by id (coordinators only).
    Import(ImportArgs),
    /// Write the directory file to standard output or a new file.
    Export(ExportArgs),
    /// Print the JSON schema of the directory file.
    Schema,
}

/// Options of `hotline referral list`.
#[derive(Debug, Args)]
struct ListArgs {
    /// Print the directory file (JSON) instead of lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline referral search`.
#[derive(Debug, Args)]
struct SearchArgs {
    /// Words that must all appear (case and accents ignored).
    #[arg(value_name = "QUERY", default_value = "")]
    query: String,
    /// Only entries of this kind (repeat for several; any of them matches).
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Print the matches as a directory file (JSON) instead of lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline referral add`.
#[derive(Debug, Args)]
struct AddArgs {
    /// Name of the organisation or service.
    #[arg(long)]
    name: String,
    /// What they do, in English.
    #[arg(long, default_value = "")]
    about_en: String,
    /// What they do, in Spanish.
    #[arg(long, default_value = "")]
    about_es: String,
    /// A language they serve in (repeat: --language en --language es).
    #[arg(long = "language", value_name = "TAG")]
    languages: Vec<String>,
    /// When they can be reached, as the source states it.
    #[arg(long)]
    hours: Option<String>,
    /// Phone number, as the source writes it.
    #[arg(long)]
    phone: Option<String>,
    /// Web address (https://…).
    #[arg(long)]
    web: Option<String>,
    /// Area served.
    #[arg(long)]
    area: Option<String>,
    /// Kind of resource, such as legal-aid (repeat for several).
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    /// Where these facts come from (a page's address or a dated document).
    #[arg(long)]
    source: Option<String>,
    /// When the facts were checked against the source (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    verified_on: Option<NaiveDate>,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options naming one entry.
#[derive(Debug, Args)]
struct IdArgs {
    /// The entry's id (a UUID).
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline referral import`.
#[derive(Debug, Args)]
struct ImportArgs {
    /// The directory file (JSON, UTF-8, at most 8 MiB).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline referral export`.
#[derive(Debug, Args)]
struct ExportArgs {
    /// Write to this new file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Overwrite the file named by --out if it exists.
    #[arg(long, requires = "out")]
    force: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// A directory error as a CLI error.
fn referral_error(err: ReferralError, data_dir: &Path) -> CliError {
    match err {
        ReferralError::Vault(err) => vault_error(err, data_dir),
        other => CliError::coded(&other),
    }
}

/// One line per entry: id, verified or UNVERIFIED, kinds, name.
fn print_lines(entries: &[Referral]) -> Result<(), CliError> {
    for r in entries {
        let mark = match r.verified_on {
            Some(date) if r.is_verified() => format!("verified {date}"),
            _ => "UNVERIFIED".to_owned(),
        };
        outln!("{}\t{mark}\t{}\t{}", r.id, r.kinds.join(","), r.name)?;
    }
    Ok(())
}

fn read_file(path: &Path) -> Result<String, CliError> {
    let size = std::fs::metadata(path)
        .map_err(|err| CliError::new(format!("cannot read {}: {err}", path.display())))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(CliError::new(format!(
            "{} is larger than 8 MiB; a directory file is smaller",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|err| CliError::new(format!("cannot read {}: {err}", path.display())))
}

/// Run a `hotline referral` subcommand.
pub fn run(data_dir: &Path, args: &ReferralArgs) -> Result<(), CliError> {
    match &args.command {
        ReferralCommand::Schema => {
            out::text(&referrals::file_schema_text())?;
            Ok(())
        }
        ReferralCommand::List(list) => {
            let vault = unlock(data_dir, &list.auth)?;
            let result = referrals::list(&vault);
            lock(vault, data_dir)?;
            let entries = result.map_err(|err| referral_error(err, data_dir))?;
            if list.json {
                out::text(&referrals::file_text(entries))?;
            } else {
                print_lines(&entries)?;
            }
            Ok(())
        }
        ReferralCommand::Search(search) => {
            let vault = unlock(data_dir, &search.auth)?;
            let result = referrals::search(&vault, &search.query, &search.kinds);
            lock(vault, data_dir)?;
            let entries = result.map_err(|err| referral_error(err, data_dir))?;
            if search.json {
                out::text(&referrals::file_text(entries))?;
            } else if entries.is_empty() {
                outln!("no entry matches")?;
            } else {
                print_lines(&entries)?;
            }
            Ok(())
        }
        ReferralCommand::Add(add) => {
            let entry = Referral {
                about_en: add.about_en.clone(),
                about_es: add.about_es.clone(),
                languages: add.languages.clone(),
                hours: add.hours.clone(),
                phone: add.phone.clone(),
                web: add.web.clone(),
                area: add.area.clone(),
                kinds: add.kinds.clone(),
                source: add.source.clone(),
                verified_on: add.verified_on,
                ..Referral::new(&add.name).map_err(CliError::new)?
            };
            let vault = unlock(data_dir, &add.auth)?;
            let result = vault
                .coordinator()
                .map_err(ReferralError::from)
                .and_then(|c| referrals::add(&c, entry));
            lock(vault, data_dir)?;
            let id = result.map_err(|err| referral_error(err, data_dir))?;
            outln!("{id}")?;
            Ok(())
        }
        ReferralCommand::Remove(remove) => {
            let id = referrals::parse_id(&remove.id).map_err(CliError::new)?;
            let vault = unlock(data_dir, &remove.auth)?;
            let result = vault
                .coordinator()
                .map_err(ReferralError::from)
                .and_then(|c| referrals::remove(&c, id));
            lock(vault, data_dir)?;
            result.map_err(|err| referral_error(err, data_dir))?;
            outln!("removed {id}; calls that name it keep it")?;
            Ok(())
        }
        ReferralCommand::Import(import) => {
            let text = read_file(&import.file)?;
            let vault = unlock(data_dir, &import.auth)?;
            let result = vault
                .coordinator()
                .map_err(ReferralError::from)
                .and_then(|c| referrals::import_file(&c, &text));
            lock(vault, data_dir)?;
            let report = result.map_err(|err| referral_error(err, data_dir))?;
            outln!(
                "imported {}: {} added, {} updated, {} unchanged",
                import.file.display(),
                report.added,
                report.updated,
                report.unchanged
            )?;
            Ok(())
        }
        ReferralCommand::Export(export) => {
            let vault = unlock(data_dir, &export.auth)?;
            let result = match &export.out {
                Some(path) => referrals::write_export(&vault, path, export.force)
                    .map(|count| format!("wrote {count} entries to {}\n", path.display())),
                None => referrals::export_file(&vault),
            };
            lock(vault, data_dir)?;
            out::text(&result.map_err(|err| referral_error(err, data_dir))?)?;
            Ok(())
        }
    }
}
