//! Key slots that name nobody: no handle on disk, one size whatever the
//! users and roles, one error for a wrong handle and a wrong passphrase,
//! and every earlier vault migrating at each user's next unlock.

use super::*;
use crate::vault::{
    KEY_FILE, KEY_FILE_LEN, LEGACY_KEY_FILE, Role, SLOT_COUNT, VaultError, needs_migration,
};

/// A handle no file may contain.
const CANARY: &str = "Canary-Handle-7Q";

#[test]
fn a_canary_handle_is_in_no_file_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let vault = Vault::create(&data, CANARY, &pass(COORDINATOR_PASS)).unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user("Second-Canary-9Z", Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user(
            VOLUNTEER,
            Role::Coordinator,
            &pass("a third passphrase here"),
        )
        .unwrap();
    let check = |moment: &str| {
        for needle in [CANARY, "Second-Canary-9Z"] {
            for spelling in [needle.to_owned(), needle.to_ascii_lowercase()] {
                let found = files_containing(&data, spelling.as_bytes());
                assert!(found.is_empty(), "{spelling} {moment} in {found:?}");
            }
        }
    };
    check("while open");
    vault.lock().unwrap();
    check("after lock");
    assert!(!data.join(LEGACY_KEY_FILE).exists());
    // And the users are all there.
    let vault = Vault::unlock(&data, "second-canary-9z", &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(vault.user().handle, "Second-Canary-9Z");
    assert_eq!(vault.list_users().unwrap().len(), 3);
}

/// The key file's bytes and each slot's length (the file is header + a
/// fixed number of equal slots, so its length says it all).
fn key_file_len(data: &Path) -> usize {
    std::fs::read(data.join(KEY_FILE)).unwrap().len()
}

#[test]
fn the_key_file_has_one_size_for_any_users_and_roles() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, vault) = new_vault(tmp.path(), "one");
    vault.lock().unwrap();
    let (five, vault) = new_vault(tmp.path(), "five");
    for (i, role) in [
        Role::Volunteer,
        Role::Coordinator,
        Role::Volunteer,
        Role::Volunteer,
    ]
    .into_iter()
    .enumerate()
    {
        vault
            .coordinator()
            .unwrap()
            .add_user(&format!("user-{i}"), role, &pass("a fine long passphrase"))
            .unwrap();
    }
    assert_eq!(vault.list_users().unwrap().len(), 5);
    vault.lock().unwrap();
    assert_eq!(key_file_len(&one), KEY_FILE_LEN);
    assert_eq!(key_file_len(&five), KEY_FILE_LEN);
    // A coordinator's slot and a volunteer's are indistinguishable by
    // length: the file is a header plus SLOT_COUNT equal slots.
    assert_eq!((KEY_FILE_LEN - 40) % SLOT_COUNT, 0);
}

#[test]
fn the_thirty_third_user_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "full");
    for i in 1..SLOT_COUNT {
        vault
            .coordinator()
            .unwrap()
            .add_user(
                &format!("u{i}"),
                Role::Volunteer,
                &pass("a fine long passphrase"),
            )
            .unwrap();
    }
    let before = snapshot(&data);
    let err = vault
        .coordinator()
        .and_then(|c| c.add_user("one-more", Role::Volunteer, &pass("a fine long passphrase")))
        .unwrap_err();
    assert!(
        matches!(err, VaultError::TooManyUsers { limit: SLOT_COUNT }),
        "{err:?}"
    );
    assert_eq!(
        snapshot(&data).get(Path::new(KEY_FILE)),
        before.get(Path::new(KEY_FILE))
    );
    // Removing one frees a slot.
    vault.coordinator().unwrap().remove_user("u7").unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user("one-more", Role::Volunteer, &pass("a fine long passphrase"))
        .unwrap();
    vault.lock().unwrap();
    Vault::unlock(&data, "one-more", &pass("a fine long passphrase"))
        .unwrap()
        .lock()
        .unwrap();
}

#[test]
fn a_wrong_handle_and_a_wrong_passphrase_are_one_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    vault.lock().unwrap();
    let wrong_handle = Vault::unlock(&data, "nobody", &pass(VOLUNTEER_PASS)).unwrap_err();
    let wrong_pass = Vault::unlock(&data, VOLUNTEER, &pass(COORDINATOR_PASS)).unwrap_err();
    assert!(matches!(wrong_handle, VaultError::WrongHandleOrPassphrase));
    assert!(matches!(wrong_pass, VaultError::WrongHandleOrPassphrase));
    assert_eq!(wrong_handle.to_string(), wrong_pass.to_string());
    use crate::errors::Coded;
    assert_eq!(wrong_handle.code(), wrong_pass.code());
}

/// Unlock as each of `users`, checking the session, then lock.
fn unlock_each(data: &Path, users: &[(&str, Role, &str)]) {
    for (handle, role, passphrase) in users {
        let vault = Vault::unlock(data, handle, &pass(passphrase)).unwrap();
        assert_eq!(vault.user().role, *role, "{handle}");
        vault.lock().unwrap();
    }
}

#[test]
fn old_slots_are_converted_one_user_at_a_time_then_the_old_file_goes() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user("cy", Role::Volunteer, &pass("cy has a passphrase"))
        .unwrap();
    create_notes_table(&vault);
    add_note(&vault, "kept through the conversion");
    let users = [
        (COORDINATOR, Role::Coordinator, COORDINATOR_PASS),
        (VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS),
        ("cy", Role::Volunteer, "cy has a passphrase"),
    ];
    give_old_slots(&vault, &users);
    vault.lock().unwrap();
    assert!(!data.join(KEY_FILE).exists());
    let old_file = std::fs::read_to_string(data.join(LEGACY_KEY_FILE)).unwrap();
    assert!(
        old_file.contains("\"bo\""),
        "handles in the clear, as before"
    );

    // The coordinator's unlock converts their slot only, and they see who
    // still has an old one.
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&vault), ["kept through the conversion"]);
    let old: Vec<_> = vault
        .list_users()
        .unwrap()
        .into_iter()
        .filter(|u| u.old_slot)
        .map(|u| u.handle)
        .collect();
    assert_eq!(old, ["bo", "cy"]);
    let report = vault.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.old_slots, ["bo", "cy"]);
    vault.lock().unwrap();
    assert_eq!(key_file_len(&data), KEY_FILE_LEN);
    let old_file = std::fs::read_to_string(data.join(LEGACY_KEY_FILE)).unwrap();
    assert!(!old_file.contains("\"ana\""), "converted slot removed");
    assert!(old_file.contains("\"bo\"") && old_file.contains("\"cy\""));

    // A second unlock opens the new slot (nothing left to convert for ana).
    unlock_each(&data, &users[..1]);

    // A coordinator removes cy, who never came back: their old slot goes.
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    vault.coordinator().unwrap().remove_user("cy").unwrap();
    vault.lock().unwrap();
    let old_file = std::fs::read_to_string(data.join(LEGACY_KEY_FILE)).unwrap();
    assert!(!old_file.contains("\"cy\""));
    assert!(matches!(
        Vault::unlock(&data, "cy", &pass("cy has a passphrase")),
        Err(VaultError::WrongHandleOrPassphrase)
    ));

    // bo's unlock converts the last old slot: the old file is destroyed.
    unlock_each(&data, &users[1..2]);
    assert!(!data.join(LEGACY_KEY_FILE).exists());
    unlock_each(&data, &users[..2]);
    let vault = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(vault.list_users().unwrap().iter().all(|u| !u.old_slot));
    assert!(vault.verify().unwrap().is_ok());
    vault.lock().unwrap();
    for handle in ["ana", "bo", "cy"] {
        let quoted = format!("\"{handle}\"");
        assert!(
            files_containing(&data, quoted.as_bytes()).is_empty(),
            "{handle} still on disk"
        );
    }
}

#[test]
fn a_passphrase_change_through_an_old_slot_converts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = locked_with_two_old_slots(tmp.path());
    let mut bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    bo.change_passphrase(&pass(VOLUNTEER_PASS), &pass("bo picked a new one"))
        .unwrap();
    assert!(!bo.user().must_change_passphrase);
    bo.lock().unwrap();
    assert!(matches!(
        Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    unlock_each(
        &data,
        &[
            (VOLUNTEER, Role::Volunteer, "bo picked a new one"),
            (COORDINATOR, Role::Coordinator, COORDINATOR_PASS),
        ],
    );
    assert!(!data.join(LEGACY_KEY_FILE).exists());
}

#[test]
fn a_vault_from_before_the_anchor_and_the_new_key_file_migrates_in_one_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    create_notes_table(&vault);
    add_note(&vault, "from the oldest version");
    give_old_slots(
        &vault,
        &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)],
    );
    let Vault {
        files,
        mut store,
        key,
        ..
    } = vault;
    store
        .rekey(
            &files.wal(),
            &crate::vault::secret::DatabaseKey::legacy(&key),
            &mut |_| {},
        )
        .unwrap();
    store.close().unwrap();
    std::fs::remove_file(files.anchor()).unwrap();
    assert!(needs_migration(&data));

    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&vault), ["from the oldest version"]);
    assert!(vault.verify().unwrap().is_ok());
    vault.lock().unwrap();
    assert!(!needs_migration(&data));
    assert!(!data.join(LEGACY_KEY_FILE).exists());
    unlock_each(&data, &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)]);
}

#[test]
fn a_conversion_cut_short_after_the_index_commit_converts_again() {
    let tmp = tempfile::tempdir().unwrap();
    let data = locked_with_two_old_slots(tmp.path());
    unlock_each(&data, &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)]);
    let key_file_before_bo = std::fs::read(data.join(KEY_FILE)).unwrap();
    unlock_each(&data, &[(VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS)]);
    // As if the key file write after bo's conversion had been lost (the
    // index says converted; the old file still holds bo's slot).
    std::fs::write(data.join(KEY_FILE), &key_file_before_bo).unwrap();
    let legacy = crate::vault::keyslots::KeyFile {
        slots: vec![
            crate::vault::keyslots::KeySlot::seal(
                VOLUNTEER,
                Role::Volunteer,
                crate::vault::KdfParams::DEFAULT,
                &pass(VOLUNTEER_PASS),
                &Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS))
                    .unwrap()
                    .key,
            )
            .unwrap(),
        ],
    };
    legacy.save(&data.join(LEGACY_KEY_FILE)).unwrap();
    // Another user's unlock must not drop bo's old slot ...
    unlock_each(&data, &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)]);
    assert!(data.join(LEGACY_KEY_FILE).exists());
    // ... and bo's next unlock converts again.
    unlock_each(&data, &[(VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS)]);
    assert!(!data.join(LEGACY_KEY_FILE).exists());
    unlock_each(&data, &[(VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS)]);
}

#[test]
fn a_backup_of_format_2_restores_and_converts_at_restore() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    create_notes_table(&vault);
    add_note(&vault, "in a format-2 backup");
    give_old_slots(
        &vault,
        &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)],
    );
    vault.lock().unwrap();
    // As the previous version wrote it: the old key file, the anchor, the
    // database.
    let part = |name: &str| std::fs::read(data.join(name)).unwrap();
    let (key_file, anchor, db) = (
        part(LEGACY_KEY_FILE),
        part(crate::vault::ANCHOR_FILE),
        part("hotline.db"),
    );
    let mut backup = b"HLDESKBK".to_vec();
    backup.extend_from_slice(&2u32.to_be_bytes());
    backup.extend_from_slice(&(key_file.len() as u32).to_be_bytes());
    backup.extend_from_slice(&key_file);
    backup.extend_from_slice(&(anchor.len() as u32).to_be_bytes());
    backup.extend_from_slice(&anchor);
    backup.extend_from_slice(&(db.len() as u64).to_be_bytes());
    backup.extend_from_slice(&db);
    let file = tmp.path().join("v2.hlbk");
    std::fs::write(&file, backup).unwrap();

    let target = tmp.path().join("restored");
    let restored = Vault::restore(&target, &file, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&restored), ["in a format-2 backup"]);
    assert!(restored.verify().unwrap().is_ok());
    restored.lock().unwrap();
    assert!(!target.join(LEGACY_KEY_FILE).exists());
    assert_eq!(key_file_len(&target), KEY_FILE_LEN);
    unlock_each(
        &target,
        &[(COORDINATOR, Role::Coordinator, COORDINATOR_PASS)],
    );
}

/// A locked vault in `dir/data` whose coordinator and volunteer both still
/// have a slot in the old key file.
fn locked_with_two_old_slots(dir: &Path) -> std::path::PathBuf {
    let (data, vault) = new_vault(dir, "data");
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
    data
}
