//! `verify`: a full integrity and consistency check of an unlocked vault.
//!
//! Unlocking already proved the passphrase and the key (the key slot's
//! authentication tag and SQLCipher's page HMACs). `verify` additionally
//! reads every page: SQLite's structural `integrity_check`, SQLCipher's
//! `cipher_integrity_check` (every page's HMAC), and whether key slots and
//! users match one to one.

use super::keyslots::KeyFile;
use super::{KdfParams, Role, Vault, VaultError, rules};
use crate::store::{self, Store, StoreError, migrations};

/// Public facts about one key slot (none of them secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    /// The slot's handle.
    pub handle: String,
    /// The slot's role.
    pub role: Role,
    /// Its Argon2id parameters.
    pub kdf: KdfParams,
}

/// The outcome of [`Vault::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Schema version of the database.
    pub schema_version: u32,
    /// Newest schema version this build knows.
    pub latest_schema_version: u32,
    /// SQLCipher library version.
    pub sqlcipher_version: String,
    /// `PRAGMA integrity_check` output: `["ok"]` when sound.
    pub integrity: Vec<String>,
    /// `PRAGMA cipher_integrity_check` output: empty when every page
    /// authenticates.
    pub cipher_problems: Vec<String>,
    /// Every key slot.
    pub key_slots: Vec<SlotInfo>,
    /// Users in the database without a key slot.
    pub users_without_slot: Vec<String>,
    /// Key slots whose user is not in the database (or has another role).
    pub slots_without_user: Vec<String>,
}

impl VerifyReport {
    /// Whether everything checked out.
    pub fn is_ok(&self) -> bool {
        self.integrity == ["ok"]
            && self.cipher_problems.is_empty()
            && self.users_without_slot.is_empty()
            && self.slots_without_user.is_empty()
            && self.schema_version == self.latest_schema_version
    }
}

impl Vault {
    /// Check the whole vault; see [`VerifyReport`]. Any user may run it.
    ///
    /// The pages are read on a connection of its own (read-only), so that
    /// damage found there does not leave this session's connection in
    /// SQLCipher's error state.
    pub fn verify(&self) -> Result<VerifyReport, VaultError> {
        let (integrity, cipher_problems) =
            match Store::open_read_only(&self.files.db(), &self.db_key) {
                Ok(conn) => store::full_check(&conn)?,
                Err(StoreError::Unreadable(detail)) => (vec![detail], Vec::new()),
                Err(err) => return Err(err.into()),
            };
        let key_file = KeyFile::load(&self.files.key_file())?;
        let users = self.list_users()?;
        let users_without_slot = users
            .iter()
            .filter(|u| key_file.find(&u.handle).is_none())
            .map(|u| u.handle.clone())
            .collect();
        let slots_without_user = key_file
            .slots
            .iter()
            .filter(|s| {
                !users
                    .iter()
                    .any(|u| rules::same_handle(&u.handle, &s.handle) && u.role == s.role)
            })
            .map(|s| s.handle.clone())
            .collect();
        let sqlcipher_version: String =
            self.conn()
                .query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
        Ok(VerifyReport {
            schema_version: migrations::schema_version(self.conn())?,
            latest_schema_version: migrations::LATEST,
            sqlcipher_version,
            integrity,
            cipher_problems,
            key_slots: key_file
                .slots
                .iter()
                .map(|s| SlotInfo {
                    handle: s.handle.clone(),
                    role: s.role,
                    kdf: s.kdf,
                })
                .collect(),
            users_without_slot,
            slots_without_user,
        })
    }
}
