//! Case handoff and the event log between real vaults enrolled in one
//! team: three vaults are three laptops; documents travel as bytes.

use chrono::{Duration, Local, Utc};
use proptest::prelude::*;
use tempfile::TempDir;
use uuid::Uuid;

use super::*;
use crate::codes::Verification;
use crate::team::testing::join;
use crate::vault::{Passphrase, Vault};

const CANARY: &str = "CANARY-91c4-case-handoff";
const SHARED: &str = "SHARED-5d2e-next-shift";

struct Laptop {
    _dir: TempDir,
    vault: Vault,
    id: Uuid,
}

/// A coordinator laptop that created the team and `n - 1` laptops enrolled.
fn laptops(n: usize) -> Vec<Laptop> {
    let mut out: Vec<Laptop> = Vec::new();
    for i in 0..n {
        let dir = tempfile::tempdir().unwrap();
        let vault =
            Vault::create(dir.path(), &format!("vol-{i}"), &Passphrase::from(PASS)).unwrap();
        if i == 0 {
            crate::team::create_team(&vault.coordinator().unwrap(), "Dane hotline").unwrap();
        } else {
            join(
                &out[0_usize].vault,
                &vault,
                &format!("laptop {i}"),
                dir.path(),
            );
        }
        let id = crate::team::laptop(&vault)
            .unwrap()
            .laptop_id
            .parse()
            .unwrap();
        out.push(Laptop {
            _dir: dir,
            vault,
            id,
        });
    }
    out
}

fn task(what: &str, days: i64) -> NewFollowUp {
    NewFollowUp {
        what: what.into(),
        due: Local::now().date_naive() + Duration::days(days),
        done: false,
    }
}

/// A call with the canary in its notes and contact details, and a task due today.
fn open_case(vault: &Vault) -> CallId {
    let mut call = call_with(&format!("unmarked {CANARY}"), Duration::minutes(30));
    call.contact_phone = Some(format!("608-{CANARY}"));
    call.salute.size = Some(format!("two {CANARY}"));
    call.followups.push(task("call the family back", 0));
    create(vault, call).unwrap()
}

fn send(from: &Laptop, to: &Laptop) -> Option<Vec<u8>> {
    case_document_for(&from.vault, &to.id.to_string()).unwrap()
}

fn counts(vault: &Vault) -> i64 {
    vault
        .conn()
        .query_row("SELECT coalesce(sum(n), 0) FROM call_counts", [], |r| {
            r.get(0)
        })
        .unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn an_open_case_is_due_on_the_next_laptop_without_its_unmarked_text() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    let id = open_case(&a.vault);
    let doc = send(a, b).expect("an open case travels");
    assert!(!contains(&doc, CANARY), "unmarked text never travels");
    assert!(send(a, b).is_none(), "nothing new for the same laptop");

    let before = counts(&b.vault);
    let applied = apply_case_document(&b.vault, &a.id.to_string(), &doc).unwrap();
    assert_eq!(applied.handoffs, 1);
    assert!(applied.events >= 5, "{applied:?}");
    let call = get(&b.vault, id).unwrap();
    assert_eq!(call.origin_laptop, Some(a.id.to_string()));
    assert_eq!(call.notes, "");
    assert_eq!(call.contact_phone, None);
    assert_eq!(call.salute, Salute::default());
    assert_eq!(call.category, get(&a.vault, id).unwrap().category);
    assert_eq!(call.case_state, CaseState::Open);
    let due = followups(&b.vault, &Local::now()).unwrap();
    assert_eq!(due.len(), 1, "the follow-up is due on the second desk");
    assert_eq!(due[0].call, id);
    assert_eq!(
        due[0].what, "",
        "its text was not marked for the next shift"
    );
    assert_eq!(
        counts(&b.vault),
        before,
        "a handed-in call counts nowhere here"
    );

    let again = apply_case_document(&b.vault, &a.id.to_string(), &doc).unwrap();
    assert_eq!(again, Applied::default(), "a duplicate changes nothing");
}

#[test]
fn only_text_marked_for_the_next_shift_travels_and_never_contact_details() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    let mut call = call_with(
        &format!("for the next shift {SHARED}"),
        Duration::minutes(30),
    );
    call.contact_phone = Some(format!("608-{CANARY}"));
    call.exact_location = Some(format!("corner {CANARY}"));
    call.followups.push(task(&format!("ask {SHARED}"), 1));
    let id = create(&a.vault, call).unwrap();
    assert!(!get(&a.vault, id).unwrap().share_text, "off by default");
    set_share_text(&a.vault, id, true).unwrap();
    assert!(get(&a.vault, id).unwrap().share_text);
    let doc = send(a, b).unwrap();
    assert!(contains(&doc, SHARED));
    assert!(!contains(&doc, CANARY), "contact details never travel");
    apply_case_document(&b.vault, &a.id.to_string(), &doc).unwrap();
    let call = get(&b.vault, id).unwrap();
    assert_eq!(call.notes, format!("for the next shift {SHARED}"));
    assert_eq!(call.followups[0].what, format!("ask {SHARED}"));
    assert_eq!(call.exact_location, None);
}

#[test]
fn closed_synthetic_and_shredded_cases_do_not_travel_and_shredded_text_is_in_no_document() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    let closed = create(&a.vault, call_with("", Duration::minutes(5))).unwrap();
    close_case(&a.vault, closed).unwrap();
    let old = create_old(&a.vault, call_with(CANARY, Duration::days(200)));
    set_share_text(&a.vault, old, true).unwrap();
    purge_expired(&a.vault, Utc::now()).unwrap();
    assert!(get(&a.vault, old).unwrap().shredded_at.is_some());
    assert!(send(a, b).is_none(), "nothing to hand over");

    // A shared case shredded later: its task text leaves the event log.
    let mut call = call_with(SHARED, Duration::days(80));
    call.followups.push(task(&format!("task {SHARED}"), 0));
    let later = create(&a.vault, call).unwrap();
    set_share_text(&a.vault, later, true).unwrap();
    let doc = send(a, b).unwrap();
    assert!(contains(&doc, SHARED));
    apply_case_document(&b.vault, &a.id.to_string(), &doc).unwrap();
    set_followup_done(
        &a.vault,
        get(&a.vault, later).unwrap().followups[0].id,
        true,
    )
    .unwrap();
    purge_expired(&a.vault, Utc::now() + Duration::days(20)).unwrap();
    purge_expired(&b.vault, Utc::now() + Duration::days(20)).unwrap();
    let on_b = get(&b.vault, later).unwrap();
    assert!(
        on_b.shredded_at.is_some(),
        "B shreds by the date that travelled"
    );
    assert_eq!(on_b.notes, "");
    let doc = send(a, b).expect("the done event travels");
    assert!(!contains(&doc, SHARED), "no event carries shredded text");
    apply_case_document(&b.vault, &a.id.to_string(), &doc).unwrap();
    let on_b = get(&b.vault, later).unwrap();
    assert!(on_b.followups[0].done);
    assert_eq!(on_b.followups[0].what, "");
    for vault in [&a.vault, &b.vault] {
        let texts: i64 = vault
            .conn()
            .query_row(
                "SELECT count(*) FROM case_events WHERE value LIKE ?1",
                [format!("%{SHARED}%")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(texts, 0);
    }
}

#[test]
fn a_hold_keeps_a_handed_in_case_past_its_date() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    let id = create(&a.vault, call_with(SHARED, Duration::days(80))).unwrap();
    set_share_text(&a.vault, id, true).unwrap();
    set_legal_hold(&a.vault.coordinator().unwrap(), id, true).unwrap();
    apply_case_document(&b.vault, &a.id.to_string(), &send(a, b).unwrap()).unwrap();
    assert!(get(&b.vault, id).unwrap().legal_hold);
    purge_expired(&b.vault, Utc::now() + Duration::days(20)).unwrap();
    assert_eq!(get(&b.vault, id).unwrap().notes, SHARED, "held");
    set_legal_hold(&a.vault.coordinator().unwrap(), id, false).unwrap();
    apply_case_document(&b.vault, &a.id.to_string(), &send(a, b).unwrap()).unwrap();
    purge_expired(&b.vault, Utc::now() + Duration::days(20)).unwrap();
    assert!(get(&b.vault, id).unwrap().shredded_at.is_some());
}

#[test]
fn updates_from_the_second_laptop_reach_the_origin() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    let id = open_case(&a.vault);
    apply_case_document(&b.vault, &a.id.to_string(), &send(a, b).unwrap()).unwrap();
    let task_on_b = get(&b.vault, id).unwrap().followups[0].id;
    set_followup_done(&b.vault, task_on_b, true).unwrap();
    update(
        &b.vault,
        id,
        CallUpdate {
            verification: Some(Verification::Confirmed),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    close_case(&b.vault, id).unwrap();
    let doc = send(b, a).expect("B's events travel back");
    apply_case_document(&a.vault, &b.id.to_string(), &doc).unwrap();
    let on_a = get(&a.vault, id).unwrap();
    assert_eq!(on_a.verification, Verification::Confirmed);
    assert!(on_a.followups[0].done);
    assert_eq!(on_a.case_state, CaseState::Closed);
    assert_eq!(on_a.exact_location, None);
    let last = history(&a.vault, id).unwrap().pop().unwrap();
    assert_eq!(last.action, HistoryAction::CaseClosed);
    assert_eq!(last.editor, "vol-1");
    assert!(send(a, b).is_none(), "a closed case is not handed again");
}

#[test]
fn a_broken_document_is_refused_whole() {
    let l = laptops(2);
    let (a, b) = (&l[0], &l[1]);
    open_case(&a.vault);
    let doc = send(a, b).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&doc).unwrap();
    value["events"][2]["field"] = "notes".into();
    let broken = serde_json::to_vec(&value).unwrap();
    let err = apply_case_document(&b.vault, &a.id.to_string(), &broken).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the case document cannot be applied: an event names an unknown field or has a value of the wrong type"
    );
    use crate::errors::Coded;
    assert_eq!(err.code(), crate::errors::ErrorCode::InvalidCaseDocument);
    let stored: i64 = b
        .vault
        .conn()
        .query_row("SELECT count(*) FROM calls", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 0, "nothing of it was applied");
    assert!(apply_case_document(&b.vault, &a.id.to_string(), b"not json").is_err());
}

/// What every laptop must agree on about a case: verification, case
/// state, and each task ("due what") with whether it is done.
type CaseView = (Verification, CaseState, Vec<(String, bool)>);

fn state_of(vault: &Vault, id: CallId) -> Option<CaseView> {
    let call = get(vault, id).ok()?;
    let mut tasks: Vec<(String, bool)> = call
        .followups
        .iter()
        .map(|f| (format!("{} {}", f.due, f.what), f.done))
        .collect();
    tasks.sort();
    Some((call.verification, call.case_state, tasks))
}

#[derive(Debug, Clone)]
enum Edit {
    Verify(usize, usize),
    Task(usize, i64),
    Done(usize, usize, bool),
    Close(usize),
    Reopen(usize),
    Sync(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0usize..3, 0usize..6).prop_map(|(l, v)| Edit::Verify(l, v)),
        (0usize..3, 0i64..5).prop_map(|(l, d)| Edit::Task(l, d)),
        (0usize..3, 0usize..8, any::<bool>()).prop_map(|(l, t, d)| Edit::Done(l, t, d)),
        (0usize..3).prop_map(Edit::Close),
        (0usize..3).prop_map(Edit::Reopen),
        (0usize..3, 0usize..3).prop_map(|(f, t)| Edit::Sync(f, t)),
    ]
}

fn run(vault: &Vault, id: CallId, e: &Edit) {
    match e {
        Edit::Verify(_, v) => {
            // Some moves are refused by the workflow: that is fine here.
            let _ = update(
                vault,
                id,
                CallUpdate {
                    verification: Some(Verification::ALL[*v % Verification::ALL.len()]),
                    ..CallUpdate::default()
                },
            );
        }
        Edit::Task(_, d) => {
            add_followup(vault, id, task("shift task", *d)).unwrap();
        }
        Edit::Done(_, t, done) => {
            let tasks = get(vault, id).unwrap().followups;
            if !tasks.is_empty() {
                set_followup_done(vault, tasks[t % tasks.len()].id, *done).unwrap();
            }
        }
        Edit::Close(_) => {
            let _ = close_case(vault, id);
        }
        Edit::Reopen(_) => reopen_case(vault, id).unwrap(),
        Edit::Sync(..) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Three laptops edit one shared case concurrently; the documents
    /// between them are delivered late, out of order and twice. Once every
    /// document has arrived, all three show the same case.
    #[test]
    fn three_laptops_converge_whatever_the_delivery_order(
        edits in proptest::collection::vec(edit(), 4..24),
        order in proptest::collection::vec(0usize..1000, 0..40),
    ) {
        let l = laptops(3);
        let id = open_case(&l[0].vault);
        set_share_text(&l[0].vault, id, true).unwrap();
        // The case reaches both other laptops first.
        for to in 1..3 {
            let doc = send(&l[0], &l[to]).unwrap();
            apply_case_document(&l[to].vault, &l[0].id.to_string(), &doc).unwrap();
        }
        // In flight: (from, to, bytes); Sync picks which to deliver now.
        let mut flight: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let mut picks = order.into_iter();
        for e in &edits {
            match e {
                Edit::Sync(f, t) if f != t => {
                    if let Some(doc) = send(&l[*f], &l[*t]) {
                        flight.push((*f, *t, doc));
                    }
                    if let (Some(p), false) = (picks.next(), flight.is_empty()) {
                        let (f, t, doc) = flight[p % flight.len()].clone();
                        apply_case_document(&l[t].vault, &l[f].id.to_string(), &doc).unwrap();
                        if p % 3 != 0 {
                            flight.remove(p % flight.len());
                        }
                    }
                }
                Edit::Verify(n, _) | Edit::Task(n, _) | Edit::Done(n, _, _)
                | Edit::Close(n) | Edit::Reopen(n) => run(&l[*n].vault, id, e),
                Edit::Sync(..) => {}
            }
        }
        // Everything still in flight arrives, newest first, then every
        // laptop sends what is left.
        while let Some((f, t, doc)) = flight.pop() {
            apply_case_document(&l[t].vault, &l[f].id.to_string(), &doc).unwrap();
        }
        for f in 0..3 {
            for t in 0..3 {
                if f != t && let Some(doc) = send(&l[f], &l[t]) {
                    apply_case_document(&l[t].vault, &l[f].id.to_string(), &doc).unwrap();
                }
            }
        }
        let first = state_of(&l[0].vault, id);
        prop_assert!(first.is_some());
        for laptop in &l[1..] {
            prop_assert_eq!(&state_of(&laptop.vault, id), &first);
        }
    }
}

#[test]
fn merged_bundles_of_laptops_that_handed_cases_to_each_other_count_each_call_once() {
    use crate::export::{self, SummaryOptions};
    let l = laptops(3);
    let march = SummaryOptions {
        from: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
        to: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
        k: 5,
        include_synthetic: true,
    };
    let at = chrono::DateTime::parse_from_rfc3339("2025-03-05T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    for (i, n) in [(1, 7), (2, 4)] {
        let calls = (0..n)
            .map(|j| {
                let mut call = call_with("", Duration::zero());
                call.received_at = at + Duration::days(j);
                call
            })
            .collect();
        create_many(&l[i].vault, calls, OldCalls::Accept).unwrap();
    }
    let bundle = |i: usize, name: &str| {
        let out = l[i]._dir.path().join(name);
        export::export_bundle(&l[i].vault.coordinator().unwrap(), &march, &out, false).unwrap();
        std::fs::read(out).unwrap()
    };
    let merge = |bundles: &[Vec<u8>]| {
        export::merge_bundles(&l[0].vault.coordinator().unwrap(), bundles, 3).unwrap()
    };
    let before = merge(&[bundle(1, "b1"), bundle(2, "b2")]);
    // Recorded, as a coordinator's merge does, so the next bundles follow on.
    export::write_merged(
        &l[0].vault.coordinator().unwrap(),
        &before,
        export::Format::Json,
        &l[0]._dir.path().join("merged.json"),
        false,
    )
    .unwrap();
    for (f, t) in [(1, 2), (2, 1)] {
        let doc = send(&l[f], &l[t]).unwrap();
        assert_eq!(
            apply_case_document(&l[t].vault, &l[f].id.to_string(), &doc)
                .unwrap()
                .handoffs,
            if f == 1 { 7 } else { 4 }
        );
    }
    let stored: i64 = l[1]
        .vault
        .conn()
        .query_row("SELECT count(*) FROM calls", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 11, "each laptop holds all eleven calls");
    let after = merge(&[bundle(1, "b1-after"), bundle(2, "b2-after")]);
    assert_eq!(after.summary, before.summary);
    let calls: u64 = after.contributions.iter().map(|c| c.calls).sum();
    assert_eq!(calls, 11, "the eleven distinct calls, each counted once");
}

/// Every file under `dir`, read.
fn folder_files(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(folder_files(&path));
        } else {
            out.push(std::fs::read(&path).unwrap());
        }
    }
    out
}

/// The team folder carries a handoff from A to every other laptop once the
/// team shares cases; the follow-up is due on B's desk, and B's changes
/// reach A and the third laptop. No file of the folder holds the call's
/// unmarked text.
#[test]
fn a_handoff_travels_through_the_team_folder_and_the_second_desks_changes_come_back() {
    use std::sync::atomic::AtomicBool;
    let l = laptops(3);
    let (coordinator, a, b) = (&l[0], &l[1], &l[2]);
    let folder = tempfile::tempdir().unwrap();
    let sync = |laptop: &Laptop| {
        crate::team::sync(
            &laptop.vault,
            folder.path(),
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap()
    };
    let id = open_case(&a.vault);
    sync(coordinator);
    assert_eq!(
        sync(a).sent,
        0,
        "nothing travels until the team shares cases"
    );

    crate::team::share(
        &coordinator.vault.coordinator().unwrap(),
        &[crate::team::UpdateKind::Cases],
        true,
    )
    .unwrap();
    sync(coordinator);
    let report = sync(a);
    assert_eq!((report.applied, report.sent), (1, 2), "{report:?}");
    for file in folder_files(folder.path()) {
        assert!(
            !contains(&file, CANARY),
            "unmarked text never in the folder"
        );
    }

    let report = sync(b);
    assert_eq!(
        report.applied, 3,
        "two revisions of the record and A's case: {report:?}"
    );
    let due = followups(&b.vault, &Local::now()).unwrap();
    assert_eq!(due.len(), 1, "the follow-up is due on B's desk");
    assert_eq!(due[0].call, id);
    assert_eq!(
        get(&b.vault, id).unwrap().origin_laptop,
        Some(a.id.to_string())
    );
    let task_on_b = get(&b.vault, id).unwrap().followups[0].id;
    set_followup_done(&b.vault, task_on_b, true).unwrap();
    update(
        &b.vault,
        id,
        CallUpdate {
            verification: Some(Verification::Confirmed),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    assert_eq!(
        sync(b).sent,
        2,
        "B's changes, to A and the coordinator laptop"
    );

    sync(a);
    sync(coordinator);
    for laptop in [a, coordinator] {
        let call = get(&laptop.vault, id).unwrap();
        assert_eq!(call.verification, Verification::Confirmed);
        assert!(call.followups[0].done, "B's done reached this laptop");
    }
    assert_eq!(
        get(&coordinator.vault, id).unwrap().origin_laptop,
        Some(a.id.to_string()),
        "the coordinator laptop holds A's case as handed in"
    );
    for file in folder_files(folder.path()) {
        assert!(!contains(&file, CANARY));
    }
}
