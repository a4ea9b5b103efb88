//! Settings kept in the encrypted database.
//!
//! The auto-lock idle time is only stored here: the shell measures idle
//! time and locks the vault when it runs out.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::{Coordinator, Vault, VaultError};

/// Auto-lock after this many idle minutes unless a coordinator chose otherwise.
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 5;
/// Shortest auto-lock a coordinator can choose.
pub const AUTO_LOCK_MIN_MINUTES: u32 = 1;
/// Longest auto-lock a coordinator can choose.
pub const AUTO_LOCK_MAX_MINUTES: u32 = 60;

/// Settings-table key of the auto-lock time.
const AUTO_LOCK_KEY: &str = "auto_lock_minutes";

impl Vault {
    /// Minutes of inactivity after which the shell should lock the vault
    /// (default 5).
    pub fn auto_lock_minutes(&self) -> Result<u32, VaultError> {
        let stored: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [AUTO_LOCK_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|m| (AUTO_LOCK_MIN_MINUTES..=AUTO_LOCK_MAX_MINUTES).contains(m))
            .unwrap_or(DEFAULT_AUTO_LOCK_MINUTES))
    }
}

impl Coordinator<'_> {
    /// Set the auto-lock time, 1 to 60 minutes.
    pub fn set_auto_lock_minutes(&self, minutes: u32) -> Result<(), VaultError> {
        if !(AUTO_LOCK_MIN_MINUTES..=AUTO_LOCK_MAX_MINUTES).contains(&minutes) {
            return Err(VaultError::InvalidSetting {
                reason: "auto-lock is 1 to 60 minutes",
            });
        }
        let mut tx = self.write()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (AUTO_LOCK_KEY, minutes.to_string()),
        )?;
        tx.audit("settings.auto_lock", json!({ "minutes": minutes }));
        tx.commit()?;
        Ok(())
    }
}
