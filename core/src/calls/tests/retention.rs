//! Retention: free text is shredded for real, structured fields stay.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::*;
use crate::calls::retention::{ShredMode, shred_in};
use crate::calls::store::{Actor, create_in};
use crate::calls::{FlaggedNotes, OldCalls};
use crate::codes::{Agency, Verification};
use crate::vault::Write;

/// Distinctive words: no other test text shares their first letters, so
/// the FTS index (which stores terms with shared prefixes compressed) keeps
/// each word's tail intact, and the tails can be searched for in raw bytes.
const SHREDDED: &str = "qzvexorbitant";
const SHREDDED_TAIL: &str = "exorbitant";
const KEPT: &str = "qjwombatish";
const KEPT_TAIL: &str = "wombatish";
const HELD: &str = "qkpangolinry";

/// An old call carrying `word` in every free-text field.
fn old_call_with(word: &str, age_days: i64) -> NewCall {
    let mut c = call_with(
        &format!("Caller said {word} twice"),
        Duration::days(age_days),
    );
    c.verification = Verification::Dispatched;
    c.agency = Agency::IceEro;
    c.category = Category::IceHomeDoor;
    c.people_affected = Some(3);
    c.referrals = vec![crate::referrals::BUILTIN[0].to_string()];
    c.exact_location = Some(format!("{word} street"));
    c.contact_name = Some(format!("{word} contact"));
    c.contact_phone = Some("608-555-0199".into());
    c.salute = Salute {
        size: Some(format!("{word} size")),
        activity: Some(format!("{word} activity")),
        location: Some(format!("{word} location")),
        uniform: Some(format!("{word} uniform")),
        time: Some(format!("{word} time")),
        equipment: Some(format!("{word} equipment")),
    };
    c.followups = vec![NewFollowUp {
        what: format!("ask about {word}"),
        due: (Utc::now() - Duration::days(age_days - 1)).date_naive(),
        done: false,
    }];
    c
}

fn ids(found: Vec<CallSummary>) -> Vec<CallId> {
    found.into_iter().map(|s| s.id).collect()
}

#[test]
fn old_text_is_shredded_structure_kept_and_held_calls_skipped() {
    let fx = Fixture::new();
    set_retention_days(&fx.vault.coordinator().unwrap(), 30).unwrap();
    let old = create_old(&fx.vault, old_call_with(SHREDDED, 40));
    let held = create_old(&fx.vault, old_call_with(HELD, 40));
    let fresh = create_old(&fx.vault, old_call_with(KEPT, 10));
    set_legal_hold(&fx.vault.coordinator().unwrap(), held, true).unwrap();
    let before = get(&fx.vault, old).unwrap();

    let preview = purge_preview(&fx.vault, Utc::now()).unwrap();
    assert_eq!(
        (
            preview.calls_to_shred,
            preview.calls_held,
            preview.retention_days
        ),
        (1, 1, 30)
    );
    // A preview changes nothing.
    assert_eq!(get(&fx.vault, old).unwrap(), before);

    let report = purge_expired(&fx.vault, Utc::now()).unwrap();
    assert_eq!(report.calls_shredded, 1);
    assert!(report.checkpointed);

    let after = get(&fx.vault, old).unwrap();
    // Free text is gone …
    assert_eq!(after.notes, "");
    assert_eq!(after.exact_location, None);
    assert_eq!(after.contact_name, None);
    assert_eq!(after.contact_phone, None);
    assert_eq!(after.salute, Salute::default());
    assert_eq!(after.followups.len(), 1);
    assert_eq!(after.followups[0].what, "");
    assert!(after.shredded_at.is_some());
    // … structured fields stay for statistics.
    assert_eq!(after.received_at, before.received_at);
    assert_eq!(after.category, Category::IceHomeDoor);
    assert_eq!(after.agency, Agency::IceEro);
    assert_eq!(after.verification, Verification::Dispatched);
    assert_eq!(after.area, before.area);
    assert_eq!(after.language, "es");
    assert_eq!(after.people_affected, Some(3));
    assert_eq!(after.referrals, before.referrals);
    assert_eq!(after.followups[0].due, before.followups[0].due);
    let listed = list(&fx.vault, &CallFilter::default()).unwrap();
    let shredded: Vec<CallId> = listed.iter().filter(|s| s.shredded).map(|s| s.id).collect();
    assert_eq!(shredded, [old]);

    // The held and the recent call keep their text.
    assert!(get(&fx.vault, held).unwrap().notes.contains(HELD));
    assert!(get(&fx.vault, fresh).unwrap().notes.contains(KEPT));
    // Search no longer finds the shredded word.
    assert!(search(&fx.vault, SHREDDED, 10).unwrap().is_empty());
    assert_eq!(ids(search(&fx.vault, HELD, 10).unwrap()), [held]);
    assert_eq!(ids(search(&fx.vault, KEPT, 10).unwrap()), [fresh]);
    // The search index still matches its content.
    fx.vault
        .conn()
        .execute(
            "INSERT INTO calls_fts (calls_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();

    // Shredding happens once; the history says so.
    assert_eq!(
        purge_expired(&fx.vault, Utc::now()).unwrap().calls_shredded,
        0
    );
    let last = history(&fx.vault, old).unwrap().pop().unwrap();
    assert_eq!(last.action, HistoryAction::Shredded);

    // Text fields of a shredded call stay empty; structured edits still work.
    let err = update(
        &fx.vault,
        old,
        CallUpdate {
            notes: Some("new text".into()),
            ..CallUpdate::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, CallError::Shredded));
    assert!(matches!(
        add_followup(
            &fx.vault,
            old,
            NewFollowUp {
                what: "x".into(),
                due: Utc::now().date_naive(),
                done: false
            }
        ),
        Err(CallError::Shredded)
    ));
    update(
        &fx.vault,
        old,
        CallUpdate {
            verification: Some(Verification::Confirmed),
            ..CallUpdate::default()
        },
    )
    .unwrap();

    // Lifting the hold lets the next purge shred it.
    set_legal_hold(&fx.vault.coordinator().unwrap(), held, false).unwrap();
    assert_eq!(
        purge_expired(&fx.vault, Utc::now()).unwrap().calls_shredded,
        1
    );
    assert_eq!(get(&fx.vault, held).unwrap().notes, "");
}

#[test]
fn purges_are_audited_with_counts_only() {
    let fx = Fixture::new();
    create_old(&fx.vault, old_call_with(SHREDDED, 200));
    purge_expired(&fx.vault, Utc::now()).unwrap();
    let held = create_old(&fx.vault, old_call_with(HELD, 5));
    set_legal_hold(&fx.vault.coordinator().unwrap(), held, true).unwrap();
    let rows: Vec<(String, String)> = fx
        .vault
        .conn()
        .prepare("SELECT action, params FROM audit_log WHERE action LIKE 'calls.%' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows[0].0, "calls.purge");
    let params: serde_json::Value = serde_json::from_str(&rows[0].1).unwrap();
    assert_eq!(params["calls_shredded"], 1);
    assert_eq!(params["drafts_removed"], 0);
    assert_eq!(params["retention_days"], 90);
    assert_eq!(rows[1].0, "calls.legal_hold");
    for (_, params) in &rows {
        assert!(!params.contains(SHREDDED) && !params.contains(HELD));
    }
}

#[test]
fn shred_at_follows_the_retention_period() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call_with("x", Duration::days(3))).unwrap();
    let stored = get(&fx.vault, id).unwrap();
    assert_eq!(
        shred_at(&fx.vault, &stored).unwrap(),
        Some(stored.received_at + Duration::days(90))
    );
    set_retention_days(&fx.vault.coordinator().unwrap(), 14).unwrap();
    assert_eq!(
        shred_at(&fx.vault, &stored).unwrap(),
        Some(stored.received_at + Duration::days(14))
    );
    set_legal_hold(&fx.vault.coordinator().unwrap(), id, true).unwrap();
    assert_eq!(
        shred_at(&fx.vault, &get(&fx.vault, id).unwrap()).unwrap(),
        None
    );
    set_legal_hold(&fx.vault.coordinator().unwrap(), id, false).unwrap();
    purge_expired(&fx.vault, in_days(30)).unwrap();
    assert_eq!(
        shred_at(&fx.vault, &get(&fx.vault, id).unwrap()).unwrap(),
        None
    );
}

#[test]
fn old_drafts_are_deleted_by_the_purge() {
    let fx = Fixture::new();
    save_draft(&fx.vault, &serde_json::json!({ "notes": SHREDDED })).unwrap();
    let report = purge_expired(&fx.vault, Utc::now()).unwrap();
    assert_eq!(report.drafts_removed, 0);
    assert!(load_draft(&fx.vault).unwrap().is_some());
    assert_eq!(
        purge_preview(&fx.vault, in_days(91))
            .unwrap()
            .drafts_to_remove,
        1
    );
    let report = purge_expired(&fx.vault, in_days(91)).unwrap();
    assert_eq!(report.drafts_removed, 1);
    assert!(load_draft(&fx.vault).unwrap().is_none());
}

/// Whether any text or blob stored in any table of `conn` contains `needle`.
fn stored_anywhere(conn: &Connection, needle: &str) -> bool {
    let tables = table_names(conn);
    let needle = needle.as_bytes();
    for table in tables {
        // Table names come from sqlite_master, not from input.
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                let bytes = match row.get_ref(i).unwrap() {
                    ValueRef::Text(b) | ValueRef::Blob(b) => b,
                    _ => continue,
                };
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether the database file or its WAL contains `needle` as raw bytes.
fn in_files(db: &std::path::Path, needle: &str) -> bool {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), std::path::PathBuf::from(wal)]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

#[test]
fn shredded_words_leave_no_trace_in_the_vault() {
    let fx = Fixture::new();
    create_old(&fx.vault, old_call_with(SHREDDED, 100));
    create_old(&fx.vault, old_call_with(KEPT, 1));
    let conn = fx.vault.conn();
    // The search index holds both words' tails before the purge.
    assert!(stored_anywhere(conn, SHREDDED_TAIL));
    assert!(stored_anywhere(conn, KEPT_TAIL));

    purge_expired(&fx.vault, Utc::now()).unwrap();
    // No table, including the search index's segments, holds the word.
    assert!(!stored_anywhere(conn, SHREDDED_TAIL));
    assert!(stored_anywhere(conn, KEPT_TAIL));
    // The files are encrypted: neither word is readable in them.
    let db = fx.dir.path().join("hotline.db");
    assert!(!in_files(&db, SHREDDED_TAIL));
    assert!(!in_files(&db, KEPT_TAIL));
}

/// The same purge on an unencrypted database with the vault's settings, so
/// the bytes on disk can be read: after the purge and checkpoint, the
/// shredded word is in neither the database file nor the WAL, while the
/// word of a kept call still is (proving the scan sees plaintext).
fn overwritten_on_disk(mode: ShredMode) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let mut conn = Connection::open(&path).unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
    )
    .unwrap();
    crate::store::migrations::migrate(&mut conn).unwrap();
    // The volunteer of a call must be a user of the vault.
    conn.execute(
        "INSERT INTO users (handle, role, created_at) VALUES ('river-7', 'coordinator', 0)",
        [],
    )
    .unwrap();
    let actor = Actor {
        handle: "river-7".into(),
        coordinator: true,
    };
    // Long notes, so some text lives in overflow pages that get freed; and
    // other calls, old and new, around it.
    let long = format!("{} {SHREDDED}", "filler words ".repeat(800));
    let tx = Write::begin(&conn, "river-7").unwrap();
    crate::demo::insert_demo(&tx, "river-7", 300, 5, Utc::now()).unwrap();
    let mut old = old_call_with(SHREDDED, 100);
    old.notes = long;
    create_in(
        &tx,
        &actor,
        old,
        Utc::now(),
        OldCalls::Accept,
        FlaggedNotes::Refuse,
    )
    .unwrap();
    for i in 0..50 {
        create_in(
            &tx,
            &actor,
            call(&format!("padding call {i}")),
            Utc::now(),
            OldCalls::Accept,
            FlaggedNotes::Refuse,
        )
        .unwrap();
    }
    create_in(
        &tx,
        &actor,
        old_call_with(KEPT, 1),
        Utc::now(),
        OldCalls::Accept,
        FlaggedNotes::Refuse,
    )
    .unwrap();
    tx.commit().unwrap();
    assert!(checkpoint(&conn).unwrap());
    assert!(in_files(&path, SHREDDED_TAIL), "the scan sees plaintext");

    let now = Utc::now();
    let tx = Write::begin(&conn, "river-7").unwrap();
    let (shredded, _) = shred_in(&tx, "river-7", now - Duration::days(90), now, mode).unwrap();
    tx.commit().unwrap();
    assert!(shredded > 1);
    assert!(checkpoint(&conn).unwrap());

    assert!(!in_files(&path, SHREDDED_TAIL), "{mode:?}");
    assert!(!in_files(&path, SHREDDED), "{mode:?}");
    assert!(in_files(&path, KEPT_TAIL));
    assert!(!stored_anywhere(&conn, SHREDDED_TAIL));
    conn.execute(
        "INSERT INTO calls_fts (calls_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap();
    drop(conn);
    assert!(!in_files(&path, SHREDDED_TAIL));
}

#[test]
fn shredded_words_are_overwritten_on_disk_row_by_row() {
    overwritten_on_disk(ShredMode::RowByRow);
}

#[test]
fn shredded_words_are_overwritten_on_disk_in_bulk() {
    overwritten_on_disk(ShredMode::Bulk);
}

#[test]
fn a_backup_never_carries_text_retention_should_have_shredded_and_says_where_it_is() {
    use crate::vault::{BackupLocation, Vault};
    let fx = Fixture::new();
    let c = fx.vault.coordinator().unwrap();
    set_retention_days(&c, 30).unwrap();
    create_old(&fx.vault, old_call_with(SHREDDED, 40));
    create(&fx.vault, old_call_with(KEPT, 5)).unwrap();

    let inside = fx.vault.data_dir().join("inside.hlbk");
    let report = c.backup(&inside).unwrap();
    assert_eq!(report.calls_shredded, 1, "retention ran first");
    assert_eq!(report.location, BackupLocation::InsideDataFolder);
    assert!(report.location.warning().unwrap().contains("erases it too"));

    let elsewhere = tempfile::tempdir().unwrap();
    let beside = elsewhere.path().join("beside.hlbk");
    let report = c.backup(&beside).unwrap();
    assert_eq!(report.calls_shredded, 0);
    assert_eq!(report.location, BackupLocation::SameDisk);
    assert!(report.location.warning().unwrap().contains("second copy"));

    // Restored, the backup has the recent call's text and not the old one's.
    let restored = Vault::restore(
        &elsewhere.path().join("restored"),
        &inside,
        COORDINATOR,
        &PASS.into(),
    )
    .unwrap();
    assert!(ids(search(&restored, SHREDDED, 10).unwrap()).is_empty());
    assert_eq!(ids(search(&restored, KEPT, 10).unwrap()).len(), 1);
    let bytes = std::fs::read(&inside).unwrap();
    assert!(
        !bytes
            .windows(SHREDDED.len())
            .any(|w| w == SHREDDED.as_bytes())
    );
}

/// Copy the WAL of `conn` into the database and truncate it; whether that completed.
fn checkpoint(conn: &Connection) -> rusqlite::Result<bool> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

#[test]
fn edited_notes_keep_no_old_copy_and_are_shredded_on_schedule() {
    const FIRST: &str = "qbanteloper";
    const EDITED: &str = "qnumbatical";
    let fx = Fixture::new();
    let id = create(&fx.vault, call(FIRST)).unwrap();
    let before = shred_at(&fx.vault, &get(&fx.vault, id).unwrap()).unwrap();
    update(
        &fx.vault,
        id,
        CallUpdate {
            notes: Some(format!("corrected: {EDITED}")),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    let conn = fx.vault.conn();
    // Neither the history nor the search index keeps the old words.
    assert!(!stored_anywhere(conn, "anteloper"));
    assert!(stored_anywhere(conn, "umbatical"));
    // Editing the notes does not move their shred date.
    let after = shred_at(&fx.vault, &get(&fx.vault, id).unwrap()).unwrap();
    assert_eq!(before, after);

    let report = purge_expired(&fx.vault, in_days(i64::from(DEFAULT_RETENTION_DAYS) + 1)).unwrap();
    assert_eq!(report.calls_shredded, 1);
    let shredded = get(&fx.vault, id).unwrap();
    assert_eq!(shredded.notes, "");
    assert!(!stored_anywhere(conn, "umbatical"));
    let entries = history(&fx.vault, id).unwrap();
    let actions: Vec<HistoryAction> = entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            HistoryAction::Created,
            HistoryAction::Edited,
            HistoryAction::Shredded
        ]
    );
    assert_eq!(entries[1].fields, [FieldChange::text("notes")]);
}

#[test]
fn held_calls_lists_the_calls_on_hold_newest_first() {
    let fx = Fixture::new();
    let older = create(&fx.vault, call_with("a", Duration::days(5))).unwrap();
    let newer = create(&fx.vault, call_with("b", Duration::days(1))).unwrap();
    let free = create(&fx.vault, call_with("c", Duration::days(2))).unwrap();
    assert!(held_calls(&fx.vault).unwrap().is_empty());
    for id in [older, newer] {
        set_legal_hold(&fx.vault.coordinator().unwrap(), id, true).unwrap();
    }
    assert_eq!(ids(held_calls(&fx.vault).unwrap()), [newer, older]);
    set_legal_hold(&fx.vault.coordinator().unwrap(), older, false).unwrap();
    let held = held_calls(&fx.vault).unwrap();
    assert_eq!(ids(held.clone()), [newer]);
    assert!(held[0].legal_hold);
    assert!(!ids(held).contains(&free));
}
