//! Settings kept in the encrypted database.
//!
//! The auto-lock idle time is only stored here: the shell measures idle
//! time and locks the vault when it runs out. It is a coordinator-signed
//! setting (`vault::signed`): a value changed around the app is ignored for
//! the signed one, and while its signed record is refused the default
//! (5 minutes) applies.

use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::coordinator_key::{CoordinatorKey, CoordinatorPublic};
use super::signed::{self, RefusalReason, SettingKind, Signed};
use super::{Coordinator, Reader, Vault, VaultError};

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
        let conn = self.read();
        Ok(
            match signed::read::<u32>(conn, self.coordinator_public(), SettingKind::AutoLock)? {
                Signed::Valid(minutes) => Some(minutes)
                    .filter(in_range)
                    .unwrap_or(DEFAULT_AUTO_LOCK_MINUTES),
                Signed::Unprotected => plain(conn)?.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES),
                Signed::Refused(_) => DEFAULT_AUTO_LOCK_MINUTES,
            },
        )
    }
}

fn in_range(minutes: &u32) -> bool {
    (AUTO_LOCK_MIN_MINUTES..=AUTO_LOCK_MAX_MINUTES).contains(minutes)
}

/// The auto-lock time in the `settings` table (the plain copy), if set and
/// in range.
fn plain(conn: Reader<'_>) -> Result<Option<u32>, VaultError> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [AUTO_LOCK_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stored.and_then(|v| v.parse::<u32>().ok()).filter(in_range))
}

/// Sign the auto-lock time as it stands (see `signed::sign_all_current`).
pub(crate) fn sign_current(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    let minutes = plain(conn.into())?.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES);
    signed::write_with(conn, key, actor, SettingKind::AutoLock, &minutes)
}

/// The auto-lock record against its plain copy (see `signed::refusals_now`).
pub(crate) fn refusals(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<(SettingKind, RefusalReason)>, VaultError> {
    Ok(
        match signed::read::<u32>(conn, public, SettingKind::AutoLock)? {
            Signed::Valid(minutes)
                if plain(conn)?.unwrap_or(DEFAULT_AUTO_LOCK_MINUTES) != minutes =>
            {
                vec![(
                    SettingKind::AutoLock,
                    RefusalReason::ChangedWithoutSignature,
                )]
            }
            Signed::Valid(_) | Signed::Unprotected => vec![],
            Signed::Refused(reason) => vec![(SettingKind::AutoLock, reason)],
        },
    )
}

/// Store `minutes` as the auto-lock time's plain copy, for a local change and for the team's
/// update (each writes the signed record beside it).
pub(crate) fn store_plain(conn: &Connection, minutes: u32) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (AUTO_LOCK_KEY, minutes.to_string()),
    )?;
    Ok(())
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
        store_plain(&tx, minutes)?;
        signed::write(&tx, SettingKind::AutoLock, &minutes)?;
        tx.audit("settings.auto_lock", json!({ "minutes": minutes }));
        tx.commit()?;
        Ok(())
    }
}
