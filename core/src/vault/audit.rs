//! The audit log: who did what, and when, inside the encrypted database.
//!
//! Entries name an action (`user.add`, `passphrase.change`, later
//! `export.create` …) and small JSON parameters such as a handle or a role.
//! They never hold caller data: the log answers "who added this user?",
//! not "what did this caller say?".

use rusqlite::Connection;

use super::{VaultError, now_unix};

/// Longest accepted action name.
const MAX_ACTION_LEN: usize = 64;

/// Append one entry. `action` must be a short name of lowercase letters,
/// digits, `.`, `_` or `-`.
pub(crate) fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    params: &serde_json::Value,
) -> Result<(), VaultError> {
    let valid = !action.is_empty()
        && action.len() <= MAX_ACTION_LEN
        && action
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'));
    if !valid {
        return Err(VaultError::InvalidAuditAction);
    }
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, params) VALUES (?1, ?2, ?3, ?4)",
        (now_unix(), actor, action, params.to_string()),
    )?;
    Ok(())
}

/// One audit-log entry (read back by tests and, later, a coordinator view).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditEntry {
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) params: String,
}

/// Every entry, oldest first.
#[cfg(test)]
pub(crate) fn entries(conn: &Connection) -> Vec<AuditEntry> {
    let mut stmt = conn
        .prepare("SELECT actor, action, params FROM audit_log ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(AuditEntry {
            actor: r.get(0)?,
            action: r.get(1)?,
            params: r.get(2)?,
        })
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}
