//! Create, unlock, lock; users, roles, passphrases, failed attempts, settings.

use std::time::{SystemTime, UNIX_EPOCH};

use super::*;
use crate::vault::audit::entries;
use crate::vault::{
    KEY_FILE, LEGACY_KEY_FILE, Role, SessionUser, VaultError, failed_attempts, retry_delay,
};

#[test]
fn create_refuses_existing_files_and_unlock_knows_no_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    assert!(!Vault::exists(&data));
    assert!(matches!(
        Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::NoVault)
    ));
    assert!(matches!(
        Vault::create(&data, "a b", &pass(COORDINATOR_PASS)),
        Err(VaultError::InvalidHandle { .. })
    ));
    assert!(matches!(
        Vault::create(&data, COORDINATOR, &pass("too short")),
        Err(VaultError::WeakPassphrase { .. })
    ));
    assert!(!Vault::exists(&data), "refused creates leave nothing");

    // Any single vault file blocks create, and stays as it was.
    for name in ["hotline.db", "hotline.db-wal", "hotline.db-shm", KEY_FILE] {
        let dir = tmp.path().join(format!("blocked-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), b"existing bytes").unwrap();
        assert!(Vault::exists(&dir));
        assert!(matches!(
            Vault::create(&dir, COORDINATOR, &pass(COORDINATOR_PASS)),
            Err(VaultError::AlreadyExists)
        ));
        assert_eq!(std::fs::read(dir.join(name)).unwrap(), b"existing bytes");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }
}

#[test]
fn users_roles_and_unlock_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    assert_eq!(
        vault.user(),
        &SessionUser {
            handle: COORDINATOR.to_owned(),
            role: Role::Coordinator,
            must_change_passphrase: false,
        }
    );
    assert!(matches!(
        Vault::create(&data, "zed", &pass(COORDINATOR_PASS)),
        Err(VaultError::AlreadyExists)
    ));

    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    assert!(matches!(
        vault.coordinator().and_then(|c| c.add_user(
            "BO",
            Role::Coordinator,
            &pass("another good passphrase")
        )),
        Err(VaultError::HandleTaken)
    ));
    assert!(matches!(
        vault.coordinator().and_then(|c| c.add_user(
            "cy",
            Role::Volunteer,
            &pass("aaaaaaaaaaaaaaa")
        )),
        Err(VaultError::WeakPassphrase { .. })
    ));
    let users = vault.list_users().unwrap();
    let listed: Vec<_> = users.iter().map(|u| (u.handle.as_str(), u.role)).collect();
    assert_eq!(
        listed,
        [
            (COORDINATOR, Role::Coordinator),
            (VOLUNTEER, Role::Volunteer)
        ]
    );
    assert!(matches!(
        vault.coordinator().and_then(|c| c.remove_user(COORDINATOR)),
        Err(VaultError::LastCoordinator)
    ));
    assert!(matches!(
        vault.coordinator().and_then(|c| c.remove_user("nobody")),
        Err(VaultError::UnknownHandle)
    ));
    vault.lock().unwrap();

    // A volunteer can unlock but not manage.
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(bo.user().role, Role::Volunteer);
    assert!(matches!(
        bo.coordinator().and_then(|c| c.add_user(
            "cy",
            Role::Coordinator,
            &pass("a fine passphrase")
        )),
        Err(VaultError::NotCoordinator)
    ));
    assert!(matches!(
        bo.coordinator().and_then(|c| c.remove_user(COORDINATOR)),
        Err(VaultError::NotCoordinator)
    ));
    assert!(matches!(
        bo.coordinator().and_then(|c| c.set_auto_lock_minutes(30)),
        Err(VaultError::NotCoordinator)
    ));
    assert!(matches!(
        bo.coordinator()
            .and_then(|c| c.backup(&tmp.path().join("b.bak"))),
        Err(VaultError::NotCoordinator)
    ));
    assert!(bo.verify().unwrap().is_ok());
    bo.lock().unwrap();

    // Errors are specific, and handles are case-insensitive.
    assert!(matches!(
        Vault::unlock(&data, "nobody", &pass(COORDINATOR_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    assert!(matches!(
        Vault::unlock(&data, COORDINATOR, &pass(VOLUNTEER_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    let vault = Vault::unlock(&data, "ANA", &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(vault.user().handle, COORDINATOR);
    assert_eq!(failed_attempts(&data), 0, "success resets the counter");

    // A second coordinator can be removed by the first; never oneself.
    vault
        .coordinator()
        .unwrap()
        .add_user("cy", Role::Coordinator, &pass("a fine passphrase"))
        .unwrap();
    assert!(matches!(
        vault.coordinator().and_then(|c| c.remove_user(COORDINATOR)),
        Err(VaultError::CannotRemoveSelf)
    ));
    let key_file_with_bo = std::fs::read(data.join(KEY_FILE)).unwrap();
    vault
        .coordinator()
        .and_then(|c| c.remove_user(VOLUNTEER))
        .unwrap();
    vault
        .coordinator()
        .and_then(|c| c.remove_user("cy"))
        .unwrap();
    let users = vault.list_users().unwrap();
    assert_eq!(users.len(), 1);
    let actions: Vec<_> = entries(vault.conn())
        .into_iter()
        .map(|e| (e.actor, e.action, e.params))
        .collect();
    assert_eq!(
        actions,
        [
            ("ana".into(), "vault.create".into(), "{}".into()),
            (
                "ana".into(),
                "user.add".into(),
                r#"{"handle":"bo","role":"volunteer"}"#.into()
            ),
            (
                "ana".into(),
                "unlock.failures".into(),
                r#"{"failures":2}"#.into()
            ),
            (
                "ana".into(),
                "user.add".into(),
                r#"{"handle":"cy","role":"coordinator"}"#.into()
            ),
            (
                "ana".into(),
                "user.remove".into(),
                r#"{"handle":"bo"}"#.into()
            ),
            (
                "ana".into(),
                "user.remove".into(),
                r#"{"handle":"cy"}"#.into()
            ),
        ]
    );
    vault.lock().unwrap();

    // The removed user is refused ...
    assert!(matches!(
        Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    // ... even with an old copy of the key file that still has their slot.
    let current = std::fs::read(data.join(KEY_FILE)).unwrap();
    std::fs::write(data.join(KEY_FILE), &key_file_with_bo).unwrap();
    assert!(matches!(
        Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::KeySlotMismatch)
    ));
    std::fs::write(data.join(KEY_FILE), current).unwrap();
}

#[test]
fn editing_a_role_in_the_old_key_file_does_not_promote() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    give_old_slots(
        &vault,
        &[
            (COORDINATOR, Role::Coordinator, COORDINATOR_PASS),
            (VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS),
        ],
    );
    vault.lock().unwrap();
    let text = std::fs::read_to_string(data.join(LEGACY_KEY_FILE)).unwrap();
    assert_eq!(text.matches("\"volunteer\"").count(), 1);
    std::fs::write(
        data.join(LEGACY_KEY_FILE),
        text.replace("\"volunteer\"", "\"coordinator\""),
    )
    .unwrap();
    assert!(matches!(
        Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
}

#[test]
fn passphrase_change_keeps_all_data_and_other_users() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, mut vault) = new_vault(tmp.path(), "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    create_notes_table(&vault);
    add_note(&vault, "first note");
    add_note(&vault, "second note");
    vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(9)
        .unwrap();

    let new = "a brand new passphrase";
    assert!(matches!(
        vault.change_passphrase(&pass("not my passphrase"), &pass(new)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    assert!(matches!(
        vault.change_passphrase(&pass(COORDINATOR_PASS), &pass("weak")),
        Err(VaultError::WeakPassphrase { .. })
    ));
    vault
        .change_passphrase(&pass(COORDINATOR_PASS), &pass(new))
        .unwrap();
    let last = entries(vault.conn()).pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.params.as_str()),
        ("passphrase.change", "{}")
    );
    vault.lock().unwrap();

    assert!(matches!(
        Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    let vault = Vault::unlock(&data, COORDINATOR, &pass(new)).unwrap();
    assert_eq!(notes(&vault), ["first note", "second note"]);
    assert_eq!(vault.auto_lock_minutes().unwrap(), 9);
    vault.lock().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(notes(&bo), ["first note", "second note"]);
}

#[test]
fn repeated_failures_impose_a_growing_wait_and_success_resets() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault.lock().unwrap();
    let before = snapshot(&data);

    assert!(matches!(
        Vault::unlock(&data, "nobody", &pass(COORDINATOR_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    for _ in 0..3 {
        assert!(matches!(
            Vault::unlock(&data, COORDINATOR, &pass("wrong wrong wrong")),
            Err(VaultError::WrongHandleOrPassphrase)
        ));
    }
    assert_eq!(failed_attempts(&data), 4);
    assert_eq!(retry_delay(4).as_secs(), 1);
    // Four more failures just now: a 16 s wait (long enough that this test
    // does not depend on how fast the machine is).
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        data.join(crate::vault::ATTEMPTS_FILE),
        format!(r#"{{"failures":8,"last_failure_unix":{now}}}"#),
    )
    .unwrap();
    // Even the right passphrase waits; the error says how long and how many.
    match Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)) {
        Err(VaultError::TooSoon { wait, failures }) => {
            assert_eq!(failures, 8);
            assert!(wait.as_secs() <= 16 && !wait.is_zero());
        }
        other => panic!("expected TooSoon, got {other:?}"),
    }
    // Failures delete nothing: the vault files (all but the counter) are
    // byte-identical.
    let after = snapshot(&data);
    let counter = Path::new(crate::vault::ATTEMPTS_FILE);
    for (path, bytes) in before.iter().filter(|(path, _)| *path != counter) {
        assert_eq!(after.get(path), Some(bytes), "{}", path.display());
    }

    // Pretend the last failure was two minutes ago.
    let two_minutes_ago = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 120;
    std::fs::write(
        data.join(crate::vault::ATTEMPTS_FILE),
        format!(r#"{{"failures":8,"last_failure_unix":{two_minutes_ago}}}"#),
    )
    .unwrap();
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(failed_attempts(&data), 0);
    vault.lock().unwrap();
}

#[test]
fn auto_lock_setting_defaults_validates_and_persists() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    assert_eq!(vault.auto_lock_minutes().unwrap(), 5);
    for bad in [0, 61, 1000] {
        assert!(matches!(
            vault.coordinator().unwrap().set_auto_lock_minutes(bad),
            Err(VaultError::InvalidSetting { .. })
        ));
    }
    vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(1)
        .unwrap();
    vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(60)
        .unwrap();
    vault.lock().unwrap();
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(vault.auto_lock_minutes().unwrap(), 60);
    let last = entries(vault.conn()).pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.params.as_str()),
        ("settings.auto_lock", r#"{"minutes":60}"#)
    );
    assert!(vault.audit("Not A Name", serde_json::json!({})).is_err());
}

#[test]
fn verify_reports_a_sound_vault_and_its_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = new_vault(tmp.path(), "data");
    let report = vault.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.integrity, ["ok"]);
    assert!(report.sqlcipher_version.starts_with('4'));
    let slots = report.key_slots.unwrap();
    assert_eq!((slots.slots, slots.in_use), (32, 1));
    assert_eq!(
        slots.file_len,
        std::fs::metadata(_data.join(KEY_FILE)).unwrap().len() as usize
    );
    let kdf = slots.kdf;
    assert!(kdf.memory_kib >= crate::vault::KdfParams::MIN_MEMORY_KIB);
    assert!(kdf.iterations >= crate::vault::KdfParams::MIN_ITERATIONS);
}

#[test]
fn errors_and_debug_output_hold_no_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    let key_hex = vault.key.to_hex();
    let shown = format!("{vault:?}");
    assert!(!shown.contains(COORDINATOR_PASS));
    assert!(!shown.contains(&key_hex[..16]));
    vault.lock().unwrap();
    let err = Vault::unlock(&data, COORDINATOR, &pass("wrong but long enough")).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("wrong but long enough"));
    assert!(!text.contains(&key_hex[..16]));
}

#[test]
fn commits_leave_checkpoints_to_quiet_moments_and_lock_empties_the_wal() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .conn()
        .execute_batch("CREATE TABLE test_blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        .unwrap();
    let wal = data.join("hotline.db-wal");
    let frames = || std::fs::metadata(&wal).map_or(0, |m| m.len()) / (4096 + 24);
    // Each commit writes five pages or more: 300 of them pass SQLite's
    // default of a checkpoint every 1000 pages, which would have restarted
    // the WAL from its beginning.
    for _ in 0..300 {
        vault
            .conn()
            .execute(
                "INSERT INTO test_blobs (body) VALUES (randomblob(20000))",
                [],
            )
            .unwrap();
    }
    assert!(
        frames() > 1500,
        "the WAL kept every commit ({} frames)",
        frames()
    );
    // The quiet-moment checkpoint copies all of it, and the data is there.
    assert!(vault.checkpoint().unwrap());
    let (busy, log, done): (i64, i64, i64) = vault
        .conn()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((busy, log), (0, done));
    let rows: i64 = vault
        .conn()
        .query_row("SELECT count(*) FROM test_blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 300);
    // Locking checkpoints again and leaves no WAL behind (or an empty one).
    vault.lock().unwrap();
    assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0);
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let rows: i64 = vault
        .conn()
        .query_row("SELECT count(*) FROM test_blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 300);
}

#[test]
fn a_passphrase_a_coordinator_set_must_be_changed_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault.require_own_passphrase().unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    vault.lock().unwrap();

    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(bo.user().must_change_passphrase);
    assert!(matches!(
        bo.require_own_passphrase(),
        Err(VaultError::PassphraseChangeRequired)
    ));
    // Still required after a lock: the state is in the database.
    bo.lock().unwrap();
    let mut bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(bo.user().must_change_passphrase);
    // A weak new passphrase changes nothing.
    assert!(
        bo.change_passphrase(&pass(VOLUNTEER_PASS), &pass("weak"))
            .is_err()
    );
    assert!(bo.user().must_change_passphrase);
    // Nor does the coordinator's passphrase typed again as the new one.
    assert!(matches!(
        bo.change_passphrase(&pass(VOLUNTEER_PASS), &pass(VOLUNTEER_PASS)),
        Err(VaultError::WeakPassphrase {
            reason: crate::vault::rules::WeakReason::Unchanged
        })
    ));
    assert!(bo.user().must_change_passphrase);
    let own = "lantern quiver basin moped tundra";
    bo.change_passphrase(&pass(VOLUNTEER_PASS), &pass(own))
        .unwrap();
    bo.require_own_passphrase().unwrap();
    bo.lock().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(own)).unwrap();
    assert!(!bo.user().must_change_passphrase);
    bo.lock().unwrap();
    // The coordinator who created the vault chose their own passphrase.
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert!(!ana.user().must_change_passphrase);
}
