//! Every public operation that stores or reveals something, with the role it
//! needs, run by a volunteer and by a coordinator on real vault files.
//! Coordinator-only operations take a [`Coordinator`](crate::vault::Coordinator),
//! which only `Vault::coordinator` hands out, so the type system already
//! forbids calling them without one; this table checks that the one check
//! refuses volunteers, lets coordinators through, and that volunteers keep
//! everything a shift needs.

use chrono::{Duration, NaiveDate, Utc};
use tempfile::TempDir;

use crate::calls::{self, CallFilter, NewCall};
use crate::export::{self, SummaryOptions};
use crate::guidance;
use crate::vault::{Passphrase, Role, Vault, VaultError};

const PASS: &str = "maple kettle harbor 42";

/// Who an operation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Anyone,
    Coordinator,
}

/// What running an operation gave: done, refused for the role, or another
/// error (which fails the test with its message).
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Done,
    NotCoordinator,
    Failed(String),
}

fn outcome<E: std::fmt::Display>(result: Result<(), E>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(err) if err.to_string() == VaultError::NotCoordinator.to_string() => {
            Outcome::NotCoordinator
        }
        Err(err) => Outcome::Failed(err.to_string()),
    }
}

fn call() -> NewCall {
    calls::example(Utc::now() - Duration::hours(1))
}

fn period() -> SummaryOptions {
    SummaryOptions {
        k: 5,
        ..SummaryOptions::default()
    }
}

type Operation = fn(&Vault, &TempDir, &str) -> Outcome;

/// Every operation, with the role it needs. `tag` makes names unique per run.
const OPERATIONS: &[(&str, Needs, Operation)] =
    &[
        ("calls::create", Needs::Anyone, |v, _, _| {
            outcome(calls::create(v, call()).map(drop))
        }),
        ("calls::update (own call)", Needs::Anyone, |v, _, _| {
            let id = calls::create(v, call()).expect("anyone logs a call");
            let update = calls::CallUpdate {
                notes: Some("verifier says false alarm".into()),
                ..calls::CallUpdate::default()
            };
            outcome(calls::update(v, id, update))
        }),
        (
            "calls::update (hand to someone else)",
            Needs::Coordinator,
            |v, _, tag| {
                let id = calls::create(v, call()).expect("anyone logs a call");
                let other = if tag == "c" { "bo-3" } else { "river-7" };
                let update = calls::CallUpdate {
                    volunteer: Some(other.into()),
                    ..calls::CallUpdate::default()
                };
                outcome(calls::update(v, id, update))
            },
        ),
        ("calls::list", Needs::Anyone, |v, _, _| {
            outcome(calls::list(v, &CallFilter::default()).map(drop))
        }),
        ("calls::search", Needs::Anyone, |v, _, _| {
            outcome(calls::search(v, "vans", 10).map(drop))
        }),
        ("calls::save_draft", Needs::Anyone, |v, _, _| {
            outcome(calls::save_draft(v, &serde_json::json!({ "notes": "x" })))
        }),
        ("calls::retention_days", Needs::Anyone, |v, _, _| {
            outcome(calls::retention_days(v).map(drop))
        }),
        ("calls::held_calls", Needs::Anyone, |v, _, _| {
            outcome(calls::held_calls(v).map(drop))
        }),
        ("export::dashboard", Needs::Anyone, |v, _, _| {
            let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("a date");
            outcome(export::dashboard(v, day, day).map(drop))
        }),
        ("guidance::list_packs", Needs::Anyone, |v, _, _| {
            outcome(guidance::list_packs(v).map(drop))
        }),
        ("Vault::list_users", Needs::Anyone, |v, _, _| {
            outcome(v.list_users().map(drop))
        }),
        ("calls::add_area", Needs::Coordinator, |v, _, tag| {
            let name = format!("Area {tag}");
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| calls::add_area(&c, &name)),
            )
        }),
        ("calls::rename_area", Needs::Coordinator, |v, _, tag| {
            let (name, new_name) = if tag == "c" {
                ("Oregon", "Oregon WI")
            } else {
                ("Stoughton", "Stoughton WI")
            };
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| calls::rename_area(&c, name, new_name)),
            )
        }),
        ("calls::deactivate_area", Needs::Coordinator, |v, _, tag| {
            let name = if tag == "c" { "Verona" } else { "Monona" };
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| calls::deactivate_area(&c, name)),
            )
        }),
        (
            "calls::set_retention_days",
            Needs::Coordinator,
            |v, _, _| {
                outcome(
                    v.coordinator()
                        .map_err(Into::into)
                        .and_then(|c| calls::set_retention_days(&c, 60)),
                )
            },
        ),
        ("calls::set_legal_hold", Needs::Coordinator, |v, _, _| {
            let id = calls::create(v, call()).expect("anyone logs a call");
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| calls::set_legal_hold(&c, id, true)),
            )
        }),
        ("calls::demo_data", Needs::Coordinator, |v, _, _| {
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| crate::demo::demo_data(&c, 3, 1, Utc::now()).map(drop)),
            )
        }),
        ("export::summary", Needs::Coordinator, |v, _, _| {
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| export::summary(&c, &period()).map(drop)),
            )
        }),
        ("export::coordinator_key", Needs::Coordinator, |v, _, _| {
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| export::coordinator_key(&c).map(drop)),
            )
        }),
        ("guidance::use_pack", Needs::Coordinator, |v, _, _| {
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| guidance::use_pack(&c, guidance::BUILTIN_ALIAS).map(drop)),
            )
        }),
        (
            "Coordinator::set_auto_lock_minutes",
            Needs::Coordinator,
            |v, _, _| outcome(v.coordinator().and_then(|c| c.set_auto_lock_minutes(10))),
        ),
        ("Coordinator::add_user", Needs::Coordinator, |v, _, tag| {
            let handle = format!("new-{tag}");
            outcome(
                v.coordinator()
                    .and_then(|c| c.add_user(&handle, Role::Volunteer, &Passphrase::from(PASS))),
            )
        }),
        ("Coordinator::backup", Needs::Coordinator, |v, dir, tag| {
            let out = dir.path().join(format!("backup-{tag}.hlbak"));
            outcome(v.coordinator().and_then(|c| c.backup(&out).map(|_| ())))
        }),
        ("team::laptop", Needs::Anyone, |v, _, _| {
            outcome(crate::team::laptop(v).map(drop))
        }),
        (
            "team::request_enrolment",
            Needs::Coordinator,
            |v, dir, tag| {
                let out = dir.path().join(format!("request-{tag}"));
                outcome(v.coordinator().map_err(Into::into).and_then(|c| {
                    crate::team::request_enrolment(&c, "laptop", &out, false).map(drop)
                }))
            },
        ),
        ("team::create_team", Needs::Coordinator, |v, _, _| {
            outcome(
                v.coordinator()
                    .map_err(Into::into)
                    .and_then(|c| crate::team::create_team(&c, "team").map(drop)),
            )
        }),
        ("team::team_info", Needs::Anyone, |v, _, _| {
            outcome(crate::team::team_info(v).map(drop))
        }),
        (
            "export::export_bundle",
            Needs::Coordinator,
            |v, dir, tag| {
                let out = dir.path().join(format!("bundle-{tag}"));
                outcome(
                    v.coordinator()
                        .map_err(Into::into)
                        .and_then(|c| export::export_bundle(&c, &period(), &out, false).map(drop)),
                )
            },
        ),
    ];

#[test]
fn each_operation_needs_exactly_its_role() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let data = dir.path().join("data");
    let coordinator = Vault::create(&data, "river-7", &Passphrase::from(PASS)).expect("a vault");
    coordinator
        .coordinator()
        .expect("the first user is a coordinator")
        .add_user("bo-3", Role::Volunteer, &Passphrase::from(PASS))
        .expect("a volunteer");
    coordinator.lock().expect("lock");
    for (handle, tag) in [("bo-3", "v"), ("river-7", "c")] {
        let vault = Vault::unlock(&data, handle, &Passphrase::from(PASS)).expect("unlock");
        let is_coordinator = vault.user().role == Role::Coordinator;
        for (name, needs, run) in OPERATIONS {
            let expected = if *needs == Needs::Coordinator && !is_coordinator {
                Outcome::NotCoordinator
            } else {
                Outcome::Done
            };
            assert_eq!(run(&vault, &dir, tag), expected, "{name} as {handle}");
        }
        vault.lock().expect("lock");
    }
}
