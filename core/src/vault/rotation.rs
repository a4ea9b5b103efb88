//! A new coordinator key when a coordinator leaves.
//!
//! The one who left knows the old key: with it they could sign a setting,
//! a checkpoint or a user row that every copy of the vault would trust. So
//! removing a coordinator also replaces the key (and the age identity
//! under it), inside the rekey that gives everyone who stays a new master
//! key ([`Vault::rekey`]):
//!
//! 1. a *pending* rotation record: the new verifying key, signed by the old
//!    key (domain `coordinator/rotation`), and the team key sealed under
//!    the new key beside the old copy, committed under the old master key;
//! 2. the pending key file seals the new master key and the NEW coordinator
//!    key to the signed coordinators; the database is re-encrypted; the
//!    key file is renamed into place;
//! 3. the *finish*, with the new key: every record the old key signed and
//!    that still verifies (settings, audit checkpoints, user rows) is
//!    signed again, the age identity is replaced, the team key's new copy
//!    replaces the old one, the database's verifying
//!    key becomes the new one and the record is marked done.
//!
//! A crash before step 2 commits leaves slots holding the old key: the
//! next coordinator unlock finds the pending record and deletes it. A crash
//! after it leaves slots holding the new key: the next coordinator unlock
//! finishes step 3. Users whose slot pins an earlier verifying key follow
//! the chain of done records (each signed by the key before it) and pin
//! the new one at their next unlock.

use rusqlite::Connection;

use super::audit;
use super::authority::{self, Authority};
use super::coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
use super::{Vault, VaultError, Write, now_unix, signed};

/// Migration SQL: the rotations of the coordinator key.
pub(crate) const COORDINATOR_ROTATIONS_SQL: &str = "
    CREATE TABLE coordinator_rotations (
        id         INTEGER PRIMARY KEY,
        old_public BLOB NOT NULL,
        new_public BLOB NOT NULL,
        signature  BLOB NOT NULL,
        at         INTEGER NOT NULL,
        done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
    ) STRICT;
";

/// A signed record as (its id or rowid, the signed message, the
/// signature), to be signed again with a new key.
pub(crate) type SignedRow = (i64, Vec<u8>, Vec<u8>);

/// Signature domain of a rotation record.
const ROTATION_DOMAIN: &str = "coordinator/rotation";

/// One rotation record whose signature by its old key verifies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rotation {
    old: CoordinatorPublic,
    /// The key it rotates to.
    pub(crate) new: CoordinatorPublic,
    done: bool,
}

/// The message a rotation record's old key signs.
fn message(new: &CoordinatorPublic, at: i64) -> Vec<u8> {
    let mut out = new.to_bytes().to_vec();
    out.extend_from_slice(&at.to_be_bytes());
    out
}

/// Every rotation record that verifies, oldest first (others are ignored:
/// only the old key can make one).
fn rotations(conn: &Connection) -> Result<Vec<Rotation>, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT old_public, new_public, signature, at, done
         FROM coordinator_rotations ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (old, new, signature, at, done) = row?;
        let (Some(old), Some(new), Some(signature)) = (
            CoordinatorPublic::from_bytes(&old),
            CoordinatorPublic::from_bytes(&new),
            Signature::from_bytes(&signature),
        ) else {
            continue;
        };
        if old
            .verify(ROTATION_DOMAIN, &message(&new, at), &signature)
            .is_ok()
        {
            out.push(Rotation { old, new, done });
        }
    }
    Ok(out)
}

/// The verifying key `start` leads to through the done rotations, and the
/// pending rotation from that key, if any.
pub(crate) fn follow(
    conn: &Connection,
    start: CoordinatorPublic,
) -> Result<(CoordinatorPublic, Option<Rotation>), VaultError> {
    let all = rotations(conn)?;
    let mut current = start;
    // Each step uses a record; a chain cannot be longer than the records.
    for _ in 0..all.len() {
        match all.iter().find(|r| r.done && r.old == current) {
            Some(next) => current = next.new,
            None => break,
        }
    }
    let pending = all.iter().find(|r| !r.done && r.old == current).copied();
    Ok((current, pending))
}

/// Sign `message` records again: each of `rows` (id, message, signature)
/// that verifies under `old` in `domain` gets `new`'s signature through
/// `update`.
fn resign_rows(
    rows: Vec<SignedRow>,
    domain: &str,
    old: &CoordinatorPublic,
    new: &CoordinatorKey,
    mut update: impl FnMut(i64, &Signature) -> Result<(), VaultError>,
) -> Result<(), VaultError> {
    for (id, message, signature) in rows {
        let valid = Signature::from_bytes(&signature)
            .is_some_and(|sig| old.verify(domain, &message, &sig).is_ok());
        if valid {
            update(id, &new.sign(domain, &message))?;
        }
    }
    Ok(())
}

/// Sign again with `new` every record `old` signed that still verifies.
fn resign_all(
    conn: &Connection,
    old: &CoordinatorPublic,
    new: &CoordinatorKey,
) -> Result<(), VaultError> {
    crate::team::resign_pin(conn, old, new)?;
    for (domain, rows) in signed::signed_rows(conn)? {
        resign_rows(rows, domain, old, new, |rowid, sig| {
            conn.execute(
                "UPDATE signed_settings SET signature = ?1 WHERE rowid = ?2",
                (&sig.to_bytes()[..], rowid),
            )?;
            Ok(())
        })?;
    }
    resign_rows(
        audit::checkpoint_rows(conn)?,
        audit::CHECKPOINT_DOMAIN,
        old,
        new,
        |id, sig| {
            conn.execute(
                "UPDATE audit_checkpoints SET signature = ?1 WHERE id = ?2",
                (&sig.to_bytes()[..], id),
            )?;
            Ok(())
        },
    )?;
    resign_rows(
        authority::user_rows(conn)?,
        authority::USER_DOMAIN,
        old,
        new,
        |rowid, sig| {
            conn.execute(
                "UPDATE users SET signature = ?1 WHERE rowid = ?2",
                (&sig.to_bytes()[..], rowid),
            )?;
            Ok(())
        },
    )
}

impl Vault {
    /// Step 1: record, signed by the session's key, that `next` replaces
    /// it (pending).
    pub(super) fn begin_rotation(&self, next_key: &CoordinatorKey) -> Result<(), VaultError> {
        let key = self.coordinator_key().ok_or(VaultError::NotCoordinator)?;
        let next = &next_key.public();
        let at = now_unix();
        let signature = key.sign(ROTATION_DOMAIN, &message(next, at));
        let mut tx = self.write()?;
        tx.execute(
            "INSERT INTO coordinator_rotations (old_public, new_public, signature, at)
             VALUES (?1, ?2, ?3, ?4)",
            (
                &key.public().to_bytes()[..],
                &next.to_bytes()[..],
                &signature.to_bytes()[..],
                at,
            ),
        )?;
        // What else the old key keeps is sealed under the next one too.
        crate::team::carry_team_key(&tx, key, next_key)?;
        tx.audit("coordinator_key.rotate_begin", serde_json::json!({}));
        tx.commit()
    }

    /// A rotation that never reached the key file: forget it.
    pub(super) fn abort_rotation(&self) -> Result<(), VaultError> {
        let mut tx = self.write()?;
        tx.execute("DELETE FROM coordinator_rotations WHERE done = 0", [])?;
        crate::team::settle_team_key(&tx, false)?;
        tx.audit("coordinator_key.rotate_abort", serde_json::json!({}));
        tx.commit()
    }

    /// Step 3: the session now holds `next` (sealed in the slots); sign
    /// again what `old` signed, replace the age identity, and mark the
    /// rotation done.
    pub(super) fn finish_rotation(
        &mut self,
        old: CoordinatorPublic,
        next: CoordinatorKey,
    ) -> Result<(), VaultError> {
        let new_authority = Authority::holding(next);
        let key = new_authority.key().ok_or(VaultError::Crypto)?;
        let mut tx = Write::begin_as(self.conn(), &self.user.handle, &new_authority)?;
        resign_all(&tx, &old, key)?;
        let recipient = crate::export::rotate_identity(&tx, key)?;
        crate::team::settle_team_key(&tx, true)?;
        authority::store_public(&tx, &key.public())?;
        tx.execute(
            "UPDATE coordinator_rotations SET done = 1 WHERE done = 0 AND new_public = ?1",
            [&key.public().to_bytes()[..]],
        )?;
        tx.audit(
            "coordinator_key.rotate",
            serde_json::json!({ "bundle_recipient": recipient }),
        );
        tx.commit()?;
        self.authority = new_authority;
        Ok(())
    }
}
