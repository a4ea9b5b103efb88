//! Tests of exports against real vaults in temporary directories.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;
use tempfile::TempDir;

use super::bundle::testing;
use super::summary::{Counts, publish};
use super::*;
use crate::calls::{self, CallerRelation, NewCall, NewFollowUp, OldCalls, Salute};
use crate::codes::{Agency, Category, Verification};
use crate::vault::{Passphrase, Role, Vault, VaultError};

/// Log one call of the test data, whatever its date: the data sets are
/// older than the retention period.
fn create_dated(vault: &Vault, call: NewCall) -> calls::CallId {
    calls::create_many(vault, vec![call], OldCalls::Accept).unwrap()[0]
}

const PASS: &str = "maple kettle harbor 42";
const COORDINATOR: &str = "river-7";

/// A new vault with a coordinator signed in.
struct Fixture {
    dir: TempDir,
    vault: Vault,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
        Self { dir, vault }
    }

    fn volunteer(&mut self) -> Vault {
        self.vault
            .coordinator()
            .unwrap()
            .add_user("bo-3", Role::Volunteer, &Passphrase::from(PASS))
            .unwrap();
        Vault::unlock(self.dir.path(), "bo-3", &Passphrase::from(PASS)).unwrap()
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A plain call; the fields that matter to summaries are arguments.
fn call(
    received: &str,
    category: Category,
    area: Option<&str>,
    agency: Agency,
    verification: Verification,
    language: &str,
) -> NewCall {
    NewCall {
        agency,
        area: area.map(str::to_owned),
        verification,
        ..NewCall::required(at(received), language, CallerRelation::Witness, category)
    }
}

/// A varied, deterministic set of calls in March 2025 (`salt` varies it).
fn dataset(salt: usize, n: usize) -> Vec<NewCall> {
    let areas = [
        Some("South Madison"),
        Some("Near West"),
        None,
        Some("Verona"),
    ];
    let langs = ["es", "en", "es-MX", "hmn", "mam"];
    (0..n)
        .map(|i| {
            let j = i * 7 + salt * 13;
            let day = 3 + (j % 27);
            let mut c = call(
                &format!("2025-03-{day:02}T{:02}:15:00Z", 8 + j % 12),
                Category::ALL[j % 4],
                areas[(j / 3) % areas.len()],
                Agency::ALL[(j / 2) % Agency::ALL.len()],
                Verification::ALL[2 + (j % 4)],
                langs[(j / 5) % langs.len()],
            );
            c.caller_relation = CallerRelation::ALL[j % CallerRelation::ALL.len()];
            c
        })
        .collect()
}

fn options(k: u32) -> SummaryOptions {
    SummaryOptions {
        from: Some(day("2025-03-01")),
        to: Some(day("2025-03-31")),
        k,
        include_synthetic: true,
    }
}

/// Every published count is 0 or at least k, and the grand total is the
/// same (or suppressed) in every table.
fn check_published(summary: &Summary) {
    let k = u64::from(summary.k);
    let mut totals = Vec::new();
    for table in &summary.tables {
        for row in &table.rows {
            assert_eq!(row.count.is_none(), row.suppressed);
            if let Some(n) = row.count {
                assert!(n == 0 || n >= k, "{} published {n}", table.name);
            }
            if row.values.iter().all(|v| v == ALL) {
                totals.push(row.count);
            }
        }
    }
    assert_eq!(totals.len(), summary.tables.len());
    assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");
}

#[test]
fn no_export_contains_a_canary() {
    let f = Fixture::new();
    let received = "2025-03-05T13:47:29Z";
    let mut canary = call(
        received,
        Category::IceHomeDoor,
        Some("South Madison"),
        Agency::IceEro,
        Verification::Unverified,
        "es",
    );
    canary.notes = "CANARY-NOTES-7731".into();
    canary.contact_name = Some("CANARY-NAME-4410".into());
    canary.contact_phone = Some("608-555-0199".into());
    canary.exact_location = Some("CANARY-LOCATION-1298".into());
    f.vault
        .coordinator()
        .unwrap()
        .add_user("canaryhandle", Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    canary.volunteer = Some("canaryhandle".into());
    canary.salute = Salute {
        size: Some("CANARY-SIZE".into()),
        activity: Some("CANARY-ACTIVITY".into()),
        location: Some("CANARY-SALUTE-LOC".into()),
        uniform: Some("CANARY-UNIFORM".into()),
        time: Some("CANARY-TIME".into()),
        equipment: Some("CANARY-EQUIPMENT".into()),
    };
    canary.followups = vec![NewFollowUp {
        what: "CANARY-FOLLOWUP".into(),
        due: day("2025-03-20"),
        done: false,
    }];
    canary.duration_seconds = Some(4321);
    let id = create_dated(&f.vault, canary.clone());
    // Enough identical calls that the canary's cell is published.
    let mut others = Vec::new();
    for _ in 0..11 {
        let mut c = canary.clone();
        c.followups.clear();
        others.push(c);
    }
    calls::create_many(&f.vault, others, OldCalls::Accept).unwrap();

    let canaries = [
        "CANARY",
        "608-555",
        "canaryhandle",
        COORDINATOR,
        "2025-03-05",
        "13:47",
        "1741182449",
        "4321",
        &id.to_string(),
    ];
    let summary = summary(&f.vault.coordinator().unwrap(), &options(5)).unwrap();
    let row = summary
        .table("calls_by_week_category_area")
        .unwrap()
        .row(&["2025-W10", "ice_home_door", "South Madison"])
        .unwrap();
    assert_eq!(row.count, Some(12));
    let mut outputs = Vec::new();
    for format in [
        Format::Csv,
        Format::Json,
        Format::Html(Lang::En),
        Format::Html(Lang::Es),
    ] {
        outputs.push(render_summary(&summary, format).unwrap());
    }
    crate::team::create_team(&f.vault.coordinator().unwrap(), "t").unwrap();
    let out = f.path("b.age");
    export_bundle(&f.vault.coordinator().unwrap(), &options(5), &out, false).unwrap();
    let sealed = std::fs::read(&out).unwrap();
    outputs.push(testing::decrypt(&f.vault, &sealed));
    outputs.push(sealed);
    for bytes in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for canary in canaries {
            assert!(!text.contains(canary), "{canary} leaked");
        }
    }
}

#[test]
fn summary_counts_are_exact_where_published_and_suppressed_where_small() {
    let f = Fixture::new();
    calls::create_many(&f.vault, dataset(0, 120), OldCalls::Accept).unwrap();
    let s = summary(&f.vault.coordinator().unwrap(), &options(5)).unwrap();
    check_published(&s);
    assert_eq!(s.from, day("2025-02-24"));
    assert_eq!(s.to, day("2025-04-06"));
    let by_agency = s.table("calls_by_agency").unwrap();
    assert_eq!(by_agency.row(&[ALL]).unwrap().count, Some(120));
    let published: u64 = by_agency
        .rows
        .iter()
        .filter(|r| r.values[0] != ALL)
        .filter_map(|r| r.count)
        .sum();
    assert!(published <= 120);
    // Languages: the rare tags are pooled; es-MX counts as es.
    let languages = s.table("calls_by_language").unwrap();
    let names: Vec<&str> = languages
        .rows
        .iter()
        .map(|r| r.values[0].as_str())
        .collect();
    assert!(
        names.contains(&"es") && !names.contains(&"es-MX"),
        "{names:?}"
    );
    // Every week of the period is listed, with no calls in the first.
    let cube = s.table("calls_by_week_category_area").unwrap();
    assert_eq!(cube.row(&["2025-W09", ALL, ALL]).unwrap().count, Some(0));
    assert!(cube.row(&["2025-W14", ALL, ALL]).is_some());
    // Rendering is deterministic.
    assert_eq!(
        render_summary(&s, Format::Json).unwrap(),
        render_summary(
            &summary(&f.vault.coordinator().unwrap(), &options(5)).unwrap(),
            Format::Json
        )
        .unwrap()
    );
}

#[test]
fn json_and_csv_follow_the_schema() {
    let f = Fixture::new();
    calls::create_many(&f.vault, dataset(1, 60), OldCalls::Accept).unwrap();
    let s = summary(&f.vault.coordinator().unwrap(), &options(3)).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&render_summary(&s, Format::Json).unwrap()).unwrap();
    assert_eq!(json["schema"], SUMMARY_SCHEMA);
    assert_eq!(json["k"], 3);
    let tables = json["tables"].as_array().unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "calls_by_week_category_area",
            "calls_by_agency",
            "calls_by_verification",
            "calls_by_language",
            "calls_by_caller_relation"
        ]
    );
    for table in tables {
        let dims: Vec<&str> = table["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        for row in table["rows"].as_array().unwrap() {
            let object = row.as_object().unwrap();
            assert_eq!(object.len(), dims.len() + 2);
            for d in &dims {
                assert!(object[*d].is_string());
            }
            if row["suppressed"] == true {
                assert!(row["count"].is_null());
            } else {
                assert!(row["count"].as_u64().is_some());
            }
        }
    }
    let csv = String::from_utf8(render_summary(&s, Format::Csv).unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "table,week,category,area,agency,verification,language,caller_relation,count,suppressed"
    );
    let rows: usize = s.tables.iter().map(|t| t.rows.len()).sum();
    assert_eq!(lines.count(), rows);
    assert!(csv.contains("calls_by_agency,,,,ALL,,,,60,false"), "{csv}");
}

#[test]
fn html_is_self_contained_and_bilingual() {
    let f = Fixture::new();
    calls::create_many(&f.vault, dataset(2, 80), OldCalls::Accept).unwrap();
    let s = summary(&f.vault.coordinator().unwrap(), &options(5)).unwrap();
    let en = String::from_utf8(render_summary(&s, Format::Html(Lang::En)).unwrap()).unwrap();
    let es = String::from_utf8(render_summary(&s, Format::Html(Lang::Es)).unwrap()).unwrap();
    for html in [&en, &es] {
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<svg") && html.contains("@media print"));
        assert!(!html.contains("<script"));
        assert_eq!(
            html.matches("http://").count(),
            html.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(!html.contains("https://") && !html.contains("src="));
    }
    assert!(en.contains("Calls by category") && en.contains("lang=\"en\""));
    assert!(es.contains("Llamadas por categoría") && es.contains("lang=\"es\""));
}

#[test]
fn synthetic_calls_are_included_unless_excluded() {
    let f = Fixture::new();
    crate::demo::demo_data(&f.vault.coordinator().unwrap(), 50, 3, Utc::now()).unwrap();
    calls::create_many(&f.vault, dataset(0, 4), OldCalls::Accept).unwrap();
    let to = Utc::now().date_naive();
    let from = day("2025-03-01").min(to - chrono::Days::new(400));
    let exact = |include| {
        super::summary::count(f.vault.read(), from, super::summary::sunday(to), include)
            .unwrap()
            .total()
    };
    assert_eq!(exact(true), 54);
    assert_eq!(exact(false), 4);
    let mut opts = SummaryOptions {
        from: Some(from),
        ..SummaryOptions::default()
    };
    assert!(
        !SummaryOptions::default().include_synthetic,
        "demo calls stay out unless asked for"
    );
    let without = summary(&f.vault.coordinator().unwrap(), &opts).unwrap();
    assert!(!without.include_synthetic);
    check_published(&without);
    opts.include_synthetic = true;
    assert!(
        summary(&f.vault.coordinator().unwrap(), &opts)
            .unwrap()
            .include_synthetic
    );
}

#[test]
fn k_out_of_range_and_volunteers_are_refused() {
    let mut f = Fixture::new();
    calls::create_many(&f.vault, dataset(0, 10), OldCalls::Accept).unwrap();
    for k in [0, 1, 2] {
        assert!(matches!(
            f.vault
                .coordinator()
                .map_err(Into::into)
                .and_then(|c| summary(&c, &options(k))),
            Err(ExportError::ThresholdTooLow { .. })
        ));
        assert!(matches!(
            dashboard_shareable(&f.vault, day("2025-03-01"), day("2025-03-31"), k),
            Err(ExportError::ThresholdTooLow { .. })
        ));
        assert!(matches!(
            f.vault
                .coordinator()
                .map_err(Into::into)
                .and_then(|c| merge_bundles(&c, &[vec![1]], k)),
            Err(ExportError::ThresholdTooLow { .. })
        ));
    }
    let err = f
        .vault
        .coordinator()
        .map_err(Into::into)
        .and_then(|c| summary(&c, &options(2)))
        .unwrap_err();
    assert!(err.to_string().contains("at least 3"), "{err}");
    assert_eq!(crate::errors::Coded::field(&err), Some("k"));
    for k in [MAX_K + 1, 1_000_000_000] {
        let err = f
            .vault
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| summary(&c, &options(k)))
            .unwrap_err();
        assert!(
            matches!(err, ExportError::ThresholdTooHigh { max: MAX_K, .. }),
            "{err:?}"
        );
        assert_eq!(crate::errors::Coded::limit(&err), Some(100));
        assert!(matches!(
            dashboard_shareable(&f.vault, day("2025-03-01"), day("2025-03-31"), k),
            Err(ExportError::ThresholdTooHigh { .. })
        ));
    }
    f.vault
        .coordinator()
        .map_err(ExportError::from)
        .and_then(|c| summary(&c, &options(MAX_K)))
        .unwrap();
    assert!(
        f.vault
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| summary(&c, &options(3)))
            .is_ok()
    );

    coordinator_key(&f.vault.coordinator().unwrap()).unwrap();
    let volunteer = f.volunteer();
    let out = f.path("v.age");
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| summary(&c, &options(5))),
        Err(ExportError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| coordinator_key(&c)),
        Err(ExportError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| export_bundle(&c, &options(5), &out, false)),
        Err(ExportError::Vault(VaultError::NotCoordinator))
    ));
    assert!(!out.exists());
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| merge_bundles(&c, &[vec![1]], 5)),
        Err(ExportError::Vault(VaultError::NotCoordinator))
    ));
    let s = f
        .vault
        .coordinator()
        .map_err(Into::into)
        .and_then(|c| summary(&c, &options(5)))
        .unwrap();
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| write_summary(&c, &s, Format::Csv, &f.path("v.csv"), false)),
        Err(ExportError::Vault(VaultError::NotCoordinator))
    ));
    // The dashboard is for everyone.
    let d = dashboard(&volunteer, day("2025-03-01"), day("2025-03-31")).unwrap();
    assert_eq!(d.total, Some(10));
}

/// Write a bundle of `calls` from a new vault enrolled in `coordinator`'s
/// team.
fn bundle_of(calls_in: Vec<NewCall>, coordinator: &Fixture, name: &str) -> Vec<u8> {
    let f = Fixture::new();
    if !calls_in.is_empty() {
        calls::create_many(&f.vault, calls_in, OldCalls::Accept).unwrap();
    }
    crate::team::testing::join(&coordinator.vault, &f.vault, name, coordinator.dir.path());
    let out = coordinator.dir.path().join(name);
    f.vault
        .coordinator()
        .map_err(Into::into)
        .and_then(|c| export_bundle(&c, &options(5), &out, false))
        .unwrap();
    std::fs::read(out).unwrap()
}

/// A coordinator's vault with a team.
fn team_fixture() -> Fixture {
    let f = Fixture::new();
    crate::team::create_team(&f.vault.coordinator().unwrap(), "team").unwrap();
    f
}

#[test]
fn merging_bundles_equals_the_summary_of_the_combined_calls() {
    let coordinator = team_fixture();
    let key = coordinator_key(&coordinator.vault.coordinator().unwrap()).unwrap();
    assert!(key.starts_with("age1"));
    assert_eq!(
        coordinator_key(&coordinator.vault.coordinator().unwrap()).unwrap(),
        key,
        "created once"
    );
    let (a, b) = (dataset(3, 90), dataset(4, 70));
    let bundle_a = bundle_of(a.clone(), &coordinator, "a.age");
    let bundle_b = bundle_of(b.clone(), &coordinator, "b.age");

    let combined = Fixture::new();
    calls::create_many(
        &combined.vault,
        a.into_iter().chain(b).collect(),
        OldCalls::Accept,
    )
    .unwrap();
    for k in [3, 5, 10] {
        let expected = summary(&combined.vault.coordinator().unwrap(), &options(k)).unwrap();
        let merged = merge_bundles(
            &coordinator.vault.coordinator().unwrap(),
            &[bundle_a.clone(), bundle_b.clone()],
            k,
        )
        .unwrap();
        assert_eq!(merged.summary, expected, "k = {k}");
        assert_eq!(merged.bundle_ids.len(), 2);
        assert_eq!(merged.unlisted_area_calls, 0);
        let calls: Vec<u64> = merged.contributions.iter().map(|c| c.calls).collect();
        assert_eq!(calls, [90, 70], "each laptop's part");
    }

    // The same bundle twice in one merge.
    let err = merge_bundles(
        &coordinator.vault.coordinator().unwrap(),
        &[bundle_a.clone(), bundle_a.clone()],
        5,
    )
    .unwrap_err();
    assert!(
        matches!(err, ExportError::DuplicateBundle { number: 2, .. }),
        "{err}"
    );

    // Written once, then refused in a later merge.
    let merged = merge_bundles(
        &coordinator.vault.coordinator().unwrap(),
        std::slice::from_ref(&bundle_a),
        5,
    )
    .unwrap();
    let out = coordinator.path("merged.json");
    write_merged(
        &coordinator.vault.coordinator().unwrap(),
        &merged,
        Format::Json,
        &out,
        false,
    )
    .unwrap();
    assert!(out.exists());
    let err = merge_bundles(
        &coordinator.vault.coordinator().unwrap(),
        &[bundle_b.clone(), bundle_a.clone()],
        5,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::Packet {
                number: 2,
                source: crate::team::PacketError::Replayed { .. }
            }
        ),
        "{err}"
    );
    assert!(matches!(
        write_merged(
            &coordinator.vault.coordinator().unwrap(),
            &merged,
            Format::Csv,
            &coordinator.path("m2.csv"),
            false
        ),
        Err(ExportError::AlreadyImported { .. })
    ));
    assert!(!coordinator.path("m2.csv").exists());
    // The audit log names the merge and its bundles, never a count.
    let params: String = coordinator
        .vault
        .conn()
        .query_row(
            "SELECT params FROM audit_log WHERE action = 'export.merge'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        params.contains(&merged.bundle_ids[0]) && !params.contains("count"),
        "{params}"
    );
}

#[test]
fn unsigned_foreign_and_undecryptable_bundles_are_refused() {
    let coordinator = team_fixture();
    let key = coordinator_key(&coordinator.vault.coordinator().unwrap()).unwrap();
    // Bundles of the old, unsigned form, well formed or not: never merged.
    for plaintext in [
        r#"{"schema":"someone-else/bundle","version":1}"#,
        r#"{"schema":"hotline-desk/bundle","version":1,
        "bundle_id":"7f1c0a52-8a1b-4a43-9a8e-3f6f1e6f9b10","from":"2025-03-03","to":"2025-03-09",
        "include_synthetic":true,"cells":[{"week":"2025-W10","category":"other","area":"Verona","count":4}],
        "agency":[{"value":"hsi","count":4}],"verification":[],"language":[],"caller_relation":[]}"#,
    ] {
        let sealed = testing::encrypt(&key, plaintext.as_bytes());
        let err =
            merge_bundles(&coordinator.vault.coordinator().unwrap(), &[sealed], 5).unwrap_err();
        assert!(
            matches!(
                err,
                ExportError::Packet {
                    number: 1,
                    source: crate::team::PacketError::Unsigned
                }
            ),
            "{err}"
        );
    }
    let sealed = testing::encrypt(&key, b"not json at all");
    let err = merge_bundles(&coordinator.vault.coordinator().unwrap(), &[sealed], 5).unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::Packet {
                source: crate::team::PacketError::Altered,
                ..
            }
        ),
        "{err}"
    );
    // Encrypted to another coordinator.
    let other = team_fixture();
    let sealed = bundle_of(dataset(0, 5), &other, "o.age");
    let err = merge_bundles(&coordinator.vault.coordinator().unwrap(), &[sealed], 5).unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::Packet {
                number: 1,
                source: crate::team::PacketError::NotForThisLaptop
            }
        ),
        "{err}"
    );
    // No team yet.
    let fresh = Fixture::new();
    assert!(matches!(
        merge_bundles(&fresh.vault.coordinator().unwrap(), &[vec![0]], 5),
        Err(ExportError::Team(crate::team::TeamError::NoTeam))
    ));
    assert!(matches!(
        export_bundle(
            &fresh.vault.coordinator().unwrap(),
            &options(5),
            &fresh.path("x"),
            false
        ),
        Err(ExportError::Team(crate::team::TeamError::NoTeam))
    ));
    assert!(!fresh.path("x").exists());
}

#[test]
fn outputs_are_never_overwritten_without_force_and_are_audited() {
    let f = Fixture::new();
    calls::create_many(&f.vault, dataset(5, 30), OldCalls::Accept).unwrap();
    let s = summary(&f.vault.coordinator().unwrap(), &options(5)).unwrap();
    let out = f.path("s.csv");
    std::fs::write(&out, "keep me").unwrap();
    let err = write_summary(
        &f.vault.coordinator().unwrap(),
        &s,
        Format::Csv,
        &out,
        false,
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::OutputExists { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    write_summary(&f.vault.coordinator().unwrap(), &s, Format::Csv, &out, true).unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("table,"));
    let entries: Vec<(String, String, String)> = {
        let mut stmt = f
            .vault
            .conn()
            .prepare("SELECT actor, action, params FROM audit_log WHERE action LIKE 'export.%'")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(entries.len(), 1, "the refused write is not audited");
    let (actor, action, params) = &entries[0];
    assert_eq!(
        (actor.as_str(), action.as_str()),
        (COORDINATOR, "export.summary")
    );
    let params: serde_json::Value = serde_json::from_str(params).unwrap();
    assert_eq!(params["format"], "csv");
    assert_eq!(params["k"], 5);
    assert_eq!(params["from"], "2025-02-24");
    assert_eq!(params.as_object().unwrap().len(), 6);
}

#[test]
fn dashboards_count_exactly_and_share_with_suppression() {
    let f = Fixture::new();
    let mut set = dataset(6, 40);
    set[0].followups = vec![NewFollowUp {
        what: "call back".into(),
        due: day("2025-04-01"),
        done: false,
    }];
    calls::create_many(&f.vault, set.clone(), OldCalls::Accept).unwrap();
    let d = dashboard(&f.vault, day("2025-03-01"), day("2025-03-31")).unwrap();
    assert!(!d.shareable);
    assert_eq!(d.total, Some(40));
    assert_eq!(d.open_followups, Some(1));
    let ice = set
        .iter()
        .filter(|c| matches!(c.agency, Agency::IceEro | Agency::Hsi | Agency::Cbp))
        .count() as u64;
    assert_eq!(d.agencies[0].key, "ice");
    assert_eq!(d.agencies[0].count, Some(ice));
    let weekly: u64 = d.weeks.iter().filter_map(|w| w.count).sum();
    assert_eq!(weekly, 40);

    let s = dashboard_shareable(&f.vault, day("2025-03-01"), day("2025-03-31"), 5).unwrap();
    assert!(s.shareable);
    assert_eq!(s.open_followups, None, "1 is below k");
    for list in [&s.weeks, &s.categories, &s.agencies, &s.verification] {
        for item in list.iter() {
            if let Some(n) = item.count {
                assert!(n == 0 || n >= 5);
            }
        }
        assert_ne!(list.iter().filter(|i| i.count.is_none()).count(), 1);
    }
}

#[test]
fn the_summary_of_demo_data_is_consistent() {
    let f = Fixture::new();
    crate::demo::demo_data(&f.vault.coordinator().unwrap(), 300, 7, Utc::now()).unwrap();
    let s = summary(
        &f.vault.coordinator().unwrap(),
        &SummaryOptions {
            from: Some(Utc::now().date_naive() - chrono::Days::new(90)),
            ..SummaryOptions::default()
        },
    )
    .unwrap();
    check_published(&s);
}

/// Random exact counts over two weeks, four categories' worth of calls and
/// a short area list.
fn counts_strategy() -> impl Strategy<Value = Counts> {
    counts_with(2, 60)
}

/// Random exact counts of up to `max` calls over `weeks` weeks.
fn counts_with(weeks: usize, max: usize) -> impl Strategy<Value = Counts> {
    let call = (
        0usize..weeks,
        0usize..4,
        0usize..3,
        0usize..8,
        0usize..6,
        0usize..4,
        0usize..5,
    );
    prop::collection::vec(call, 0..max).prop_map(move |calls| {
        let from = day("2025-03-03");
        let mut counts = Counts {
            from,
            to: from + chrono::Days::new(7 * weeks as u64 - 1),
            include_synthetic: true,
            ..Counts::default()
        };
        let areas = ["North Side", "Verona", UNSPECIFIED_AREA];
        let langs = ["es", "en", "hmn", "mam"];
        for (w, c, a, ag, v, l, r) in calls {
            let week = from + chrono::Days::new(7 * w as u64);
            *counts
                .cells
                .entry((week, Category::ALL[c], areas[a].to_owned()))
                .or_default() += 1;
            *counts.agency.entry(Agency::ALL[ag]).or_default() += 1;
            *counts.verification.entry(Verification::ALL[v]).or_default() += 1;
            *counts.language.entry(langs[l].to_owned()).or_default() += 1;
            *counts
                .caller_relation
                .entry(CallerRelation::ALL[r].as_str().to_owned())
                .or_default() += 1;
        }
        counts
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Over random datasets: no published count is below k, totals agree
    /// across tables, and summing two halves then publishing equals
    /// publishing the whole.
    #[test]
    fn published_summaries_respect_k(a in counts_strategy(), b in counts_strategy(), k in 3u32..=6) {
        let areas = vec!["North Side".to_owned(), "Verona".to_owned()];
        let whole = {
            let mut sum = a.clone();
            sum.add(&b);
            sum
        };
        let s = publish(&whole, &areas, k).unwrap();
        check_published(&s);
        let again = publish(&whole, &areas, k).unwrap();
        prop_assert_eq!(s, again);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The attacker of `suppress::attacker`, on the real set of summary
    /// tables (two weeks, ten categories, two areas and unspecified, the four
    /// one-dimension tables): no hidden count is pinned.
    #[test]
    fn an_attacker_cannot_pin_a_hidden_summary_count(a in counts_with(2, 40), k in 3u32..=5) {
        let counts = a;
        let areas = vec!["North Side".to_owned(), "Verona".to_owned()];
        let (linked, _) = super::summary::build(&counts, &areas, k).unwrap();
        let hidden = super::suppress::suppress(&linked, u64::from(k));
        let values = linked.values();
        let lines = linked.lines();
        let bound = values[linked.grand()] * 2 + 2;
        for v in (0..values.len()).filter(|&v| hidden[v]) {
            let n = values[v];
            prop_assert!((1..u64::MAX).contains(&n));
            let moved = super::suppress::attacker::feasible(values, &hidden, &lines, bound, v, n + 1)
                || super::suppress::attacker::feasible(values, &hidden, &lines, bound, v, n - 1);
            prop_assert!(moved, "hidden value {} pinned", v);
        }
    }
}

#[test]
fn area_names_cannot_pose_as_totals_or_spreadsheet_formulas() {
    let f = Fixture::new();
    calls::add_area(&f.vault.coordinator().unwrap(), "=HYPERLINK(\"x\")").unwrap();
    calls::add_area(&f.vault.coordinator().unwrap(), "all").unwrap();
    let mut set = dataset(7, 12);
    for (i, c) in set.iter_mut().enumerate() {
        c.area = Some(
            if i % 2 == 0 {
                "=HYPERLINK(\"x\")"
            } else {
                "all"
            }
            .to_owned(),
        );
    }
    calls::create_many(&f.vault, set, OldCalls::Accept).unwrap();
    let s = summary(&f.vault.coordinator().unwrap(), &options(3)).unwrap();
    let cube = s.table("calls_by_week_category_area").unwrap();
    assert!(cube.row(&[ALL, ALL, "all (area)"]).is_some());
    assert_eq!(cube.row(&[ALL, ALL, "all (area)"]).unwrap().count, Some(6));
    let csv = String::from_utf8(render_summary(&s, Format::Csv).unwrap()).unwrap();
    assert!(csv.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"));
    let html = String::from_utf8(render_summary(&s, Format::Html(Lang::En)).unwrap()).unwrap();
    assert!(html.contains("=HYPERLINK(&quot;x&quot;)") && !html.contains("HYPERLINK(\"x\")"));
}

/// One random change to the call log, for the counts test below.
#[derive(Debug, Clone)]
enum Change {
    /// Log a call with these choices (`day` counts from 1969-12-20, so a
    /// few calls fall before 1970 and across the first weeks).
    Insert {
        day: u32,
        second: u32,
        pick: [usize; 6],
        synthetic: bool,
    },
    /// Change one counted field of the `nth` call (modulo their number).
    Update {
        nth: usize,
        field: usize,
        pick: usize,
    },
    /// Delete the `nth` call.
    Delete { nth: usize },
    /// Shred the free text of calls older than `days` (retention).
    Shred { days: u32 },
    /// Keep a copy of the `nth` call as handed in from another laptop:
    /// it must count nowhere on this one, whatever happens to it after.
    HandIn { nth: usize },
}

fn change() -> impl Strategy<Value = Change> {
    let pick = proptest::array::uniform6(0usize..64);
    prop_oneof![
        5 => (0u32..900, 0u32..86_400, pick, any::<bool>()).prop_map(
            |(day, second, pick, synthetic)| Change::Insert { day, second, pick, synthetic }
        ),
        3 => (0usize..1000, 0usize..8, 0usize..64)
            .prop_map(|(nth, field, pick)| Change::Update { nth, field, pick }),
        1 => (0usize..1000).prop_map(|nth| Change::Delete { nth }),
        1 => (1u32..900).prop_map(|days| Change::Shred { days }),
        2 => (0usize..1000).prop_map(|nth| Change::HandIn { nth }),
    ]
}

const AREAS: [Option<&str>; 4] = [
    Some("South Madison"),
    Some("Near West"),
    None,
    Some("Verona"),
];
const LANGUAGES: [&str; 5] = ["es", "en", "es-MX", "hmn", "mam"];

/// Apply `change` through the public API where it has one (create,
/// update, purge) and through SQL otherwise (the synthetic flag, delete).
fn apply(vault: &Vault, change: &Change) {
    let base = at("1969-12-20T00:00:00Z");
    let rows: Vec<(i64, String)> = {
        let mut stmt = vault
            .conn()
            .prepare("SELECT id, uid FROM calls ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    match change {
        Change::Insert {
            day,
            second,
            pick,
            synthetic,
        } => {
            let received = base
                + chrono::Duration::days(i64::from(*day))
                + chrono::Duration::seconds(i64::from(*second));
            let mut c = call(
                "2025-03-03T10:00:00Z",
                Category::ALL[pick[0] % Category::ALL.len()],
                AREAS[pick[1] % AREAS.len()],
                Agency::ALL[pick[2] % Agency::ALL.len()],
                Verification::ALL[pick[3] % Verification::ALL.len()],
                LANGUAGES[pick[4] % LANGUAGES.len()],
            );
            c.received_at = received;
            c.caller_relation = CallerRelation::ALL[pick[5] % CallerRelation::ALL.len()];
            let id = create_dated(vault, c);
            if *synthetic {
                vault
                    .conn()
                    .execute(
                        "UPDATE calls SET synthetic = 1 WHERE uid = ?1",
                        [id.to_string()],
                    )
                    .unwrap();
            }
        }
        Change::Update { nth, field, pick } if !rows.is_empty() => {
            let (row, uid) = &rows[nth % rows.len()];
            let conn = vault.conn();
            let set = |sql: &str, value: &dyn rusqlite::ToSql| {
                conn.execute(sql, rusqlite::params![value, row]).unwrap();
            };
            match field {
                0 => {
                    let update = calls::CallUpdate {
                        category: Some(Category::ALL[pick % Category::ALL.len()]),
                        area: Some(AREAS[pick % AREAS.len()].map(str::to_owned)),
                        ..calls::CallUpdate::default()
                    };
                    calls::update(vault, uid.parse().unwrap(), update).unwrap();
                }
                1 => set(
                    "UPDATE calls SET received_at = received_at + ?1 WHERE id = ?2",
                    &((*pick as i64 - 32) * 86_400),
                ),
                2 => set(
                    "UPDATE calls SET synthetic = 1 - synthetic WHERE id = ?2 AND ?1 IS NOT NULL",
                    &0,
                ),
                3 => set(
                    "UPDATE calls SET agency = ?1 WHERE id = ?2",
                    &Agency::ALL[pick % Agency::ALL.len()].as_str(),
                ),
                4 => set(
                    "UPDATE calls SET verification = ?1 WHERE id = ?2",
                    &Verification::ALL[pick % Verification::ALL.len()].as_str(),
                ),
                5 => set(
                    "UPDATE calls SET language = ?1 WHERE id = ?2",
                    &LANGUAGES[pick % LANGUAGES.len()],
                ),
                6 => set(
                    "UPDATE calls SET caller_relation = ?1 WHERE id = ?2",
                    &CallerRelation::ALL[pick % CallerRelation::ALL.len()].as_str(),
                ),
                _ => set("UPDATE calls SET notes = ?1 WHERE id = ?2", &"changed"),
            }
        }
        Change::Delete { nth } if !rows.is_empty() => {
            let (row, _) = &rows[nth % rows.len()];
            vault
                .conn()
                .execute("DELETE FROM calls WHERE id = ?1", [row])
                .unwrap();
        }
        Change::HandIn { nth } if !rows.is_empty() => {
            let (row, _) = &rows[nth % rows.len()];
            vault
                .conn()
                .execute(
                    "INSERT INTO calls (uid, received_at, volunteer, language, caller_relation,
                         category, agency, identified_by, area_id, verification,
                         children_present, urgency, synthetic, created_at, created_by,
                         updated_at, origin_laptop)
                     SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-'
                             || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-'
                             || hex(randomblob(6))), received_at,
                         volunteer, language, caller_relation, category, agency,
                         identified_by, area_id, verification, children_present, urgency,
                         synthetic, created_at, created_by, updated_at,
                         '7d6c1f2e-0000-4000-8000-000000000001'
                     FROM calls WHERE id = ?1",
                    [row],
                )
                .unwrap();
        }
        Change::Shred { days } => {
            // The default retention is 90 days: calls before `base + days` go.
            let now = base + chrono::Duration::days(i64::from(*days) + 90);
            calls::purge_expired(vault, now).unwrap();
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// The counts kept by triggers equal a recount of the calls, for every
    /// period and with or without synthetic calls, after random inserts,
    /// updates (through the API and directly), deletes and shredding.
    #[test]
    fn kept_counts_equal_a_recount_of_the_calls(
        changes in proptest::collection::vec(change(), 1..40),
        periods in proptest::collection::vec((0u32..130, 0u32..130), 3),
    ) {
        let fixture = Fixture::new();
        let vault = &fixture.vault;
        for change in &changes {
            apply(vault, change);
        }
        let zero: i64 = vault
            .conn()
            .query_row("SELECT count(*) FROM call_counts WHERE n <= 0", [], |r| r.get(0))
            .unwrap();
        prop_assert_eq!(zero, 0, "rows that fell to zero are deleted");
        let first = summary::monday(day("1969-12-20"));
        for (a, b) in periods {
            let from = first + chrono::Days::new(u64::from(a.min(b)) * 7);
            let to = summary::sunday(first + chrono::Days::new(u64::from(a.max(b)) * 7));
            for synthetic in [true, false] {
                let conn = vault.read();
                prop_assert_eq!(
                    summary::count(conn, from, to, synthetic).unwrap(),
                    summary::recount(conn, from, to, synthetic).unwrap(),
                    "{} to {}, synthetic {}", from, to, synthetic
                );
            }
        }
    }
}

#[test]
fn the_preview_shows_the_published_counts_by_dimension_not_the_file() {
    let f = Fixture::new();
    calls::create_many(&f.vault, dataset(0, 2), OldCalls::Accept).unwrap();
    let published = summary(&f.vault.coordinator().unwrap(), &options(3)).unwrap();
    let view = preview(&published);
    let dimensions: Vec<&str> = view.tables.iter().map(|t| t.dimension.as_str()).collect();
    assert_eq!(
        dimensions,
        [
            "category",
            "area",
            "agency",
            "verification",
            "language",
            "caller_relation"
        ]
    );
    // Two calls: below k, so the total is hidden or 0, never 2.
    assert_ne!(view.total, Some(2));
    for table in &view.tables {
        assert!(table.rows.iter().all(|r| r.key != ALL), "{table:?}");
        for row in &table.rows {
            assert!(matches!(row.count, None | Some(0)), "{row:?}");
        }
    }
    let categories = &view.tables[0].rows;
    assert_eq!(categories.len(), Category::ALL.len());
    // The file has thousands of rows; the preview a few dozen.
    let shown: usize = view.tables.iter().map(|t| t.rows.len()).sum();
    assert!(view.file_rows > 10 * shown, "{} vs {shown}", view.file_rows);
    assert_eq!(
        view.file_rows,
        published.tables.iter().map(|t| t.rows.len()).sum::<usize>()
    );

    // With enough calls the counts are the summary's, value for value.
    calls::create_many(&f.vault, dataset(1, 60), OldCalls::Accept).unwrap();
    let published = summary(&f.vault.coordinator().unwrap(), &options(3)).unwrap();
    let view = preview(&published);
    let agency = published.table("calls_by_agency").unwrap();
    for row in &view.tables[2].rows {
        assert_eq!(row.count, agency.row(&[row.key.as_str()]).unwrap().count);
    }
    assert_eq!(view.total, Some(62));
}
