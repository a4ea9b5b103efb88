//! Listing with filters, newest first; the indexes the list relies on.

use super::*;
use crate::codes::Verification;

#[test]
fn list_filters_and_pages_newest_first() {
    let fx = Fixture::new();
    let mut made = Vec::new();
    for (hours, category, area, verification) in [
        (50, Category::Courthouse, "Verona", Verification::Unverified),
        (
            40,
            Category::RumourCheck,
            "Verona",
            Verification::FalseAlarm,
        ),
        (30, Category::IcePublic, "Monona", Verification::FalseAlarm),
        (
            20,
            Category::RumourCheck,
            "Monona",
            Verification::Unverified,
        ),
        (10, Category::IcePublic, "Verona", Verification::Confirmed),
    ] {
        let mut c = call_with("x", Duration::hours(hours));
        c.category = category;
        c.area = Some(area.into());
        c.verification = verification;
        made.push(create(&fx.vault, c).unwrap());
    }
    let all = list(&fx.vault, &CallFilter::default()).unwrap();
    let newest_first: Vec<CallId> = made.iter().rev().copied().collect();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), newest_first);
    assert!(all.windows(2).all(|w| w[0].received_at >= w[1].received_at));

    let ids = |filter: CallFilter| -> Vec<CallId> {
        list(&fx.vault, &filter)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        ids(CallFilter {
            verification: Some(Verification::FalseAlarm),
            ..CallFilter::default()
        }),
        [made[2], made[1]]
    );
    assert_eq!(
        ids(CallFilter {
            category: Some(Category::RumourCheck),
            area: Some("verona".into()),
            ..CallFilter::default()
        }),
        [made[1]]
    );
    assert_eq!(
        ids(CallFilter {
            from: Some(Utc::now() - Duration::hours(35)),
            to: Some(Utc::now() - Duration::hours(15)),
            ..CallFilter::default()
        }),
        [made[3], made[2]]
    );
    assert_eq!(
        ids(CallFilter {
            limit: 2,
            offset: 1,
            ..CallFilter::default()
        }),
        [made[3], made[2]]
    );
    assert!(matches!(
        list(
            &fx.vault,
            &CallFilter {
                area: Some("Atlantis".into()),
                ..CallFilter::default()
            }
        ),
        Err(CallError::UnknownArea)
    ));
}

/// The plan for the newest 100 calls with a filter uses an index, so it
/// never sorts the whole table.
#[test]
fn filtered_lists_use_indexes() {
    let fx = Fixture::new();
    let plan = |sql: &str| -> String {
        let mut stmt = fx
            .vault
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        rows.join(" | ")
    };
    for (sql, index) in [
        (
            "SELECT uid FROM calls ORDER BY received_at DESC, id DESC LIMIT 100",
            "calls_received",
        ),
        (
            "SELECT uid FROM calls WHERE verification = 'unverified' ORDER BY received_at DESC, id DESC LIMIT 100",
            "calls_verification",
        ),
        (
            "SELECT uid FROM calls WHERE category = 'ice_public' ORDER BY received_at DESC, id DESC LIMIT 100",
            "calls_category",
        ),
        (
            "SELECT uid FROM calls WHERE area_id = 3 ORDER BY received_at DESC, id DESC LIMIT 100",
            "calls_area",
        ),
    ] {
        let plan = plan(sql);
        assert!(plan.contains(index), "{sql}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
    }
}

#[test]
fn demo_data_is_synthetic_realistic_and_reproducible() {
    let fx = Fixture::new();
    let now = Utc::now();
    let report = crate::demo::demo_data(&fx.vault.coordinator().unwrap(), 400, 1, now).unwrap();
    assert_eq!(report.calls, 400);
    let all = list(
        &fx.vault,
        &CallFilter {
            limit: 1000,
            ..CallFilter::default()
        },
    )
    .unwrap();
    assert_eq!(all.len(), 400);
    assert!(all.iter().all(|s| s.synthetic));
    assert!(all.iter().all(|s| s.received_at <= now));
    let count = |f: &dyn Fn(&CallSummary) -> bool| all.iter().filter(|s| f(s)).count();
    let rumours = count(&|s| s.category == Category::RumourCheck);
    let public = count(&|s| s.category == Category::IcePublic);
    let courthouse = count(&|s| s.category == Category::Courthouse);
    assert!(rumours > courthouse * 2 && public > courthouse * 2);
    let open_or_unsettled = count(&|s| {
        matches!(
            s.verification,
            Verification::Unverified | Verification::FalseAlarm | Verification::UnableToVerify
        )
    });
    assert!(open_or_unsettled > 200, "{open_or_unsettled}");
    assert!(count(&|s| s.verification == Verification::LocalPolice) > 0);
    // Every call obeys the rules, so a fresh get of any of them works.
    for summary in all.iter().take(20) {
        let stored = get(&fx.vault, summary.id).unwrap();
        assert!(!stored.notes.is_empty());
        assert!(stored.exact_location.is_none() || !is_final(stored.verification));
    }

    // The same seed gives the same calls.
    let other = Fixture::new();
    crate::demo::demo_data(&other.vault.coordinator().unwrap(), 400, 1, now).unwrap();
    let again = list(
        &other.vault,
        &CallFilter {
            limit: 1000,
            ..CallFilter::default()
        },
    )
    .unwrap();
    let shape = |s: &CallSummary| (s.received_at, s.category, s.verification, s.area.clone());
    assert_eq!(
        all.iter().map(shape).collect::<Vec<_>>(),
        again.iter().map(shape).collect::<Vec<_>>()
    );
}
