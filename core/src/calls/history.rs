//! A call's edit history: who changed which fields, and when.
//!
//! Structured fields (codes, counts, times, area, referrals) are recorded
//! with their old and new values. Free-text and contact fields (notes,
//! exact location, contact name and phone, SALUTE texts, follow-up texts,
//! the script path) are recorded by name only: the history must never keep
//! a copy of text that retention is meant to shred.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::store::{self, Actor, time_at, unix};
use super::{CallError, CallId};
use crate::vault::{Reader, Vault};

/// What happened to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum HistoryAction {
    /// The call was logged.
    Created,
    /// Fields were changed.
    Edited,
    /// A follow-up task was added.
    FollowupAdded,
    /// A follow-up task was marked done.
    FollowupDone,
    /// A follow-up task was marked not done.
    FollowupReopened,
    /// A coordinator put a legal hold on the call.
    LegalHoldOn,
    /// A coordinator lifted the legal hold.
    LegalHoldOff,
    /// Retention removed the call's free text.
    Shredded,
    /// A volunteer closed the case.
    CaseClosed,
    /// The case was opened again (by a volunteer, or by a new or reopened
    /// follow-up).
    CaseReopened,
}

impl HistoryAction {
    /// The action as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Edited => "edited",
            Self::FollowupAdded => "followup_added",
            Self::FollowupDone => "followup_done",
            Self::FollowupReopened => "followup_reopened",
            Self::LegalHoldOn => "legal_hold_on",
            Self::LegalHoldOff => "legal_hold_off",
            Self::Shredded => "shredded",
            Self::CaseClosed => "case_closed",
            Self::CaseReopened => "case_reopened",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Edited,
            Self::FollowupAdded,
            Self::FollowupDone,
            Self::FollowupReopened,
            Self::LegalHoldOn,
            Self::LegalHoldOff,
            Self::Shredded,
            Self::CaseClosed,
            Self::CaseReopened,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// One changed field. `from` and `to` are set only for structured fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldChange {
    /// The field, as named in the call JSON (`verification`, `notes`, `salute.size` …).
    pub field: String,
    /// The old value (structured fields only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The new value (structured fields only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl FieldChange {
    /// A structured field's change with both values.
    pub(crate) fn values(field: &str, from: Option<String>, to: Option<String>) -> Self {
        Self {
            field: field.to_owned(),
            from,
            to,
        }
    }

    /// A free-text field's change: the name only.
    pub(crate) fn text(field: &str) -> Self {
        Self {
            field: field.to_owned(),
            from: None,
            to: None,
        }
    }
}

/// One entry of a call's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (a handle).
    pub editor: String,
    /// What happened.
    pub action: HistoryAction,
    /// The fields changed (empty for actions without fields).
    pub fields: Vec<FieldChange>,
}

/// Append one entry to the history of the call with row id `call_row`.
pub(crate) fn record(
    conn: &Connection,
    call_row: i64,
    editor: &str,
    action: HistoryAction,
    fields: &[FieldChange],
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    let fields = serde_json::to_string(fields).unwrap_or_else(|_| "[]".to_owned());
    conn.prepare_cached(
        "INSERT INTO call_history (call_id, at, editor, action, fields)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((call_row, unix(now), editor, action.as_str(), fields))?;
    Ok(())
}

/// The history of the call `id`, oldest first, starting with its creation.
pub fn history(vault: &Vault, id: CallId) -> Result<Vec<HistoryEntry>, CallError> {
    history_in(vault.read(), id)
}

pub(crate) fn history_in(conn: Reader<'_>, id: CallId) -> Result<Vec<HistoryEntry>, CallError> {
    let row = store::row_id(conn, id)?;
    let created = conn
        .prepare_cached("SELECT created_at, created_by FROM calls WHERE id = ?1")?
        .query_row([row], |r| {
            Ok(HistoryEntry {
                at: time_at(r, "created_at")?,
                editor: r.get("created_by")?,
                action: HistoryAction::Created,
                fields: Vec::new(),
            })
        })?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, editor, action, fields FROM call_history WHERE call_id = ?1 ORDER BY id",
    )?;
    let mut entries = vec![created];
    let rows = stmt.query_map([row], |r| {
        let action: String = r.get("action")?;
        let fields: String = r.get("fields")?;
        Ok((
            time_at(r, "at")?,
            r.get::<_, String>("editor")?,
            action,
            fields,
        ))
    })?;
    for row in rows {
        let (at, editor, action, fields) = row?;
        entries.push(HistoryEntry {
            at,
            editor,
            action: HistoryAction::parse(&action).unwrap_or(HistoryAction::Edited),
            fields: serde_json::from_str(&fields).unwrap_or_default(),
        });
    }
    Ok(entries)
}

/// Record a history entry for `actor` on the call with row id `call_row`.
pub(crate) fn record_by(
    conn: &Connection,
    call_row: i64,
    actor: &Actor,
    action: HistoryAction,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    record(conn, call_row, &actor.handle, action, &[], now)
}
