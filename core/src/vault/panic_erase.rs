//! The panic-erase switch: whether the lock screen offers erase to whoever
//! is at the laptop, with no key.
//!
//! It must be readable before anyone unlocks, so it is a plain file in the
//! data directory ([`FLAG_FILE`]), present when the switch is on. Anyone
//! holding the files can create or delete it; that gives them nothing they
//! could not do by deleting the files themselves. Only a coordinator
//! switches it through the app, and the change is audited.

use std::path::Path;

use serde_json::json;

use super::files;
use super::{Coordinator, VaultError};

/// Name of the switch file; present means "on".
pub const FLAG_FILE: &str = "panic-erase-on";
/// What the switch file holds (its content is never read).
const FLAG_CONTENT: &[u8] = b"panic erase is on: the lock screen can erase this vault\n";

/// Whether panic erase is switched on for the vault in `data_dir` (off by
/// default, and off when it cannot be told).
pub fn is_on(data_dir: &Path) -> bool {
    matches!(data_dir.join(FLAG_FILE).try_exists(), Ok(true))
}

impl Coordinator<'_> {
    /// Switch panic erase at the lock screen on or off.
    pub fn set_panic_erase(&self, on: bool) -> Result<(), VaultError> {
        let path = self.data_dir().join(FLAG_FILE);
        let mut tx = self.write()?;
        tx.audit("settings.panic_erase", json!({ "on": on }));
        if on {
            files::write_atomic(&path, FLAG_CONTENT)?;
            tx.commit_after_file(&path)
        } else {
            files::remove_if_exists(&path)?;
            files::sync_dir(self.data_dir());
            tx.commit()
        }
    }
}
