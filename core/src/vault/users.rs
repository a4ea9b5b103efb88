//! Users: coordinators add and remove them, everyone changes their own
//! passphrase. None of this re-encrypts the database: only key slots change.
//!
//! The database's `users` table is the authoritative list; the key file
//! holds one slot per listed user. Each change updates both inside one
//! database transaction, writing the key file (atomically) just before the
//! commit, so a failed write rolls the database back.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::keyslots::{KeyFile, KeySlot};
use super::{Coordinator, Passphrase, Role, UserSummary, Vault, VaultError, kdf, now_unix, rules};

impl Coordinator<'_> {
    /// Add a user with `role` and a first `passphrase`, which they must
    /// change at their first unlock (a coordinator knows it). Refuses
    /// invalid handles, weak passphrases and taken handles.
    pub fn add_user(
        &self,
        handle: &str,
        role: Role,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        rules::check_handle(handle)?;
        rules::check_passphrase(passphrase, handle)?;
        if self.user_role(handle)?.is_some() {
            return Err(VaultError::HandleTaken);
        }
        let key_path = self.files.key_file();
        let mut key_file = KeyFile::load(&key_path)?;
        let slot = KeySlot::seal(
            handle,
            role,
            kdf::params_for_new_slot(),
            passphrase,
            &self.key,
        )?;
        // Replaces a stale slot left without a user row, if any.
        key_file.put(slot);
        let mut tx = self.write()?;
        tx.execute(
            "INSERT INTO users (handle, role, created_at, must_change_passphrase)
             VALUES (?1, ?2, ?3, 1)",
            (handle, role.as_str(), now_unix()),
        )?;
        tx.audit(
            "user.add",
            json!({ "handle": handle, "role": role.as_str() }),
        );
        key_file.save(&key_path)?;
        tx.commit()?;
        Ok(())
    }

    /// Remove a user and their key slot. A coordinator cannot remove
    /// themselves, and the last coordinator cannot be removed.
    ///
    /// The master key is not changed: someone who kept a copy of the old
    /// key file, or a backup, can still open that copy with the removed
    /// user's passphrase (see `docs/SECURITY.md`).
    pub fn remove_user(&self, handle: &str) -> Result<(), VaultError> {
        let Some((stored, role)) = self.user_role(handle)? else {
            return Err(VaultError::UnknownHandle);
        };
        if role == Role::Coordinator && self.coordinator_count()? <= 1 {
            return Err(VaultError::LastCoordinator);
        }
        if rules::same_handle(handle, &self.user.handle) {
            return Err(VaultError::CannotRemoveSelf);
        }
        let key_path = self.files.key_file();
        let mut key_file = KeyFile::load(&key_path)?;
        key_file.remove(&stored);
        let mut tx = self.write()?;
        tx.execute("DELETE FROM users WHERE handle = ?1", [&stored])?;
        tx.audit("user.remove", json!({ "handle": stored }));
        if key_file.slots.is_empty() {
            return Err(VaultError::LastCoordinator);
        }
        key_file.save(&key_path)?;
        tx.commit()?;
        Ok(())
    }
}

impl Vault {
    /// Every user, by handle.
    pub fn list_users(&self) -> Result<Vec<UserSummary>, VaultError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT handle, role, created_at FROM users ORDER BY handle COLLATE NOCASE")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut users = Vec::new();
        for row in rows {
            let (handle, role, created_at_unix) = row?;
            let role = Role::parse(&role).ok_or_else(|| VaultError::DamagedDatabase {
                detail: "a user has an unknown role".to_owned(),
            })?;
            users.push(UserSummary {
                handle,
                role,
                created_at_unix,
            });
        }
        Ok(users)
    }

    /// Change the session user's own passphrase. `old` must be their
    /// current passphrase (so an unattended unlocked session cannot be used
    /// to take over the account); wrong guesses count as failed attempts.
    /// The new passphrase gets a fresh salt and freshly tuned parameters;
    /// it must differ from the current one.
    pub fn change_passphrase(
        &mut self,
        old: &Passphrase,
        new: &Passphrase,
    ) -> Result<(), VaultError> {
        rules::check_passphrase(new, &self.user.handle)?;
        let key_path = self.files.key_file();
        let mut key_file = KeyFile::load(&key_path)?;
        let (slot, key) = super::authenticate(&self.files, &key_file, &self.user.handle, old)
            .map_err(|err| {
                match err {
                    // The session user always has a slot; a missing one
                    // means the file changed under us.
                    VaultError::UnknownHandle => VaultError::KeySlotMismatch,
                    other => other,
                }
            })?;
        if key.bytes() != self.key.bytes() || slot.role != self.user.role {
            return Err(VaultError::KeySlotMismatch);
        }
        if new.same_as(old) {
            return Err(VaultError::WeakPassphrase {
                reason: rules::WeakReason::Unchanged,
            });
        }
        let handle = slot.handle.clone();
        let role = slot.role;
        let fresh = KeySlot::seal(&handle, role, kdf::params_for_new_slot(), new, &self.key)?;
        key_file.put(fresh);
        let mut tx = self.write()?;
        tx.execute(
            "UPDATE users SET must_change_passphrase = 0 WHERE handle = ?1",
            [&handle],
        )?;
        tx.audit("passphrase.change", json!({}));
        key_file.save(&key_path)?;
        tx.commit()?;
        self.user.must_change_passphrase = false;
        Ok(())
    }

    /// The stored spelling and role of `handle`, if that user exists.
    fn user_role(&self, handle: &str) -> Result<Option<(String, Role)>, VaultError> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT handle, role FROM users WHERE handle = ?1",
                [handle],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((stored, role)) => match Role::parse(&role) {
                Some(role) => Ok(Some((stored, role))),
                None => Err(VaultError::DamagedDatabase {
                    detail: "a user has an unknown role".to_owned(),
                }),
            },
        }
    }

    fn coordinator_count(&self) -> Result<i64, VaultError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM users WHERE role = 'coordinator'",
            [],
            |r| r.get(0),
        )?)
    }
}
