//! `verify`: a full integrity and consistency check of an unlocked vault.
//!
//! Unlocking already proved the passphrase and the key (the key slot's
//! authentication tags and SQLCipher's page HMACs). `verify` additionally
//! reads every page: SQLite's structural `integrity_check`, SQLCipher's
//! `cipher_integrity_check` (every page's HMAC), and whether key slots and
//! users match one to one: every user's lookup tag names a slot of the key
//! file (or, for a user not yet converted, the old key file has their slot).

use rusqlite::Connection;

use super::slots::{SLOT_COUNT, Tag};
use super::{KdfParams, KeyFiles, Role, UserSummary, Vault, VaultError, rules};
use crate::store::{self, Store, StoreError, migrations};

/// Public facts about the key file (none of them secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInfo {
    /// Slots in the file (always [`SLOT_COUNT`]).
    pub slots: usize,
    /// Slots the user index says are in use.
    pub in_use: usize,
    /// The file's size in bytes (always [`super::KEY_FILE_LEN`]).
    pub file_len: usize,
    /// The vault's Argon2id parameters.
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
    /// The key file, if the vault has one yet (a vault from an older
    /// version gets it at its first unlock).
    pub key_slots: Option<SlotInfo>,
    /// Users who still have a slot in the old key file (their handle is
    /// readable there until their next unlock).
    pub old_slots: Vec<String>,
    /// Users in the database without a key slot.
    pub users_without_slot: Vec<String>,
    /// Slots of the old key file whose user is not in the database (or has
    /// another role).
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
        let (mut integrity, cipher_problems) =
            match Store::open_read_only(&self.files.db(), &self.db_key) {
                Ok(conn) => store::full_check(&conn)?,
                Err(StoreError::Unreadable(detail)) => (vec![detail], Vec::new()),
                Err(err) => return Err(err.into()),
            };
        let keys = KeyFiles::load(&self.files)?;
        // On a fresh connection of its own too: one that met a damaged
        // page (this session's, or the full check's) decrypts no more.
        let users = match Store::open_read_only(&self.files.db(), &self.db_key)
            .map_err(VaultError::from)
            .and_then(|conn| index_of_users(&conn))
        {
            Ok(users) => users,
            Err(VaultError::DamagedDatabase { detail }) => {
                integrity.push(detail);
                Vec::new()
            }
            Err(err) => return Err(err),
        };
        let mut users_without_slot = Vec::new();
        let mut in_use = 0;
        for (user, tag) in &users {
            let in_key_file = match (&keys.current, tag) {
                (Some(file), Some(tag)) => file.index_of(tag).is_some(),
                _ => false,
            };
            let in_old_file = keys.legacy.as_ref().is_some_and(|legacy| {
                legacy
                    .find(&user.handle)
                    .is_some_and(|slot| slot.role == user.role)
            });
            in_use += usize::from(in_key_file);
            if !(in_key_file || user.old_slot && in_old_file) {
                users_without_slot.push(user.handle.clone());
            }
        }
        let slots_without_user = keys
            .legacy
            .iter()
            .flat_map(|legacy| legacy.slots.iter())
            .filter(|s| {
                !users.iter().any(|(u, _)| {
                    rules::same_handle(&u.handle, &s.handle) && u.role == s.role && u.old_slot
                })
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
            key_slots: keys.current.as_ref().map(|file| SlotInfo {
                slots: SLOT_COUNT,
                in_use,
                file_len: file.to_bytes().len(),
                kdf: file.kdf,
            }),
            old_slots: users
                .iter()
                .filter(|(u, _)| u.old_slot)
                .map(|(u, _)| u.handle.clone())
                .collect(),
            users_without_slot,
            slots_without_user,
        })
    }
}

/// Every user with their lookup tag, read on `conn`.
fn index_of_users(conn: &Connection) -> Result<Vec<(UserSummary, Option<Tag>)>, VaultError> {
    let mut stmt = conn
        .prepare("SELECT handle, role, created_at, old_slot, slot_tag, recovery_kit FROM users")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
            r.get::<_, bool>(5)?,
        ))
    })?;
    let mut users = Vec::new();
    for row in rows {
        let (handle, role, created_at_unix, old_slot, tag, recovery_kit) = row?;
        let role = Role::parse(&role).ok_or_else(|| VaultError::DamagedDatabase {
            detail: "a user has an unknown role".to_owned(),
        })?;
        let summary = UserSummary {
            handle,
            role,
            created_at_unix,
            old_slot,
            recovery_kit,
        };
        users.push((summary, tag.and_then(|t| t.try_into().ok())));
    }
    Ok(users)
}
