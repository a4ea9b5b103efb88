//! Follow-up tasks: adding them, marking them done, and the list of tasks
//! due today or overdue.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::history::{self, HistoryAction};
use super::store::{self, Actor, code_at, date_at, time_at};
use super::{CallError, CallId, FollowUpId, NewFollowUp, Urgency};
use crate::codes::Category;
use crate::vault::{Reader, Vault};

/// A follow-up task that is due or overdue, with what the list needs to
/// show about its call (no free text from the call itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpDue {
    /// The task.
    pub id: FollowUpId,
    /// Its call.
    pub call: CallId,
    /// What to do (empty once removed by retention).
    pub what: String,
    /// When it is due.
    pub due: NaiveDate,
    /// Whether the due date has passed.
    pub overdue: bool,
    /// When the call was received.
    pub call_received_at: DateTime<Utc>,
    /// The call's category.
    pub category: Category,
    /// The call's urgency.
    pub urgency: Urgency,
}

/// Tasks not done whose due date is on or before `now`'s date (in `now`'s
/// time zone: pass `chrono::Local::now()` for the laptop's day), earliest
/// first.
pub fn followups<Tz: TimeZone>(
    vault: &Vault,
    now: &DateTime<Tz>,
) -> Result<Vec<FollowUpDue>, CallError> {
    followups_in(vault.read(), now.date_naive())
}

pub(crate) fn followups_in(
    conn: Reader<'_>,
    today: NaiveDate,
) -> Result<Vec<FollowUpDue>, CallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, c.uid, f.what, f.due, c.received_at, c.category, c.urgency
         FROM call_followups f JOIN calls c ON c.id = f.call_id
         WHERE f.done = 0 AND f.due <= ?1
         ORDER BY f.due, f.id",
    )?;
    let rows = stmt
        .query_map([today.format("%Y-%m-%d").to_string()], |row| {
            let due = date_at(row, "due")?;
            let uid: String = row.get("uid")?;
            Ok(FollowUpDue {
                id: FollowUpId(row.get("id")?),
                call: uid.parse().map_err(|err| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(err),
                    )
                })?,
                what: row.get("what")?,
                due,
                overdue: due < today,
                call_received_at: time_at(row, "received_at")?,
                category: code_at(row, "category")?,
                urgency: code_at(row, "urgency")?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Add a follow-up task to the call `call`; returns its id.
pub fn add_followup(
    vault: &Vault,
    call: CallId,
    followup: NewFollowUp,
) -> Result<FollowUpId, CallError> {
    let actor = Actor::of(vault);
    let now = Utc::now();
    let followup = store::check_followup(followup)?;
    let tx = vault.write()?;
    let (row, shredded, count): (i64, bool, i64) = tx
        .prepare_cached(
            "SELECT id, shredded_at IS NOT NULL,
                 (SELECT count(*) FROM call_followups WHERE call_id = calls.id)
             FROM calls WHERE uid = ?1",
        )?
        .query_row([call.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?
        .ok_or(CallError::NotFound)?;
    if shredded {
        return Err(CallError::Shredded);
    }
    if usize::try_from(count).unwrap_or(usize::MAX) >= super::text::MAX_FOLLOWUPS {
        return Err(CallError::TooMany {
            field: "followups",
            limit: super::text::MAX_FOLLOWUPS,
        });
    }
    let (id, uid) = store::insert_followup(&tx, row, &followup, now)?;
    history::record_by(&tx, row, &actor, HistoryAction::FollowupAdded, now)?;
    super::handoff::record_followup(&tx, call, &uid, &followup, &actor.handle)?;
    if !followup.done {
        super::cases::reopen_for_followup(&tx, row, &actor.handle, now)?;
    }
    tx.commit()?;
    Ok(id)
}

/// Mark a follow-up task done (or not done again).
pub fn set_followup_done(vault: &Vault, id: FollowUpId, done: bool) -> Result<(), CallError> {
    let actor = Actor::of(vault);
    let now = Utc::now();
    let tx = vault.write()?;
    let (call_row, was_done, uid): (i64, bool, String) = tx
        .prepare_cached("SELECT call_id, done, uid FROM call_followups WHERE id = ?1")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(CallError::FollowUpNotFound)?;
    if was_done == done {
        return Ok(());
    }
    tx.prepare_cached("UPDATE call_followups SET done = ?2, done_at = ?3 WHERE id = ?1")?
        .execute((id.0, done, done.then(|| store::unix(now))))?;
    let action = if done {
        HistoryAction::FollowupDone
    } else {
        HistoryAction::FollowupReopened
    };
    history::record_by(&tx, call_row, &actor, action, now)?;
    let call = super::handoff::uid_of(&tx, call_row)?;
    super::handoff::record_if_shared(
        &tx,
        call,
        &format!("followup/{uid}/done"),
        serde_json::json!(done),
        &actor.handle,
    )?;
    if !done {
        super::cases::reopen_for_followup(&tx, call_row, &actor.handle, now)?;
    }
    tx.commit()?;
    Ok(())
}
