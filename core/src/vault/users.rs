//! Users: coordinators add and remove them, everyone changes their own
//! passphrase. None of this re-encrypts the database: only key slots change.
//!
//! The database's `users` table is the authoritative list and the index of
//! the key file: each user's lookup tag says which slot is theirs. Each
//! change updates both inside one database transaction, writing the key
//! file (atomically) just before the commit, so a failed write rolls the
//! database back.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::authority;
use super::slots::{self, Tag};
use super::{
    Coordinator, KeyFiles, Passphrase, Role, Unlocked, UserSummary, Vault, VaultError, now_unix,
    rules,
};

impl Coordinator<'_> {
    /// Add a user with `role` and a first `passphrase`, which they must
    /// change at their first unlock (a coordinator knows it). Refuses
    /// invalid handles, weak passphrases, taken handles, and a vault whose
    /// [`slots::SLOT_COUNT`] slots are all in use.
    pub fn add_user(
        &self,
        handle: &str,
        role: Role,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        self.add_user_as(handle, role, passphrase, false)
    }

    /// [`Coordinator::add_user`], or with `recovery_kit` a recovery kit's
    /// coordinator slot (its passphrase is the kit's, never changed).
    pub(super) fn add_user_as(
        &self,
        handle: &str,
        role: Role,
        passphrase: &Passphrase,
        recovery_kit: bool,
    ) -> Result<(), VaultError> {
        rules::check_handle(handle)?;
        rules::check_passphrase(passphrase, handle)?;
        if self.user_role(handle)?.is_some() {
            return Err(VaultError::HandleTaken);
        }
        let key = self.coordinator_key().ok_or(VaultError::NotCoordinator)?;
        let mut key_file = self.current_key_file()?;
        let index = key_file.free_slot(&self.used_tags("")?)?;
        let credentials = key_file.credentials(handle, passphrase)?;
        let secrets = self.put_new_slot(
            &mut key_file,
            index,
            &credentials,
            role == Role::Coordinator,
        )?;
        let mut tx = self.write()?;
        tx.execute(
            "INSERT INTO users (handle, role, created_at, must_change_passphrase,
                                slot_tag, public_key, recovery_kit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                handle,
                role.as_str(),
                now_unix(),
                !recovery_kit,
                credentials.tag.as_slice(),
                secrets.identity.to_public().to_string(),
                recovery_kit,
            ),
        )?;
        authority::sign_user(&tx, key, handle)?;
        tx.audit(
            if recovery_kit {
                "recovery_kit.create"
            } else {
                "user.add"
            },
            json!({ "handle": handle, "role": role.as_str() }),
        );
        key_file.save(&self.files.key_file())?;
        tx.commit()?;
        Ok(())
    }

    /// Remove a user and their key slot (and an old slot of theirs). A
    /// coordinator cannot remove themselves, and the last coordinator
    /// cannot be removed.
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
        let tag = self.tag_of(&stored)?;
        let mut key_file = self.current_key_file()?;
        if let Some(index) = tag.and_then(|tag| key_file.index_of(&tag)) {
            key_file.clear(index)?;
        }
        let mut tx = self.write()?;
        tx.execute("DELETE FROM users WHERE handle = ?1", [&stored])?;
        tx.audit("user.remove", json!({ "handle": stored }));
        key_file.save(&self.files.key_file())?;
        tx.commit()?;
        self.tidy_legacy_file()
    }
}

impl Vault {
    /// Every user, by handle.
    pub fn list_users(&self) -> Result<Vec<UserSummary>, VaultError> {
        let mut stmt = self.conn().prepare(
            "SELECT handle, role, created_at, old_slot, recovery_kit FROM users
             ORDER BY handle COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        let mut users = Vec::new();
        for row in rows {
            let (handle, role, created_at_unix, old_slot, recovery_kit) = row?;
            let role = Role::parse(&role).ok_or_else(|| VaultError::DamagedDatabase {
                detail: "a user has an unknown role".to_owned(),
            })?;
            users.push(UserSummary {
                handle,
                role,
                created_at_unix,
                old_slot,
                recovery_kit,
            });
        }
        Ok(users)
    }

    /// Change the session user's own passphrase. `old` must be their
    /// current passphrase (so an unattended unlocked session cannot be used
    /// to take over the account); wrong guesses count as failed attempts.
    /// The slot gets new credentials (its tag and wrapping change, the
    /// user's key pair stays); the new passphrase must differ.
    pub fn change_passphrase(
        &mut self,
        old: &Passphrase,
        new: &Passphrase,
    ) -> Result<(), VaultError> {
        rules::check_passphrase(new, &self.user.handle)?;
        let keys = KeyFiles::load(&self.files)?;
        let unlocked = super::authenticate(&self.files, &keys, &self.user.handle, old)?;
        if unlocked.master().bytes() != self.key.bytes() {
            return Err(VaultError::KeySlotMismatch);
        }
        if new.same_as(old) {
            return Err(VaultError::WeakPassphrase {
                reason: rules::WeakReason::Unchanged,
            });
        }
        match unlocked {
            Unlocked::Legacy(slot, _) => {
                if slot.role != self.user.role {
                    return Err(VaultError::KeySlotMismatch);
                }
                self.convert_legacy_slot(new, true)?;
                self.tidy_legacy_file()?;
            }
            Unlocked::Slot(opened) => {
                if self.tag_of(&self.user.handle)? != Some(opened.tag) {
                    return Err(VaultError::KeySlotMismatch);
                }
                let mut key_file = keys.current.ok_or(VaultError::KeySlotMismatch)?;
                let credentials = key_file.credentials(&self.user.handle, new)?;
                key_file.rewrap(opened.index, &credentials, &opened.secrets)?;
                let mut tx = self.write()?;
                tx.execute(
                    "UPDATE users SET must_change_passphrase = 0, slot_tag = ?1 WHERE handle = ?2",
                    (credentials.tag.as_slice(), &self.user.handle),
                )?;
                tx.audit("passphrase.change", json!({}));
                key_file.save(&self.files.key_file())?;
                tx.commit()?;
            }
        }
        self.user.must_change_passphrase = false;
        Ok(())
    }

    /// Write a slot for a user at `index` under `credentials`: a new key
    /// pair, the vault's coordinator verifying key pinned, the master key
    /// sealed, and with `holds_key` the session's coordinator key too.
    pub(super) fn put_new_slot(
        &self,
        key_file: &mut slots::SlotFile,
        index: usize,
        credentials: &slots::Credentials,
        holds_key: bool,
    ) -> Result<slots::UserSecrets, VaultError> {
        let anchor = self
            .coordinator_public()
            .map_or([0; slots::VERIFYING_KEY_LEN], |p| p.to_bytes());
        let secrets = slots::new_user_secrets(anchor);
        let sealed_key = self
            .coordinator_key()
            .filter(|_| holds_key)
            .map(|key| key.to_bytes());
        key_file.put(
            index,
            credentials,
            &secrets,
            &self.key,
            sealed_key.as_deref(),
        )?;
        Ok(secrets)
    }

    /// The lookup tag of user `handle` in the index, if they have one.
    pub(crate) fn tag_of(&self, handle: &str) -> Result<Option<Tag>, VaultError> {
        let bytes: Option<Option<Vec<u8>>> = self
            .conn()
            .query_row(
                "SELECT slot_tag FROM users WHERE handle = ?1",
                [handle],
                |r| r.get(0),
            )
            .optional()?;
        Ok(bytes.flatten().and_then(|b| b.try_into().ok()))
    }

    /// The stored spelling and role of `handle`, if that user exists.
    pub(super) fn user_role(&self, handle: &str) -> Result<Option<(String, Role)>, VaultError> {
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
