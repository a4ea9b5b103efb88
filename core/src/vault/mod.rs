//! The encrypted vault: one SQLCipher database, opened with a key derived
//! from a random 256-bit master key and the erase anchor; the master key is
//! wrapped once per user by a key derived from that user's passphrase
//! (Argon2id). See `docs/SECURITY.md` for the threat model and the key
//! hierarchy.
//!
//! Files in the data directory:
//! - `hotline.db` (+ `-wal`, `-shm` while open): the encrypted database;
//! - `erase-anchor`: one block of random bytes the database key depends on,
//!   only ever overwritten in place (see [`anchor`]);
//! - `keyslots.json`: one wrapped master key per user (plaintext JSON that
//!   shows handles, roles and Argon2 parameters, never a usable key);
//! - `failed-unlocks.json`: the failed-unlock counter (not secret).
//!
//! A [`Vault`] value is an unlocked vault. Locking ([`Vault::lock`], or
//! dropping it) checkpoints and truncates the WAL, closes the connection
//! and wipes the master key from memory.

mod access;
mod anchor;
mod attempts;
pub(crate) mod audit;
mod backup;
mod database_key;
mod diceware;
mod erase;
mod error;
mod files;
mod integrity;
pub mod kdf;
mod keyslots;
mod panic_erase;
mod read;
pub mod rules;
pub(crate) mod secret;
mod set_aside;
mod settings;
mod users;
mod verify;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::store::{OpenMode, Store};
use files::VaultFiles;
use keyslots::{KeyFile, KeySlot};
use secret::{DatabaseKey, MasterKey};

pub use access::Coordinator;
pub(crate) use access::Write;
pub use anchor::{ANCHOR_FILE, ANCHOR_LEN};
pub use attempts::{FREE_ATTEMPTS, MAX_DELAY, failed_attempts, retry_delay};
pub use backup::{BackupLocation, BackupReport};
pub use database_key::{MigrationProgress, needs_migration};
pub use diceware::{
    DEFAULT_WORDS, MAX_WORDS, MIN_WORDS, SuggestedPassphrase, WORDLIST_ATTRIBUTION,
    suggest_passphrase,
};
pub use erase::erase_at_lock_screen;
pub use error::VaultError;
pub use files::{ATTEMPTS_FILE, DATABASE_FILE, KEY_FILE};
pub use integrity::{IntegrityCheck, IntegrityOutcome};
pub use kdf::KdfParams;
pub use panic_erase::{FLAG_FILE as PANIC_ERASE_FILE, is_on as panic_erase_is_on};
pub(crate) use read::Reader;
pub use secret::Passphrase;
pub use settings::{AUTO_LOCK_MAX_MINUTES, AUTO_LOCK_MIN_MINUTES, DEFAULT_AUTO_LOCK_MINUTES};
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
        let slot = KeySlot::seal(
            handle,
            Role::Coordinator,
            kdf::params_for_new_slot(),
            passphrase,
            &key,
        )?;
        let anchor = anchor::Anchor::generate()?;
        anchor.create_file(&files.anchor())?;
        if let Err(err) = Self::initialise(&files, &anchor.database_key(&key), &slot) {
            // Only files this call created, holding nothing yet.
            let _ = anchor::destroy(&files.anchor());
            for path in [files.db(), files.wal(), files.shm(), files.anchor()] {
                let _ = files::remove_if_exists(&path);
            }
            return Err(err);
        }
        attempts::reset(&files);
        Self::open_unlocked(files, key, &slot, &mut |_| {})
    }

    /// Create the database (schema, first user), then the key file.
    fn initialise(
        files: &VaultFiles,
        db_key: &DatabaseKey,
        slot: &KeySlot,
    ) -> Result<(), VaultError> {
        let store = Store::open(&files.db(), db_key, OpenMode::Create)?;
        files::make_private(&files.db())?;
        let mut tx = Write::begin(&store.conn, &slot.handle)?;
        tx.execute(
            "INSERT INTO users (handle, role, created_at) VALUES (?1, ?2, ?3)",
            (&slot.handle, Role::Coordinator.as_str(), now_unix()),
        )?;
        tx.audit("vault.create", serde_json::json!({}));
        tx.commit()?;
        store.close()?;
        let bytes = KeyFile {
            slots: vec![slot.clone()],
        }
        .to_bytes()?;
        files::write_new_atomic(&files.key_file(), &bytes)
    }

    /// Unlock the vault in `data_dir` as `handle` with `passphrase`.
    ///
    /// Errors are specific: [`VaultError::NoVault`],
    /// [`VaultError::UnknownHandle`], [`VaultError::WrongPassphrase`],
    /// [`VaultError::TooSoon`] (after repeated failures, see
    /// [`retry_delay`]), [`VaultError::DamagedKeyFile`],
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
        let key_file = KeyFile::load(&files.key_file())?;
        if !matches!(files.db().try_exists(), Ok(true)) {
            return Err(VaultError::DamagedDatabase {
                detail: "the database file is missing".to_owned(),
            });
        }
        let (slot, key) = authenticate(&files, &key_file, handle, passphrase)?;
        Self::open_unlocked(files, key, slot, progress)
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
        })
    }

    /// Open the database with an unwrapped key (migrating a vault from
    /// before the erase anchor) and check that the slot's user is in the
    /// database's user list with the same role.
    fn open_unlocked(
        files: VaultFiles,
        key: MasterKey,
        slot: &KeySlot,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<Self, VaultError> {
        let (store, db_key) = database_key::open_database(&files, &key, progress)?;
        let row: Option<(String, String, bool)> = store
            .conn
            .query_row(
                "SELECT handle, role, must_change_passphrase FROM users WHERE handle = ?1",
                [&slot.handle],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let user = match row {
            Some((handle, role, must_change_passphrase))
                if Role::parse(&role) == Some(slot.role) =>
            {
                SessionUser {
                    handle,
                    role: slot.role,
                    must_change_passphrase,
                }
            }
            _ => return Err(VaultError::KeySlotMismatch),
        };
        Ok(Self {
            files,
            store,
            key,
            db_key,
            user,
        })
    }

    /// Lock: checkpoint (TRUNCATE) the WAL, close the database and wipe the
    /// master key. The vault is locked even if the checkpoint fails; the
    /// failure is then reported.
    pub fn lock(self) -> Result<(), VaultError> {
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

/// Find `handle`'s slot and open it with `passphrase`, enforcing and
/// updating the failed-attempt counter.
fn authenticate<'k>(
    files: &VaultFiles,
    key_file: &'k KeyFile,
    handle: &str,
    passphrase: &Passphrase,
) -> Result<(&'k KeySlot, MasterKey), VaultError> {
    attempts::check(files)?;
    let Some(slot) = key_file.find(handle) else {
        attempts::record_failure(files);
        return Err(VaultError::UnknownHandle);
    };
    match slot.open(passphrase) {
        Ok(key) => {
            attempts::reset(files);
            Ok((slot, key))
        }
        Err(VaultError::WrongPassphrase) => {
            attempts::record_failure(files);
            Err(VaultError::WrongPassphrase)
        }
        Err(err) => Err(err),
    }
}
