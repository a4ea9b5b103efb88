//! A second handle on an unlocked vault, for a long job that runs beside
//! the window (the team folder's sync): its own connection to the same
//! database, the same user and the same keys, so the window's connection is
//! never held while the job works. Both connections write through
//! IMMEDIATE transactions and wait for each other (the store's busy
//! timeout); each write is whole or not at all either way.

use super::secret::MasterKey;
use super::{Vault, VaultError};
use crate::store::{OpenMode, Store};

impl Vault {
    /// A second handle on this vault for a job on another thread: a new
    /// connection (a session whose writes are refused, once found damaged,
    /// gives one whose writes are refused too), copies of the keys, wiped
    /// when it is dropped. Drop it before locking this vault: its open
    /// connection would keep the write-ahead log from being removed.
    pub fn companion(&self) -> Result<Vault, VaultError> {
        let store = Store::open(&self.files.db(), &self.db_key, OpenMode::Existing)?;
        let query_only: bool = self
            .conn()
            .query_row("PRAGMA query_only", [], |r| r.get(0))?;
        if query_only {
            store.conn.execute_batch("PRAGMA query_only = ON;")?;
        }
        Ok(Vault {
            files: self.files.clone(),
            store,
            key: MasterKey::from_slice(self.key.bytes()).ok_or(VaultError::Crypto)?,
            db_key: self.db_key.duplicate(),
            user: self.user.clone(),
            authority: self.authority.duplicate().ok_or(VaultError::Crypto)?,
            notice: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::vault::{Passphrase, Vault};

    #[test]
    fn a_companion_writes_beside_its_vault_and_keeps_its_role() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(
            dir.path(),
            "river-7",
            &Passphrase::from("maple kettle harbor 42"),
        )
        .unwrap();
        let companion = vault.companion().unwrap();
        assert!(companion.coordinator().is_ok(), "a coordinator's stays one");
        let thread = std::thread::spawn(move || {
            let info = crate::team::laptop(&companion).unwrap();
            drop(companion);
            info
        });
        let made = thread.join().unwrap();
        assert_eq!(
            crate::team::laptop(&vault).unwrap(),
            made,
            "seen by the vault"
        );
        vault.refuse_writes().unwrap();
        let refused = vault.companion().unwrap();
        let err = refused.conn().execute("CREATE TABLE x (y)", []);
        assert!(err.is_err(), "a damaged session's companion writes nothing");
        drop(refused);
        vault.lock().unwrap();
    }
}
