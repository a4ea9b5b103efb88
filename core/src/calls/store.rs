//! Storing and reading calls: create, update (with edit history), get and
//! list.
//!
//! Every statement uses parameters; the only SQL assembled at run time is
//! the `WHERE` clause of [`list`], from fixed fragments chosen by which
//! filters are set.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, ToSql};

use super::admission::{self, OldCalls};
use super::fields::{has_text, text_changes};
use super::history::{self, FieldChange};
use super::notes_check::{FlaggedNotes, check_notes};
use super::text::{self, clean, clean_opt};
use super::{
    Call, CallError, CallFilter, CallId, CallSummary, CallUpdate, FollowUp, FollowUpId,
    MAX_LIST_LIMIT, NewCall, NewFollowUp, Salute, check_transition, is_final,
};
use crate::vault::{Reader, Vault, VaultError, Write, rules};

/// Who is acting: the unlocked vault's user.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    /// Their handle.
    pub(crate) handle: String,
    /// Whether they are a coordinator.
    pub(crate) coordinator: bool,
}

impl Actor {
    /// The user who unlocked `vault`.
    pub(crate) fn of(vault: &Vault) -> Self {
        Self {
            handle: vault.user().handle.clone(),
            coordinator: vault.user().is_coordinator(),
        }
    }
}

/// Seconds since 1970 of `at`.
pub(crate) fn unix(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// `at` with sub-second precision dropped (what the database keeps).
pub(crate) fn to_second(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// A stored timestamp back as a time.
pub(crate) fn time_at(row: &Row<'_>, idx: &str) -> rusqlite::Result<DateTime<Utc>> {
    let secs: i64 = row.get(idx)?;
    from_unix(secs).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, secs))
}

/// Seconds since 1970 as a time.
pub(crate) fn from_unix(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}

/// A stored code (such as a category) back as its enum.
pub(crate) fn code_at<T: std::str::FromStr>(row: &Row<'_>, idx: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err)))
}

/// Parse a date stored as `YYYY-MM-DD`.
pub(crate) fn date_at(row: &Row<'_>, idx: &str) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(idx)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err)))
}

/// The id of the active area named `name` (case-insensitive), by the
/// table alone (the demo data; calls check the signed list,
/// `areas::offered_area_id`).
#[cfg(feature = "demo")]
pub(crate) fn active_area_id(conn: &Connection, name: &str) -> Result<i64, CallError> {
    conn.prepare_cached("SELECT id FROM areas WHERE name = ?1 AND active = 1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .ok_or(CallError::UnknownArea)
}

/// A call whose fields passed every rule, cleaned (line endings), with
/// its area resolved.
pub(crate) struct Checked {
    /// The cleaned call; `volunteer` is always set.
    pub(crate) call: NewCall,
    /// Row id of its area.
    pub(crate) area_id: Option<i64>,
    /// `referrals` as JSON text.
    pub(crate) referrals_json: String,
    /// `script_path` as compact JSON text.
    pub(crate) script_json: Option<String>,
}

/// Check and clean every field of `call` for `actor` at `now` (see the
/// limits in [`text`]). `area_id` is the already-resolved area.
pub(crate) fn check(
    actor: &Actor,
    mut call: NewCall,
    area_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Checked, CallError> {
    call.received_at = to_second(call.received_at);
    admission::check_not_ahead(call.received_at, now)?;
    if call
        .duration_seconds
        .is_some_and(|d| d > text::MAX_DURATION_SECONDS)
    {
        return Err(CallError::Invalid {
            field: "duration_seconds",
            reason: "a call lasts at most one day (86400 seconds)",
        });
    }
    let volunteer = match call.volunteer.take() {
        None => actor.handle.clone(),
        Some(handle) => {
            rules::check_handle(&handle).map_err(|_| CallError::Invalid {
                field: "volunteer",
                reason: "a handle has 2 to 32 letters, digits, '.', '_' or '-'",
            })?;
            if !actor.coordinator && !rules::same_handle(&handle, &actor.handle) {
                return Err(VaultError::NotCoordinator.into());
            }
            handle
        }
    };
    call.volunteer = Some(volunteer);
    text::check_language(&call.language)?;
    call.exact_location = if is_final(call.verification) {
        None
    } else {
        clean_opt(
            "exact_location",
            call.exact_location.take(),
            text::EXACT_LOCATION_MAX_BYTES,
        )?
    };
    call.salute = clean_salute(std::mem::take(&mut call.salute))?;
    if call
        .people_affected
        .is_some_and(|p| p > text::MAX_PEOPLE_AFFECTED)
    {
        return Err(CallError::Invalid {
            field: "people_affected",
            reason: "at most 100000",
        });
    }
    if call.referrals.len() > text::MAX_REFERRALS {
        return Err(CallError::TooMany {
            field: "referrals",
            limit: text::MAX_REFERRALS,
        });
    }
    for referral in &call.referrals {
        text::check_id("referrals", referral)?;
    }
    if call.followups.len() > text::MAX_FOLLOWUPS {
        return Err(CallError::TooMany {
            field: "followups",
            limit: text::MAX_FOLLOWUPS,
        });
    }
    call.followups = call
        .followups
        .into_iter()
        .map(check_followup)
        .collect::<Result<_, _>>()?;
    call.notes = clean(
        "notes",
        std::mem::take(&mut call.notes),
        text::NOTES_MAX_BYTES,
    )?;
    call.contact_name = clean_opt(
        "contact_name",
        call.contact_name.take(),
        text::CONTACT_NAME_MAX_BYTES,
    )?;
    call.contact_phone = clean_opt(
        "contact_phone",
        call.contact_phone.take(),
        text::CONTACT_PHONE_MAX_BYTES,
    )?;
    let script_json = match &call.script_path {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => {
            let json = value.to_string();
            if json.len() > text::SCRIPT_PATH_MAX_BYTES {
                return Err(CallError::TooLong {
                    field: "script_path",
                    limit: text::SCRIPT_PATH_MAX_BYTES,
                });
            }
            Some(json)
        }
    };
    if script_json.is_none() {
        call.script_path = None;
    }
    if let Some(id) = &call.pack_id {
        text::check_id("pack_id", id)?;
    }
    if let Some(version) = &call.pack_version {
        text::check_version("pack_version", version)?;
    }
    let referrals_json = serde_json::Value::from(call.referrals.clone()).to_string();
    Ok(Checked {
        call,
        area_id,
        referrals_json,
        script_json,
    })
}

/// Clean the six SALUTE texts.
fn clean_salute(salute: Salute) -> Result<Salute, CallError> {
    let limit = text::SALUTE_MAX_BYTES;
    Ok(Salute {
        size: clean_opt("salute.size", salute.size, limit)?,
        activity: clean_opt("salute.activity", salute.activity, limit)?,
        location: clean_opt("salute.location", salute.location, limit)?,
        uniform: clean_opt("salute.uniform", salute.uniform, limit)?,
        time: clean_opt("salute.time", salute.time, limit)?,
        equipment: clean_opt("salute.equipment", salute.equipment, limit)?,
    })
}

/// Check and clean one follow-up task.
pub(crate) fn check_followup(followup: NewFollowUp) -> Result<NewFollowUp, CallError> {
    let what = clean("followups.what", followup.what, text::FOLLOWUP_MAX_BYTES)?;
    if what.trim().is_empty() {
        return Err(CallError::Invalid {
            field: "followups.what",
            reason: "say what is to be done",
        });
    }
    Ok(NewFollowUp { what, ..followup })
}

/// Insert a checked call and its follow-ups; returns its id.
pub(crate) fn insert(
    tx: &Connection,
    checked: &Checked,
    actor: &str,
    now: DateTime<Utc>,
    synthetic: bool,
) -> Result<CallId, CallError> {
    let id = CallId::random()?;
    let c = &checked.call;
    let s = &c.salute;
    let mut stmt = tx.prepare_cached(INSERT_SQL)?;
    stmt.execute(rusqlite::params![
        id.to_string(),
        unix(c.received_at),
        c.duration_seconds,
        c.volunteer.as_deref().unwrap_or(actor),
        c.language,
        c.caller_relation.as_str(),
        c.category.as_str(),
        c.agency.as_str(),
        c.identified_by.as_str(),
        checked.area_id,
        c.verification.as_str(),
        c.people_affected,
        c.children_present.as_str(),
        c.urgency.as_str(),
        c.possibly_malicious,
        checked.referrals_json,
        c.pack_id,
        c.pack_version,
        checked.script_json,
        synthetic,
        unix(now),
        actor,
        c.notes,
        c.exact_location,
        c.contact_name,
        c.contact_phone,
        s.size,
        s.activity,
        s.location,
        s.uniform,
        s.time,
        s.equipment,
    ])?;
    let row_id = tx.last_insert_rowid();
    for followup in &c.followups {
        insert_followup(tx, row_id, followup, now)?;
    }
    Ok(id)
}

/// Insert one follow-up task of the call with row id `call_row`.
pub(crate) fn insert_followup(
    tx: &Connection,
    call_row: i64,
    followup: &NewFollowUp,
    now: DateTime<Utc>,
) -> Result<(FollowUpId, String), CallError> {
    let uid = super::handoff::followup_uid()?;
    tx.prepare_cached(
        "INSERT INTO call_followups (call_id, what, due, done, done_at, uid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        call_row,
        &followup.what,
        followup.due.format("%Y-%m-%d").to_string(),
        followup.done,
        followup.done.then(|| unix(now)),
        &uid,
    ))?;
    Ok((FollowUpId(tx.last_insert_rowid()), uid))
}

/// Store a checked call handed in from the laptop `origin` with the id,
/// creation, shred date and hold its origin gave it. It counts nowhere
/// here (the `call_counts` triggers skip a call with an origin).
pub(crate) fn insert_handed_in(
    tx: &Connection,
    checked: &Checked,
    handoff: &super::handoff::Handoff,
    origin: &str,
) -> Result<(), CallError> {
    let c = &checked.call;
    let s = &c.salute;
    tx.prepare_cached(
        "INSERT INTO calls (uid, received_at, duration_seconds, volunteer, language,
             caller_relation, category, agency, identified_by, area_id, verification,
             people_affected, children_present, urgency, possibly_malicious, referrals,
             pack_id, pack_version, synthetic, created_at, created_by, updated_at, notes,
             salute_size, salute_activity, salute_location, salute_uniform, salute_time,
             salute_equipment, origin_laptop, shred_due_at, legal_hold, share_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, 0, ?19, ?4, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?
    .execute(rusqlite::params![
        handoff.id.to_string(),
        unix(c.received_at),
        c.duration_seconds,
        c.volunteer.as_deref().unwrap_or_default(),
        c.language,
        c.caller_relation.as_str(),
        c.category.as_str(),
        c.agency.as_str(),
        c.identified_by.as_str(),
        checked.area_id,
        c.verification.as_str(),
        c.people_affected,
        c.children_present.as_str(),
        c.urgency.as_str(),
        c.possibly_malicious,
        checked.referrals_json,
        c.pack_id,
        c.pack_version,
        unix(handoff.created_at),
        c.notes,
        s.size,
        s.activity,
        s.location,
        s.uniform,
        s.time,
        s.equipment,
        origin,
        unix(handoff.shred_after),
        handoff.legal_hold,
        handoff.text.is_some(),
    ])?;
    Ok(())
}

/// Refuse a referral that is not an entry of the directory still offered;
/// those in `kept` (already on the call) stay even if removed since.
fn check_referrals(tx: &Connection, ids: &[String], kept: &[String]) -> Result<(), CallError> {
    match crate::referrals::first_unknown(tx, ids, kept)? {
        Some(i) => Err(CallError::UnknownReferral {
            number: i + 1,
            id: ids[i].clone(),
        }),
        None => Ok(()),
    }
}

/// Check and store `call`, logged by `actor` at `now`; `old` says whether
/// a call older than the retention period was confirmed, `notes` whether
/// notes the notes check flags were.
pub(crate) fn create_in(
    tx: &Write<'_>,
    actor: &Actor,
    call: NewCall,
    now: DateTime<Utc>,
    old: OldCalls,
    notes: FlaggedNotes,
) -> Result<CallId, CallError> {
    let area_id = match &call.area {
        Some(name) => Some(super::areas::offered_area_id(tx, name)?),
        None => None,
    };
    let checked = check(actor, call, area_id, now)?;
    let call = &checked.call;
    check_flagged(&call.notes, notes)?;
    admission::check_within_retention(tx, call.received_at, now, old)?;
    if let Some(volunteer) = &call.volunteer {
        admission::check_known_volunteer(tx, volunteer)?;
    }
    check_referrals(tx, &call.referrals, &[])?;
    insert(tx, &checked, &actor.handle, now, false)
}

/// Log a new call; returns its id. The volunteer is the unlocked user
/// unless `call.volunteer` names someone else (coordinators only) who must
/// be a user of this vault. A call dated more than a day ahead, or older
/// than the retention period, is refused.
/// Notes the notes check flags are refused ([`CallError::NotesFlagged`]);
/// [`create_with`] can store them.
pub fn create(vault: &Vault, call: NewCall) -> Result<CallId, CallError> {
    create_with(vault, call, FlaggedNotes::Refuse)
}

/// [`create`], storing notes the notes check flags if `notes` accepts them
/// (the person saw the warning and confirmed).
pub fn create_with(vault: &Vault, call: NewCall, notes: FlaggedNotes) -> Result<CallId, CallError> {
    let actor = Actor::of(vault);
    let tx = vault.write()?;
    let id = create_in(&tx, &actor, call, Utc::now(), OldCalls::Refuse, notes)?;
    tx.commit()?;
    Ok(id)
}

/// Refuse notes the notes check flags, unless `notes` accepts them.
fn check_flagged(text: &str, notes: FlaggedNotes) -> Result<(), CallError> {
    if notes == FlaggedNotes::Refuse {
        let count = check_notes(text).len();
        if count > 0 {
            return Err(CallError::NotesFlagged { count });
        }
    }
    Ok(())
}

/// Log several calls in one transaction (all or none); returns their ids
/// in order. The rules are those of [`create`], except that `old` may
/// accept calls older than the retention period. An error names the call
/// ([`CallError::InBatch`]).
pub fn create_many(
    vault: &Vault,
    calls: Vec<NewCall>,
    old: OldCalls,
) -> Result<Vec<CallId>, CallError> {
    create_many_with(vault, calls, old, FlaggedNotes::Refuse)
}

/// [`create_many`], storing notes the notes check flags if `notes` accepts
/// them.
pub fn create_many_with(
    vault: &Vault,
    calls: Vec<NewCall>,
    old: OldCalls,
    notes: FlaggedNotes,
) -> Result<Vec<CallId>, CallError> {
    let actor = Actor::of(vault);
    let now = Utc::now();
    let total = calls.len();
    let tx = vault.write()?;
    let ids = calls
        .into_iter()
        .enumerate()
        .map(|(i, call)| {
            create_in(&tx, &actor, call, now, old, notes).map_err(|err| CallError::InBatch {
                number: i + 1,
                total,
                source: Box::new(err),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    tx.commit()?;
    Ok(ids)
}

/// The row id of the call `id`.
pub(crate) fn row_id(conn: Reader<'_>, id: CallId) -> Result<i64, CallError> {
    conn.prepare_cached("SELECT id FROM calls WHERE uid = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or(CallError::NotFound)
}

/// The statement that stores a new call (its parameters in `insert`).
pub(crate) const INSERT_SQL: &str =
    "INSERT INTO calls (uid, received_at, duration_seconds, volunteer, language,
         caller_relation, category, agency, identified_by, area_id, verification,
         people_affected, children_present, urgency, possibly_malicious, referrals,
         pack_id, pack_version, script_path, synthetic, created_at, created_by,
         updated_at, notes, exact_location, contact_name, contact_phone, salute_size,
         salute_activity, salute_location, salute_uniform, salute_time, salute_equipment)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
         ?18, ?19, ?20, ?21, ?22, ?21, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";

/// The statement that rewrites an edited call (its parameters in `update_in`).
pub(crate) const UPDATE_SQL: &str =
    "UPDATE calls SET received_at = ?2, duration_seconds = ?3, volunteer = ?4,
         language = ?5, caller_relation = ?6, category = ?7, agency = ?8,
         identified_by = ?9, area_id = ?10, verification = ?11, people_affected = ?12,
         children_present = ?13, urgency = ?14, possibly_malicious = ?15,
         referrals = ?16, pack_id = ?17, pack_version = ?18, script_path = ?19,
         updated_at = ?20, notes = ?21, exact_location = ?22, contact_name = ?23,
         contact_phone = ?24, salute_size = ?25, salute_activity = ?26,
         salute_location = ?27, salute_uniform = ?28, salute_time = ?29,
         salute_equipment = ?30
     WHERE id = ?1";

/// The columns a stored call is read from (`call_from_row`).
pub(crate) const CALL_COLUMNS: &str = "c.id AS row_id, c.uid, c.received_at, c.duration_seconds,
    c.volunteer, c.language, c.caller_relation, c.category, c.agency, c.identified_by,
    a.name AS area, c.area_id, c.exact_location, c.salute_size, c.salute_activity,
    c.salute_location, c.salute_uniform, c.salute_time, c.salute_equipment, c.verification,
    c.people_affected, c.children_present, c.urgency, c.referrals, c.notes, c.contact_name,
    c.contact_phone, c.possibly_malicious, c.script_path, c.pack_id, c.pack_version,
    c.legal_hold, c.synthetic, c.created_at, c.created_by, c.updated_at, c.shredded_at,
    c.case_state, c.origin_laptop, c.share_text";

/// A stored call with its row id and area row id.
pub(crate) struct Loaded {
    pub(crate) row_id: i64,
    pub(crate) area_id: Option<i64>,
    pub(crate) call: Call,
}

fn json_at<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: &str) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err)))
}

fn uid_at(row: &Row<'_>, idx: &str) -> rusqlite::Result<CallId> {
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err)))
}

fn opt_time_at(row: &Row<'_>, idx: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let secs: Option<i64> = row.get(idx)?;
    match secs {
        None => Ok(None),
        Some(secs) => from_unix(secs)
            .map(Some)
            .ok_or(rusqlite::Error::IntegralValueOutOfRange(0, secs)),
    }
}

fn call_from_row(row: &Row<'_>) -> rusqlite::Result<Loaded> {
    let script: Option<String> = row.get("script_path")?;
    let script_path = match script {
        None => None,
        Some(text) => Some(serde_json::from_str(&text).map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err))
        })?),
    };
    Ok(Loaded {
        row_id: row.get("row_id")?,
        area_id: row.get("area_id")?,
        call: Call {
            id: uid_at(row, "uid")?,
            received_at: time_at(row, "received_at")?,
            duration_seconds: row.get("duration_seconds")?,
            volunteer: row.get("volunteer")?,
            language: row.get("language")?,
            caller_relation: code_at(row, "caller_relation")?,
            category: code_at(row, "category")?,
            agency: code_at(row, "agency")?,
            identified_by: code_at(row, "identified_by")?,
            area: row.get("area")?,
            exact_location: row.get("exact_location")?,
            salute: Salute {
                size: row.get("salute_size")?,
                activity: row.get("salute_activity")?,
                location: row.get("salute_location")?,
                uniform: row.get("salute_uniform")?,
                time: row.get("salute_time")?,
                equipment: row.get("salute_equipment")?,
            },
            verification: code_at(row, "verification")?,
            people_affected: row.get("people_affected")?,
            children_present: code_at(row, "children_present")?,
            urgency: code_at(row, "urgency")?,
            referrals: json_at(row, "referrals")?,
            followups: Vec::new(),
            notes: row.get("notes")?,
            contact_name: row.get("contact_name")?,
            contact_phone: row.get("contact_phone")?,
            possibly_malicious: row.get("possibly_malicious")?,
            script_path,
            pack_id: row.get("pack_id")?,
            pack_version: row.get("pack_version")?,
            legal_hold: row.get("legal_hold")?,
            synthetic: row.get("synthetic")?,
            created_at: time_at(row, "created_at")?,
            created_by: row.get("created_by")?,
            updated_at: time_at(row, "updated_at")?,
            shredded_at: opt_time_at(row, "shredded_at")?,
            case_state: code_at(row, "case_state")?,
            origin_laptop: row.get("origin_laptop")?,
            share_text: row.get("share_text")?,
        },
    })
}

/// Load the call `id` with its follow-ups.
pub(crate) fn load(conn: Reader<'_>, id: CallId) -> Result<Loaded, CallError> {
    let sql = format!(
        "SELECT {CALL_COLUMNS} FROM calls c LEFT JOIN areas a ON a.id = c.area_id
         WHERE c.uid = ?1"
    );
    let mut loaded = conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], call_from_row)
        .optional()?
        .ok_or(CallError::NotFound)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, what, due, done, done_at FROM call_followups
         WHERE call_id = ?1 ORDER BY due, id",
    )?;
    loaded.call.followups = stmt
        .query_map([loaded.row_id], |row| {
            Ok(FollowUp {
                id: FollowUpId(row.get("id")?),
                what: row.get("what")?,
                due: date_at(row, "due")?,
                done: row.get("done")?,
                done_at: opt_time_at(row, "done_at")?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(loaded)
}

/// The call `id`, with its follow-up tasks.
pub fn get(vault: &Vault, id: CallId) -> Result<Call, CallError> {
    Ok(load(vault.read(), id)?.call)
}

/// Which fields differ between `old` and `new`: structured fields with
/// their old and new values, free-text and contact fields by name only.
fn changes(old: &NewCall, new: &NewCall) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut value = |field: &'static str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(FieldChange::values(field, a, b));
        }
    };
    value(
        "received_at",
        Some(old.received_at.to_rfc3339()),
        Some(new.received_at.to_rfc3339()),
    );
    value(
        "duration_seconds",
        old.duration_seconds.map(|d| d.to_string()),
        new.duration_seconds.map(|d| d.to_string()),
    );
    value("volunteer", old.volunteer.clone(), new.volunteer.clone());
    value(
        "language",
        Some(old.language.clone()),
        Some(new.language.clone()),
    );
    let code = |s: &str| Some(s.to_owned());
    value(
        "caller_relation",
        code(old.caller_relation.as_str()),
        code(new.caller_relation.as_str()),
    );
    value(
        "category",
        code(old.category.as_str()),
        code(new.category.as_str()),
    );
    value(
        "agency",
        code(old.agency.as_str()),
        code(new.agency.as_str()),
    );
    value(
        "identified_by",
        code(old.identified_by.as_str()),
        code(new.identified_by.as_str()),
    );
    value("area", old.area.clone(), new.area.clone());
    value(
        "verification",
        code(old.verification.as_str()),
        code(new.verification.as_str()),
    );
    value(
        "people_affected",
        old.people_affected.map(|p| p.to_string()),
        new.people_affected.map(|p| p.to_string()),
    );
    value(
        "children_present",
        code(old.children_present.as_str()),
        code(new.children_present.as_str()),
    );
    value(
        "urgency",
        code(old.urgency.as_str()),
        code(new.urgency.as_str()),
    );
    value(
        "referrals",
        Some(old.referrals.join(",")),
        Some(new.referrals.join(",")),
    );
    value(
        "possibly_malicious",
        Some(old.possibly_malicious.to_string()),
        Some(new.possibly_malicious.to_string()),
    );
    value("pack_id", old.pack_id.clone(), new.pack_id.clone());
    value(
        "pack_version",
        old.pack_version.clone(),
        new.pack_version.clone(),
    );
    for (field, changed) in text_changes(old, new) {
        if changed {
            out.push(FieldChange::text(field));
        }
    }
    if old.script_path != new.script_path {
        out.push(FieldChange::text("script_path"));
    }
    out
}

/// Apply `update` to the call `id` for `actor` at `now`.
pub(crate) fn update_in(
    tx: &Write<'_>,
    actor: &Actor,
    id: CallId,
    update: CallUpdate,
    now: DateTime<Utc>,
    notes: FlaggedNotes,
) -> Result<Vec<FieldChange>, CallError> {
    let loaded = load(tx.read(), id)?;
    let old = loaded.call.editable();
    let area_changed = update.area.is_some();
    let new = update.apply(old.clone());
    check_transition(old.verification, new.verification, actor.coordinator)?;
    if new.volunteer != old.volunteer {
        // Only a coordinator may hand a call to someone else.
        let is_self = new
            .volunteer
            .as_deref()
            .is_some_and(|v| rules::same_handle(v, &actor.handle));
        if !actor.coordinator && !is_self {
            return Err(VaultError::NotCoordinator.into());
        }
    }
    let area_id = if !area_changed || new.area == old.area {
        loaded.area_id
    } else {
        match &new.area {
            Some(name) => Some(super::areas::offered_area_id(tx, name)?),
            None => None,
        }
    };
    // `check` enforces the volunteer rule for new calls; the editor may be
    // keeping someone else's handle, so check it as a coordinator would.
    let checker = Actor {
        coordinator: true,
        ..actor.clone()
    };
    let checked = check(&checker, new, area_id, now)?;
    check_referrals(tx, &checked.call.referrals, &old.referrals)?;
    let new = &checked.call;
    if new.received_at != old.received_at {
        // Moved before the retention period, its free text would be
        // shredded at the next unlock: an edit cannot confirm that.
        admission::check_within_retention(tx, new.received_at, now, OldCalls::Refuse)?;
    }
    if new.volunteer != old.volunteer
        && let Some(volunteer) = &new.volunteer
    {
        admission::check_known_volunteer(tx, volunteer)?;
    }
    let fields = changes(&old, new);
    if fields.is_empty() {
        return Ok(fields);
    }
    if new.notes != old.notes {
        check_flagged(&new.notes, notes)?;
    }
    if loaded.call.shredded_at.is_some()
        && text_changes(&old, new).iter().any(|(_, changed)| *changed)
        && has_text(new)
    {
        return Err(CallError::Shredded);
    }
    let s = &new.salute;
    tx.prepare_cached(UPDATE_SQL)?.execute(rusqlite::params![
        loaded.row_id,
        unix(new.received_at),
        new.duration_seconds,
        new.volunteer,
        new.language,
        new.caller_relation.as_str(),
        new.category.as_str(),
        new.agency.as_str(),
        new.identified_by.as_str(),
        area_id,
        new.verification.as_str(),
        new.people_affected,
        new.children_present.as_str(),
        new.urgency.as_str(),
        new.possibly_malicious,
        checked.referrals_json,
        new.pack_id,
        new.pack_version,
        checked.script_json,
        unix(now),
        new.notes,
        new.exact_location,
        new.contact_name,
        new.contact_phone,
        s.size,
        s.activity,
        s.location,
        s.uniform,
        s.time,
        s.equipment,
    ])?;
    if new.verification != old.verification {
        super::handoff::record_if_shared(
            tx,
            loaded.call.id,
            "verification",
            serde_json::json!(new.verification.as_str()),
            &actor.handle,
        )?;
    }
    history::record(
        tx,
        loaded.row_id,
        &actor.handle,
        history::HistoryAction::Edited,
        &fields,
        now,
    )?;
    Ok(fields)
}

/// Change the call `id`. Records who changed which fields, and when, in
/// its history (values only for structured fields). Enforces the
/// verification workflow ([`check_transition`]); reaching a final outcome
/// clears the exact location. A call whose text was shredded keeps its
/// text fields empty ([`CallError::Shredded`]). A new received time is
/// held to the same rules as a new call's: at most a day ahead, and not
/// before the retention period ([`CallError::OlderThanRetention`]). Changed
/// notes that the notes check flags are refused
/// ([`CallError::NotesFlagged`]); [`update_with`] can store them.
pub fn update(vault: &Vault, id: CallId, update: CallUpdate) -> Result<(), CallError> {
    update_with(vault, id, update, FlaggedNotes::Refuse).map(drop)
}

/// [`update`], storing changed notes the notes check flags if `notes`
/// accepts them; returns the fields changed, as the history records them
/// (none if the update changed nothing).
pub fn update_with(
    vault: &Vault,
    id: CallId,
    update: CallUpdate,
    notes: FlaggedNotes,
) -> Result<Vec<FieldChange>, CallError> {
    let actor = Actor::of(vault);
    let tx = vault.write()?;
    let fields = update_in(&tx, &actor, id, update, Utc::now(), notes)?;
    tx.commit()?;
    Ok(fields)
}

/// Columns of a [`CallSummary`], in the order [`summary_from_row`] reads.
pub(crate) const SUMMARY_COLUMNS: &str = "c.uid, c.received_at, c.duration_seconds,
    c.volunteer, c.language, c.category, c.agency, a.name, c.verification, c.urgency,
    c.possibly_malicious, c.legal_hold, c.synthetic, c.shredded_at IS NOT NULL";

fn code_idx<T: std::str::FromStr>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|err| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(err)))
}

/// Read a [`CallSummary`] from a row of [`SUMMARY_COLUMNS`].
pub(crate) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<CallSummary> {
    let uid: String = row.get(0)?;
    let secs: i64 = row.get(1)?;
    Ok(CallSummary {
        id: uid.parse().map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err))
        })?,
        received_at: from_unix(secs).ok_or(rusqlite::Error::IntegralValueOutOfRange(1, secs))?,
        duration_seconds: row.get(2)?,
        volunteer: row.get(3)?,
        language: row.get(4)?,
        category: code_idx(row, 5)?,
        agency: code_idx(row, 6)?,
        area: row.get(7)?,
        verification: code_idx(row, 8)?,
        urgency: code_idx(row, 9)?,
        possibly_malicious: row.get(10)?,
        legal_hold: row.get(11)?,
        synthetic: row.get(12)?,
        shredded: row.get(13)?,
    })
}

/// Calls matching `filter`, newest received first.
pub fn list(vault: &Vault, filter: &CallFilter) -> Result<Vec<CallSummary>, CallError> {
    list_in(vault.read(), filter)
}

pub(crate) fn list_in(
    conn: Reader<'_>,
    filter: &CallFilter,
) -> Result<Vec<CallSummary>, CallError> {
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM calls c LEFT JOIN areas a ON a.id = c.area_id WHERE 1"
    );
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(verification) = filter.verification {
        sql.push_str(" AND c.verification = ?");
        params.push(Box::new(verification.as_str()));
    }
    if let Some(category) = filter.category {
        sql.push_str(" AND c.category = ?");
        params.push(Box::new(category.as_str()));
    }
    if let Some(area) = &filter.area {
        let area_id: i64 = conn
            .prepare_cached("SELECT id FROM areas WHERE name = ?1")?
            .query_row([area], |r| r.get(0))
            .optional()?
            .ok_or(CallError::UnknownArea)?;
        sql.push_str(" AND c.area_id = ?");
        params.push(Box::new(area_id));
    }
    if let Some(from) = filter.from {
        sql.push_str(" AND c.received_at >= ?");
        params.push(Box::new(unix(from)));
    }
    if let Some(to) = filter.to {
        sql.push_str(" AND c.received_at < ?");
        params.push(Box::new(unix(to)));
    }
    sql.push_str(" ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?");
    params.push(Box::new(filter.limit.min(MAX_LIST_LIMIT)));
    params.push(Box::new(filter.offset));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            summary_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
