//! The encrypted vault: one SQLCipher database, opened with a key derived
//! from a random 256-bit master key and the erase anchor; the master key is
//! sealed once per user to that user's X25519 public key, whose private
//! half is wrapped by a key derived from their handle and passphrase
//! (Argon2id). See `docs/SECURITY.md` for the threat model and the key
//! hierarchy.
//!
//! Files in the data directory:
//! - `hotline.db` (+ `-wal`, `-shm` while open): the encrypted database;
//! - `erase-anchor`: one block of random bytes the database key depends on,
//!   only ever overwritten in place (see [`anchor`]);
//! - `keyslots.bin`: a fixed 32 key slots that name nobody (see [`slots`]);
//! - `keyslots.json`: the key file of older versions (handles and roles in
//!   the clear), kept only until its last user's slot is converted;
//! - `failed-unlocks.json`: the failed-unlock counter (not secret).
//!
//! A [`Vault`] value is an unlocked vault. Locking ([`Vault::lock`], or
//! dropping it) checkpoints and truncates the WAL, closes the connection
//! and wipes the master key from memory.

mod access;
mod anchor;
mod attempts;
pub(crate) mod audit;
pub(crate) mod authority;
mod backup;
mod companion;
mod continuity;
mod convert;
pub mod coordinator_key;
mod database_key;
mod diceware;
mod erase;
mod error;
mod files;
mod integrity;
pub mod kdf;
mod keyslots;
mod notice;
mod panic_erase;
mod read;
mod rekey;
mod rotation;
pub mod rules;
pub(crate) mod secret;
mod set_aside;
pub(crate) mod settings;
pub(crate) mod signed;
mod slots;
mod users;
mod verify;

#[cfg(test)]
pub(crate) mod tests;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;
#[cfg(feature = "bench-plain")]
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::store::{OpenMode, Store};
use files::VaultFiles;
use keyslots::{KeyFile, KeySlot};
use secret::{DatabaseKey, MasterKey};
use slots::SlotFile;

pub use access::Coordinator;
pub(crate) use access::Write;
pub use anchor::{ANCHOR_FILE, ANCHOR_LEN};
pub(crate) use attempts::UNLOCK_COUNTER_SQL;
pub use attempts::{
    CounterProblem, CounterProblemFound, FREE_ATTEMPTS, FailedUnlocks, MAX_DELAY, failed_attempts,
    retry_delay,
};
pub(crate) use audit::AUDIT_CHAIN_SQL;
pub use audit::{AuditEntry, AuditProblem, AuditReport};
pub(crate) use authority::{COORDINATOR_AUTHORITY_SQL, COORDINATOR_IN_SLOTS_SQL};
pub use backup::{BackupLocation, BackupReport};
pub(crate) use continuity::RECOVERY_KITS_SQL;
pub use continuity::{Continuity, RECOVERY_KIT_PREFIX, RECOVERY_KIT_WORDS, RecoveryKit};
pub use coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
pub use database_key::{MigrationProgress, needs_migration};
pub use diceware::{
    DEFAULT_WORDS, MAX_WORDS, MIN_WORDS, SuggestedPassphrase, WORDLIST_ATTRIBUTION,
    suggest_passphrase,
};
pub use erase::erase_at_lock_screen;
pub use error::VaultError;
pub use files::{ATTEMPTS_FILE, DATABASE_FILE, KEY_FILE, LEGACY_KEY_FILE};
pub use integrity::{IntegrityCheck, IntegrityOutcome};
pub use kdf::KdfParams;
pub use notice::UnlockNotice;
pub use panic_erase::{FLAG_FILE as PANIC_ERASE_FILE, is_on as panic_erase_is_on};
pub(crate) use read::Reader;
pub use rekey::{NewLaptopReport, PENDING_KEY_FILE, RemoveReport};
pub(crate) use rotation::COORDINATOR_ROTATIONS_SQL;
pub use secret::Passphrase;
pub use settings::{AUTO_LOCK_MAX_MINUTES, AUTO_LOCK_MIN_MINUTES, DEFAULT_AUTO_LOCK_MINUTES};
pub use signed::{RefusalReason, RefusedSetting, SettingKind};
pub(crate) use signed::{SIGNED_PENDING_SQL, SIGNED_SETTINGS_SQL};
pub use slots::{FILE_LEN as KEY_FILE_LEN, SLOT_COUNT};
pub use verify::{SlotInfo, VerifyReport};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users, settings, backups and erase; also takes calls.
    Coordinator,
    /// Takes calls.
    Volunteer,
}

impl Role {
    /// `"coordinator"` or `"volunteer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::Volunteer => "volunteer",
        }
    }

    /// Parse `"coordinator"` or `"volunteer"`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "coordinator" => Some(Self::Coordinator),
            "volunteer" => Some(Self::Volunteer),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The user who unlocked the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    /// Their handle (a pseudonym), spelled as stored.
    pub handle: String,
    /// Their role.
    pub role: Role,
    /// Whether their passphrase was set by a coordinator and must be
    /// changed before anything else ([`Vault::require_own_passphrase`]).
    pub must_change_passphrase: bool,
}

impl SessionUser {
    /// Whether the user is a coordinator.
    pub fn is_coordinator(&self) -> bool {
        self.role == Role::Coordinator
    }
}

/// One user, as listed by [`Vault::list_users`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// Handle (a pseudonym).
    pub handle: String,
    /// Role.
    pub role: Role,
    /// When the user was added, in seconds since 1970 (UTC).
    pub created_at_unix: i64,
    /// Whether the user still has a slot in the old key file
    /// (`keyslots.json`, which shows their handle), converted at their
    /// next unlock.
    pub old_slot: bool,
    /// Whether this "user" is a recovery kit: a coordinator slot on paper
    /// (see [`Coordinator::create_recovery_kit`]).
    pub recovery_kit: bool,
}

/// An unlocked vault. Dropping it locks it (like [`Vault::lock`], without
/// reporting errors).
pub struct Vault {
    files: VaultFiles,
    store: Store,
    /// The master key, which key slots wrap.
    key: MasterKey,
    /// The database key (from the master key and the anchor).
    db_key: DatabaseKey,
    user: SessionUser,
    /// The coordinator key (coordinators) and its verifying key.
    authority: authority::Authority,
    /// What a coordinator's unlock found.
    notice: Option<UnlockNotice>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("data_dir", &self.files.dir)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Seconds since 1970 (0 if the clock is before 1970).
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Vault {
    /// Whether any vault file (database, its -wal/-shm, or the key file)
    /// exists in `data_dir`.
    pub fn exists(data_dir: &Path) -> bool {
        VaultFiles::new(data_dir).any_exists()
    }

    /// Create a new vault in `data_dir` with `handle` as its first user, a
    /// coordinator. Refuses if any vault file exists there
    /// ([`VaultError::AlreadyExists`]); never initialises over data.
    pub fn create(
        data_dir: &Path,
        handle: &str,
        passphrase: &Passphrase,
    ) -> Result<Self, VaultError> {
        rules::check_handle(handle)?;
        rules::check_passphrase(passphrase, handle)?;
        let files = VaultFiles::new(data_dir);
        if files.any_exists() {
            return Err(VaultError::AlreadyExists);
        }
        files::ensure_private_dir(data_dir)?;
        let key = MasterKey::generate()?;
        let coordinator_key = CoordinatorKey::generate()?;
        let mut key_file = SlotFile::new(kdf::params_for_new_slot())?;
        let credentials = key_file.credentials(handle, passphrase)?;
        let secrets = slots::new_user_secrets(coordinator_key.public().to_bytes());
        key_file.put(
            0,
            &credentials,
            &secrets,
            &key,
            Some(&coordinator_key.to_bytes()),
        )?;
        let first = NewUser {
            handle,
            tag: &credentials.tag,
            public_key: &secrets.identity.to_public().to_string(),
        };
        let anchor = anchor::Anchor::generate()?;
        let authority = authority::Authority::holding(coordinator_key);
        anchor.create_file(&files.anchor())?;
        if let Err(err) = Self::initialise(
            &files,
            &anchor.database_key(&key),
            &first,
            &key_file,
            &authority,
        ) {
            // Only files this call created, holding nothing yet.
            let _ = anchor::destroy(&files.anchor());
            for path in [files.db(), files.wal(), files.shm(), files.anchor()] {
                let _ = files::remove_if_exists(&path);
            }
            return Err(err);
        }
        attempts::reset(&files);
        let opened = key_file.open(credentials)?.ok_or(VaultError::Crypto)?;
        Self::open_unlocked(
            files,
            Unlocked::Slot(opened),
            handle,
            passphrase,
            &mut |_| {},
        )
    }

    /// Create the database (schema, first user, coordinator key), then the
    /// key file.
    fn initialise(
        files: &VaultFiles,
        db_key: &DatabaseKey,
        first: &NewUser<'_>,
        key_file: &SlotFile,
        authority: &authority::Authority,
    ) -> Result<(), VaultError> {
        let store = Store::open(&files.db(), db_key, OpenMode::Create)?;
        files::make_private(&files.db())?;
        let mut tx = Write::begin_as(&store.conn, first.handle, authority)?;
        tx.execute(
            "INSERT INTO users (handle, role, created_at, slot_tag, public_key)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                first.handle,
                Role::Coordinator.as_str(),
                now_unix(),
                first.tag.as_slice(),
                first.public_key,
            ),
        )?;
        if let Some(key) = authority.key() {
            authority::store_public(&tx, &key.public())?;
            authority::sign_user(&tx, key, first.handle)?;
            signed::sign_all_current(&tx, key, first.handle)?;
        }
        tx.audit("vault.create", serde_json::json!({}));
        tx.commit()?;
        store.close()?;
        files::write_new_atomic(&files.key_file(), &key_file.to_bytes())
    }

    /// Unlock the vault in `data_dir` as `handle` with `passphrase`.
    ///
    /// Errors are specific: [`VaultError::NoVault`],
    /// [`VaultError::WrongHandleOrPassphrase`] (one error for an unknown
    /// handle and a wrong passphrase), [`VaultError::TooSoon`] (after
    /// repeated failures, see [`retry_delay`]), [`VaultError::DamagedKeyFile`],
    /// [`VaultError::DamagedDatabase`]. Damaged files are left untouched.
    pub fn unlock(
        data_dir: &Path,
        handle: &str,
        passphrase: &Passphrase,
    ) -> Result<Self, VaultError> {
        Self::unlock_with_progress(data_dir, handle, passphrase, &mut |_| {})
    }

    /// [`Vault::unlock`], reporting to `progress` while a vault made before
    /// the erase anchor is re-encrypted, once (see [`needs_migration`]).
    /// A user with a slot in the old key file gets a slot in the new one
    /// (see [`UserSummary::old_slot`]).
    pub fn unlock_with_progress(
        data_dir: &Path,
        handle: &str,
        passphrase: &Passphrase,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Self, VaultError> {
        let files = VaultFiles::new(data_dir);
        if !files.any_exists() {
            return Err(VaultError::NoVault);
        }
        let keys = KeyFiles::load(&files)?;
        if !matches!(files.db().try_exists(), Ok(true)) {
            return Err(VaultError::DamagedDatabase {
                detail: "the database file is missing".to_owned(),
            });
        }
        let unlocked = authenticate(&files, &keys, handle, passphrase)?;
        let pending = rekey::load_pending(&files)?;
        match Self::open_unlocked(files.clone(), unlocked, handle, passphrase, progress) {
            Ok(vault) => {
                if pending.is_some() {
                    // A rekey that never committed: the old key still opens.
                    rekey::finish_pending(&files, false)?;
                }
                Ok(vault)
            }
            Err(VaultError::DamagedDatabase { detail }) => {
                // A rekey that committed before its key file was renamed:
                // the pending key file's master key opens the database.
                let Some(pending) = pending else {
                    return Err(VaultError::DamagedDatabase { detail });
                };
                let keys = KeyFiles {
                    current: Some(pending),
                    legacy: keys.legacy,
                };
                let unlocked = authenticate(&files, &keys, handle, passphrase)?;
                let vault =
                    Self::open_unlocked(files.clone(), unlocked, handle, passphrase, progress)?;
                rekey::finish_pending(&files, true)?;
                Ok(vault)
            }
            Err(err) => Err(err),
        }
    }

    /// Open, creating it with `handle` as its coordinator if absent, an
    /// UNENCRYPTED database in `data_dir` with the same settings and
    /// migrations as a vault, and return it as an unlocked vault. No key
    /// file is written and no passphrase is involved.
    ///
    /// Exists only so the benchmark can run the same workload on plain
    /// SQLite (feature `bench-plain`, off by default; production builds
    /// never have it). Never use it for real data.
    #[cfg(feature = "bench-plain")]
    #[doc(hidden)]
    pub fn open_plain_for_benchmark(data_dir: &Path, handle: &str) -> Result<Self, VaultError> {
        rules::check_handle(handle)?;
        let files = VaultFiles::new(data_dir);
        let fresh = !matches!(files.db().try_exists(), Ok(true));
        if fresh {
            files::ensure_private_dir(data_dir)?;
            let store = Store::open_plain_for_benchmark(&files.db(), OpenMode::Create)?;
            let mut tx = Write::begin(&store.conn, handle)?;
            tx.execute(
                "INSERT INTO users (handle, role, created_at) VALUES (?1, ?2, ?3)",
                (handle, Role::Coordinator.as_str(), now_unix()),
            )?;
            tx.audit("vault.create", serde_json::json!({}));
            tx.commit()?;
            store.close()?;
        }
        let store = Store::open_plain_for_benchmark(&files.db(), OpenMode::Existing)?;
        let role: Option<String> = store
            .conn
            .query_row("SELECT role FROM users WHERE handle = ?1", [handle], |r| {
                r.get(0)
            })
            .optional()?;
        let role = role
            .as_deref()
            .and_then(Role::parse)
            .ok_or(VaultError::KeySlotMismatch)?;
        Ok(Self {
            files,
            store,
            key: MasterKey::generate()?,
            db_key: DatabaseKey::legacy(&MasterKey::generate()?),
            user: SessionUser {
                handle: handle.to_owned(),
                role,
                must_change_passphrase: false,
            },
            authority: authority::Authority::default(),
            notice: None,
        })
    }

    /// Open the database with an unwrapped key (migrating a vault from
    /// before the erase anchor), find the slot's user in the database's
    /// user index, and give a user who came in through an old slot a new one.
    fn open_unlocked(
        files: VaultFiles,
        unlocked: Unlocked,
        handle: &str,
        passphrase: &Passphrase,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Self, VaultError> {
        let (store, db_key) = database_key::open_database(&files, unlocked.master(), progress)?;
        let (key, listed, opened) = match unlocked {
            Unlocked::Slot(opened) => {
                let user = convert::user_of_slot(&store.conn, &opened, handle)?;
                let key = MasterKey::from_slice(opened.sealed.master.bytes())
                    .ok_or(VaultError::Crypto)?;
                (key, user, Some(opened))
            }
            Unlocked::Legacy(slot, key) => {
                let user = convert::user_of_legacy_slot(&store.conn, &slot)?;
                (key, user, None)
            }
        };
        let (authority, settle) = Self::take_up_authority(&store, &listed, opened.as_ref())?;
        // Being a coordinator is holding the coordinator key.
        let user = SessionUser {
            role: authority.role(),
            ..listed
        };
        let mut vault = Self {
            files,
            store,
            key,
            db_key,
            user,
            authority,
            notice: None,
        };
        if opened.is_none() {
            vault.convert_legacy_slot(passphrase, false)?;
        }
        vault.settle_authority(settle, opened.as_ref())?;
        vault.tidy_legacy_file()?;
        vault.mirror_failed_unlocks()?;
        vault.sweep_signed_settings()?;
        vault.notice = vault.take_notice()?;
        vault.checkpoint_audit();
        Ok(vault)
    }

    /// At unlock: chain the audit entries of a vault made before the chain
    /// (once), and find the session's authority (see [`authority::resolve`]).
    fn take_up_authority(
        store: &Store,
        listed: &SessionUser,
        opened: Option<&slots::Opened>,
    ) -> Result<(authority::Authority, authority::Settle), VaultError> {
        let conn = &store.conn;
        if audit::chain_pending(conn)? {
            let tx = Write::begin(conn, &listed.handle)?;
            audit::chain_existing(&tx)?;
            tx.commit()?;
        }
        authority::resolve(conn, opened, listed.role)
    }

    /// A coordinator's session checkpoints the audit log (at unlock and at
    /// lock). Best effort: a vault that cannot be written (found damaged)
    /// still unlocks; the next coordinator write checkpoints.
    fn checkpoint_audit(&self) {
        if let Some(key) = self.coordinator_key()
            && let Ok(tx) = Write::begin(self.conn(), &self.user.handle)
            && audit::checkpoint(&tx, key).is_ok()
        {
            let _ = tx.commit();
        }
    }

    /// Lock: checkpoint (TRUNCATE) the WAL, close the database and wipe the
    /// master key. The vault is locked even if the checkpoint fails; the
    /// failure is then reported.
    pub fn lock(self) -> Result<(), VaultError> {
        self.checkpoint_audit();
        let Self {
            store, key, db_key, ..
        } = self;
        let result = store.close();
        drop(key);
        drop(db_key);
        result.map_err(VaultError::from)
    }

    /// Copy the write-ahead log into the database now, at a quiet moment
    /// (the app calls it when the user has been inactive for a few
    /// seconds), so that saving a call never waits for it. Durability does
    /// not depend on it: a saved call is already on disk in the WAL.
    /// Returns whether the whole WAL was copied; cheap when nothing was
    /// written since the last time.
    pub fn checkpoint(&self) -> Result<bool, VaultError> {
        Ok(self.store.checkpoint_quiet()?)
    }

    /// Refresh the query planner's statistics after many rows changed.
    pub(crate) fn optimize(&self) -> Result<(), VaultError> {
        Ok(self.store.optimize()?)
    }

    /// Copy the whole WAL into the database and truncate it now (after a
    /// purge, so that no removed text stays in the log); returns whether it
    /// completed.
    pub(crate) fn checkpoint_now(&self) -> Result<bool, VaultError> {
        Ok(self.store.checkpoint_now()?)
    }

    /// Refuse with [`VaultError::PassphraseChangeRequired`] while the
    /// session user still has the passphrase a coordinator set for them:
    /// the window and `hotline` allow nothing but changing it until then.
    pub fn require_own_passphrase(&self) -> Result<(), VaultError> {
        if self.user.must_change_passphrase {
            return Err(VaultError::PassphraseChangeRequired);
        }
        Ok(())
    }

    /// The user who unlocked the vault.
    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    /// The data directory of this vault.
    pub fn data_dir(&self) -> &Path {
        &self.files.dir
    }

    /// The keyed database connection, for the vault's own modules: other
    /// modules read through [`Vault::read`] and write through
    /// [`Vault::write`].
    #[cfg(not(test))]
    fn conn(&self) -> &Connection {
        &self.store.conn
    }

    /// The keyed database connection; tests reach it anywhere in the crate
    /// to inspect the database and to damage it on purpose.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.store.conn
    }
}

/// Unlock the vault in `data_dir` as `handle` and run `sql` on its
/// database directly, then close it: what someone holding the files and a
/// user's passphrase can do outside the app (feature `tamper-seam`, for the
/// `hotline` command's tests only).
#[cfg(feature = "tamper-seam")]
#[doc(hidden)]
pub fn tamper_as(
    data_dir: &Path,
    handle: &str,
    passphrase: &Passphrase,
    sql: &str,
) -> Result<(), VaultError> {
    let files = VaultFiles::new(data_dir);
    let keys = KeyFiles::load(&files)?;
    let unlocked = authenticate(&files, &keys, handle, passphrase)?;
    let (store, _db_key) = database_key::open_database(&files, unlocked.master(), &mut |_| {})?;
    store.conn.execute_batch(sql)?;
    Ok(store.close()?)
}

/// A user about to be written into the user index.
pub(crate) struct NewUser<'a> {
    pub(crate) handle: &'a str,
    pub(crate) tag: &'a slots::Tag,
    pub(crate) public_key: &'a str,
}

/// The key files of a vault: the current one and, until its last slot is
/// converted, the old one.
pub(crate) struct KeyFiles {
    /// `keyslots.bin`.
    pub(crate) current: Option<SlotFile>,
    /// `keyslots.json`.
    pub(crate) legacy: Option<KeyFile>,
}

impl KeyFiles {
    /// Read both; [`VaultError::DamagedKeyFile`] if neither exists.
    pub(crate) fn load(files: &VaultFiles) -> Result<Self, VaultError> {
        let keys = Self {
            current: SlotFile::load_if_exists(&files.key_file())?,
            legacy: KeyFile::load_if_exists(&files.legacy_key_file())?,
        };
        if keys.current.is_none() && keys.legacy.is_none() {
            return Err(VaultError::DamagedKeyFile {
                detail: "the key file is missing".to_owned(),
            });
        }
        Ok(keys)
    }
}

/// The key slot an unlock opened.
pub(crate) enum Unlocked {
    /// A slot of the key file.
    Slot(slots::Opened),
    /// A slot of the old key file, with the master key it held.
    Legacy(KeySlot, MasterKey),
}

impl Unlocked {
    /// The master key the slot held.
    pub(crate) fn master(&self) -> &MasterKey {
        match self {
            Self::Slot(opened) => &opened.sealed.master,
            Self::Legacy(_, key) => key,
        }
    }
}

/// Open the slot of `handle` and `passphrase`, enforcing and updating the
/// failed-attempt counter: ONE Argon2id finds and opens a slot of the key
/// file; a user not found there may still have a slot in the old one.
/// Every failure is [`VaultError::WrongHandleOrPassphrase`].
fn authenticate(
    files: &VaultFiles,
    keys: &KeyFiles,
    handle: &str,
    passphrase: &Passphrase,
) -> Result<Unlocked, VaultError> {
    attempts::check(files)?;
    if let Some(current) = &keys.current {
        let credentials = current.credentials(handle, passphrase)?;
        if let Some(opened) = current.open(credentials)? {
            return Ok(Unlocked::Slot(opened));
        }
    }
    if let Some(slot) = keys.legacy.as_ref().and_then(|legacy| legacy.find(handle)) {
        match slot.open(passphrase) {
            Ok(key) => {
                return Ok(Unlocked::Legacy(slot.clone(), key));
            }
            Err(VaultError::WrongHandleOrPassphrase) => {}
            Err(err) => return Err(err),
        }
    }
    attempts::record_failure(files);
    Err(VaultError::WrongHandleOrPassphrase)
}
