//! A call's case: open while something is still to be done about it,
//! closed when a volunteer closes it. Closing needs every follow-up task
//! done; a new follow-up, or one marked not done again, opens the case
//! again. Every change lands in the call's history (`docs/CALLS.md`,
//! "Cases").

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::history::{self, HistoryAction};
use super::store::{Actor, unix};
use super::{CallError, CallId, CaseState};
use crate::vault::Vault;

/// Migration SQL: the case state of every call. A call logged before it
/// is an open case if it has a follow-up task not done, closed otherwise,
/// so the calls of the past do not all become open cases at once.
pub(crate) const CASE_STATE_SQL: &str = "
    ALTER TABLE calls ADD COLUMN case_state TEXT NOT NULL DEFAULT 'open'
        CHECK (case_state IN ('open', 'closed'));
    UPDATE calls SET case_state = 'closed'
    WHERE NOT EXISTS (
        SELECT 1 FROM call_followups f WHERE f.call_id = calls.id AND f.done = 0);
";

/// The row id, case state and number of open follow-ups of the call `id`.
fn case_of(conn: &Connection, id: CallId) -> Result<(i64, CaseState, usize), CallError> {
    let (row, state, open): (i64, String, i64) = conn
        .prepare_cached(
            "SELECT id, case_state,
                 (SELECT count(*) FROM call_followups WHERE call_id = calls.id AND done = 0)
             FROM calls WHERE uid = ?1",
        )?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(CallError::NotFound)?;
    let state = state.parse().map_err(|_| CallError::Invalid {
        field: "case_state",
        reason: "stored value is not open or closed",
    })?;
    Ok((row, state, usize::try_from(open).unwrap_or(usize::MAX)))
}

/// Store `state` for the call with row id `row` and record it in its
/// history as `actor`'s (no event: the fold of received events uses this).
pub(crate) fn store_state(
    conn: &Connection,
    row: i64,
    state: CaseState,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    conn.prepare_cached("UPDATE calls SET case_state = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute((row, state.as_str(), unix(now)))?;
    let action = match state {
        CaseState::Open => HistoryAction::CaseReopened,
        CaseState::Closed => HistoryAction::CaseClosed,
    };
    history::record(conn, row, actor, action, &[], now)
}

/// [`store_state`] for a change made here, recorded as an event if the
/// case is shared.
fn set_state(
    conn: &Connection,
    row: i64,
    state: CaseState,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    store_state(conn, row, state, actor, now)?;
    let call = super::handoff::uid_of(conn, row)?;
    super::handoff::record_if_shared(
        conn,
        call,
        "case_state",
        serde_json::json!(state.as_str()),
        actor,
    )
}

/// Close the case of the call `id`. Refused, saying how many, while a
/// follow-up task is not done ([`CallError::CaseHasOpenFollowUps`]);
/// closing a closed case changes nothing.
pub fn close_case(vault: &Vault, id: CallId) -> Result<(), CallError> {
    let actor = Actor::of(vault);
    let tx = vault.write()?;
    let (row, state, open) = case_of(&tx, id)?;
    if open > 0 {
        return Err(CallError::CaseHasOpenFollowUps { open });
    }
    if state == CaseState::Closed {
        return Ok(());
    }
    set_state(&tx, row, CaseState::Closed, &actor.handle, Utc::now())?;
    tx.commit()?;
    Ok(())
}

/// Open the closed case of the call `id` again; an open case stays as it is.
pub fn reopen_case(vault: &Vault, id: CallId) -> Result<(), CallError> {
    let actor = Actor::of(vault);
    let tx = vault.write()?;
    let (row, state, _) = case_of(&tx, id)?;
    if state == CaseState::Open {
        return Ok(());
    }
    set_state(&tx, row, CaseState::Open, &actor.handle, Utc::now())?;
    tx.commit()?;
    Ok(())
}

/// Open the case of the call with row id `row` if it is closed: a new
/// follow-up task, or one marked not done, means there is something to do.
pub(crate) fn reopen_for_followup(
    conn: &Connection,
    row: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    let state: String = conn
        .prepare_cached("SELECT case_state FROM calls WHERE id = ?1")?
        .query_row([row], |r| r.get(0))?;
    if state == CaseState::Closed.as_str() {
        set_state(conn, row, CaseState::Open, actor, now)?;
    }
    Ok(())
}
