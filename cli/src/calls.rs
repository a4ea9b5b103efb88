//! Call-log commands: `call example|schema|add|edit|list|search|show|alert|close|reopen`, `purge`,
//! `demo-data`, `retention`, `hold` and `area`.
//!
//! Every command that unlocks the vault first applies retention when
//! something is due, after a full integrity check (as the app does once its
//! background check has passed), except `purge` itself. Lists print
//! structured fields only; `call show` prints one call in full. Errors name
//! fields and limits, never what a caller said.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Days, Local, NaiveDate, NaiveTime, Offset, Utc};
use clap::{Args, Subcommand, ValueEnum};
use hotline_core::calls::{
    self, AlertTemplate, CallError, CallFilter, CallId, CallSummary, FlaggedNotes, OldCalls,
};
use hotline_core::codes::{Category, Verification};
use hotline_core::errors::{Coded, ErrorCode};
use hotline_core::guidance::load_active_pack;
use hotline_core::vault::Vault;

use crate::CliError;
use crate::export::LangArg;
use crate::out::{self, errln, outln};
use crate::passphrase::AuthArgs;
use crate::vault::{lock, require_sound, unlock, vault_error};

/// The call-log commands, flattened into the top level of `hotline`.
#[derive(Debug, Subcommand)]
pub enum CallCommands {
    /// Log, list, search and show calls.
    Call(CallArgs),
    /// Shred free text older than the retention period (also done on every unlock).
    Purge(PurgeArgs),
    /// Insert synthetic calls for demos and load tests (coordinators only).
    DemoData(DemoArgs),
    /// Show or set how long free text is kept (setting it: coordinators only).
    Retention(RetentionArgs),
    /// Put a legal hold on a call, or lift it (coordinators only); --list
    /// lists the calls on hold.
    Hold(HoldArgs),
    /// List, add, rename or deactivate areas (changes: coordinators only).
    Area(AreaArgs),
}

/// Options of `hotline call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    #[command(subcommand)]
    command: CallCommand,
}

#[derive(Debug, Subcommand)]
enum CallCommand {
    /// Print a complete, valid call as JSON (a template for `call add`).
    Example,
    /// Print the JSON schema of the call import format.
    Schema,
    /// Log the calls in a JSON file: one call object or an array of them.
    Add(AddArgs),
    /// Change fields of a saved call from a JSON file: an object with the
    /// fields to change (`null` clears one); every change lands in the
    /// call's edit history.
    Edit(EditArgs),
    /// List calls, newest first (structured fields only).
    List(ListArgs),
    /// Search calls' free text.
    Search(SearchArgs),
    /// Print one call in full, as JSON.
    Show(ShowArgs),
    /// Print the alert text of a confirmed sighting (agency, area, hour,
    /// expiry; never caller data), to paste into the rapid-response group.
    Alert(AlertArgs),
    /// Close a call's case (refused while a follow-up task is not done).
    Close(CaseArgs),
    /// Open a call's closed case again.
    Reopen(CaseArgs),
}

#[derive(Debug, Args)]
struct CaseArgs {
    /// The call's id.
    #[arg(value_name = "CALL_ID")]
    id: String,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct AddArgs {
    /// The JSON file of calls, or `-` for standard input.
    #[arg(long, short = 'f', value_name = "FILE")]
    file: Option<PathBuf>,
    /// Print the new calls' ids as a JSON array instead of one per line.
    #[arg(long)]
    json: bool,
    /// Log calls older than the retention period too: their free text is
    /// shredded at once (at the next unlock).
    #[arg(long)]
    confirm_old: bool,
    #[command(flatten)]
    notes: NotesOk,
    /// The retired form `call add --json FILE`: refused with what to use.
    #[arg(hide = true, value_name = "FILE")]
    retired_file: Option<PathBuf>,
    #[command(flatten)]
    auth: AuthArgs,
}

impl AddArgs {
    /// The input file, or the error that says how to give it.
    fn input(&self) -> Result<&Path, CliError> {
        match (&self.file, &self.retired_file) {
            (Some(file), None) => Ok(file),
            (_, Some(_)) => Err(CliError::usage(
                "`call add --json FILE` is no longer the way to give the calls: use `call add --file FILE` (`--file -` for standard input); `--json` now prints the new ids as JSON",
            )),
            (None, None) => Err(CliError::usage(
                "give the calls with `--file FILE` (`--file -` for standard input)",
            )),
        }
    }
}

/// The confirmation that notes the notes check flags may be stored.
#[derive(Debug, Args)]
struct NotesOk {
    /// Store notes even if they seem to hold an A-number, a birth country
    /// next to a person or immigration status (warned about on standard
    /// error; without this option such notes are refused).
    #[arg(long)]
    yes_notes_ok: bool,
}

impl NotesOk {
    fn flagged(&self) -> FlaggedNotes {
        if self.yes_notes_ok {
            FlaggedNotes::Accept
        } else {
            FlaggedNotes::Refuse
        }
    }
}

#[derive(Debug, Args)]
struct EditArgs {
    /// The call's id.
    #[arg(value_name = "CALL_ID")]
    id: String,
    /// The JSON file of the change, or `-` for standard input, such as
    /// `{"category": "courthouse", "notes": "…", "area": null}`.
    #[arg(long, short = 'f', value_name = "FILE")]
    file: PathBuf,
    /// Print the changed fields as JSON (as the edit history records them).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    notes: NotesOk,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Only calls with this verification (unverified, dispatched, confirmed, false_alarm, local_police, unable_to_verify).
    #[arg(long, value_name = "S")]
    status: Option<Verification>,
    /// Only calls in this category (such as ice_public, rumour_check).
    #[arg(long, value_name = "C")]
    category: Option<Category>,
    /// Only calls in this area (by name).
    #[arg(long, value_name = "A")]
    area: Option<String>,
    /// Only calls received on or after this day (YYYY-MM-DD, a UTC day).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Only calls received on or before this day, inclusive (YYYY-MM-DD, a
    /// UTC day), as in `export`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// At most this many calls.
    #[arg(long, value_name = "N", default_value_t = 100)]
    limit: u32,
    /// Skip this many of the newest.
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: u32,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// Words to find (all must appear); "quoted words" as a phrase; word* as a prefix.
    #[arg(value_name = "QUERY")]
    query: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// At most this many calls.
    #[arg(long, value_name = "N", default_value_t = 100)]
    limit: u32,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The call's id.
    #[arg(value_name = "CALL_ID")]
    id: String,
    /// Include the edit history.
    #[arg(long)]
    history: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct AlertArgs {
    /// The call's id.
    #[arg(value_name = "CALL_ID")]
    id: String,
    /// Print only this language (both when left out, English first).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Only report what would be shredded.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline demo-data`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many synthetic calls to insert.
    #[arg(long, value_name = "N")]
    calls: u32,
    /// Seed of the generator: the same seed gives the same calls.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline retention`.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    command: RetentionCommand,
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Print the retention period in days.
    Show {
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Set the retention period: 7 to 365 days (coordinators only).
    Set {
        /// Days free text is kept after a call.
        #[arg(value_name = "DAYS")]
        days: u32,
        #[command(flatten)]
        auth: AuthArgs,
    },
}

/// On or off.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Switch {
    On,
    Off,
}

/// Options of `hotline hold`.
#[derive(Debug, Args)]
pub struct HoldArgs {
    /// The call's id.
    #[arg(value_name = "CALL_ID", required_unless_present = "list")]
    id: Option<String>,
    /// Put the hold on, or lift it.
    #[arg(value_enum, required_unless_present = "list")]
    switch: Option<Switch>,
    /// List the calls on legal hold instead, newest first (anyone).
    #[arg(long, conflicts_with_all = ["id", "switch"])]
    list: bool,
    /// With --list: print JSON.
    #[arg(long, requires = "list")]
    json: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Options of `hotline area`.
#[derive(Debug, Args)]
pub struct AreaArgs {
    #[command(subcommand)]
    command: AreaCommand,
}

#[derive(Debug, Subcommand)]
enum AreaCommand {
    /// List the active areas.
    List {
        /// Include deactivated areas.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Add an area, or reactivate one (coordinators only).
    Add {
        /// The area's name.
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Rename an area; its calls, old ones too, show the new name
    /// (coordinators only).
    Rename {
        /// The area's name now.
        #[arg(value_name = "NAME")]
        name: String,
        /// Its new name.
        #[arg(value_name = "NEW_NAME")]
        new_name: String,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Stop offering an area for new calls (coordinators only).
    Deactivate {
        /// The area's name.
        #[arg(value_name = "NAME")]
        name: String,
        #[command(flatten)]
        auth: AuthArgs,
    },
}

/// Parse a date given as `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected a date as YYYY-MM-DD".into())
}

/// A call-log error as a message and exit status.
fn call_error(err: CallError, data_dir: &Path) -> CliError {
    match err {
        CallError::Vault(err) => vault_error(err, data_dir),
        other => CliError::coded(&other),
    }
}

/// Unlock, then apply retention as the app does; report what it shredded.
pub(crate) fn open(data_dir: &Path, auth: &AuthArgs) -> Result<Vault, CliError> {
    let vault = unlock(data_dir, auth)?;
    if let Err(err) = retention_after_unlock(&vault, data_dir) {
        let _ = crate::vault::lock(vault, data_dir);
        return Err(err);
    }
    Ok(vault)
}

/// Why a purge shreds nothing although calls are past the cut-off.
const HELD_BACK: &str = "hotline: retention did not run: its setting or the legal holds were changed without a coordinator's signature, so nothing was shredded (a coordinator sees why at unlock)";

/// Apply retention right after an unlock, as the app does once its
/// background integrity check has passed: only when something is due, and
/// then only after the full integrity check, so that an automatic purge never
/// writes to a damaged vault (unlocking itself does not read every page).
/// Reports what it shredded on stderr.
pub fn retention_after_unlock(vault: &Vault, data_dir: &Path) -> Result<(), CliError> {
    let now = Utc::now();
    let due = calls::purge_preview(vault, now).map_err(|err| call_error(err, data_dir))?;
    if due.held_back {
        if due.calls_held > 0 {
            errln!("{HELD_BACK}");
        }
        return Ok(());
    }
    if due.calls_to_shred == 0 && due.drafts_to_remove == 0 {
        return Ok(());
    }
    require_sound(vault, data_dir)?;
    let report = calls::purge_expired(vault, now).map_err(|err| call_error(err, data_dir))?;
    if report.held_back {
        errln!("{HELD_BACK}");
    }
    if report.calls_shredded > 0 || report.drafts_removed > 0 {
        errln!(
            "hotline: retention ({} days) shredded the free text of {} call(s) and removed {} draft(s)",
            report.retention_days,
            report.calls_shredded,
            report.drafts_removed
        );
    }
    Ok(())
}

/// Run `f` on the vault opened by [`open`], then lock it.
fn with_vault<T>(
    data_dir: &Path,
    auth: &AuthArgs,
    f: impl FnOnce(&Vault) -> Result<T, CallError>,
) -> Result<T, CliError> {
    let vault = open(data_dir, auth)?;
    let result = f(&vault).map_err(|err| call_error(err, data_dir));
    lock(vault, data_dir)?;
    result
}

fn print_json(value: &impl serde::Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(CliError::new)?;
    outln!("{text}")?;
    Ok(())
}

/// One table line per call: when, category, verification, urgency, area, flags, id.
fn print_table(rows: &[CallSummary]) -> Result<(), CliError> {
    for row in rows {
        let mut flags = String::new();
        for (set, flag) in [
            (row.legal_hold, 'H'),
            (row.shredded, 'S'),
            (row.synthetic, 'D'),
            (row.possibly_malicious, '!'),
        ] {
            if set {
                flags.push(flag);
            }
        }
        outln!(
            "{}  {:<26} {:<16} {:<7} {:<20} {:<4} {}",
            row.received_at.format("%Y-%m-%d %H:%MZ"),
            row.category.as_str(),
            row.verification.as_str(),
            row.urgency.as_str(),
            row.area.as_deref().unwrap_or("-"),
            flags,
            row.id
        )?;
    }
    Ok(())
}

fn read_input(file: &Path) -> Result<String, CliError> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| CliError::new(format!("cannot read standard input: {err}")))?;
        Ok(text)
    } else {
        std::fs::read_to_string(file)
            .map_err(|err| CliError::new(format!("cannot read {}: {err}", file.display())))
    }
}

fn parse_id(text: &str) -> Result<CallId, CliError> {
    text.parse().map_err(CliError::new)
}

/// Run a call-log command.
pub fn run(data_dir: &Path, command: &CallCommands) -> Result<(), CliError> {
    match command {
        CallCommands::Call(args) => run_call(data_dir, &args.command),
        CallCommands::Purge(args) => purge(data_dir, args),
        CallCommands::DemoData(args) => demo(data_dir, args),
        CallCommands::Retention(args) => match &args.command {
            RetentionCommand::Show { auth } => {
                let days = with_vault(data_dir, auth, calls::retention_days)?;
                outln!("{days}")?;
                Ok(())
            }
            RetentionCommand::Set { days, auth } => {
                with_vault(data_dir, auth, |v| {
                    calls::set_retention_days(&v.coordinator()?, *days)
                })?;
                outln!("free text is now kept for {days} days after a call")?;
                Ok(())
            }
        },
        CallCommands::Hold(args) => {
            let (Some(id), Some(switch)) = (&args.id, &args.switch) else {
                let held = with_vault(data_dir, &args.auth, calls::held_calls)?;
                return if args.json {
                    print_json(&held)
                } else {
                    print_table(&held)
                };
            };
            let id = parse_id(id)?;
            let on = matches!(switch, Switch::On);
            with_vault(data_dir, &args.auth, |v| {
                calls::set_legal_hold(&v.coordinator()?, id, on)
            })?;
            outln!("legal hold {} for {id}", if on { "on" } else { "off" })?;
            Ok(())
        }
        CallCommands::Area(args) => match &args.command {
            AreaCommand::List { all, json, auth } => {
                let areas = with_vault(data_dir, auth, |v| calls::list_areas(v, *all))?;
                if *json {
                    return print_json(&areas);
                }
                for area in areas {
                    let note = if area.active { "" } else { "  (inactive)" };
                    outln!("{}{note}", area.name)?;
                }
                Ok(())
            }
            AreaCommand::Add { name, auth } => {
                with_vault(data_dir, auth, |v| calls::add_area(&v.coordinator()?, name))?;
                outln!("area added: {name}")?;
                Ok(())
            }
            AreaCommand::Rename {
                name,
                new_name,
                auth,
            } => {
                with_vault(data_dir, auth, |v| {
                    calls::rename_area(&v.coordinator()?, name, new_name)
                })?;
                outln!("area renamed: {name} -> {new_name}")?;
                Ok(())
            }
            AreaCommand::Deactivate { name, auth } => {
                with_vault(data_dir, auth, |v| {
                    calls::deactivate_area(&v.coordinator()?, name)
                })?;
                outln!("area deactivated: {name}")?;
                Ok(())
            }
        },
    }
}

fn run_call(data_dir: &Path, command: &CallCommand) -> Result<(), CliError> {
    match command {
        CallCommand::Example => {
            outln!("{}", calls::example_json(Utc::now()))?;
            Ok(())
        }
        CallCommand::Schema => {
            out::text(&calls::call_schema_text())?;
            Ok(())
        }
        CallCommand::Add(args) => add(data_dir, args),
        CallCommand::Edit(args) => edit(data_dir, args),
        CallCommand::List(args) => {
            let filter = CallFilter {
                verification: args.status,
                category: args.category,
                area: args.area.clone(),
                from: args.from.map(start_of_day),
                to: args.to.map(|d| {
                    d.checked_add_days(Days::new(1))
                        .map_or(DateTime::<Utc>::MAX_UTC, start_of_day)
                }),
                limit: args.limit,
                offset: args.offset,
            };
            let rows = with_vault(data_dir, &args.auth, |v| calls::list(v, &filter))?;
            if args.json {
                print_json(&rows)
            } else {
                print_table(&rows)?;
                Ok(())
            }
        }
        CallCommand::Search(args) => {
            let rows = with_vault(data_dir, &args.auth, |v| {
                calls::search(v, &args.query, args.limit)
            })?;
            if args.json {
                print_json(&rows)
            } else {
                print_table(&rows)?;
                Ok(())
            }
        }
        CallCommand::Show(args) => {
            let id = parse_id(&args.id)?;
            let (call, shred_at, history) = with_vault(data_dir, &args.auth, |v| {
                let call = calls::get(v, id)?;
                let shred_at = calls::shred_at(v, &call)?;
                let history = if args.history {
                    Some(calls::history(v, id)?)
                } else {
                    None
                };
                Ok((call, shred_at, history))
            })?;
            let mut value = serde_json::to_value(&call).map_err(CliError::new)?;
            if let Some(object) = value.as_object_mut() {
                object.insert("shred_at".into(), serde_json::json!(shred_at));
                if let Some(history) = history {
                    object.insert("history".into(), serde_json::json!(history));
                }
            }
            print_json(&value)
        }
        CallCommand::Alert(args) => {
            let id = parse_id(&args.id)?;
            let alert = with_vault(data_dir, &args.auth, |v| {
                let template = AlertTemplate::of_pack(&load_active_pack(v).pack);
                calls::alert_text(v, id, &template, Local::now().offset().fix())
            })?;
            match args.lang {
                Some(lang) => outln!("{}", alert.get(lang.into()))?,
                None => outln!("{}\n\n{}", alert.en, alert.es)?,
            }
            Ok(())
        }
        CallCommand::Close(args) => {
            let id = parse_id(&args.id)?;
            with_vault(data_dir, &args.auth, |v| calls::close_case(v, id))?;
            outln!("case {id} closed")?;
            Ok(())
        }
        CallCommand::Reopen(args) => {
            let id = parse_id(&args.id)?;
            with_vault(data_dir, &args.auth, |v| calls::reopen_case(v, id))?;
            outln!("case {id} open")?;
            Ok(())
        }
    }
}

/// The start of `day`, a UTC day.
fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// A refusal of `call add`; one of a call older than the retention period
/// says how to confirm it.
fn add_error(err: CallError, data_dir: &Path) -> CliError {
    let code = err.code();
    let mut error = notes_error(err, data_dir);
    if code == ErrorCode::OlderThanRetention {
        error
            .message
            .push_str("; to log it anyway, add --confirm-old");
    }
    error
}

/// A refusal; one of flagged notes says how to store them anyway.
fn notes_error(err: CallError, data_dir: &Path) -> CliError {
    let flagged = err.code() == ErrorCode::NotesFlagged;
    let mut error = call_error(err, data_dir);
    if flagged {
        error
            .message
            .push_str("; to store them anyway, add --yes-notes-ok");
    }
    error
}

/// Warn on standard error of what the notes check finds in `notes` (the
/// kind and line of each finding, never the words), for the call `which`.
fn warn_notes(which: &str, notes: &str) {
    for finding in calls::check_notes(notes) {
        errln!(
            "hotline: warning: {which} notes, line {}: {}; never write down a caller's immigration status, birth country or A-number",
            finding.line(notes),
            finding.kind.describe()
        );
    }
}

/// `call add`: store the calls, then report them. The ids go to standard
/// error first, so that a standard output that fails afterwards cannot hide
/// that the calls were stored (and a retry would not log them twice).
fn add(data_dir: &Path, args: &AddArgs) -> Result<(), CliError> {
    let file = args.input()?;
    let text = read_input(file)?;
    let new = calls::parse_calls(&text).map_err(|err| {
        let source = if file == Path::new("-") {
            "standard input".to_owned()
        } else {
            file.display().to_string()
        };
        CliError::new(format!("{source}: {err}"))
    })?;
    let old = if args.confirm_old {
        OldCalls::Accept
    } else {
        OldCalls::Refuse
    };
    let total = new.len();
    for (i, call) in new.iter().enumerate() {
        let which = if total == 1 {
            "the call's".to_owned()
        } else {
            format!("call {} of {total}:", i + 1)
        };
        warn_notes(&which, &call.notes);
    }
    let vault = open(data_dir, &args.auth)?;
    let stored = calls::create_many_with(&vault, new, old, args.notes.flagged()).map(|ids| {
        let listed: Vec<String> = ids.iter().map(ToString::to_string).collect();
        errln!(
            "hotline: logged {} call(s): {}",
            listed.len(),
            listed.join(" ")
        );
        listed
    });
    lock(vault, data_dir)?;
    let listed = stored.map_err(|err| add_error(err, data_dir))?;
    if args.json {
        print_json(&listed)
    } else {
        listed.iter().try_for_each(|id| outln!("{id}"))
    }
}

/// `call edit`: apply the change in the file to one call, then report the
/// fields changed.
fn edit(data_dir: &Path, args: &EditArgs) -> Result<(), CliError> {
    let id = parse_id(&args.id)?;
    let text = read_input(&args.file)?;
    let update = calls::parse_update(&text).map_err(|err| {
        let source = if args.file == Path::new("-") {
            "standard input".to_owned()
        } else {
            args.file.display().to_string()
        };
        CliError::new(format!("{source}: {err}"))
    })?;
    if let Some(notes) = &update.notes {
        warn_notes("the call's", notes);
    }
    let vault = open(data_dir, &args.auth)?;
    let changed = calls::update_with(&vault, id, update, args.notes.flagged());
    lock(vault, data_dir)?;
    let fields = changed.map_err(|err| notes_error(err, data_dir))?;
    if args.json {
        return print_json(&fields);
    }
    if fields.is_empty() {
        outln!("{id}: nothing changed")?;
    } else {
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        outln!("{id}: changed {}", names.join(", "))?;
    }
    Ok(())
}

fn purge(data_dir: &Path, args: &PurgeArgs) -> Result<(), CliError> {
    // No automatic purge here: a dry run must see what is due.
    let vault = unlock(data_dir, &args.auth)?;
    let result = if args.dry_run {
        calls::purge_preview(&vault, Utc::now()).map(|preview| {
            if args.json {
                print_json(&preview)
            } else {
                outln!(
                    "would shred the free text of {} call(s) received before {} ({} day retention); {} held call(s) kept; {} draft(s) would be removed",
                    preview.calls_to_shred,
                    preview.cutoff.format("%Y-%m-%d %H:%MZ"),
                    preview.retention_days,
                    preview.calls_held,
                    preview.drafts_to_remove
                )?;
                if preview.held_back {
                    outln!("{HELD_BACK}")?;
                }
                Ok(())
            }
        })
    } else {
        calls::purge_expired(&vault, Utc::now()).map(|report| {
            if args.json {
                print_json(&report)
            } else {
                outln!(
                    "shredded the free text of {} call(s) received before {} ({} day retention); removed {} draft(s)",
                    report.calls_shredded,
                    report.cutoff.format("%Y-%m-%d %H:%MZ"),
                    report.retention_days,
                    report.drafts_removed
                )?;
                Ok(())
            }
        })
    };
    let printed = result.map_err(|err| call_error(err, data_dir));
    lock(vault, data_dir)?;
    printed?
}

fn demo(data_dir: &Path, args: &DemoArgs) -> Result<(), CliError> {
    let (report, seconds) = with_vault(data_dir, &args.auth, |v| {
        let started = Instant::now();
        let report =
            hotline_core::demo::demo_data(&v.coordinator()?, args.calls, args.seed, Utc::now())?;
        Ok((report, started.elapsed().as_secs_f64()))
    })?;
    let rate = f64::from(report.calls) / seconds.max(f64::EPSILON);
    outln!(
        "inserted {} synthetic call(s) (seed {}) in {:.1} s ({:.0} calls/s)",
        report.calls,
        args.seed,
        seconds,
        rate
    )?;
    Ok(())
}
