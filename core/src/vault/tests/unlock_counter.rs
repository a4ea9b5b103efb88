//! The failed-unlock counter mirrored in the database: what a successful
//! unlock records, and a counter file deleted, replaced or edited between
//! two unlocks, reported at the next coordinator unlock.

use super::*;
use crate::vault::audit::entries;
use crate::vault::{ATTEMPTS_FILE, CounterProblem, FailedUnlocks, VaultError, failed_attempts};

/// A vault with a volunteer, locked.
fn team_vault(root: &Path) -> PathBuf {
    let (data, vault) = new_vault(root, "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    vault.lock().unwrap();
    data
}

fn fail(data: &Path, times: usize) {
    for _ in 0..times {
        assert!(matches!(
            Vault::unlock(data, VOLUNTEER, &pass("not the passphrase")),
            Err(VaultError::WrongHandleOrPassphrase)
        ));
    }
}

/// What the next coordinator unlock reports about failed unlocks.
fn coordinator_sees(data: &Path) -> FailedUnlocks {
    let ana = Vault::unlock(data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let found = ana
        .unlock_notice()
        .expect("a coordinator's notice")
        .failed_unlocks
        .clone();
    ana.lock().unwrap();
    found
}

fn problems(found: &FailedUnlocks) -> Vec<CounterProblem> {
    found.problems.iter().map(|p| p.problem).collect()
}

/// The audit entries about the counter, as (action, params).
fn counter_entries(vault: &Vault) -> Vec<(String, String)> {
    entries(vault.conn())
        .into_iter()
        .filter(|e| e.action.starts_with("unlock"))
        .map(|e| (e.action, e.params))
        .collect()
}

#[test]
fn a_fresh_vault_reports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    let notice = vault.unlock_notice().expect("a coordinator's notice");
    assert_eq!(notice.failed_unlocks, FailedUnlocks::default());
    assert!(notice.is_empty(), "{notice:?}");
    vault.lock().unwrap();
    assert!(data.join(ATTEMPTS_FILE).exists(), "the counter is kept");
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(
        ana.unlock_notice().unwrap().failed_unlocks,
        FailedUnlocks::default()
    );
    assert_eq!(counter_entries(&ana), vec![]);
}

#[test]
fn failures_then_a_success_are_counted_recorded_and_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team_vault(tmp.path());
    fail(&data, 2);
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(failed_attempts(&data), 0, "a success zeroes the count");
    let recorded: (i64, Option<String>) = bo
        .conn()
        .query_row(
            "SELECT failures, problem FROM unlock_counter_events",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(recorded, (2, None));
    assert_eq!(
        counter_entries(&bo),
        vec![("unlock.failures".to_owned(), r#"{"failures":2}"#.to_owned())]
    );
    assert!(bo.unlock_notice().is_none(), "volunteers get no notice");
    bo.lock().unwrap();
    fail(&data, 1);
    let seen = coordinator_sees(&data);
    assert_eq!((seen.failures, problems(&seen)), (3, vec![]));
    // Reported once: the next coordinator unlock has nothing new.
    assert!(coordinator_sees(&data).is_empty());
}

#[test]
fn a_counter_deleted_between_unlocks_is_reported_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team_vault(tmp.path());
    fail(&data, 3);
    // Deleted to be rid of the delay: the failures it counted are lost.
    std::fs::remove_file(data.join(ATTEMPTS_FILE)).unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(
        counter_entries(&bo),
        vec![(
            "unlock_counter.problem".to_owned(),
            r#"{"failures":0,"problem":"missing"}"#.to_owned()
        )]
    );
    bo.lock().unwrap();
    let seen = coordinator_sees(&data);
    assert_eq!(problems(&seen), vec![CounterProblem::Missing]);
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let notice = ana.unlock_notice().unwrap();
    assert!(notice.failed_unlocks.is_empty(), "the new file is sound");
}

#[test]
fn a_counter_replaced_by_an_older_copy_or_edited_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team_vault(tmp.path());
    let counter = data.join(ATTEMPTS_FILE);
    let fresh = std::fs::read(&counter).unwrap();
    fail(&data, 2);
    Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS))
        .unwrap()
        .lock()
        .unwrap();
    // The copy from before those failures (a lower sequence).
    std::fs::write(&counter, &fresh).unwrap();
    fail(&data, 1);
    let seen = coordinator_sees(&data);
    assert_eq!(problems(&seen), vec![CounterProblem::Reset]);

    // Four failures, then the count edited down and the sequence kept.
    fail(&data, 4);
    let text = std::fs::read_to_string(&counter).unwrap();
    assert!(text.contains(r#""failures":4"#), "{text}");
    std::fs::write(&counter, text.replace(r#""failures":4"#, r#""failures":0"#)).unwrap();
    let seen = coordinator_sees(&data);
    assert_eq!(problems(&seen), vec![CounterProblem::Altered]);
}
