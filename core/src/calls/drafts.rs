//! Autosaved drafts of the call form: one per user, stored inside the
//! encrypted database (never in the webview's storage), so a crash, a lock
//! or a closed window loses nothing.
//!
//! A draft is the UI's own JSON (at most 256 KiB); the core does not read
//! it. Drafts hold caller text, so retention deletes drafts saved before
//! its cut-off, and removing a user deletes their draft.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::CallError;
use super::store::{time_at, unix};
use super::text::DRAFT_MAX_BYTES;
use crate::vault::Vault;

/// A saved draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// The UI's JSON, as saved.
    pub body: serde_json::Value,
}

/// Save (replace) the unlocked user's draft.
pub fn save_draft(vault: &Vault, body: &serde_json::Value) -> Result<(), CallError> {
    let text = body.to_string();
    if text.len() > DRAFT_MAX_BYTES {
        return Err(CallError::TooLong {
            field: "draft",
            limit: DRAFT_MAX_BYTES,
        });
    }
    let tx = vault.write()?;
    tx.prepare_cached(
        "INSERT INTO call_drafts (handle, saved_at, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (handle) DO UPDATE SET saved_at = excluded.saved_at, body = excluded.body",
    )?
    .execute((&vault.user().handle, unix(Utc::now()), text))?;
    tx.commit()?;
    Ok(())
}

/// The unlocked user's draft, if one is saved.
pub fn load_draft(vault: &Vault) -> Result<Option<Draft>, CallError> {
    let row: Option<(DateTime<Utc>, String)> = vault
        .read()
        .prepare_cached("SELECT saved_at, body FROM call_drafts WHERE handle = ?1")?
        .query_row([&vault.user().handle], |r| {
            Ok((time_at(r, "saved_at")?, r.get("body")?))
        })
        .optional()?;
    match row {
        None => Ok(None),
        Some((saved_at, body)) => Ok(Some(Draft {
            saved_at,
            body: serde_json::from_str(&body).map_err(|_| CallError::Invalid {
                field: "draft",
                reason: "the saved draft is not valid JSON",
            })?,
        })),
    }
}

/// Delete the unlocked user's draft (after the call is saved, or discarded).
pub fn clear_draft(vault: &Vault) -> Result<(), CallError> {
    let tx = vault.write()?;
    tx.prepare_cached("DELETE FROM call_drafts WHERE handle = ?1")?
        .execute([&vault.user().handle])?;
    tx.commit()?;
    Ok(())
}
