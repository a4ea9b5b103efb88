//! Vault commands: `init`, `passwd`, `backup`, `restore`, `verify`, `erase`,
//! `panic-erase`.
//!
//! Exit statuses come from the core's error map and are listed by
//! `hotline --help`. Messages go to stderr and never contain passphrases,
//! keys or stored data.

use std::path::{Path, PathBuf};

use clap::Args;
use hotline_core::errors::{Coded, EXIT_DAMAGED};
use hotline_core::vault::{
    self, CounterProblem, FailedUnlocks, IntegrityOutcome, MigrationProgress, Passphrase,
    RefusalReason, UnlockNotice, Vault, VaultError, VerifyReport, rules,
};

use crate::CliError;
use crate::out::{errln, outln};
use crate::passphrase::{AuthArgs, NewPassphraseArgs, ask_line};

/// Turn a vault error into a message and exit status (from the core's error
/// map). Authentication failures also show the count of failures in a row
/// and any wait.
pub fn vault_error(err: VaultError, data_dir: &Path) -> CliError {
    let code = err.exit_status();
    let mut message = err.to_string();
    if let VaultError::WeakPassphrase { reason } = &err {
        message = format!(
            "{message} {}\nhotline: frase de contraseña demasiado débil: {} {}",
            rules::ENGLISH_DICTIONARIES_EN,
            reason.spanish(),
            rules::ENGLISH_DICTIONARIES_ES
        );
    }
    if matches!(err, VaultError::PassphraseChangeRequired) {
        message.push_str(PASSWD_FIRST_ES);
    }
    if matches!(err, VaultError::WrongHandleOrPassphrase) {
        let failures = vault::failed_attempts(data_dir);
        if failures > 0 {
            let plural = if failures == 1 { "" } else { "s" };
            message.push_str(&format!(" ({failures} failed attempt{plural} in a row"));
            let wait = vault::retry_delay(failures);
            if !wait.is_zero() {
                message.push_str(&format!("; wait {} s before the next", wait.as_secs()));
            }
            message.push(')');
        }
    }
    CliError { message, code }
}

/// Refuse a data directory that is a file or cannot be written, naming
/// it and the reason, before the database is opened.
fn usable(data_dir: &Path) -> Result<(), CliError> {
    hotline_core::paths::check_data_dir(data_dir).map_err(|err| CliError::coded(&err))
}

/// Unlock as the acting user. A user whose passphrase a coordinator set
/// gets nothing but the request to run `hotline passwd`.
pub fn unlock(data_dir: &Path, auth: &AuthArgs) -> Result<Vault, CliError> {
    usable(data_dir)?;
    let handle = auth.handle()?;
    let passphrase = auth.passphrase(&format!("Passphrase for {handle}: "))?;
    let vault = unlock_with(data_dir, handle, &passphrase)?;
    if let Err(err) = vault.require_own_passphrase() {
        lock(vault, data_dir)?;
        return Err(vault_error(err, data_dir));
    }
    Ok(vault)
}

/// A printer of re-encryption progress on stderr (`why` says what it is
/// for), one line a percent.
pub fn reencryption_progress(why: &'static str) -> impl FnMut(MigrationProgress) {
    let mut last_percent = None;
    move |step: MigrationProgress| {
        let line = match step {
            MigrationProgress::Reencrypting { done, total } => {
                let percent = (done * 100).checked_div(total).unwrap_or(0);
                if last_percent == Some(percent) {
                    return;
                }
                last_percent = Some(percent);
                format!("re-encrypting the vault {why}: {percent}%")
            }
            MigrationProgress::WritingBack => {
                "re-encrypting the vault: writing the new pages in place".to_owned()
            }
            MigrationProgress::Done => "re-encrypting the vault: done".to_owned(),
        };
        errln!("hotline: {line}");
    }
}

/// Unlock as `handle`, showing on stderr the progress of the one-time
/// re-encryption of a vault made before the erase anchor.
pub fn unlock_with(
    data_dir: &Path,
    handle: &str,
    passphrase: &Passphrase,
) -> Result<Vault, CliError> {
    let mut show = reencryption_progress("for the erase anchor (once)");
    let vault = Vault::unlock_with_progress(data_dir, handle, passphrase, &mut show)
        .map_err(|err| vault_error(err, data_dir))?;
    if let Some(notice) = vault.unlock_notice() {
        print_notice(notice);
    }
    Ok(vault)
}

/// What a coordinator's unlock found, on stderr: each refused setting, the
/// audit log's problems, entries written since the last checkpoint, and the
/// failed unlocks (and problems with their counter) since a coordinator
/// last unlocked.
fn print_notice(notice: &UnlockNotice) {
    for refused in &notice.refused {
        let why = match refused.reason {
            RefusalReason::Unsigned => "its coordinator signature was removed",
            RefusalReason::BadSignature => {
                "it carries a signature that is not the coordinator key's"
            }
            RefusalReason::Unreadable => "its signed record cannot be read",
            RefusalReason::ChangedWithoutSignature => {
                "it was changed without a coordinator's signature; the signed value stays in use"
            }
        };
        errln!(
            "hotline: refused setting {}: {why}. Set it again to sign it",
            refused.kind.as_str()
        );
    }
    let problems = notice.audit.problems.len();
    if problems > 0 {
        errln!("hotline: the audit log shows {problems} problem(s): run `hotline audit verify`");
    }
    if let Some(from) = notice.audit.unchecked_from {
        errln!(
            "hotline: audit entries from {from} on were written since the last coordinator checkpoint; review them with `hotline audit list` (this unlock checkpoints them)"
        );
    }
    print_failed_unlocks(&notice.failed_unlocks);
}

/// The failed unlocks since a coordinator last unlocked, and each problem
/// found with their counter file, on stderr.
fn print_failed_unlocks(found: &FailedUnlocks) {
    if found.failures > 0 {
        errln!(
            "hotline: {} failed unlock attempt(s) since a coordinator last unlocked",
            found.failures
        );
    }
    for p in &found.problems {
        let what = match p.problem {
            CounterProblem::Missing => "was deleted between two unlocks",
            CounterProblem::Unreadable => "could not be read",
            CounterProblem::Reset => "was replaced by an older copy",
            CounterProblem::Altered => "was edited: its count does not match its sequence",
        };
        errln!(
            "hotline: the failed-unlock counter file {what}; failed attempts before then may be missing from the count and were not slowed down"
        );
    }
}

/// Run the full integrity check (every page) and fail with
/// [`EXIT_DAMAGED`] if the database is damaged. Unlocking runs only the
/// checks whose cost does not grow with the vault; commands call this before
/// a write nobody asked for (the retention purge).
pub fn require_sound(vault: &Vault, data_dir: &Path) -> Result<(), CliError> {
    match vault.integrity_check().run() {
        Ok(IntegrityOutcome::Damaged { .. }) => Err(CliError {
            message: "the vault database is damaged: the full integrity check failed. Nothing was changed. Keep a copy of the data directory, do not erase it, run `hotline verify` and restore from a backup".to_owned(),
            code: EXIT_DAMAGED,
        }),
        Ok(IntegrityOutcome::Sound | IntegrityOutcome::Cancelled) => Ok(()),
        Err(err) => Err(vault_error(err, data_dir)),
    }
}

/// Lock, reporting a failed checkpoint.
pub fn lock(vault: Vault, data_dir: &Path) -> Result<(), CliError> {
    vault.lock().map_err(|err| vault_error(err, data_dir))
}

/// Options of `hotline init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    auth: AuthArgs,
}

/// Create the vault and its first coordinator.
pub fn init(data_dir: &Path, args: &InitArgs) -> Result<(), CliError> {
    usable(data_dir)?;
    let handle = args.auth.handle()?;
    if Vault::exists(data_dir) {
        return Err(vault_error(VaultError::AlreadyExists, data_dir));
    }
    let passphrase = args
        .auth
        .new_vault_passphrase(&format!("New passphrase for {handle}: "))?;
    let vault =
        Vault::create(data_dir, handle, &passphrase).map_err(|err| vault_error(err, data_dir))?;
    let user = vault.user().clone();
    lock(vault, data_dir)?;
    outln!(
        "created a vault in {} with {} as its first coordinator",
        data_dir.display(),
        user.handle
    )?;
    warn_continuity();
    Ok(())
}

/// Ask for a second holder of the coordinator key, and say why.
pub fn warn_continuity() {
    errln!(
        "hotline: only one coordinator holds the coordinator key. If that passphrase is lost, nobody can change retention, lift a legal hold, add users or read summary bundles again. Before logging real calls, add a second coordinator (`hotline user add HANDLE --role coordinator`) or print a recovery kit (`hotline user recovery-kit`) and keep it off this laptop"
    );
    errln!(
        "hotline: solo una persona coordinadora tiene la clave de coordinación. Si se pierde esa contraseña, nadie podrá volver a cambiar la retención, levantar una retención legal, agregar usuarios ni leer los paquetes de resumen. Antes de registrar llamadas reales, agregue otra persona coordinadora o imprima un kit de recuperación (`hotline user recovery-kit`) y guárdelo fuera de esta computadora"
    );
}

/// Options of `hotline passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    new: NewPassphraseArgs,
}

/// Change the acting user's passphrase.
pub fn passwd(data_dir: &Path, args: &PasswdArgs) -> Result<(), CliError> {
    let handle = args.auth.handle()?;
    let current = args
        .auth
        .passphrase(&format!("Current passphrase for {handle}: "))?;
    let new = args.new.passphrase("New passphrase: ")?;
    let mut vault = unlock_with(data_dir, handle, &current)?;
    vault
        .change_passphrase(&current, &new)
        .map_err(|err| vault_error(err, data_dir))?;
    let user = vault.user().handle.clone();
    lock(vault, data_dir)?;
    outln!("{PASSWD_DONE} {user}")?;
    Ok(())
}

/// Confirmation printed by `hotline passwd`: it names the user, never a passphrase.
const PASSWD_DONE: &str = "passphrase changed for";

/// The Spanish of [`VaultError::PassphraseChangeRequired`], on its own line.
const PASSWD_FIRST_ES: &str = "\nhotline: una coordinadora o un coordinador puso esta frase de contraseña: cámbiela primero con `hotline passwd` (o en la ventana) antes de cualquier otra cosa";

/// Options of `hotline backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// File to write (must not exist yet).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Write an encrypted backup.
pub fn backup(data_dir: &Path, args: &BackupArgs) -> Result<(), CliError> {
    if args.out.exists() {
        return Err(vault_error(VaultError::BackupExists, data_dir));
    }
    // Retention after the full integrity check, as every command that may
    // purge does; the backup's own retention pass then finds nothing due.
    let vault = crate::calls::open(data_dir, &args.auth)?;
    let report = vault
        .coordinator()
        .and_then(|c| c.backup(&args.out))
        .map_err(|err| vault_error(err, data_dir))?;
    lock(vault, data_dir)?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    if report.calls_shredded > 0 {
        outln!(
            "retention ran first: free text of {} calls past the retention period was shredded",
            report.calls_shredded
        )?;
    }
    outln!(
        "encrypted backup written to {} ({size} bytes); it opens with the passphrase of any user it lists",
        args.out.display()
    )?;
    if let Some(warning) = report.location.warning() {
        errln!("hotline: warning: {warning}");
    }
    Ok(())
}

/// Options of `hotline restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The vault in the data directory is damaged: move its files into a
    /// new dated folder next to it (`<folder>-damaged-<date>T<time>`),
    /// never deleting them, then restore. Moved back if the restore fails.
    #[arg(long)]
    set_aside_damaged: bool,
    /// Restore as a new laptop: the restored vault gets a new master key
    /// (coordinators only), so nothing copied from the backup or the old
    /// laptop opens it, and drops the old laptop's team keys and team
    /// state, so it enrols in the team afresh (the old laptop is revoked).
    #[arg(long)]
    new_laptop: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Restore a backup into an empty data directory, or over a damaged vault
/// set aside first.
pub fn restore(data_dir: &Path, args: &RestoreArgs) -> Result<(), CliError> {
    usable(data_dir)?;
    let handle = args.auth.handle()?;
    if Vault::exists(data_dir) && !args.set_aside_damaged {
        let mut err = vault_error(VaultError::RestoreTargetExists, data_dir);
        err.message.push_str(
            " (if that vault is damaged, add --set-aside-damaged: it is moved into a dated folder next to it, never deleted)",
        );
        return Err(err);
    }
    let passphrase: Passphrase = args
        .auth
        .passphrase(&format!("Passphrase for {handle} (as in the backup): "))?;
    let vault = if args.new_laptop {
        let mut show = reencryption_progress("under a new master key");
        let (vault, report) =
            Vault::restore_as_new_laptop(data_dir, &args.file, handle, &passphrase, &mut show)
                .map_err(|err| vault_error(err, data_dir))?;
        if report.rekey.rekeyed {
            outln!("restored as a new laptop: the vault has a new master key")?;
        } else {
            outln!(
                "restored, but no new master key yet: {} users still have an old key slot (after each has unlocked once, the next removal of a user gives it one)",
                report.rekey.old_slots
            )?;
        }
        if let Some(old) = &report.old_laptop {
            next_steps_of_a_new_laptop(old)?;
        }
        vault
    } else {
        let (vault, aside) =
            Vault::restore_setting_aside(data_dir, &args.file, handle, &passphrase)
                .map_err(|err| vault_error(err, data_dir))?;
        if let Some(aside) = aside {
            outln!(
                "the damaged vault was moved, unchanged, to {}",
                aside.display()
            )?;
        }
        vault
    };
    let user = vault.user().clone();
    let users = vault
        .list_users()
        .map_err(|err| vault_error(err, data_dir))?
        .len();
    lock(vault, data_dir)?;
    outln!(
        "restored into {} ({users} users); checked by unlocking as {} ({})",
        data_dir.display(),
        user.handle,
        user.role
    )?;
    Ok(())
}

/// What to do after a restore as a new laptop that dropped the old
/// laptop's team keys: enrol afresh, revoke the old one.
fn next_steps_of_a_new_laptop(old: &hotline_core::team::ForgottenLaptop) -> Result<(), CliError> {
    outln!(
        "the old laptop's team keys and team state were dropped (laptop {}; its last packet in the backup: number {})",
        old.laptop_id,
        old.last_seq
    )?;
    if old.held_team_key {
        outln!(
            "this was the team's coordinator laptop: its team key is gone. Next: create the team again here (`hotline team create --name NAME`) and enrol every laptop into it (`hotline team request` on each, `hotline team invite` here, `hotline team enrol` on each); a laptop still in the old team must first be restored as a new laptop itself, as enrolment refuses a second team"
        )?;
        return Ok(());
    }
    if old.team_id.is_none() {
        outln!("it was in no team: enrol this laptop as any new one")?;
        return Ok(());
    }
    outln!(
        "next: 1. enrol this laptop afresh: `hotline team request --name NAME --out FILE` here, `hotline team invite FILE --out TEAM_FILE` on the coordinator laptop, `hotline team enrol TEAM_FILE` here"
    )?;
    outln!(
        "      2. on the coordinator laptop, revoke the old laptop after its last packet: `hotline team revoke {} --after {}` (if the old laptop sent packets after this backup was made, those above {} are refused too)",
        old.laptop_id,
        old.last_seq,
        old.last_seq
    )?;
    Ok(())
}

/// Options of `hotline verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    auth: AuthArgs,
}

/// Unlock (which checks the passphrase and key), then check every page.
pub fn verify(data_dir: &Path, args: &VerifyArgs) -> Result<(), CliError> {
    let vault = unlock(data_dir, &args.auth)?;
    let report = vault.verify().map_err(|err| vault_error(err, data_dir))?;
    let auto_lock = vault
        .auto_lock_minutes()
        .map_err(|err| vault_error(err, data_dir))?;
    let user = vault.user().clone();
    lock(vault, data_dir)?;
    outln!("vault: {}", data_dir.display())?;
    outln!(
        "passphrase and key: ok (unlocked as {} ({}))",
        user.handle,
        user.role
    )?;
    print_report(&report)?;
    outln!("auto-lock: {auto_lock} min")?;
    if report.is_ok() {
        outln!("result: ok")?;
        Ok(())
    } else {
        Err(CliError {
            message: "the vault has problems (see above); keep a copy of the data directory and do not erase it".to_owned(),
            code: EXIT_DAMAGED,
        })
    }
}

fn print_report(report: &VerifyReport) -> Result<(), CliError> {
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    outln!("SQLCipher: {}", report.sqlcipher_version)?;
    outln!(
        "schema: version {} (newest known: {})",
        report.schema_version,
        report.latest_schema_version
    )?;
    outln!("integrity check: {}", report.integrity.join("; "))?;
    outln!(
        "page authentication: {}",
        if report.cipher_problems.is_empty() {
            "ok".to_owned()
        } else {
            report.cipher_problems.join("; ")
        }
    )?;
    match &report.key_slots {
        Some(slots) => outln!(
            "key slots: {} of {} in use ({} bytes): {}",
            slots.in_use,
            slots.slots,
            slots.file_len,
            slots.kdf
        )?,
        None => outln!("key slots: none yet (old key file only)")?,
    }
    outln!(
        "users with an old key slot (handle readable until their next unlock): {}",
        list(&report.old_slots)
    )?;
    outln!(
        "users without a key slot: {}",
        list(&report.users_without_slot)
    )?;
    outln!(
        "key slots without a user: {}",
        list(&report.slots_without_user)
    )?;
    Ok(())
}

/// Options of `hotline erase`.
#[derive(Debug, Args)]
pub struct EraseArgs {
    /// First confirmation: the word ERASE.
    #[arg(long, value_name = "WORD")]
    confirm: Option<String>,
    /// Second confirmation: your own handle again (asked on the terminal
    /// when not given).
    #[arg(long, value_name = "HANDLE")]
    confirm_handle: Option<String>,
    /// Panic erase, without unlocking (only if a coordinator switched it
    /// on with `hotline panic-erase on`); the second confirmation is then
    /// the word EVERYTHING (--confirm-again, or typed on the terminal).
    #[arg(long, conflicts_with = "confirm_handle")]
    panic: bool,
    /// Second confirmation of a panic erase: the word EVERYTHING.
    #[arg(long, value_name = "WORD", requires = "panic")]
    confirm_again: Option<String>,
    #[command(flatten)]
    auth: AuthArgs,
}

/// What erase destroys, said before the second confirmation.
const ERASE_WARNING: &str = "This destroys the vault in {dir}: every call, user and setting, and the audit log. Nothing survives.\nBackups kept outside this folder are NOT affected.";

/// The second confirmation, from the flag or typed on the terminal.
fn second_confirmation(
    given: Option<&String>,
    data_dir: &Path,
    ask: &str,
) -> Result<String, CliError> {
    let answer = match given {
        Some(given) => Some(given.clone()),
        None => ask_line(&format!(
            "{}\n{ask}",
            ERASE_WARNING.replace("{dir}", &data_dir.display().to_string())
        ))?,
    };
    answer.ok_or_else(|| {
        CliError::new(
            "erase needs a second confirmation: pass it as a flag, or run it in a terminal and type it",
        )
    })
}

/// Destroy the vault: the erase anchor first (after which nothing left
/// opens), then everything the app wrote in the data directory. Needs two
/// confirmations; `--panic` needs no passphrase but must be switched on.
pub fn erase(data_dir: &Path, args: &EraseArgs) -> Result<(), CliError> {
    if args.confirm.as_deref() != Some("ERASE") {
        return Err(CliError::new(
            "erase destroys the vault for good; to go ahead pass --confirm ERASE",
        ));
    }
    if args.panic {
        return panic_erase(data_dir, args);
    }
    let handle = args.auth.handle()?;
    let second = second_confirmation(
        args.confirm_handle.as_ref(),
        data_dir,
        "Type your handle to confirm: ",
    )?;
    if !second.trim().eq_ignore_ascii_case(handle) {
        return Err(CliError::new(
            "the second confirmation does not match your handle; nothing was erased",
        ));
    }
    let vault = unlock(data_dir, &args.auth)?;
    vault.erase().map_err(|err| vault_error(err, data_dir))?;
    outln!("{ERASE_DONE}")?;
    Ok(())
}

/// What a finished erase says.
const ERASE_DONE: &str = "vault erased: the erase anchor was overwritten, then every file the app wrote in the data folder removed. Backups kept elsewhere still exist.";

fn panic_erase(data_dir: &Path, args: &EraseArgs) -> Result<(), CliError> {
    if !vault::panic_erase_is_on(data_dir) {
        return Err(vault_error(VaultError::PanicEraseOff, data_dir));
    }
    let second = second_confirmation(
        args.confirm_again.as_ref(),
        data_dir,
        "Type EVERYTHING to confirm: ",
    )?;
    if second.trim() != "EVERYTHING" {
        return Err(CliError::new(
            "the second confirmation is not EVERYTHING; nothing was erased",
        ));
    }
    vault::erase_at_lock_screen(data_dir).map_err(|err| vault_error(err, data_dir))?;
    outln!("{ERASE_DONE}")?;
    Ok(())
}

/// Options of `hotline panic-erase`.
#[derive(Debug, Args)]
pub struct PanicEraseArgs {
    /// `on` lets anyone at the lock screen erase the vault (two
    /// confirmations, no passphrase); `off` (the default) does not.
    #[arg(value_parser = ["on", "off"])]
    state: Option<String>,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Show, or (coordinators) switch, panic erase at the lock screen.
pub fn panic_erase_switch(data_dir: &Path, args: &PanicEraseArgs) -> Result<(), CliError> {
    let Some(state) = args.state.as_deref() else {
        let now = if vault::panic_erase_is_on(data_dir) {
            "on"
        } else {
            "off"
        };
        outln!("panic erase at the lock screen: {now}")?;
        return Ok(());
    };
    let vault = unlock(data_dir, &args.auth)?;
    vault
        .coordinator()
        .and_then(|c| c.set_panic_erase(state == "on"))
        .map_err(|err| vault_error(err, data_dir))?;
    lock(vault, data_dir)?;
    outln!("panic erase at the lock screen: {state}")?;
    Ok(())
}
