//! The workflow and permission rules, through the public API.

use super::*;
use crate::codes::Verification::{self, *};
use crate::errors::{Coded, ErrorCode};

fn set_verification(vault: &Vault, id: CallId, to: Verification) -> Result<(), CallError> {
    update(
        vault,
        id,
        CallUpdate {
            verification: Some(to),
            ..CallUpdate::default()
        },
    )
}

#[test]
fn verification_moves_through_the_workflow() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("a")).unwrap();
    set_verification(&fx.vault, id, Dispatched).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().verification, Dispatched);
    set_verification(&fx.vault, id, FalseAlarm).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().verification, FalseAlarm);

    // A call-back can settle a report without a dispatch.
    let other = create(&fx.vault, call("b")).unwrap();
    set_verification(&fx.vault, other, LocalPolice).unwrap();
    assert_eq!(get(&fx.vault, other).unwrap().verification, LocalPolice);
}

#[test]
fn refused_moves_change_nothing() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("a")).unwrap();
    set_verification(&fx.vault, id, Dispatched).unwrap();
    let err = set_verification(&fx.vault, id, Unverified).unwrap_err();
    assert!(matches!(
        err,
        CallError::InvalidTransition {
            from: Dispatched,
            to: Unverified
        }
    ));
    set_verification(&fx.vault, id, Confirmed).unwrap();
    for to in [Dispatched, FalseAlarm, UnableToVerify, LocalPolice] {
        let err = set_verification(&fx.vault, id, to).unwrap_err();
        assert!(
            matches!(
                err,
                CallError::InvalidTransition {
                    from: Confirmed,
                    ..
                }
            ),
            "{to}: {err:?}"
        );
    }
    assert_eq!(get(&fx.vault, id).unwrap().verification, Confirmed);
    // Nothing refused left a history entry.
    let edits = history(&fx.vault, id).unwrap();
    assert_eq!(edits.len(), 3, "created, dispatched, confirmed: {edits:?}");
}

#[test]
fn only_a_coordinator_reopens_a_final_outcome() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    let id = create(&volunteer, call("a")).unwrap();
    set_verification(&volunteer, id, UnableToVerify).unwrap();
    assert!(matches!(
        set_verification(&volunteer, id, Unverified),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    set_verification(&fx.vault, id, Unverified).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().verification, Unverified);
}

#[test]
fn exact_location_is_cleared_when_a_dispatch_reaches_an_outcome() {
    let fx = Fixture::new();
    let mut new = call("a");
    new.exact_location = Some("100 Example St, apt 4".into());
    let id = create(&fx.vault, new).unwrap();
    set_verification(&fx.vault, id, Dispatched).unwrap();
    assert_eq!(
        get(&fx.vault, id).unwrap().exact_location.as_deref(),
        Some("100 Example St, apt 4")
    );
    set_verification(&fx.vault, id, Confirmed).unwrap();
    let stored = get(&fx.vault, id).unwrap();
    assert_eq!(stored.exact_location, None);
    // Setting it again on a closed call does not bring it back.
    update(
        &fx.vault,
        id,
        CallUpdate {
            exact_location: Some(Some("200 Example St".into())),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().exact_location, None);
    // A call logged with a final outcome never stores one.
    let mut closed = call("b");
    closed.verification = FalseAlarm;
    closed.exact_location = Some("300 Example St".into());
    let closed = create(&fx.vault, closed).unwrap();
    assert_eq!(get(&fx.vault, closed).unwrap().exact_location, None);
    // The history says the location was cleared, not what it was.
    let last = history(&fx.vault, id).unwrap().into_iter().nth(2).unwrap();
    let location = last
        .fields
        .iter()
        .find(|f| f.field == "exact_location")
        .unwrap();
    assert_eq!((location.from.as_ref(), location.to.as_ref()), (None, None));
}

#[test]
fn a_volunteer_cannot_manage_retention_holds_or_areas() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    let id = create(&volunteer, call("a")).unwrap();
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| set_retention_days(&c, 30)),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    assert_eq!(retention_days(&volunteer).unwrap(), DEFAULT_RETENTION_DAYS);
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| set_legal_hold(&c, id, true)),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| add_area(&c, "Maple Bluff")),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| deactivate_area(&c, "Verona")),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| crate::demo::demo_data(&c, 5, 1, Utc::now())),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    assert_eq!(
        list_areas(&volunteer, true).unwrap().len(),
        SEED_AREAS.len()
    );
    // Purging is policy, not a setting: anyone may run it.
    purge_expired(&volunteer, Utc::now()).unwrap();
}

#[test]
fn retention_is_set_within_range_and_audited() {
    let fx = Fixture::new();
    for bad in [0, 6, 366, 10_000] {
        assert!(matches!(
            set_retention_days(&fx.vault.coordinator().unwrap(), bad),
            Err(CallError::InvalidRetention { .. })
        ));
    }
    set_retention_days(&fx.vault.coordinator().unwrap(), 7).unwrap();
    set_retention_days(&fx.vault.coordinator().unwrap(), 365).unwrap();
    assert_eq!(retention_days(&fx.vault).unwrap(), 365);
    let audited: i64 = fx
        .vault
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'settings.retention'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}

#[test]
fn areas_are_added_deactivated_and_audited() {
    let fx = Fixture::new();
    let names: Vec<String> = list_areas(&fx.vault, false)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, SEED_AREAS);

    add_area(&fx.vault.coordinator().unwrap(), "Maple Bluff").unwrap();
    assert!(matches!(
        add_area(&fx.vault.coordinator().unwrap(), "maple bluff"),
        Err(CallError::AreaExists)
    ));
    let mut new = call("a");
    new.area = Some("maple bluff".into());
    let id = create(&fx.vault, new).unwrap();
    assert_eq!(
        get(&fx.vault, id).unwrap().area.as_deref(),
        Some("Maple Bluff")
    );

    deactivate_area(&fx.vault.coordinator().unwrap(), "Maple Bluff").unwrap();
    assert!(
        !list_areas(&fx.vault, false)
            .unwrap()
            .iter()
            .any(|a| a.name == "Maple Bluff")
    );
    // New calls cannot use it; the old call keeps it, even when edited.
    let mut new = call("b");
    new.area = Some("Maple Bluff".into());
    assert!(matches!(
        create(&fx.vault, new),
        Err(CallError::UnknownArea)
    ));
    update(
        &fx.vault,
        id,
        CallUpdate {
            urgency: Some(Urgency::Urgent),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    assert_eq!(
        get(&fx.vault, id).unwrap().area.as_deref(),
        Some("Maple Bluff")
    );
    // Adding it again reactivates it.
    add_area(&fx.vault.coordinator().unwrap(), "Maple Bluff").unwrap();
    assert!(
        list_areas(&fx.vault, false)
            .unwrap()
            .iter()
            .any(|a| a.name == "Maple Bluff")
    );
    assert!(matches!(
        deactivate_area(&fx.vault.coordinator().unwrap(), "Nowhere"),
        Err(CallError::UnknownArea)
    ));
    let audited: Vec<String> = fx
        .vault
        .conn()
        .prepare("SELECT action FROM audit_log WHERE action LIKE 'area.%' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(audited, ["area.add", "area.deactivate", "area.add"]);
}

#[test]
fn only_a_coordinator_logs_a_call_for_someone_else() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    fx.vault
        .coordinator()
        .unwrap()
        .add_user("someone-else", Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    let mut new = call("a");
    new.volunteer = Some("someone-else".into());
    assert!(matches!(
        create(&volunteer, new.clone()),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
    let id = create(&fx.vault, new).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().volunteer, "someone-else");
    // Their own handle, in any case, is fine; absent means themselves.
    let mut own = call("b");
    own.volunteer = Some("BO-3".into());
    create(&volunteer, own).unwrap();
    let id = create(&volunteer, call("c")).unwrap();
    let stored = get(&volunteer, id).unwrap();
    assert_eq!(stored.volunteer, VOLUNTEER);
    assert_eq!(stored.created_by, VOLUNTEER);
    // A volunteer may edit another's call without changing its volunteer.
    let theirs = list(&volunteer, &CallFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.volunteer == "someone-else")
        .unwrap();
    update(
        &volunteer,
        theirs.id,
        CallUpdate {
            urgency: Some(Urgency::Low),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    assert!(matches!(
        update(
            &volunteer,
            theirs.id,
            CallUpdate {
                volunteer: Some("third-one".into()),
                ..CallUpdate::default()
            }
        ),
        Err(CallError::Vault(VaultError::NotCoordinator))
    ));
}

#[test]
fn follow_ups_are_due_overdue_and_done() {
    let fx = Fixture::new();
    let today = Utc::now().date_naive();
    let mut new = call("a");
    new.followups = vec![
        NewFollowUp {
            what: "call back".into(),
            due: today - Duration::days(2),
            done: false,
        },
        NewFollowUp {
            what: "send list".into(),
            due: today,
            done: false,
        },
        NewFollowUp {
            what: "next week".into(),
            due: today + Duration::days(7),
            done: false,
        },
        NewFollowUp {
            what: "already done".into(),
            due: today - Duration::days(1),
            done: true,
        },
    ];
    let id = create(&fx.vault, new).unwrap();
    let due = followups(&fx.vault, &Utc::now()).unwrap();
    let whats: Vec<(&str, bool)> = due.iter().map(|f| (f.what.as_str(), f.overdue)).collect();
    assert_eq!(whats, [("call back", true), ("send list", false)]);
    assert!(due.iter().all(|f| f.call == id));

    set_followup_done(&fx.vault, due[0].id, true).unwrap();
    assert_eq!(followups(&fx.vault, &Utc::now()).unwrap().len(), 1);
    let stored = get(&fx.vault, id).unwrap();
    assert!(
        stored
            .followups
            .iter()
            .any(|f| f.done && f.done_at.is_some())
    );
    set_followup_done(&fx.vault, due[0].id, false).unwrap();
    assert_eq!(followups(&fx.vault, &Utc::now()).unwrap().len(), 2);
    assert!(matches!(
        set_followup_done(&fx.vault, FollowUpId(9999), true),
        Err(CallError::FollowUpNotFound)
    ));

    let added = add_followup(
        &fx.vault,
        id,
        NewFollowUp {
            what: "one more".into(),
            due: today,
            done: false,
        },
    )
    .unwrap();
    assert!(
        followups(&fx.vault, &Utc::now())
            .unwrap()
            .iter()
            .any(|f| f.id == added)
    );
    let actions: Vec<HistoryAction> = history(&fx.vault, id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            HistoryAction::Created,
            HistoryAction::FollowupDone,
            HistoryAction::FollowupReopened,
            HistoryAction::FollowupAdded
        ]
    );
}

#[test]
fn unknown_ids_are_not_found() {
    let fx = Fixture::new();
    let missing: CallId = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b".parse().unwrap();
    assert!(matches!(get(&fx.vault, missing), Err(CallError::NotFound)));
    assert!(matches!(
        update(&fx.vault, missing, CallUpdate::default()),
        Err(CallError::NotFound)
    ));
    assert!(matches!(
        "not-an-id".parse::<CallId>(),
        Err(CallError::InvalidId)
    ));
}

#[test]
fn a_call_dated_more_than_a_day_ahead_is_refused_naming_the_time() {
    let fx = Fixture::new();
    let mut ahead = call("a");
    ahead.received_at = "9999-12-31T00:00:00Z".parse().unwrap();
    let err = create(&fx.vault, ahead).unwrap_err();
    assert!(matches!(err, CallError::InFuture { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ReceivedInFuture);
    assert_eq!(err.field(), Some("received_at"));
    assert!(
        err.to_string().contains("9999-12-31T00:00:00Z"),
        "names the value: {err}"
    );
    let mut tomorrow = call("b");
    tomorrow.received_at = Utc::now() + Duration::hours(23);
    create(&fx.vault, tomorrow).unwrap();
    assert_eq!(list(&fx.vault, &CallFilter::default()).unwrap().len(), 1);
}

#[test]
fn a_call_older_than_retention_is_refused_unless_confirmed() {
    let fx = Fixture::new();
    let old = call_with("old", Duration::days(i64::from(DEFAULT_RETENTION_DAYS) + 1));
    let err = create(&fx.vault, old.clone()).unwrap_err();
    assert!(
        matches!(err, CallError::OlderThanRetention { days, .. } if days == DEFAULT_RETENTION_DAYS),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::OlderThanRetention);
    assert_eq!(err.field(), Some("received_at"));
    assert!(err.to_string().contains("shredded at once"), "{err}");
    let batch =
        create_many(&fx.vault, vec![call("new"), old.clone()], OldCalls::Refuse).unwrap_err();
    assert!(
        matches!(&batch, CallError::InBatch { number: 2, .. }),
        "{batch:?}"
    );
    assert!(list(&fx.vault, &CallFilter::default()).unwrap().is_empty());
    let ids = create_many(&fx.vault, vec![old], OldCalls::Accept).unwrap();
    assert_eq!(ids.len(), 1);
    let recent = call_with(
        "recent",
        Duration::days(i64::from(DEFAULT_RETENTION_DAYS) - 1),
    );
    create(&fx.vault, recent).unwrap();
}

#[test]
fn an_edit_moves_the_time_and_duration_within_the_rules_and_the_history_has_both() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("a")).unwrap();
    let before = get(&fx.vault, id).unwrap();
    let earlier = before.received_at - Duration::hours(3);
    update(
        &fx.vault,
        id,
        CallUpdate {
            received_at: Some(earlier),
            duration_seconds: Some(Some(390)),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    let after = get(&fx.vault, id).unwrap();
    assert_eq!(after.received_at, earlier);
    assert_eq!(after.duration_seconds, Some(390));
    let edited = history(&fx.vault, id).unwrap().pop().unwrap();
    let fields: Vec<_> = edited.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["received_at", "duration_seconds"]);
    assert_eq!(edited.fields[1].to.as_deref(), Some("390"));

    // A time before the retention period would be shredded at once: refused,
    // naming the field, and nothing changes.
    let old = Utc::now() - Duration::days(i64::from(DEFAULT_RETENTION_DAYS) + 1);
    let moved = |at| CallUpdate {
        received_at: Some(at),
        ..CallUpdate::default()
    };
    let err = update(&fx.vault, id, moved(old)).unwrap_err();
    assert!(
        matches!(err, CallError::OlderThanRetention { .. }),
        "{err:?}"
    );
    assert_eq!(err.field(), Some("received_at"));
    let err = update(&fx.vault, id, moved(Utc::now() + Duration::days(2))).unwrap_err();
    assert!(matches!(err, CallError::InFuture { .. }), "{err:?}");
    assert_eq!(get(&fx.vault, id).unwrap().received_at, earlier);
}

#[test]
fn a_volunteer_the_vault_does_not_know_is_refused_naming_the_handle() {
    let mut fx = Fixture::new();
    let _volunteer = fx.volunteer();
    let mut new = call("a");
    new.volunteer = Some("nobody-9".into());
    let err = create(&fx.vault, new).unwrap_err();
    assert!(
        matches!(&err, CallError::UnknownVolunteer { handle } if handle == "nobody-9"),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::UnknownVolunteer);
    assert_eq!(err.field(), Some("volunteer"));
    assert!(err.to_string().contains("\"nobody-9\""), "{err}");

    let mut theirs = call("b");
    theirs.volunteer = Some("BO-3".into());
    let id = create(&fx.vault, theirs).unwrap();
    let to = |handle: &str| CallUpdate {
        volunteer: Some(handle.into()),
        ..CallUpdate::default()
    };
    assert!(matches!(
        update(&fx.vault, id, to("nobody-9")),
        Err(CallError::UnknownVolunteer { .. })
    ));
    update(&fx.vault, id, to(COORDINATOR)).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().volunteer, COORDINATOR);
}

#[test]
fn renaming_an_area_renames_it_on_its_calls_and_is_audited() {
    let fx = Fixture::new();
    let mut new = call("a");
    new.area = Some("Verona".into());
    let id = create(&fx.vault, new).unwrap();
    let coordinator = fx.vault.coordinator().unwrap();

    rename_area(&coordinator, "Verona", "City of Verona").unwrap();
    assert_eq!(
        get(&fx.vault, id).unwrap().area.as_deref(),
        Some("City of Verona")
    );
    let names: Vec<String> = list_areas(&fx.vault, true)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert!(names.contains(&"City of Verona".to_owned()));
    assert!(!names.contains(&"Verona".to_owned()));
    assert_eq!(names.len(), SEED_AREAS.len(), "renamed, not added");
    let last = crate::vault::audit::entries(fx.vault.conn()).pop().unwrap();
    assert_eq!(last.action, "area.rename");

    // A change of case alone is fine; another area's name, an unknown area
    // or a bad name are refused, and nothing changes.
    rename_area(&coordinator, "City of Verona", "city of verona").unwrap();
    assert!(matches!(
        rename_area(&coordinator, "city of verona", "MONONA"),
        Err(CallError::AreaExists)
    ));
    assert!(matches!(
        rename_area(&coordinator, "Atlantis", "Somewhere"),
        Err(CallError::UnknownArea)
    ));
    assert!(matches!(
        rename_area(&coordinator, "city of verona", " padded"),
        Err(CallError::Invalid { .. })
    ));
    assert_eq!(
        get(&fx.vault, id).unwrap().area.as_deref(),
        Some("city of verona")
    );
}
