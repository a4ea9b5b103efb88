//! Who may do what, as types, and the one way to write.
//!
//! - [`Coordinator`] is proof that the session holds the coordinator key
//!   (unsealed from the user's key slot at unlock, see [`super::authority`]).
//!   Coordinator-only operations take one (`&vault.coordinator()?`) instead
//!   of checking a role inside; [`Vault::coordinator`] is the only place it
//!   is checked, and [`VaultError::NotCoordinator`] the only error.
//! - [`Write`] is the one write transaction: IMMEDIATE (it takes the write
//!   lock at once, so two processes never deadlock upgrading a read lock),
//!   and it carries the operation's audit entry, which is recorded inside
//!   the same transaction at [`Write::commit`]: a change and its audit entry
//!   are stored together or not at all.
//!
//! Operations that write a file outside the vault (an export, a backup)
//! write the file first and audit afterwards, in a [`Write`]; if the audit
//! entry cannot be stored, they remove the file and return the error, so no
//! file the app wrote is missing from the audit log.

use std::ops::Deref;
use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::authority::{Authority, NO_AUTHORITY};
use super::{Vault, VaultError, audit};

/// Proof that the session user of a vault is a coordinator.
#[derive(Debug, Clone, Copy)]
pub struct Coordinator<'v> {
    vault: &'v Vault,
}

impl<'v> Coordinator<'v> {
    /// The vault the coordinator unlocked.
    pub fn vault(&self) -> &'v Vault {
        self.vault
    }
}

impl Deref for Coordinator<'_> {
    type Target = Vault;

    fn deref(&self) -> &Vault {
        self.vault
    }
}

impl Vault {
    /// The capability coordinator-only operations take: only a session
    /// holding the coordinator key gets it; refused with
    /// [`VaultError::NotCoordinator`] for anyone else, whatever the user
    /// index says their role is.
    pub fn coordinator(&self) -> Result<Coordinator<'_>, VaultError> {
        match self.coordinator_key() {
            Some(_) => Ok(Coordinator { vault: self }),
            None => Err(VaultError::NotCoordinator),
        }
    }

    /// Begin the one kind of write transaction, acting as the session user.
    pub(crate) fn write(&self) -> Result<Write<'_>, VaultError> {
        Write::begin_as(self.conn(), &self.user().handle, self.authority())
    }

    /// Audit an action that changed nothing else in the database, in a
    /// write of its own.
    pub(crate) fn audit(
        &self,
        action: &'static str,
        params: serde_json::Value,
    ) -> Result<(), VaultError> {
        let mut write = self.write()?;
        write.audit(action, params);
        write.commit()
    }

    /// Audit a file the operation has just written; if the entry cannot be
    /// stored, the file is removed and the error returned.
    pub(crate) fn audit_file(
        &self,
        path: &Path,
        action: &'static str,
        params: serde_json::Value,
    ) -> Result<(), VaultError> {
        let mut write = self.write()?;
        write.audit(action, params);
        write.commit_after_file(path)
    }
}

/// An audit entry waiting for its transaction to commit.
struct Entry {
    action: &'static str,
    params: serde_json::Value,
}

/// A write transaction with the audit entry it will commit with.
pub(crate) struct Write<'c> {
    tx: Transaction<'c>,
    actor: &'c str,
    authority: &'c Authority,
    entry: Option<Entry>,
}

impl<'c> Write<'c> {
    /// Begin an IMMEDIATE transaction on `conn`, acting as `actor`, who
    /// holds no coordinator key.
    pub(crate) fn begin(conn: &'c Connection, actor: &'c str) -> Result<Self, VaultError> {
        Self::begin_as(conn, actor, &NO_AUTHORITY)
    }

    /// Begin an IMMEDIATE transaction on `conn`, acting as `actor` with
    /// `authority`: a coordinator's write signs what it sets and
    /// checkpoints the audit log at its entry.
    pub(crate) fn begin_as(
        conn: &'c Connection,
        actor: &'c str,
        authority: &'c Authority,
    ) -> Result<Self, VaultError> {
        Ok(Self {
            tx: Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?,
            actor,
            authority,
            entry: None,
        })
    }

    /// The authority this write acts with.
    pub(crate) fn authority(&self) -> &'c Authority {
        self.authority
    }

    /// The handle this write acts as.
    pub(crate) fn actor(&self) -> &'c str {
        self.actor
    }

    /// Record `action` (a short fixed name such as `"area.add"`) with
    /// `params` in the audit log when the transaction commits. Never pass
    /// caller data: the log says what was done, not to whom. A second call
    /// replaces the first: a write is one audited action.
    pub(crate) fn audit(&mut self, action: &'static str, params: serde_json::Value) {
        self.entry = Some(Entry { action, params });
    }

    /// Store the audit entry, if any, and commit; nothing is stored if
    /// either fails.
    pub(crate) fn commit(self) -> Result<(), VaultError> {
        if let Some(entry) = &self.entry {
            audit::record(
                &self.tx,
                self.actor,
                entry.action,
                &entry.params,
                self.authority.key(),
            )?;
        }
        self.tx.commit()?;
        Ok(())
    }
}

impl Write<'_> {
    /// Commit a write that went with a file written just before; if the
    /// commit fails, the file is removed.
    pub(crate) fn commit_after_file(self, path: &Path) -> Result<(), VaultError> {
        let result = self.commit();
        if result.is_err() {
            let _ = std::fs::remove_file(path);
        }
        result
    }
}

impl Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.tx
    }
}
