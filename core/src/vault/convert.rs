//! The user index (inside the database) meets the key files: who an opened
//! slot belongs to, and the conversion of old slots.
//!
//! An old slot (`keyslots.json`) becomes a slot of the key file at its
//! user's next unlock: a new key pair, a free slot, the index updated
//! (committed first), then the key file written. Once the key file holds
//! it, the old slot is removed; the old file is overwritten and deleted
//! when its last slot goes ([`Vault::tidy_legacy_file`]). A crash at any
//! point leaves the old slot working, and the next unlock converts again.

use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::keyslots::{KeyFile, KeySlot};
use super::slots::{Opened, SlotFile, Tag};
use super::{Passphrase, Role, SessionUser, Vault, VaultError, Write, erase, kdf, rules};

/// A user row as the index keeps it.
struct Row {
    handle: String,
    role: String,
    must_change_passphrase: bool,
}

fn session_user(row: Row) -> Result<SessionUser, VaultError> {
    let role = Role::parse(&row.role).ok_or(VaultError::KeySlotMismatch)?;
    Ok(SessionUser {
        handle: row.handle,
        role,
        must_change_passphrase: row.must_change_passphrase,
    })
}

fn row_where(
    conn: &Connection,
    clause: &str,
    params: impl rusqlite::Params,
) -> Result<Option<Row>, VaultError> {
    let sql = format!("SELECT handle, role, must_change_passphrase FROM users WHERE {clause}");
    Ok(conn
        .query_row(&sql, params, |r| {
            Ok(Row {
                handle: r.get(0)?,
                role: r.get(1)?,
                must_change_passphrase: r.get(2)?,
            })
        })
        .optional()?)
}

/// The user whose slot `opened` is: the one the index gives its tag to.
///
/// A passphrase change cut short between writing the key file and
/// committing leaves the slot with a tag the index does not know yet; then
/// the user with the typed `handle` whose public key is the slot's (only
/// their own passphrase opens their private key) gets the new tag.
pub(super) fn user_of_slot(
    conn: &Connection,
    opened: &Opened,
    handle: &str,
) -> Result<SessionUser, VaultError> {
    if let Some(row) = row_where(conn, "slot_tag = ?1", [opened.tag.as_slice()])? {
        return session_user(row);
    }
    let public = opened.secrets.identity.to_public().to_string();
    let Some(row) = row_where(
        conn,
        "handle = ?1 AND public_key = ?2",
        (handle, public.as_str()),
    )?
    else {
        return Err(VaultError::KeySlotMismatch);
    };
    let mut tx = Write::begin(conn, &row.handle)?;
    tx.execute(
        "UPDATE users SET slot_tag = ?1 WHERE handle = ?2",
        (opened.tag.as_slice(), &row.handle),
    )?;
    tx.audit("keyslot.repair", json!({}));
    tx.commit()?;
    session_user(row)
}

/// The user of an old slot: listed with the slot's handle and role.
pub(super) fn user_of_legacy_slot(
    conn: &Connection,
    slot: &KeySlot,
) -> Result<SessionUser, VaultError> {
    let row = row_where(conn, "handle = ?1", [&slot.handle])?.ok_or(VaultError::KeySlotMismatch)?;
    let user = session_user(row)?;
    if user.role != slot.role {
        return Err(VaultError::KeySlotMismatch);
    }
    Ok(user)
}

impl Vault {
    /// Lookup tags of every user but `except` (their slots are taken).
    pub(crate) fn used_tags(&self, except: &str) -> Result<Vec<Tag>, VaultError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT slot_tag FROM users WHERE slot_tag IS NOT NULL AND handle <> ?1")?;
        let rows = stmt.query_map([except], |r| r.get::<_, Vec<u8>>(0))?;
        let mut tags = Vec::new();
        for row in rows {
            let bytes = row?;
            let tag: Tag = bytes.try_into().map_err(|_| VaultError::DamagedDatabase {
                detail: "a user's slot tag has the wrong length".to_owned(),
            })?;
            tags.push(tag);
        }
        Ok(tags)
    }

    /// The key file, or a new one (all slots random) if the vault has only
    /// the old one.
    pub(crate) fn current_key_file(&self) -> Result<SlotFile, VaultError> {
        match SlotFile::load_if_exists(&self.files.key_file())? {
            Some(file) => Ok(file),
            None => SlotFile::new(kdf::params_for_new_slot()),
        }
    }

    /// Give the session user a slot in the key file under `passphrase`,
    /// with a new key pair: the conversion of an old slot (and, with
    /// `passphrase_changed`, a passphrase change made at the same time).
    pub(super) fn convert_legacy_slot(
        &self,
        passphrase: &Passphrase,
        passphrase_changed: bool,
    ) -> Result<(), VaultError> {
        let mut key_file = self.current_key_file()?;
        let credentials = key_file.credentials(&self.user.handle, passphrase)?;
        // A conversion cut short may have left this user a slot already.
        let index = match self
            .tag_of(&self.user.handle)?
            .and_then(|tag| key_file.index_of(&tag))
        {
            Some(index) => index,
            None => key_file.free_slot(&self.used_tags(&self.user.handle)?)?,
        };
        let holds_key = self.coordinator_key().is_some();
        let secrets = self.put_new_slot(&mut key_file, index, &credentials, holds_key)?;
        let mut tx = self.write()?;
        tx.execute(
            "UPDATE users SET slot_tag = ?1, public_key = ?2, old_slot = 0,
                 must_change_passphrase = CASE WHEN ?3 THEN 0 ELSE must_change_passphrase END
             WHERE handle = ?4",
            (
                credentials.tag.as_slice(),
                secrets.identity.to_public().to_string(),
                passphrase_changed,
                &self.user.handle,
            ),
        )?;
        if let Some(key) = self.coordinator_key() {
            super::authority::sign_user(&tx, key, &self.user.handle)?;
        }
        tx.audit(
            if passphrase_changed {
                "passphrase.change"
            } else {
                "keyslot.convert"
            },
            json!({}),
        );
        // The index first: until the key file holds the new slot, the old
        // one (still in the old file) keeps working.
        tx.commit()?;
        key_file.save(&self.files.key_file())
    }

    /// Drop from the old key file every slot whose user is gone or now has
    /// a slot in the key file; overwrite and delete the old file once it
    /// holds none.
    pub(crate) fn tidy_legacy_file(&self) -> Result<(), VaultError> {
        let path = self.files.legacy_key_file();
        let Some(mut legacy) = KeyFile::load_if_exists(&path)? else {
            return Ok(());
        };
        let in_key_file: Vec<Tag> = SlotFile::load_if_exists(&self.files.key_file())?
            .map(|file| file.tags().collect())
            .unwrap_or_default();
        let mut stmt = self
            .conn()
            .prepare("SELECT handle, old_slot, slot_tag FROM users")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, Option<Vec<u8>>>(2)?,
            ))
        })?;
        let mut users = Vec::new();
        for row in rows {
            users.push(row?);
        }
        let before = legacy.slots.len();
        legacy.slots.retain(|slot| {
            users
                .iter()
                .find(|(handle, ..)| rules::same_handle(handle, &slot.handle))
                .is_some_and(|(_, old_slot, tag)| {
                    *old_slot
                        || !tag
                            .as_deref()
                            .is_some_and(|tag| in_key_file.iter().any(|t| t.as_slice() == tag))
                })
        });
        if legacy.slots.is_empty() {
            return erase::shred(&path);
        }
        if legacy.slots.len() != before {
            legacy.save(&path)?;
        }
        Ok(())
    }
}
