//! Rekey after a user leaves: a new master key sealed to everyone who
//! stays, the database re-encrypted in WAL mode, old slot copies opening
//! nothing, and a rekey cut short at each step leaving a vault that opens.

use super::*;
use crate::vault::rekey::{STOP, Stop};
use crate::vault::{KEY_FILE, MigrationProgress, PENDING_KEY_FILE, Role, VaultError};

/// A vault with the coordinator, a second coordinator and the volunteer,
/// and some notes; returned unlocked as the coordinator.
fn team(root: &Path) -> (PathBuf, Vault) {
    let (data, vault) = new_vault(root, "data");
    for (handle, role, passphrase) in [
        (VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS),
        ("cy", Role::Coordinator, "cy has a long passphrase"),
    ] {
        vault
            .coordinator()
            .unwrap()
            .add_user(handle, role, &pass(passphrase))
            .unwrap();
    }
    create_notes_table(&vault);
    for i in 0..500 {
        add_note(&vault, &format!("note {i}"));
    }
    (data, vault)
}

fn journal_mode(vault: &Vault) -> String {
    vault
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_old_copy_of_a_removed_users_slot_opens_nothing_after_the_rekey() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, mut vault) = team(tmp.path());
    let old_key = *vault.key.bytes();
    let with_bo = std::fs::read(data.join(KEY_FILE)).unwrap();
    assert_eq!(journal_mode(&vault), "wal");

    let mut steps = Vec::new();
    let report = vault
        .remove_user_and_rekey(VOLUNTEER, &mut |p| steps.push(p))
        .unwrap();
    assert!(report.rekeyed, "{report:?}");
    assert_ne!(*vault.key.bytes(), old_key, "a new master key");
    assert_eq!(steps.last(), Some(&MigrationProgress::Done));
    assert!(steps.contains(&MigrationProgress::WritingBack));
    assert_eq!(
        journal_mode(&vault),
        "wal",
        "rekeyed in WAL mode, still WAL"
    );
    assert_eq!(notes(&vault).len(), 500);
    vault.lock().unwrap();
    assert!(!data.join(PENDING_KEY_FILE).exists());

    // Everyone who stays opens with their own passphrase, unchanged.
    for (handle, passphrase) in [
        (COORDINATOR, COORDINATOR_PASS),
        ("cy", "cy has a long passphrase"),
    ] {
        let vault = Vault::unlock(&data, handle, &pass(passphrase)).unwrap();
        assert_eq!(notes(&vault).len(), 500);
        assert!(vault.verify().unwrap().is_ok());
        vault.lock().unwrap();
    }
    assert!(matches!(
        Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    // The key file from before the removal still holds bo's slot, and it
    // opens: to the old master key, which opens nothing any more.
    std::fs::write(data.join(KEY_FILE), &with_bo).unwrap();
    let err = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap_err();
    assert!(matches!(err, VaultError::DamagedDatabase { .. }), "{err:?}");
    let old = crate::vault::secret::MasterKey::from_slice(&old_key).unwrap();
    let anchor = match crate::vault::anchor::load(&data.join("erase-anchor")).unwrap() {
        crate::vault::anchor::AnchorState::Present(anchor) => anchor,
        _ => panic!("no anchor"),
    };
    assert!(
        crate::store::Store::open_read_only(&data.join("hotline.db"), &anchor.database_key(&old))
            .is_err(),
        "the old master key does not open the database"
    );
}

#[test]
fn a_rekey_cut_short_at_each_step_leaves_a_vault_that_opens() {
    for stop in [Stop::AfterPending, Stop::AfterDatabase] {
        let tmp = tempfile::tempdir().unwrap();
        let (data, mut vault) = team(tmp.path());
        STOP.with(|s| s.set(Some(stop)));
        let result = vault.remove_user_and_rekey(VOLUNTEER, &mut |_| {});
        STOP.with(|s| s.set(None));
        assert!(result.is_err(), "{stop:?}");
        assert!(data.join(PENDING_KEY_FILE).exists(), "{stop:?}");
        // As a kill would: no lock, no checkpoint, the key left in memory.
        std::mem::forget(vault);

        for (handle, passphrase) in [
            (COORDINATOR, COORDINATOR_PASS),
            ("cy", "cy has a long passphrase"),
        ] {
            let vault = Vault::unlock(&data, handle, &pass(passphrase))
                .unwrap_or_else(|err| panic!("{stop:?} {handle}: {err:?}"));
            assert_eq!(notes(&vault).len(), 500, "{stop:?}");
            assert!(vault.verify().unwrap().is_ok(), "{stop:?}");
            assert!(!data.join(PENDING_KEY_FILE).exists(), "{stop:?}");
            vault.lock().unwrap();
        }
        assert!(
            Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).is_err(),
            "{stop:?}: the removal itself was committed"
        );
        // A rekey finishes the job where the first stopped before it.
        let mut vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        assert!(vault.rekey(&mut |_| {}).unwrap().rekeyed);
        vault.lock().unwrap();
        let vault = Vault::unlock(&data, "cy", &pass("cy has a long passphrase")).unwrap();
        assert_eq!(notes(&vault).len(), 500);
        vault.lock().unwrap();
    }
}

#[test]
fn no_rekey_while_someone_still_has_an_old_slot_and_volunteers_cannot() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = team(tmp.path());
    give_old_slots(
        &vault,
        &[
            (COORDINATOR, Role::Coordinator, COORDINATOR_PASS),
            (VOLUNTEER, Role::Volunteer, VOLUNTEER_PASS),
            ("cy", Role::Coordinator, "cy has a long passphrase"),
        ],
    );
    vault.lock().unwrap();
    let mut vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let key = *vault.key.bytes();
    let report = vault.rekey(&mut |_| {}).unwrap();
    assert_eq!((report.rekeyed, report.old_slots), (false, 2));
    assert_eq!(*vault.key.bytes(), key);
    vault.lock().unwrap();
    // bo converts; then a volunteer still cannot rekey.
    let mut bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(matches!(
        bo.rekey(&mut |_| {}),
        Err(VaultError::NotCoordinator)
    ));
    bo.lock().unwrap();
    unlock_each_then_lock(&data, "cy", "cy has a long passphrase");
    let mut vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert!(vault.rekey(&mut |_| {}).unwrap().rekeyed);
    vault.lock().unwrap();
    unlock_each_then_lock(&data, VOLUNTEER, VOLUNTEER_PASS);
}

fn unlock_each_then_lock(data: &Path, handle: &str, passphrase: &str) {
    Vault::unlock(data, handle, &pass(passphrase))
        .unwrap()
        .lock()
        .unwrap();
}

#[test]
fn a_restore_as_a_new_laptop_shares_no_key_with_the_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = team(tmp.path());
    let backup = tmp.path().join("team.hlbk");
    vault.coordinator().unwrap().backup(&backup).unwrap();
    let old_key = *vault.key.bytes();
    vault.lock().unwrap();

    let target = tmp.path().join("new-laptop");
    let mut steps = Vec::new();
    let (restored, report) = Vault::restore_as_new_laptop(
        &target,
        &backup,
        COORDINATOR,
        &pass(COORDINATOR_PASS),
        &mut |p| steps.push(p),
    )
    .unwrap();
    assert!(report.rekey.rekeyed);
    assert_eq!(steps.last(), Some(&MigrationProgress::Done));
    assert_ne!(*restored.key.bytes(), old_key);
    assert_eq!(notes(&restored).len(), 500);
    restored.lock().unwrap();
    // Everyone opens the new laptop's vault with their own passphrase ...
    unlock_each_then_lock(&target, VOLUNTEER, VOLUNTEER_PASS);
    // ... and the old laptop's key file, copied over, opens nothing there.
    std::fs::copy(data.join(KEY_FILE), target.join(KEY_FILE)).unwrap();
    assert!(matches!(
        Vault::unlock(&target, VOLUNTEER, &pass(VOLUNTEER_PASS)),
        Err(VaultError::DamagedDatabase { .. })
    ));

    // A volunteer's restore is done, but not as a new laptop.
    let other = tmp.path().join("volunteer-restore");
    assert!(matches!(
        Vault::restore_as_new_laptop(
            &other,
            &backup,
            VOLUNTEER,
            &pass(VOLUNTEER_PASS),
            &mut |_| {}
        ),
        Err(VaultError::NotCoordinator)
    ));
    unlock_each_then_lock(&other, VOLUNTEER, VOLUNTEER_PASS);
}
