//! Encrypted backup and restore into another data directory.

use super::*;
use crate::vault::audit::entries;
use crate::vault::{Role, VaultError};

const SECRET_NOTE: &str = "caller said: meet at the corner of 5th and Main";

#[test]
fn backup_restores_elsewhere_with_an_existing_users_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "laptop-a");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    create_notes_table(&vault);
    add_note(&vault, SECRET_NOTE);
    vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(12)
        .unwrap();

    let backups = tmp.path().join("usb-stick");
    std::fs::create_dir_all(&backups).unwrap();
    let file = backups.join("hotline.backup");
    vault.coordinator().unwrap().backup(&file).unwrap();
    let first = std::fs::read(&file).unwrap();
    assert!(matches!(
        vault.coordinator().unwrap().backup(&file),
        Err(VaultError::BackupExists)
    ));
    assert_eq!(std::fs::read(&file).unwrap(), first, "never overwritten");
    assert_eq!(
        entries(vault.conn()).last().unwrap().action,
        "backup.create"
    );
    vault.lock().unwrap();

    // The backup is encrypted: no note, no plaintext SQLite header, and no
    // temporary left in the data directory or next to the backup.
    assert!(
        !first
            .windows(SECRET_NOTE.len())
            .any(|w| w == SECRET_NOTE.as_bytes())
    );
    assert!(!first.windows(15).any(|w| w == b"SQLite format 3"));
    assert_eq!(snapshot(&backups).len(), 1);
    assert_eq!(snapshot(&data).len(), 3, "database, key file, anchor");

    // Restore on "another laptop", as the volunteer.
    let other = tmp.path().join("laptop-b");
    let restored = Vault::restore(&other, &file, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(restored.user().handle, VOLUNTEER);
    // A fresh anchor on the target: the restored vault shares none with the
    // backup or the source laptop.
    let anchor_of = |dir: &Path| std::fs::read(dir.join(crate::vault::ANCHOR_FILE)).unwrap();
    assert_ne!(anchor_of(&other), anchor_of(&data));
    assert!(!first.windows(64).any(|w| w == &anchor_of(&other)[..64]));
    assert_eq!(restored.user().role, Role::Volunteer);
    assert_eq!(notes(&restored), [SECRET_NOTE]);
    assert_eq!(restored.auto_lock_minutes().unwrap(), 12);
    assert_eq!(restored.list_users().unwrap().len(), 2);
    assert!(restored.verify().unwrap().is_ok());
    assert_eq!(
        entries(restored.conn()).last().unwrap().action,
        "vault.restore"
    );
    restored.lock().unwrap();
    let coordinator = Vault::unlock(&other, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&coordinator), [SECRET_NOTE]);
    coordinator.lock().unwrap();

    // Restore never replaces a vault.
    let before = snapshot(&other);
    assert!(matches!(
        Vault::restore(&other, &file, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::RestoreTargetExists)
    ));
    assert_eq!(snapshot(&other), before);
}

#[test]
fn restore_refuses_wrong_credentials_and_damaged_backups() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, vault) = new_vault(tmp.path(), "source");
    create_notes_table(&vault);
    add_note(&vault, SECRET_NOTE);
    let file = tmp.path().join("b.backup");
    vault.coordinator().unwrap().backup(&file).unwrap();
    vault.lock().unwrap();
    let good = std::fs::read(&file).unwrap();

    let target = |name: &str| tmp.path().join(name);
    assert!(matches!(
        Vault::restore(
            &target("t1"),
            &file,
            COORDINATOR,
            &pass("not the passphrase")
        ),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    assert!(!Vault::exists(&target("t1")));
    assert!(matches!(
        Vault::restore(&target("t2"), &file, "nobody", &pass(COORDINATOR_PASS)),
        Err(VaultError::WrongHandleOrPassphrase)
    ));
    assert!(!Vault::exists(&target("t2")));

    let truncated = tmp.path().join("truncated.backup");
    std::fs::write(&truncated, &good[..good.len() - 10]).unwrap();
    assert!(matches!(
        Vault::restore(
            &target("t3"),
            &truncated,
            COORDINATOR,
            &pass(COORDINATOR_PASS)
        ),
        Err(VaultError::DamagedBackup { .. })
    ));
    assert!(!Vault::exists(&target("t3")));

    // One flipped byte inside the database part fails SQLCipher's page
    // authentication, and nothing is left behind.
    let mut flipped = good.clone();
    let i = flipped.len() - 2000;
    flipped[i] ^= 0x01;
    let flipped_file = tmp.path().join("flipped.backup");
    std::fs::write(&flipped_file, &flipped).unwrap();
    let err = Vault::restore(
        &target("t4"),
        &flipped_file,
        COORDINATOR,
        &pass(COORDINATOR_PASS),
    )
    .unwrap_err();
    assert!(matches!(err, VaultError::DamagedBackup { .. }), "{err:?}");
    assert!(!Vault::exists(&target("t4")));
    assert!(snapshot(&target("t4")).is_empty());

    let random = tmp.path().join("random.backup");
    let mut noise = vec![0u8; 9000];
    getrandom::fill(&mut noise).unwrap();
    std::fs::write(&random, &noise).unwrap();
    assert!(matches!(
        Vault::restore(&target("t5"), &random, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::DamagedBackup { .. })
    ));
}
