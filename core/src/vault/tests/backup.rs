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
    assert_eq!(
        snapshot(&data).len(),
        4,
        "database, key file, anchor, failed-unlock counter"
    );

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

/// A vault with one note, backed up to `<root>/usb/hotline.backup`, locked.
fn backed_up(root: &Path) -> (PathBuf, PathBuf) {
    let (data, vault) = new_vault(root, "laptop");
    create_notes_table(&vault);
    add_note(&vault, SECRET_NOTE);
    let usb = root.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let file = usb.join("hotline.backup");
    vault.coordinator().unwrap().backup(&file).unwrap();
    vault.lock().unwrap();
    (data, file)
}

#[test]
fn restore_over_a_damaged_vault_sets_it_aside_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, file) = backed_up(tmp.path());
    // Damage the database: cut it to one page.
    let db = data.join(crate::vault::DATABASE_FILE);
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..4096]).unwrap();
    std::fs::write(data.join(crate::vault::PANIC_ERASE_FILE), b"on").unwrap();
    let damaged = snapshot(&data);

    assert!(matches!(
        Vault::restore(&data, &file, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::RestoreTargetExists)
    ));
    let (restored, aside) =
        Vault::restore_setting_aside(&data, &file, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&restored), [SECRET_NOTE]);
    restored.lock().unwrap();

    let aside = aside.expect("the damaged vault was there");
    assert_eq!(
        aside.parent(),
        data.parent(),
        "a sibling of the data folder"
    );
    let name = aside.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("laptop-damaged-20"), "{name}");
    assert_eq!(snapshot(&aside), damaged, "every damaged file, unchanged");
    assert!(
        !crate::vault::panic_erase_is_on(&data),
        "its switch went too"
    );

    // A second restore over a vault, in the same minute, gets its own folder.
    let (again, second) =
        Vault::restore_setting_aside(&data, &file, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    again.lock().unwrap();
    let second = second.unwrap();
    assert_ne!(second, aside);
    assert_eq!(snapshot(&aside), damaged, "the first folder is untouched");
}

#[test]
fn a_failed_restore_over_a_damaged_vault_puts_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, file) = backed_up(tmp.path());
    let db = data.join(crate::vault::DATABASE_FILE);
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..4096]).unwrap();
    let before = snapshot(&data);

    let err = Vault::restore_setting_aside(&data, &file, COORDINATOR, &pass("not the passphrase"))
        .err()
        .unwrap();
    assert!(
        matches!(err, VaultError::WrongHandleOrPassphrase),
        "{err:?}"
    );
    let mut after = snapshot(&data);
    // The failed attempt may be counted; the vault's files are as before.
    let counter = Path::new(crate::vault::ATTEMPTS_FILE);
    after.remove(counter);
    let mut before = before;
    before.remove(counter);
    assert_eq!(after, before);
    let siblings: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("damaged"))
        .collect();
    assert!(siblings.is_empty(), "no folder left behind: {siblings:?}");
}

#[test]
fn restore_setting_aside_into_an_empty_folder_moves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (_data, file) = backed_up(tmp.path());
    let empty = tmp.path().join("new-laptop");
    let (vault, aside) =
        Vault::restore_setting_aside(&empty, &file, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&vault), [SECRET_NOTE]);
    assert_eq!(aside, None);
}
