//! The audit log's hash chain and coordinator-signed checkpoints: edited,
//! deleted, inserted and rewritten entries and forged checkpoints are
//! reported; entries after the last checkpoint are reported as such.

use serde_json::json;

use super::*;
use crate::vault::audit::{self, AuditProblem, CHECKPOINT_DOMAIN};
use crate::vault::coordinator_key::CoordinatorKey;
use crate::vault::{Role, Vault};

/// A vault with a volunteer, the coordinator unlocked, and `n` more
/// entries written by the coordinator.
fn vault_with_entries(root: &Path, n: usize) -> (PathBuf, Vault) {
    let (data, vault) = new_vault(root, "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    for i in 0..n {
        vault.audit("test.entry", json!({ "n": i })).unwrap();
    }
    (data, vault)
}

fn max_id(vault: &Vault) -> i64 {
    vault
        .conn()
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

/// Recompute every entry's links and hashes from entry 1 on, as someone
/// who knows the documented format (and holds the master key) would.
fn rechain(vault: &Vault) {
    let rows: Vec<(i64, i64, String, String, String)> = vault
        .conn()
        .prepare("SELECT id, at, actor, action, params FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = [0u8; 32];
    for (id, at, actor, action, params) in rows {
        let hash = audit::entry_hash(&prev, id, at, &actor, &action, &params);
        vault
            .conn()
            .execute(
                "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                (id, &prev[..], &hash[..]),
            )
            .unwrap();
        prev = hash;
    }
}

#[test]
fn a_fresh_log_verifies_and_is_checkpointed_to_its_end() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 3);
    let report = vault.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(
        report.entries, 5,
        "vault.create, user.add and three entries"
    );
    assert_eq!(report.checkpointed_to, Some(max_id(&vault)));
    assert_eq!(report.unchecked_from, None);
}

#[test]
fn an_edited_entry_is_reported_with_its_id() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 3);
    vault
        .conn()
        .execute(
            "UPDATE audit_log SET actor = 'someone-else' WHERE id = 3",
            [],
        )
        .unwrap();
    let report = vault.verify_audit().unwrap();
    assert_eq!(report.problems, vec![AuditProblem::Edited { id: 3 }]);
}

#[test]
fn a_deleted_entry_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 3);
    vault
        .conn()
        .execute("DELETE FROM audit_log WHERE id = 3", [])
        .unwrap();
    let report = vault.verify_audit().unwrap();
    assert_eq!(
        report.problems,
        vec![
            AuditProblem::Missing { from: 3, to: 3 },
            AuditProblem::Unlinked { id: 4 },
            AuditProblem::Rewritten { upto: 3 },
        ],
        "the checkpoint written with entry 3 no longer finds it"
    );
}

#[test]
fn an_inserted_entry_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 2);
    let end = max_id(&vault);
    // Shift the newest entry up and slip a forged one in before it.
    vault
        .conn()
        .execute_batch(&format!(
            "UPDATE audit_log SET id = {} WHERE id = {end};
             INSERT INTO audit_log (id, at, actor, action, params, prev_hash, hash)
             SELECT {end}, at, 'ana', 'user.remove', '{{}}', prev_hash, hash
             FROM audit_log WHERE id = {};",
            end + 1,
            end + 1
        ))
        .unwrap();
    let problems = vault.verify_audit().unwrap().problems;
    assert!(
        problems.contains(&AuditProblem::Edited { id: end }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&AuditProblem::Edited { id: end + 1 }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&AuditProblem::Unlinked { id: end + 1 }),
        "{problems:?}"
    );
}

#[test]
fn a_rewritten_and_rechained_log_is_caught_by_the_checkpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 3);
    vault
        .conn()
        .execute("UPDATE audit_log SET params = '{\"n\":9}' WHERE id = 4", [])
        .unwrap();
    rechain(&vault);
    let problems = vault.verify_audit().unwrap().problems;
    let end = max_id(&vault);
    let rewritten: Vec<_> = (4..=end)
        .map(|upto| AuditProblem::Rewritten { upto })
        .collect();
    assert_eq!(problems, rewritten, "the chain itself is consistent again");
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 1);
    let end = max_id(&vault);
    let hash: Vec<u8> = vault
        .conn()
        .query_row("SELECT hash FROM audit_log WHERE id = ?1", [end], |r| {
            r.get(0)
        })
        .unwrap();
    let mut message = end.to_be_bytes().to_vec();
    message.extend_from_slice(&hash);
    message.extend_from_slice(&7i64.to_be_bytes());
    let forger = CoordinatorKey::generate().unwrap();
    let sig = forger.sign(CHECKPOINT_DOMAIN, &message);
    vault
        .conn()
        .execute(
            "INSERT INTO audit_checkpoints (upto, hash, at, signature) VALUES (?1, ?2, 7, ?3)",
            (end, &hash, &sig.to_bytes()[..]),
        )
        .unwrap();
    let report = vault.verify_audit().unwrap();
    assert_eq!(
        report.problems,
        vec![AuditProblem::ForgedCheckpoint { upto: end }]
    );
}

#[test]
fn a_volunteers_entries_wait_for_the_next_coordinator_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = vault_with_entries(tmp.path(), 0);
    vault.lock().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    bo.audit("test.entry", json!({})).unwrap();
    let end = max_id(&bo);
    let report = bo.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.unchecked_from, Some(end), "not yet checkpointed");
    // A volunteer can rewrite that entry undetected: nothing signed it.
    bo.conn()
        .execute(
            "UPDATE audit_log SET action = 'test.other' WHERE id = ?1",
            [end],
        )
        .unwrap();
    rechain(&bo);
    assert!(bo.verify_audit().unwrap().is_ok());
    bo.lock().unwrap();
    // The coordinator's next unlock checkpoints it.
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let report = ana.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.unchecked_from, None);
    assert_eq!(report.checkpointed_to, Some(end));
}

#[test]
fn entries_of_a_vault_from_before_the_chain_are_chained_once_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = vault_with_entries(tmp.path(), 2);
    let end = max_id(&vault);
    // As the migration leaves an older vault: no hashes, no checkpoints,
    // the chain pending up to its last entry.
    vault
        .conn()
        .execute_batch(&format!(
            "UPDATE audit_log SET prev_hash = NULL, hash = NULL;
             DELETE FROM audit_checkpoints;
             UPDATE audit_chain SET chained_to = {end}, pending = 1, chained_at = NULL;"
        ))
        .unwrap();
    drop(vault);
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    let report = bo.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.chained_at_upgrade_to, end);
    assert_eq!(
        report.unchecked_from,
        Some(1),
        "no coordinator signed it yet"
    );
    drop(bo);
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let report = ana.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.unchecked_from, None);
}

#[test]
fn coordinators_read_the_log_in_pages_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = vault_with_entries(tmp.path(), 5);
    let coordinator = vault.coordinator().unwrap();
    let first = coordinator.audit_entries(None, 3).unwrap();
    let ids: Vec<i64> = first.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![7, 6, 5]);
    assert_eq!(first[0].action, "test.entry");
    assert_eq!(first[0].params, json!({ "n": 4 }));
    assert_eq!(first[0].actor, COORDINATOR);
    let next = coordinator.audit_entries(Some(5), 10).unwrap();
    let ids: Vec<i64> = next.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![4, 3, 2, 1]);
    assert_eq!(next[3].action, "vault.create");
}
