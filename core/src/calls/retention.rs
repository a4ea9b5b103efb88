//! Retention: free text lives for a limited time, structured fields stay
//! for statistics.
//!
//! A coordinator chooses how long (7 to 365 days, default 90; stored in
//! the `settings` table as `retention_days`). When a call's received time
//! is older than that, [`purge_expired`] shreds its free text: notes,
//! exact location, contact name and phone, the six SALUTE texts and the
//! texts of its follow-up tasks. The fields are overwritten in place
//! (`secure_delete` is on, so SQLite zeroes the freed bytes), the search
//! index drops their terms (FTS5 `secure-delete`), and the write-ahead log
//! is checkpointed and truncated, so the text is gone from the files, not
//! just hidden. Drafts saved before the cut-off are deleted too.
//!
//! A coordinator can put a legal hold on a call: retention skips it until
//! the hold is lifted. Every purge run is audited with counts only.
//!
//! The retention period and the set of held calls are coordinator-signed
//! settings (`vault::signed`). A purge honours a hold that either the call's
//! `legal_hold` column or the signed set names, so a hold lifted without a
//! coordinator's signature stays; and it shreds nothing at all while the
//! signed retention or hold record is refused (missing, forged, unreadable):
//! never purge on a forged setting.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use super::history::{self, HistoryAction};
use super::store::{self, Actor, unix};
use super::{Call, CallError, CallId, CallSummary};
use crate::vault::signed::{self, RefusalReason, SettingKind, Signed};
use crate::vault::{Coordinator, CoordinatorKey, CoordinatorPublic, Reader, Vault, VaultError};

/// Retention unless a coordinator chose otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Shortest retention a coordinator can choose.
pub const MIN_RETENTION_DAYS: u32 = 7;
/// Longest retention a coordinator can choose.
pub const MAX_RETENTION_DAYS: u32 = 365;

/// Settings-table key of the retention period.
const RETENTION_KEY: &str = "retention_days";

/// What a purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Calls whose free text was shredded by this run.
    pub calls_shredded: u64,
    /// Drafts deleted for being older than the cut-off.
    pub drafts_removed: u64,
    /// The retention period applied.
    pub retention_days: u32,
    /// Calls received before this time were due.
    pub cutoff: DateTime<Utc>,
    /// Whether the write-ahead log was fully checkpointed and truncated
    /// (false if another process was reading at that moment; the next
    /// purge or lock finishes it).
    pub checkpointed: bool,
    /// Whether nothing was shredded because the signed retention or
    /// legal-hold record was refused (reported at the next coordinator
    /// unlock; a coordinator setting them again signs them anew).
    pub held_back: bool,
}

/// What a purge would do now ([`purge_preview`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PurgePreview {
    /// Calls whose free text would be shredded.
    pub calls_to_shred: u64,
    /// Calls past the cut-off kept because of a legal hold.
    pub calls_held: u64,
    /// Drafts that would be deleted.
    pub drafts_to_remove: u64,
    /// The retention period.
    pub retention_days: u32,
    /// Calls received before this time are due.
    pub cutoff: DateTime<Utc>,
    /// Whether a purge would shred nothing because the signed retention or
    /// legal-hold record is refused (as [`PurgeReport::held_back`]).
    pub held_back: bool,
}

/// The retention period in days (default 90; the default too while its
/// signed record is refused).
pub fn retention_days(vault: &Vault) -> Result<u32, CallError> {
    Ok(retention_in(vault.read(), vault.coordinator_public())?.days)
}

/// The retention period as read for use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retention {
    /// The days to apply.
    pub(crate) days: u32,
    /// Whether they may be applied: false while the signed record is refused.
    pub(crate) trusted: bool,
}

/// The retention period, from its signed record (checked against `public`).
pub(crate) fn retention_in(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Retention, CallError> {
    let in_range = |d: &u32| (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(d);
    Ok(
        match signed::read::<u32>(conn, public, SettingKind::Retention)? {
            Signed::Valid(days) => Retention {
                days: Some(days)
                    .filter(in_range)
                    .unwrap_or(DEFAULT_RETENTION_DAYS),
                trusted: true,
            },
            Signed::Unprotected => Retention {
                days: plain_retention_days(conn)?.unwrap_or(DEFAULT_RETENTION_DAYS),
                trusted: true,
            },
            Signed::Refused(_) => Retention {
                days: DEFAULT_RETENTION_DAYS,
                trusted: false,
            },
        },
    )
}

/// The retention period in the `settings` table (the plain copy), if set
/// and in range.
fn plain_retention_days(conn: Reader<'_>) -> rusqlite::Result<Option<u32>> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([RETENTION_KEY], |r| r.get(0))
        .optional()?;
    Ok(stored
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|d| (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(d)))
}

/// The calls under legal hold by their `legal_hold` column.
fn held_by_column(conn: Reader<'_>) -> rusqlite::Result<BTreeSet<String>> {
    conn.prepare_cached("SELECT uid FROM calls WHERE legal_hold = 1 AND origin_laptop IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// The calls a purge must keep besides those whose column says so (the
/// signed hold set), or `None` if the signed record is refused.
fn signed_holds(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Option<BTreeSet<String>>, CallError> {
    Ok(
        match signed::read::<BTreeSet<String>>(conn, public, SettingKind::LegalHolds)? {
            Signed::Valid(set) => Some(set),
            Signed::Unprotected => Some(BTreeSet::new()),
            Signed::Refused(_) => None,
        },
    )
}

/// Sign the current retention period and holds as they stand (when the
/// coordinator key is created: a new vault, or an older one at its first
/// coordinator unlock).
pub(crate) fn sign_current(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    let days = plain_retention_days(conn.into())?.unwrap_or(DEFAULT_RETENTION_DAYS);
    signed::write_with(conn, key, actor, SettingKind::Retention, &days)?;
    let held = held_by_column(conn.into())?;
    signed::write_with(conn, key, actor, SettingKind::LegalHolds, &held)
}

/// What the signed retention and hold records say against the plain
/// copies: each refusal, for the sweep at unlock (`vault::signed::sweep`).
pub(crate) fn refusals(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<(SettingKind, RefusalReason)>, VaultError> {
    let mut found = Vec::new();
    match signed::read::<u32>(conn, public, SettingKind::Retention)? {
        Signed::Valid(days) => {
            if plain_retention_days(conn)?.unwrap_or(DEFAULT_RETENTION_DAYS) != days {
                found.push((
                    SettingKind::Retention,
                    RefusalReason::ChangedWithoutSignature,
                ));
            }
        }
        Signed::Unprotected => {}
        Signed::Refused(reason) => found.push((SettingKind::Retention, reason)),
    }
    match signed::read::<BTreeSet<String>>(conn, public, SettingKind::LegalHolds)? {
        Signed::Valid(set) => {
            if held_by_column(conn)? != set {
                found.push((
                    SettingKind::LegalHolds,
                    RefusalReason::ChangedWithoutSignature,
                ));
            }
        }
        Signed::Unprotected => {}
        Signed::Refused(reason) => found.push((SettingKind::LegalHolds, reason)),
    }
    Ok(found)
}

pub(crate) fn retention_days_in(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<u32, CallError> {
    Ok(retention_in(conn, public)?.days)
}

/// Store `days` as the retention period's plain copy, for a local change and for the team's
/// update (each writes the signed record beside it).
pub(crate) fn store_plain(conn: &Connection, days: u32) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (RETENTION_KEY, days.to_string()),
    )?;
    Ok(())
}

/// Set the retention period, 7 to 365 days (coordinators only; audited).
pub fn set_retention_days(vault: &Coordinator<'_>, days: u32) -> Result<(), CallError> {
    if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&days) {
        return Err(CallError::InvalidRetention {
            days,
            min: MIN_RETENTION_DAYS,
            max: MAX_RETENTION_DAYS,
        });
    }
    let mut tx = vault.write()?;
    store_plain(&tx, days)?;
    signed::write(&tx, SettingKind::Retention, &days)?;
    tx.audit("settings.retention", json!({ "days": days }));
    tx.commit()?;
    Ok(())
}

/// When `call`'s free text will be shredded, with a retention of
/// `retention_days`: `None` if it is under legal hold or already shredded.
pub fn shred_time(call: &Call, retention_days: u32) -> Option<DateTime<Utc>> {
    if call.legal_hold || call.shredded_at.is_some() {
        None
    } else {
        Some(call.received_at + Duration::days(i64::from(retention_days)))
    }
}

/// When `call`'s free text will be shredded under this vault's retention
/// (see [`shred_time`]). The shredding happens at the first purge after
/// that time (purges run when the vault is unlocked).
pub fn shred_at(vault: &Vault, call: &Call) -> Result<Option<DateTime<Utc>>, CallError> {
    Ok(shred_time(call, retention_days(vault)?))
}

/// Calls received before the returned time are due for shredding.
fn cutoff(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - Duration::days(i64::from(days))
}

fn count(conn: Reader<'_>, sql: &str, cutoff: DateTime<Utc>) -> Result<u64, CallError> {
    let n: i64 = conn
        .prepare_cached(sql)?
        .query_row([unix(cutoff)], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

const OLD_DRAFTS: &str = "SELECT count(*) FROM call_drafts WHERE saved_at < ?1";
const PAST_CUTOFF: &str = "SELECT count(*) FROM calls
     WHERE received_at < ?1 AND shredded_at IS NULL";

/// What [`purge_expired`] would do at `now`, without changing anything:
/// the same retention and the same signed hold set as the purge, so the
/// two never disagree.
pub fn purge_preview(vault: &Vault, now: DateTime<Utc>) -> Result<PurgePreview, CallError> {
    let conn = vault.read();
    let public = vault.coordinator_public();
    let retention = retention_in(conn, public)?;
    let retention_days = retention.days;
    let cutoff = cutoff(now, retention_days);
    let past_cutoff = count(conn, PAST_CUTOFF, cutoff)?;
    let keep = signed_holds(conn, public)?;
    let Some(keep) = keep.filter(|_| retention.trusted) else {
        // The purge keeps everything: so does its preview.
        return Ok(PurgePreview {
            calls_to_shred: 0,
            calls_held: past_cutoff,
            drafts_to_remove: 0,
            retention_days,
            cutoff,
            held_back: true,
        });
    };
    let calls_to_shred = due_calls(conn, cutoff, now, &keep)?.len() as u64;
    Ok(PurgePreview {
        calls_to_shred,
        calls_held: past_cutoff.saturating_sub(calls_to_shred),
        drafts_to_remove: count(conn, OLD_DRAFTS, cutoff)?,
        retention_days,
        cutoff,
        held_back: false,
    })
}

/// The calls due for shredding: received before `cutoff`, not shredded
/// yet, held neither by their `legal_hold` column nor by `keep` (the signed
/// hold set).
fn due_calls(
    conn: Reader<'_>,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    keep: &BTreeSet<String>,
) -> Result<Vec<i64>, CallError> {
    // A call handed in from another laptop is shredded by the date it
    // brought (its origin's retention), not by this laptop's.
    Ok(conn
        .prepare_cached(
            "SELECT id, uid FROM calls
             WHERE received_at < ?1 AND shredded_at IS NULL AND legal_hold = 0
                 AND origin_laptop IS NULL
             UNION ALL
             SELECT id, uid FROM calls
             WHERE origin_laptop IS NOT NULL AND shred_due_at <= ?2
                 AND shredded_at IS NULL AND legal_hold = 0",
        )?
        .query_map([unix(cutoff), unix(now)], |r| {
            Ok((r.get(0)?, r.get::<_, String>(1)?))
        })?
        .filter(|row| !matches!(row, Ok((_, uid)) if keep.contains(uid)))
        .map(|row| row.map(|(id, _)| id))
        .collect::<Result<_, _>>()?)
}

/// From how many due calls a purge shreds in bulk (see [`ShredMode`]).
pub(crate) const BULK_SHRED_MIN: usize = 500;

/// How the search index forgets shredded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShredMode {
    /// Bulk for [`BULK_SHRED_MIN`] calls or more, else row by row.
    Auto,
    /// Row by row with FTS5 `secure-delete`: each removal rewrites the
    /// index pages holding the row's terms. Right for the few calls a
    /// daily purge finds; slow for tens of thousands.
    RowByRow,
    /// `secure-delete` off while the rows are cleared (FTS5 only records
    /// deletions), then `optimize` merges the whole index into one new
    /// segment without the deleted entries; the old segments are deleted
    /// and, with `secure_delete`, zeroed. Seconds for 100 000 calls.
    Bulk,
}

/// Shred the free text of every call received before `cutoff` that is not
/// held or shredded yet, and delete drafts saved before it. Returns
/// (calls shredded, drafts removed).
pub(crate) fn shred_in(
    tx: &Connection,
    actor: &str,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
    mode: ShredMode,
    keep: &BTreeSet<String>,
) -> Result<(u64, u64), CallError> {
    let due = due_calls(tx.into(), cutoff, now, keep)?;
    let mode = match mode {
        ShredMode::Auto if due.len() >= BULK_SHRED_MIN => ShredMode::Bulk,
        ShredMode::Auto => ShredMode::RowByRow,
        chosen => chosen,
    };
    let bulk = mode == ShredMode::Bulk && !due.is_empty();
    if bulk {
        tx.execute(
            "INSERT INTO calls_fts (calls_fts, rank) VALUES ('secure-delete', 0)",
            [],
        )?;
    }
    let mut shred = tx.prepare_cached(&super::fields::SHRED_SQL)?;
    let mut tasks = tx.prepare_cached("UPDATE call_followups SET what = '' WHERE call_id = ?1")?;
    for &row in &due {
        shred.execute((row, unix(now)))?;
        tasks.execute([row])?;
        super::handoff::shred_events(tx, row)?;
        history::record(tx, row, actor, HistoryAction::Shredded, &[], now)?;
    }
    if bulk {
        tx.execute_batch(
            "INSERT INTO calls_fts (calls_fts) VALUES ('optimize');
             INSERT INTO calls_fts (calls_fts, rank) VALUES ('secure-delete', 1);",
        )?;
    }
    let drafts = tx
        .prepare_cached("DELETE FROM call_drafts WHERE saved_at < ?1")?
        .execute([unix(cutoff)])?;
    Ok((due.len() as u64, drafts as u64))
}

/// Shred the free text of calls older than the retention period (except
/// those under legal hold), delete old drafts, and checkpoint the WAL.
/// Any user may run it. The shell runs it after each unlock once the
/// background integrity check has found the vault sound; the CLI runs it
/// after unlock when something is due, after the same check.
/// Each run is audited as `calls.purge` with its counts.
pub fn purge_expired(vault: &Vault, now: DateTime<Utc>) -> Result<PurgeReport, CallError> {
    let actor = Actor::of(vault);
    let public = vault.coordinator_public();
    let mut tx = vault.write()?;
    let retention = retention_in(tx.read(), public)?;
    let retention_days = retention.days;
    let cutoff = cutoff(now, retention_days);
    let keep = signed_holds(tx.read(), public)?;
    let Some(keep) = keep.filter(|_| retention.trusted) else {
        // A refused retention or hold record: keep everything.
        return Ok(PurgeReport {
            calls_shredded: 0,
            drafts_removed: 0,
            retention_days,
            cutoff,
            checkpointed: false,
            held_back: true,
        });
    };
    let (calls_shredded, drafts_removed) =
        shred_in(&tx, &actor.handle, cutoff, now, ShredMode::Auto, &keep)?;
    tx.audit(
        "calls.purge",
        json!({
            "calls_shredded": calls_shredded,
            "drafts_removed": drafts_removed,
            "retention_days": retention_days,
        }),
    );
    tx.commit()?;
    // Keep the query planner's statistics current (cheap when they are).
    vault.optimize()?;
    let checkpointed = vault.checkpoint_now()?;
    Ok(PurgeReport {
        calls_shredded,
        drafts_removed,
        retention_days,
        cutoff,
        checkpointed,
        held_back: false,
    })
}

/// Put a legal hold on the call `id`, or lift it (coordinators only;
/// audited and recorded in the call's history). A held call is skipped by
/// retention; once the hold is lifted, the next purge shreds it if it is
/// past the retention period.
pub fn set_legal_hold(vault: &Coordinator<'_>, id: CallId, hold: bool) -> Result<(), CallError> {
    let actor = Actor::of(vault);
    let now = Utc::now();
    let mut tx = vault.write()?;
    let row = store::row_id(tx.read(), id)?;
    let changed = tx
        .prepare_cached("UPDATE calls SET legal_hold = ?2 WHERE id = ?1 AND legal_hold != ?2")?
        .execute((row, hold))?;
    let mut held = match signed::read(
        tx.read(),
        vault.coordinator_public(),
        SettingKind::LegalHolds,
    )? {
        Signed::Valid(set) => set,
        Signed::Unprotected | Signed::Refused(_) => held_by_column(tx.read())?,
    };
    if hold {
        held.insert(id.to_string());
    } else {
        held.remove(&id.to_string());
    }
    signed::write(&tx, SettingKind::LegalHolds, &held)?;
    if changed > 0 {
        let action = if hold {
            HistoryAction::LegalHoldOn
        } else {
            HistoryAction::LegalHoldOff
        };
        history::record_by(&tx, row, &actor, action, now)?;
        super::handoff::record_if_shared(
            &tx,
            id,
            "legal_hold",
            serde_json::json!(hold),
            &actor.handle,
        )?;
        tx.audit(
            "calls.legal_hold",
            json!({ "call": id.to_string(), "hold": hold }),
        );
    }
    tx.commit()?;
    Ok(())
}

/// The calls on legal hold, newest received first (what a coordinator
/// reviews before lifting holds).
pub fn held_calls(vault: &Vault) -> Result<Vec<CallSummary>, CallError> {
    let sql = format!(
        "SELECT {} FROM calls c LEFT JOIN areas a ON a.id = c.area_id
         WHERE c.legal_hold = 1 ORDER BY c.received_at DESC, c.id DESC",
        store::SUMMARY_COLUMNS
    );
    let mut stmt = vault.read().prepare(&sql)?;
    let held = stmt
        .query_map([], store::summary_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(held)
}
