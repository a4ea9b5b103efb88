//! Export commands: `export summary`, `export bundle`, `keys coordinator`
//! and `summary merge` (coordinators only). See `docs/EXPORTS.md`.
//!
//! Outputs are never written over an existing file without `--force`.
//! Every written export is recorded in the vault's audit log.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use hotline_core::export::{self, ExportError, Format, Lang, SummaryOptions};
use hotline_core::vault::Vault;

use crate::CliError;
use crate::out::{errln, outln};
use crate::passphrase::AuthArgs;
use crate::vault::{lock, vault_error};

/// The export commands, flattened into the top level of `hotline`.
#[derive(Debug, Subcommand)]
pub enum ExportCommands {
    /// Write a suppressed summary, or an encrypted aggregate bundle (coordinators only).
    Export(ExportArgs),
    /// The coordinator's key pair for aggregate bundles.
    Keys(KeysArgs),
    /// Merge aggregate bundles from other laptops into one summary.
    Summary(SummaryArgs),
}

/// Options of `hotline export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    command: ExportCommand,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Counts by ISO week × category × area, agency, verification, language
    /// and caller relation; counts below k are suppressed.
    Summary(SummaryExportArgs),
    /// Exact counts for the team's coordinator: signed by this laptop, encrypted to the coordinator.
    Bundle(BundleArgs),
}

/// Output format of a summary.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// CSV, one row per cell.
    Csv,
    /// JSON with a versioned schema.
    Json,
    /// A self-contained HTML report.
    Html,
}

/// A language of the hotline's texts (an HTML report, an alert).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LangArg {
    /// English.
    En,
    /// Spanish.
    Es,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Es => Lang::Es,
        }
    }
}

/// Where and how to write a summary.
#[derive(Debug, Args)]
struct OutputArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Language of an HTML report's headings and labels.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Threshold: every published count is 0 or at least k (3 to 100).
    #[arg(long, value_name = "N", default_value_t = export::DEFAULT_K)]
    k: u32,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    force: bool,
}

impl OutputArgs {
    fn format(&self) -> Format {
        match self.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Html => Format::Html(self.lang.into()),
        }
    }
}

/// The period and which calls count.
#[derive(Debug, Args)]
struct PeriodArgs {
    /// First day (YYYY-MM-DD, UTC), widened to its ISO week's Monday
    /// [default: the first call's day].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last day, inclusive (YYYY-MM-DD, UTC), widened to its ISO week's
    /// Sunday [default: the last complete week's Sunday].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Count synthetic (demo-data) calls too; without it only real calls
    /// count (`--include-synthetic false` is accepted as well).
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        default_value_t = false,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    include_synthetic: bool,
}

impl PeriodArgs {
    fn options(&self, k: u32) -> SummaryOptions {
        SummaryOptions {
            from: self.from,
            to: self.to,
            k,
            include_synthetic: self.include_synthetic,
        }
    }
}

#[derive(Debug, Args)]
struct SummaryExportArgs {
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    period: PeriodArgs,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct BundleArgs {
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    period: PeriodArgs,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print the coordinator's public key, creating the key pair the first time.
    Coordinator {
        #[command(flatten)]
        auth: AuthArgs,
    },
}

/// Options of `hotline summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(subcommand)]
    command: SummaryCommand,
}

#[derive(Debug, Subcommand)]
enum SummaryCommand {
    /// Check and decrypt signed bundles, show each laptop's part, sum the counts exactly and write one suppressed summary.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// Bundle files written by `hotline export bundle`.
    #[arg(value_name = "BUNDLE", required = true)]
    bundles: Vec<PathBuf>,
    /// Show each laptop's part and write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Parse a date given as `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected a date as YYYY-MM-DD".into())
}

/// An export error as a message and exit status.
fn export_error(err: ExportError, data_dir: &Path) -> CliError {
    match err {
        ExportError::Vault(err) => vault_error(err, data_dir),
        other => CliError::coded(&other),
    }
}

/// Run `f` on the unlocked vault, then lock it.
fn with_vault<T>(
    data_dir: &Path,
    auth: &AuthArgs,
    f: impl FnOnce(&Vault) -> Result<T, ExportError>,
) -> Result<T, CliError> {
    let vault = crate::calls::open(data_dir, auth)?;
    let result = f(&vault).map_err(|err| export_error(err, data_dir));
    lock(vault, data_dir)?;
    result
}

/// Run an export command.
pub fn run(data_dir: &Path, command: &ExportCommands) -> Result<(), CliError> {
    match command {
        ExportCommands::Export(args) => match &args.command {
            ExportCommand::Summary(args) => export_summary(data_dir, args),
            ExportCommand::Bundle(args) => export_bundle(data_dir, args),
        },
        ExportCommands::Keys(args) => match &args.command {
            KeysCommand::Coordinator { auth } => {
                let key = with_vault(data_dir, auth, |v| {
                    export::coordinator_key(&v.coordinator()?)
                })?;
                outln!("{key}")?;
                Ok(())
            }
        },
        ExportCommands::Summary(args) => match &args.command {
            SummaryCommand::Merge(args) => merge(data_dir, args),
        },
    }
}

fn export_summary(data_dir: &Path, args: &SummaryExportArgs) -> Result<(), CliError> {
    let output = &args.output;
    let options = args.period.options(output.k);
    let summary = with_vault(data_dir, &args.auth, |vault| {
        let vault = &vault.coordinator()?;
        let summary = export::summary(vault, &options)?;
        export::write_summary(vault, &summary, output.format(), &output.out, output.force)?;
        Ok(summary)
    })?;
    errln!(
        "wrote the summary of {} to {} ({} weeks, k = {})",
        period(summary.from, summary.to),
        output.out.display(),
        (summary.to - summary.from).num_days() / 7 + 1,
        summary.k
    );
    Ok(())
}

fn export_bundle(data_dir: &Path, args: &BundleArgs) -> Result<(), CliError> {
    let options = args.period.options(export::DEFAULT_K);
    let report = with_vault(data_dir, &args.auth, |vault| {
        export::export_bundle(&vault.coordinator()?, &options, &args.out, args.force)
    })?;
    outln!("{}", report.bundle_id)?;
    errln!(
        "wrote bundle {} of {} to {} (laptop {}, number {})",
        report.bundle_id,
        period(report.from, report.to),
        args.out.display(),
        report.laptop_id,
        report.seq
    );
    Ok(())
}

fn merge(data_dir: &Path, args: &MergeArgs) -> Result<(), CliError> {
    let mut bundles = Vec::with_capacity(args.bundles.len());
    for path in &args.bundles {
        let bytes = std::fs::read(path)
            .map_err(|err| CliError::new(format!("cannot read {}: {err}", path.display())))?;
        bundles.push(bytes);
    }
    let output = &args.output;
    let merged = with_vault(data_dir, &args.auth, |vault| {
        let vault = &vault.coordinator()?;
        let merged = export::merge_bundles(vault, &bundles, output.k)?;
        // Each laptop's part, before anything is written.
        for part in &merged.contributions {
            errln!(
                "laptop {} ({}): {} bundle(s), {} call(s)",
                part.laptop,
                part.laptop_id.get(..8).unwrap_or(&part.laptop_id),
                part.bundles,
                part.calls
            );
        }
        for held in &merged.held {
            errln!(
                "held: laptop {} ({}) number {} waits for its number {}, which has not been merged",
                held.laptop,
                held.laptop_id.get(..8).unwrap_or(&held.laptop_id),
                held.seq,
                held.waiting_for
            );
        }
        if !args.dry_run {
            export::write_merged(vault, &merged, output.format(), &output.out, output.force)?;
        }
        Ok(merged)
    })?;
    if args.dry_run {
        errln!("dry run: nothing was written");
        return Ok(());
    }
    if merged.unlisted_area_calls > 0 {
        errln!(
            "hotline: some calls name areas that are not in this vault's list; they are counted as {}",
            export::UNSPECIFIED_AREA
        );
    }
    errln!(
        "merged {} bundle(s) covering {} into {} (k = {})",
        merged.bundle_ids.len(),
        period(merged.summary.from, merged.summary.to),
        output.out.display(),
        merged.summary.k
    );
    Ok(())
}

fn period(from: NaiveDate, to: NaiveDate) -> String {
    format!("{from} to {to}")
}
