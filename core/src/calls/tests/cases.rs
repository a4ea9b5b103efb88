//! A call's case: open, closed, reopened, and what follow-ups do to it.

use chrono::{Duration, Utc};

use super::*;

fn actions(vault: &Vault, id: CallId) -> Vec<HistoryAction> {
    history(vault, id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[test]
fn a_new_call_is_an_open_case_that_a_volunteer_closes_and_reopens() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    let id = create(&volunteer, call_with("", Duration::minutes(5))).unwrap();
    assert_eq!(get(&volunteer, id).unwrap().case_state, CaseState::Open);

    close_case(&volunteer, id).unwrap();
    assert_eq!(get(&volunteer, id).unwrap().case_state, CaseState::Closed);
    close_case(&volunteer, id).unwrap();
    reopen_case(&volunteer, id).unwrap();
    assert_eq!(get(&volunteer, id).unwrap().case_state, CaseState::Open);
    assert_eq!(
        actions(&volunteer, id),
        [
            HistoryAction::Created,
            HistoryAction::CaseClosed,
            HistoryAction::CaseReopened
        ],
        "closing twice records one close"
    );
    let entry = history(&volunteer, id).unwrap().pop().unwrap();
    assert_eq!(entry.editor, VOLUNTEER);
}

#[test]
fn closing_is_refused_while_follow_ups_are_open_and_says_how_many() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call_with("", Duration::minutes(5))).unwrap();
    let due = Utc::now().date_naive();
    let task = |what: &str| NewFollowUp {
        what: what.into(),
        due,
        done: false,
    };
    let first = add_followup(&fx.vault, id, task("call back")).unwrap();
    add_followup(&fx.vault, id, task("send the form")).unwrap();
    let err = close_case(&fx.vault, id).unwrap_err();
    assert!(matches!(err, CallError::CaseHasOpenFollowUps { open: 2 }));
    assert_eq!(
        err.to_string(),
        "the case cannot be closed: 2 follow-up task(s) are not done yet"
    );
    use crate::errors::Coded;
    assert_eq!(err.code(), crate::errors::ErrorCode::CaseOpenFollowUps);
    assert_eq!(err.field(), Some("followups"));
    assert_eq!(get(&fx.vault, id).unwrap().case_state, CaseState::Open);

    for f in get(&fx.vault, id).unwrap().followups {
        set_followup_done(&fx.vault, f.id, true).unwrap();
    }
    close_case(&fx.vault, id).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().case_state, CaseState::Closed);

    // A task marked not done again opens the case again; so does a new one.
    set_followup_done(&fx.vault, first, false).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().case_state, CaseState::Open);
    set_followup_done(&fx.vault, first, true).unwrap();
    close_case(&fx.vault, id).unwrap();
    add_followup(&fx.vault, id, task("check the hearing date")).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().case_state, CaseState::Open);
    let tail: Vec<_> = actions(&fx.vault, id).into_iter().rev().take(2).collect();
    assert_eq!(
        tail,
        [HistoryAction::CaseReopened, HistoryAction::FollowupAdded]
    );
}

#[test]
fn an_unknown_call_has_no_case() {
    let fx = Fixture::new();
    let id: CallId = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b".parse().unwrap();
    assert!(matches!(
        close_case(&fx.vault, id),
        Err(CallError::NotFound)
    ));
    assert!(matches!(
        reopen_case(&fx.vault, id),
        Err(CallError::NotFound)
    ));
}

#[test]
fn calls_of_before_the_case_state_are_open_only_with_an_open_follow_up() {
    let fx = Fixture::new();
    let plain = create(&fx.vault, call_with("", Duration::minutes(5))).unwrap();
    let mut pending = call_with("", Duration::minutes(5));
    pending.followups.push(NewFollowUp {
        what: "call back".into(),
        due: Utc::now().date_naive(),
        done: false,
    });
    let pending = create(&fx.vault, pending).unwrap();
    let conn = fx.vault.conn();
    conn.execute_batch("ALTER TABLE calls DROP COLUMN case_state")
        .unwrap();
    conn.execute_batch(crate::calls::cases::CASE_STATE_SQL)
        .unwrap();
    assert_eq!(get(&fx.vault, plain).unwrap().case_state, CaseState::Closed);
    assert_eq!(get(&fx.vault, pending).unwrap().case_state, CaseState::Open);
}
