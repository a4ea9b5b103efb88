//! Errors of the vault. No message ever contains a passphrase, a key, or
//! anything stored in the database; handles are named only where the caller
//! already supplied them.

use std::time::Duration;

use crate::store::{Damage, StoreError};

/// Everything that can go wrong opening or managing the vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// There is no vault in the data directory.
    #[error("there is no vault in this data directory yet")]
    NoVault,
    /// `create` found vault files and refused to touch them.
    #[error("a vault already exists in this data directory; refusing to create a new one over it")]
    AlreadyExists,
    /// A coordinator named a user who does not exist.
    #[error("no user with that handle")]
    UnknownHandle,
    /// The handle and passphrase open no key slot. One error for an
    /// unknown handle and a wrong passphrase: the key file cannot tell them
    /// apart, and the app does not either.
    #[error("wrong handle or passphrase")]
    WrongHandleOrPassphrase,
    /// Every key slot of the vault is in use.
    #[error("this vault already has {limit} users, the most one laptop can hold")]
    TooManyUsers {
        /// The slot count.
        limit: usize,
    },
    /// Too many failed unlocks in a row: wait before trying again.
    #[error(
        "{failures} failed unlock attempts in a row; wait {} s before trying again",
        wait.as_secs().max(1)
    )]
    TooSoon {
        /// Time left before the next attempt is allowed.
        wait: Duration,
        /// Failed attempts in a row so far.
        failures: u32,
    },
    /// The passphrase is too easy to guess.
    #[error("passphrase too weak: {reason}")]
    WeakPassphrase {
        /// Why, as one of a few stable reasons.
        reason: super::rules::WeakReason,
    },
    /// The user's passphrase was set by a coordinator: they must choose
    /// their own before doing anything else.
    #[error(
        "a coordinator set this passphrase for you: change it first with `hotline passwd` (or in the window) before doing anything else"
    )]
    PassphraseChangeRequired,
    /// The handle is not a valid pseudonym.
    #[error("invalid handle: {reason}")]
    InvalidHandle {
        /// Which rule was broken.
        reason: &'static str,
    },
    /// A user with this handle exists already.
    #[error("a user with that handle already exists")]
    HandleTaken,
    /// The action needs a coordinator.
    #[error("only a coordinator can do this")]
    NotCoordinator,
    /// Removing this user would leave no coordinator.
    #[error("cannot remove the last coordinator")]
    LastCoordinator,
    /// A coordinator tried to remove themselves.
    #[error("you cannot remove yourself; ask another coordinator")]
    CannotRemoveSelf,
    /// A setting value is out of range.
    #[error("invalid setting: {reason}")]
    InvalidSetting {
        /// What the allowed values are.
        reason: &'static str,
    },
    /// A member laptop's coordinator tried to change a setting its team's
    /// coordinator manages (it arrives in the team's updates).
    #[error(
        "the {setting} setting is managed by the team: change it on the team's coordinator laptop"
    )]
    ManagedByTeam {
        /// The setting (`retention`, `auto_lock`, `areas`, `active_pack`, `referrals`).
        setting: &'static str,
    },
    /// An audit action name is not a short lowercase name (a programming
    /// error in the caller).
    #[error("invalid audit action name")]
    InvalidAuditAction,
    /// The database file is damaged, truncated, missing, or not this
    /// vault's. Nothing was written to it.
    #[error("the vault database is damaged or unreadable: {detail}. Nothing was changed")]
    DamagedDatabase {
        /// What was found (no data, no key).
        detail: String,
    },
    /// Saving is switched off for this session because the database was
    /// found damaged (or its file is write-protected). Nothing was written.
    #[error(
        "the vault database is damaged, so saving is switched off until it is restored from a backup (or its file is write-protected). Nothing was saved"
    )]
    WritesRefused,
    /// The key-slot file is damaged, truncated or missing. Nothing was
    /// written to it.
    #[error("the vault key file is damaged or unreadable: {detail}. Nothing was changed")]
    DamagedKeyFile {
        /// What was found.
        detail: String,
    },
    /// A key slot and the database's user list disagree (the key file was
    /// edited, swapped, or belongs to a removed user).
    #[error("the key file does not match the vault's user list; this key slot is not accepted")]
    KeySlotMismatch,
    /// A coordinator signature does not verify: the signed value was
    /// altered, or signed by another key, or for another purpose.
    #[error("a coordinator signature does not verify: the vault's files were altered")]
    BadSignature,
    /// The audit log's hash chain or its checkpoints show entries edited,
    /// deleted, inserted or moved, or a forged checkpoint.
    #[error(
        "the audit log was altered: {problems} problem(s) found; keep a copy of the data directory and tell a coordinator"
    )]
    AuditAltered {
        /// How many problems were found.
        problems: usize,
    },
    /// The backup file is damaged or not a Hotline Desk backup.
    #[error("the backup file is damaged or not a Hotline Desk backup: {detail}")]
    DamagedBackup {
        /// What was found.
        detail: String,
    },
    /// The database comes from a newer Hotline Desk.
    #[error(
        "the vault was written by a newer version of Hotline Desk (schema {found}; this version knows up to {supported}); update the app"
    )]
    SchemaTooNew {
        /// Version in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// `backup` would overwrite an existing file.
    #[error("the backup file already exists; choose a new file name")]
    BackupExists,
    /// `restore` found a vault in the target data directory.
    #[error(
        "a vault already exists in the target data directory; restore never replaces one. Choose an empty data directory"
    )]
    RestoreTargetExists,
    /// Panic erase was asked for at the lock screen but no coordinator has
    /// switched it on.
    #[error(
        "panic erase is off for this vault; a coordinator can switch it on (`hotline panic-erase on`, or Settings in the window)"
    )]
    PanicEraseOff,
    /// Retention could not run before a backup, so no backup was written
    /// (a backup must never carry text retention should have shredded).
    #[error("retention could not run before the backup, so none was written: {0}")]
    Retention(#[source] Box<crate::calls::CallError>),
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A database operation failed (damage is reported as
    /// [`VaultError::DamagedDatabase`] instead).
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
    /// Argon2 could not run.
    #[error("key derivation failed: {0}")]
    KeyDerivation(&'static str),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// The cipher failed where it cannot fail with valid input.
    #[error("encryption failed")]
    Crypto,
}

impl VaultError {
    /// Wrap an I/O error with what was being done.
    pub(crate) fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { context, source }
    }
}

impl From<StoreError> for VaultError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unreadable(detail) => Self::DamagedDatabase { detail },
            StoreError::SchemaTooNew { found, supported } => {
                Self::SchemaTooNew { found, supported }
            }
            StoreError::Key => Self::Crypto,
            StoreError::Sqlite(err) => Self::from(err),
        }
    }
}

impl From<rusqlite::Error> for VaultError {
    /// A page that fails its authentication code or structure check when read
    /// is [`VaultError::DamagedDatabase`], a write refused after damage was
    /// found is [`VaultError::WritesRefused`]; anything else is
    /// [`VaultError::Database`].
    fn from(err: rusqlite::Error) -> Self {
        match crate::store::damage(&err) {
            Some(Damage::Page(detail)) => Self::DamagedDatabase { detail },
            Some(Damage::WritesOff) => Self::WritesRefused,
            None => Self::Database(err),
        }
    }
}
