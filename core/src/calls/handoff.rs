//! Case handoff between the laptops of a team, and the field-level event
//! log that keeps a shared case's changes in step (`docs/TEAM.md`, "Cases").
//!
//! - A **handoff** carries an open case from the laptop it was logged on
//!   to another: its structured fields, its shred date and legal hold, and
//!   only the free text the volunteer marked "share with the next shift"
//!   (notes and SALUTE texts; contact details never travel).
//! - An **event** is one change of one field of a shared case: (event id,
//!   call, field, value, hybrid logical clock, origin laptop). Fields:
//!   `verification`, `case_state`, `legal_hold`, and per follow-up task
//!   (its own uuid) `followup/<uid>/what`, `…/due`, `…/done`.
//! - Every laptop **folds** the events it holds the same way: per (call,
//!   field), the event with the greatest (clock, event id) wins. Events are
//!   stored whatever order they arrive in, duplicates are ignored by id, so
//!   every laptop that holds the same events shows the same case.
//!
//! [`outgoing`] builds the document for one recipient laptop (what it was
//! not sent yet) and [`apply`] applies one inside the caller's write; the
//! transport seals and opens them as packets.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::history::{self, FieldChange, HistoryAction};
use super::store::{self, Actor, unix};
use super::{CallError, CallId, CaseState, NewCall, NewFollowUp, Salute, is_final};
use crate::codes::Verification;
use crate::vault::{Vault, Write};

/// Migration SQL of handoff and events: the per-call mark "share with the
/// next shift", the shred date a handed-in call brought, follow-up tasks'
/// stable ids, the event log, this laptop's clock, and what was sent to
/// which laptop.
pub(crate) const CASE_HANDOFF_SQL: &str = "
    ALTER TABLE calls ADD COLUMN share_text INTEGER NOT NULL DEFAULT 0
        CHECK (share_text IN (0, 1));
    ALTER TABLE calls ADD COLUMN shred_due_at INTEGER;
    CREATE INDEX calls_handed_in ON calls (shred_due_at) WHERE origin_laptop IS NOT NULL;
    ALTER TABLE call_followups ADD COLUMN uid TEXT;
    UPDATE call_followups SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX call_followups_uid ON call_followups (uid);
    CREATE TABLE case_events (
        id      TEXT PRIMARY KEY NOT NULL,
        call    TEXT NOT NULL,
        field   TEXT NOT NULL,
        value   TEXT NOT NULL CHECK (json_valid(value)),
        wall    INTEGER NOT NULL,
        counter INTEGER NOT NULL,
        laptop  TEXT NOT NULL,
        by      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX case_events_call ON case_events (call, field);
    CREATE TABLE case_clock (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        wall    INTEGER NOT NULL,
        counter INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE case_handed (
        laptop TEXT NOT NULL,
        call   TEXT NOT NULL,
        PRIMARY KEY (laptop, call)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE case_events_sent (
        laptop   TEXT PRIMARY KEY NOT NULL,
        last_row INTEGER NOT NULL
    ) STRICT;
";

/// The format of the case document this build writes and reads.
pub const CASE_FORMAT: u32 = 1;

/// A hybrid logical clock reading: wall milliseconds, a counter for events
/// within one millisecond (or while the wall clock lags), and the laptop.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since 1970, never less than any reading seen before.
    pub wall: i64,
    /// Orders readings of the same millisecond.
    pub counter: i64,
    /// The laptop that made the reading (breaks the last ties).
    pub laptop: String,
}

/// One change of one field of a shared case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id (a random UUID).
    pub id: String,
    /// The call's id.
    pub call: CallId,
    /// The field (`verification`, `case_state`, `legal_hold`,
    /// `followup/<uid>/what|due|done`).
    pub field: String,
    /// Its new value.
    pub value: Value,
    /// When, on the clock of the laptop that made it.
    pub at: Hlc,
    /// The handle of who made it.
    pub by: String,
}

/// The shared free text of a handed-off case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedText {
    /// Notes.
    pub notes: String,
    /// SALUTE texts.
    pub salute: Salute,
}

/// An open case as it travels from its origin laptop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handoff {
    /// The call's structured fields (no free text, no contact details).
    pub call: NewCall,
    /// Its id.
    pub id: CallId,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// When its free text is shredded, on every laptop.
    pub shred_after: DateTime<Utc>,
    /// Under legal hold on its origin laptop: kept past `shred_after`.
    pub legal_hold: bool,
    /// The free text the volunteer marked for the next shift, if any.
    pub text: Option<SharedText>,
}

/// What one laptop sends another about cases: new handoffs, and events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDocument {
    /// [`CASE_FORMAT`].
    pub format: u32,
    /// Cases handed off.
    pub handoffs: Vec<Handoff>,
    /// Events of shared cases.
    pub events: Vec<Event>,
}

/// What applying a document did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Cases stored for the first time.
    pub handoffs: usize,
    /// Events not seen before.
    pub events: usize,
}

fn refuse(reason: &'static str) -> CallError {
    CallError::CaseDocument { reason }
}

/// This laptop's team id, if it has its keys.
fn this_laptop(conn: &Connection) -> Result<Option<String>, CallError> {
    Ok(conn
        .prepare_cached("SELECT laptop_id FROM team_laptop WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// Advance this laptop's clock past `seen` (if any) and the wall clock,
/// and return the new reading.
fn tick(conn: &Connection, laptop: &str, seen: Option<&Hlc>) -> Result<Hlc, CallError> {
    let (wall, counter): (i64, i64) = conn
        .prepare_cached("SELECT wall, counter FROM case_clock WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0));
    let now = Utc::now().timestamp_millis();
    let (seen_wall, seen_counter) = seen.map_or((i64::MIN, 0), |h| (h.wall, h.counter));
    let top = wall.max(seen_wall).max(now);
    let next = if top == wall && top == seen_wall {
        counter.max(seen_counter) + 1
    } else if top == wall {
        counter + 1
    } else if top == seen_wall {
        seen_counter + 1
    } else {
        0
    };
    conn.prepare_cached(
        "INSERT INTO case_clock (id, wall, counter) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET wall = ?1, counter = ?2",
    )?
    .execute((top, next))?;
    Ok(Hlc {
        wall: top,
        counter: next,
        laptop: laptop.to_owned(),
    })
}

fn random_id() -> Result<String, CallError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| CallError::Random)?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// A new random id for a follow-up task.
pub(crate) fn followup_uid() -> Result<String, CallError> {
    random_id()
}

/// Store `event` unless its id is known; whether it was new.
fn store_event(conn: &Connection, e: &Event) -> Result<bool, CallError> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO case_events (id, call, field, value, wall, counter, laptop, by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(rusqlite::params![
            e.id,
            e.call.to_string(),
            e.field,
            e.value.to_string(),
            e.at.wall,
            e.at.counter,
            e.at.laptop,
            e.by
        ])?;
    Ok(n == 1)
}

/// Whether the call `call` is shared: it has events.
fn is_shared(conn: &Connection, call: CallId) -> Result<bool, CallError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM case_events WHERE call = ?1 LIMIT 1")?
        .query_row([call.to_string()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Record a local change of `field` to `value` on `call` as an event, if
/// the case is shared (a case that never travelled needs no log).
pub(crate) fn record_if_shared(
    conn: &Connection,
    call: CallId,
    field: &str,
    value: Value,
    by: &str,
) -> Result<(), CallError> {
    if !is_shared(conn, call)? {
        return Ok(());
    }
    record(conn, call, field, value, by)
}

fn record(
    conn: &Connection,
    call: CallId,
    field: &str,
    value: Value,
    by: &str,
) -> Result<(), CallError> {
    let Some(laptop) = this_laptop(conn)? else {
        return Ok(());
    };
    let at = tick(conn, &laptop, None)?;
    store_event(
        conn,
        &Event {
            id: random_id()?,
            call,
            field: field.to_owned(),
            value,
            at,
            by: by.to_owned(),
        },
    )?;
    Ok(())
}

/// The uid of the call with row id `row`.
pub(crate) fn uid_of(conn: &Connection, row: i64) -> Result<CallId, CallError> {
    let uid: String = conn
        .prepare_cached("SELECT uid FROM calls WHERE id = ?1")?
        .query_row([row], |r| r.get(0))?;
    uid.parse()
}

/// A follow-up task's fields as events (`what` empty unless shared).
fn followup_fields(uid: &str, what: &str, due: NaiveDate, done: bool) -> [(String, Value); 3] {
    [
        (format!("followup/{uid}/what"), json!(what)),
        (format!("followup/{uid}/due"), json!(due.to_string())),
        (format!("followup/{uid}/done"), json!(done)),
    ]
}

/// Record the fields of a new task `uid` on a shared call.
pub(crate) fn record_followup(
    conn: &Connection,
    call: CallId,
    uid: &str,
    task: &NewFollowUp,
    by: &str,
) -> Result<(), CallError> {
    if !is_shared(conn, call)? {
        return Ok(());
    }
    for (field, value) in followup_fields(uid, &task.what, task.due, task.done) {
        record(conn, call, &field, value, by)?;
    }
    Ok(())
}

/// Make the first events of a case about to travel for the first time:
/// its verification, case state, legal hold and every task, as they stand.
fn start_log(conn: &Connection, row: i64, call: CallId, by: &str) -> Result<(), CallError> {
    if is_shared(conn, call)? {
        return Ok(());
    }
    let (verification, state, hold): (String, String, bool) = conn
        .prepare_cached("SELECT verification, case_state, legal_hold FROM calls WHERE id = ?1")?
        .query_row([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    record(conn, call, "verification", json!(verification), by)?;
    record(conn, call, "case_state", json!(state), by)?;
    record(conn, call, "legal_hold", json!(hold), by)?;
    let tasks: Vec<(String, String, NaiveDate, bool)> = conn
        .prepare_cached("SELECT uid, what, due, done FROM call_followups WHERE call_id = ?1")?
        .query_map([row], |r| {
            Ok((r.get(0)?, r.get(1)?, store::date_at(r, "due")?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (uid, what, due, done) in tasks {
        for (field, value) in followup_fields(&uid, &what, due, done) {
            record(conn, call, &field, value, by)?;
        }
    }
    Ok(())
}

/// The events of `call` stored here, oldest row first, with the text of
/// task fields removed unless `share` (the call is marked for handoff).
fn events_of(conn: &Connection, call: CallId, share: bool) -> Result<Vec<Event>, CallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, call, field, value, wall, counter, laptop, by FROM case_events
         WHERE call = ?1 ORDER BY rowid",
    )?;
    let rows = stmt.query_map([call.to_string()], event_from_row)?;
    rows.map(|r| r.map(|e| blank_unshared(e, share)).map_err(CallError::from))
        .collect()
}

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let call: String = r.get(1)?;
    let value: String = r.get(3)?;
    Ok(Event {
        id: r.get(0)?,
        call: call.parse().map_err(|err: CallError| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(err))
        })?,
        field: r.get(2)?,
        value: serde_json::from_str(&value).unwrap_or(Value::Null),
        at: Hlc {
            wall: r.get(4)?,
            counter: r.get(5)?,
            laptop: r.get(6)?,
        },
        by: r.get(7)?,
    })
}

fn blank_unshared(mut e: Event, share: bool) -> Event {
    if !share && e.field.ends_with("/what") {
        e.value = json!("");
    }
    e
}

/// A stored call as it travels, from its row id.
fn handoff_of(conn: &Connection, row: i64, retention_days: u32) -> Result<Handoff, CallError> {
    let id = uid_of(conn, row)?;
    let loaded = store::load(conn.into(), id)?;
    let share: bool = conn
        .prepare_cached("SELECT share_text FROM calls WHERE id = ?1")?
        .query_row([row], |r| r.get(0))?;
    let c = loaded.call;
    let text = share.then(|| SharedText {
        notes: c.notes.clone(),
        salute: c.salute.clone(),
    });
    // Structured fields only: the free text travels in `text`, if marked.
    let call = NewCall {
        exact_location: None,
        salute: Salute::default(),
        notes: String::new(),
        contact_name: None,
        contact_phone: None,
        script_path: None,
        ..c.editable()
    };
    Ok(Handoff {
        call,
        id,
        created_at: c.created_at,
        shred_after: c.received_at + chrono::Duration::days(i64::from(retention_days)),
        legal_hold: c.legal_hold,
        text,
    })
}

/// The case document for the laptop `recipient`: every open case logged
/// here not yet handed to it (closed, shredded and synthetic cases do not
/// travel), and every event made here since the last document for it.
/// Records what it hands over in `tx`, so a document that is not sent (the
/// write rolled back) is built again next time. `None` if there is nothing.
pub(crate) fn outgoing(
    tx: &Write<'_>,
    recipient: Uuid,
    by: &str,
    retention_days: u32,
) -> Result<Option<Vec<u8>>, CallError> {
    let Some(me) = this_laptop(tx)? else {
        return Ok(None);
    };
    let recipient = recipient.hyphenated().to_string();
    let rows: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT id, uid FROM calls
             WHERE origin_laptop IS NULL AND case_state = 'open' AND shredded_at IS NULL
                 AND synthetic = 0
                 AND uid NOT IN (SELECT call FROM case_handed WHERE laptop = ?1)
             ORDER BY id",
        )?
        .query_map([&recipient], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut handoffs = Vec::new();
    let mut events = Vec::new();
    let mut sent_ids = BTreeSet::new();
    for (row, uid) in rows {
        let id: CallId = uid.parse()?;
        start_log(tx, row, id, by)?;
        let handoff = handoff_of(tx, row, retention_days)?;
        for e in events_of(tx, id, handoff.text.is_some())? {
            sent_ids.insert(e.id.clone());
            events.push(e);
        }
        handoffs.push(handoff);
        tx.prepare_cached("INSERT INTO case_handed (laptop, call) VALUES (?1, ?2)")?
            .execute((&recipient, &uid))?;
    }
    let last: i64 = tx
        .prepare_cached("SELECT last_row FROM case_events_sent WHERE laptop = ?1")?
        .query_row([&recipient], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let mut stmt = tx.prepare_cached(
        "SELECT e.rowid, e.id, e.call, e.field, e.value, e.wall, e.counter, e.laptop, e.by,
             coalesce(c.share_text, 0), c.shredded_at IS NOT NULL
         FROM case_events e LEFT JOIN calls c ON c.uid = e.call
         WHERE e.laptop = ?1 AND e.rowid > ?2 ORDER BY e.rowid",
    )?;
    let mut top = last;
    let mine = stmt.query_map((&me, last), |r| {
        let row: i64 = r.get(0)?;
        let mut e = Event {
            id: r.get(1)?,
            call: r.get::<_, String>(2)?.parse().map_err(|err: CallError| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(err),
                )
            })?,
            field: r.get(3)?,
            value: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(Value::Null),
            at: Hlc {
                wall: r.get(5)?,
                counter: r.get(6)?,
                laptop: r.get(7)?,
            },
            by: r.get(8)?,
        };
        let (share, shredded): (bool, bool) = (r.get(9)?, r.get(10)?);
        e = blank_unshared(e, share && !shredded);
        Ok((row, e))
    })?;
    for item in mine {
        let (row, e) = item?;
        top = top.max(row);
        if sent_ids.insert(e.id.clone()) {
            events.push(e);
        }
    }
    drop(stmt);
    tx.prepare_cached(
        "INSERT INTO case_events_sent (laptop, last_row) VALUES (?1, ?2)
         ON CONFLICT (laptop) DO UPDATE SET last_row = ?2",
    )?
    .execute((&recipient, top))?;
    if handoffs.is_empty() && events.is_empty() {
        return Ok(None);
    }
    let doc = CaseDocument {
        format: CASE_FORMAT,
        handoffs,
        events,
    };
    serde_json::to_vec(&doc)
        .map(Some)
        .map_err(|_| refuse("cannot be written"))
}

/// Check the shape of an event: a known field with a value of its type.
fn check_event(e: &Event) -> Result<(), CallError> {
    Uuid::try_parse(&e.id).map_err(|_| refuse("an event id is not a UUID"))?;
    Uuid::try_parse(&e.at.laptop).map_err(|_| refuse("an event's laptop is not a UUID"))?;
    crate::vault::rules::check_handle(&e.by)
        .map_err(|_| refuse("an event's author is not a handle"))?;
    let ok = match e.field.as_str() {
        "verification" => e
            .value
            .as_str()
            .is_some_and(|v| v.parse::<Verification>().is_ok()),
        "case_state" => e
            .value
            .as_str()
            .is_some_and(|v| v.parse::<CaseState>().is_ok()),
        "legal_hold" => e.value.is_boolean(),
        field => match field
            .strip_prefix("followup/")
            .and_then(|f| f.rsplit_once('/'))
        {
            Some((uid, part)) if !uid.is_empty() && uid.len() <= 64 => match part {
                "what" => e
                    .value
                    .as_str()
                    .is_some_and(|w| w.len() <= super::text::FOLLOWUP_MAX_BYTES),
                "due" => e
                    .value
                    .as_str()
                    .is_some_and(|d| d.parse::<NaiveDate>().is_ok()),
                "done" => e.value.is_boolean(),
                _ => false,
            },
            _ => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(refuse(
            "an event names an unknown field or has a value of the wrong type",
        ))
    }
}

/// Apply the case document `bytes` from the laptop `sender` inside `tx`:
/// store its handoffs (a case already here is kept as it is) and its new
/// events, and fold every case they touch. Refused whole
/// ([`CallError::CaseDocument`], or the refusal of a handed-off call's
/// field) before anything is written.
pub(crate) fn apply(tx: &mut Write<'_>, sender: Uuid, bytes: &[u8]) -> Result<Applied, CallError> {
    let doc: CaseDocument =
        serde_json::from_slice(bytes).map_err(|_| refuse("it is not a case document"))?;
    if doc.format != CASE_FORMAT {
        return Err(refuse("its format is not one this laptop reads"));
    }
    let sender = sender.hyphenated().to_string();
    let me = this_laptop(tx)?.ok_or(refuse("this laptop has no team keys"))?;
    for e in &doc.events {
        check_event(e)?;
    }
    let now = Utc::now();
    let mut applied = Applied::default();
    let mut touched = BTreeSet::new();
    for h in &doc.handoffs {
        if store_handoff(tx, h, &sender, now)? {
            applied.handoffs += 1;
        }
        touched.insert(h.id);
    }
    for e in &doc.events {
        tick(tx, &me, Some(&e.at))?;
        if store_event(tx, e)? {
            applied.events += 1;
        }
        touched.insert(e.call);
    }
    for call in touched {
        fold(tx, call, now)?;
    }
    tx.audit(
        "cases.apply",
        json!({ "from": sender, "handoffs": applied.handoffs, "events": applied.events }),
    );
    Ok(applied)
}

/// Store a handed-off case that is not here yet, as handed in from
/// `sender`; whether it was new.
fn store_handoff(
    tx: &Write<'_>,
    h: &Handoff,
    sender: &str,
    now: DateTime<Utc>,
) -> Result<bool, CallError> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM calls WHERE uid = ?1")?
        .query_row([h.id.to_string()], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Ok(false);
    }
    let mut call = h.call.clone();
    call.followups.clear();
    if let Some(text) = &h.text {
        call.notes = text.notes.clone();
        call.salute = text.salute.clone();
    } else {
        call.notes = String::new();
        call.salute = Salute::default();
    }
    call.exact_location = None;
    call.contact_name = None;
    call.contact_phone = None;
    call.script_path = None;
    let area_id = match &call.area {
        Some(name) => tx
            .prepare_cached("SELECT id FROM areas WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let creator = call.volunteer.clone().unwrap_or_default();
    let actor = Actor {
        handle: creator.clone(),
        coordinator: true,
    };
    let checked = store::check(&actor, call, area_id, now)?;
    store::insert_handed_in(tx, &checked, h, sender)?;
    Ok(true)
}

/// The winning value of every field of `call` among the events here.
fn winners(conn: &Connection, call: CallId) -> Result<BTreeMap<String, Event>, CallError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, call, field, value, wall, counter, laptop, by FROM case_events
         WHERE call = ?1 ORDER BY field, wall, counter, laptop, id",
    )?;
    let mut out = BTreeMap::new();
    for e in stmt.query_map([call.to_string()], event_from_row)? {
        let e = e?;
        out.insert(e.field.clone(), e);
    }
    Ok(out)
}

/// Bring the stored case `call` (if it is here) to the fold of its events.
fn fold(tx: &Write<'_>, call: CallId, now: DateTime<Utc>) -> Result<(), CallError> {
    let Some((row, verification, state, hold, shredded)) = tx
        .prepare_cached(
            "SELECT id, verification, case_state, legal_hold, shredded_at IS NOT NULL
             FROM calls WHERE uid = ?1",
        )?
        .query_row([call.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })
        .optional()?
    else {
        return Ok(());
    };
    let won = winners(tx, call)?;
    if let Some(e) = won.get("verification") {
        let to = e.value.as_str().unwrap_or_default();
        if to != verification {
            let final_now = to.parse::<Verification>().is_ok_and(is_final);
            tx.prepare_cached(
                "UPDATE calls SET verification = ?2, updated_at = ?3,
                     exact_location = CASE WHEN ?4 THEN NULL ELSE exact_location END
                 WHERE id = ?1",
            )?
            .execute((row, to, unix(now), final_now))?;
            let change = FieldChange::values(
                "verification",
                Some(verification.clone()),
                Some(to.to_owned()),
            );
            history::record(tx, row, &e.by, HistoryAction::Edited, &[change], now)?;
        }
    }
    if let Some(e) = won.get("legal_hold") {
        let to = e.value.as_bool().unwrap_or(hold);
        let handed_in: bool = tx
            .prepare_cached("SELECT origin_laptop IS NOT NULL FROM calls WHERE id = ?1")?
            .query_row([row], |r| r.get(0))?;
        // A hold is signed on the laptop that holds the call; on another
        // laptop it travels with the case.
        if handed_in && to != hold {
            tx.prepare_cached("UPDATE calls SET legal_hold = ?2 WHERE id = ?1")?
                .execute((row, to))?;
            let action = if to {
                HistoryAction::LegalHoldOn
            } else {
                HistoryAction::LegalHoldOff
            };
            history::record(tx, row, &e.by, action, &[], now)?;
        }
    }
    fold_tasks(tx, row, &won, shredded, now)?;
    let open_tasks: i64 = tx
        .prepare_cached("SELECT count(*) FROM call_followups WHERE call_id = ?1 AND done = 0")?
        .query_row([row], |r| r.get(0))?;
    let folded = won
        .get("case_state")
        .and_then(|e| e.value.as_str().map(|s| (s.to_owned(), e.by.clone())));
    if let Some((to, by)) = folded {
        let to = if open_tasks > 0 {
            "open".to_owned()
        } else {
            to
        };
        if to != state {
            let to: CaseState = to
                .parse()
                .map_err(|_| refuse("a case state is neither open nor closed"))?;
            super::cases::store_state(tx, row, to, &by, now)?;
        }
    }
    Ok(())
}

/// Bring the follow-up tasks of the call with row id `row` to the fold.
fn fold_tasks(
    tx: &Write<'_>,
    row: i64,
    won: &BTreeMap<String, Event>,
    shredded: bool,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    let mut tasks: BTreeMap<&str, BTreeMap<&str, &Event>> = BTreeMap::new();
    for (field, e) in won {
        if let Some((uid, part)) = field
            .strip_prefix("followup/")
            .and_then(|f| f.rsplit_once('/'))
        {
            tasks.entry(uid).or_default().insert(part, e);
        }
    }
    for (uid, parts) in tasks {
        let Some(due) = parts
            .get("due")
            .and_then(|e| e.value.as_str())
            .and_then(|d| d.parse::<NaiveDate>().ok())
        else {
            continue;
        };
        let done = parts
            .get("done")
            .and_then(|e| e.value.as_bool())
            .unwrap_or(false);
        let what = if shredded {
            String::new()
        } else {
            parts
                .get("what")
                .and_then(|e| e.value.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let by = parts.values().next().map_or("", |e| e.by.as_str());
        let stored: Option<(String, bool)> = tx
            .prepare_cached("SELECT due, done FROM call_followups WHERE uid = ?1")?
            .query_row([uid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let due_text = due.format("%Y-%m-%d").to_string();
        match stored {
            None => {
                tx.prepare_cached(
                    "INSERT INTO call_followups (call_id, what, due, done, done_at, uid)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute((
                    row,
                    &what,
                    &due_text,
                    done,
                    done.then(|| unix(now)),
                    uid,
                ))?;
                history::record(tx, row, by, HistoryAction::FollowupAdded, &[], now)?;
            }
            Some((old_due, old_done)) => {
                if old_due != due_text || old_done != done {
                    tx.prepare_cached(
                        "UPDATE call_followups SET due = ?2, done = ?3,
                             done_at = CASE WHEN ?3 THEN coalesce(done_at, ?4) END
                         WHERE uid = ?1",
                    )?
                    .execute((uid, &due_text, done, unix(now)))?;
                }
                if old_done != done {
                    let action = if done {
                        HistoryAction::FollowupDone
                    } else {
                        HistoryAction::FollowupReopened
                    };
                    history::record(tx, row, by, action, &[], now)?;
                }
            }
        }
    }
    Ok(())
}

/// Drop the text of the task events of a shredded call (the call with row
/// id `row`): no event keeps text retention removed.
pub(crate) fn shred_events(conn: &Connection, row: i64) -> Result<(), CallError> {
    let call = uid_of(conn, row)?;
    conn.prepare_cached(
        "UPDATE case_events SET value = '\"\"' WHERE call = ?1 AND field LIKE 'followup/%/what'",
    )?
    .execute([call.to_string()])?;
    Ok(())
}

/// Mark the call `id` "share with the next shift": its notes and SALUTE
/// texts travel when it is handed off (contact details never do).
pub fn set_share_text(vault: &Vault, id: CallId, share: bool) -> Result<(), CallError> {
    let tx = vault.write()?;
    let n = tx
        .prepare_cached("UPDATE calls SET share_text = ?2 WHERE uid = ?1")?
        .execute((id.to_string(), share))?;
    if n == 0 {
        return Err(CallError::NotFound);
    }
    tx.commit()?;
    Ok(())
}

/// A team laptop's id as [`crate::team::LaptopInfo`] shows it.
fn laptop_id(text: &str) -> Result<Uuid, CallError> {
    Uuid::try_parse(text).map_err(|_| CallError::Invalid {
        field: "laptop",
        reason: "a laptop id is a UUID, as `hotline team show` prints it",
    })
}

/// [`outgoing`] in a write of its own (tests and benchmarks; the transport
/// calls [`outgoing`] inside the write that seals the packet).
pub fn case_document_for(vault: &Vault, recipient: &str) -> Result<Option<Vec<u8>>, CallError> {
    let recipient = laptop_id(recipient)?;
    let by = vault.user().handle.clone();
    let days = super::retention_days(vault)?;
    let tx = vault.write()?;
    let doc = outgoing(&tx, recipient, &by, days)?;
    tx.commit()?;
    Ok(doc)
}

/// [`apply`] in a write of its own, all or nothing (tests and benchmarks;
/// the transport applies inside the write that marks the packet applied).
pub fn apply_case_document(
    vault: &Vault,
    sender: &str,
    bytes: &[u8],
) -> Result<Applied, CallError> {
    let sender = laptop_id(sender)?;
    let mut tx = vault.write()?;
    let applied = apply(&mut tx, sender, bytes)?;
    tx.commit()?;
    Ok(applied)
}
