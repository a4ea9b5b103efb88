//! Emergency erase: afterwards no copy of the database and key file taken
//! earlier opens, with any passphrase; panic erase at the lock screen needs
//! no key but must be switched on.

use super::*;
use crate::vault::{ANCHOR_FILE, KEY_FILE, PANIC_ERASE_FILE, Role, VaultError};

/// A vault with a volunteer, a note, an export, webview storage, prefs and
/// a backup inside the data directory, locked.
fn lived_in(root: &Path) -> PathBuf {
    let (data, vault) = new_vault(root, "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    create_notes_table(&vault);
    add_note(&vault, "a call that must not be recovered");
    vault
        .coordinator()
        .unwrap()
        .backup(&data.join("kept-here.backup"))
        .unwrap();
    vault.lock().unwrap();
    std::fs::create_dir_all(data.join("exports/2026")).unwrap();
    std::fs::write(data.join("exports/2026/summary.csv"), "week,calls\n").unwrap();
    std::fs::create_dir_all(data.join("webview/WebKitCache")).unwrap();
    std::fs::write(data.join("webview/WebKitCache/blob"), [1u8; 5000]).unwrap();
    crate::prefs::save(&data, &crate::prefs::Prefs::default()).unwrap();
    // A preferences write cut short, and a temporary of the vault's own.
    std::fs::write(data.join("prefs.json.tmp"), b"{}").unwrap();
    std::fs::write(data.join(".hotline-tmp-write-0011223344556677"), [2u8; 300]).unwrap();
    data
}

/// Whether the database copy `db` with `key_file` and `anchor` opens with
/// any user's passphrase.
fn opens(root: &Path, name: &str, db: &[u8], key_file: &[u8], anchor: Option<&[u8]>) -> bool {
    let attempt = root.join(name);
    std::fs::create_dir_all(&attempt).unwrap();
    std::fs::write(attempt.join("hotline.db"), db).unwrap();
    std::fs::write(attempt.join(KEY_FILE), key_file).unwrap();
    if let Some(anchor) = anchor {
        std::fs::write(attempt.join(ANCHOR_FILE), anchor).unwrap();
    }
    [(COORDINATOR, COORDINATOR_PASS), (VOLUNTEER, VOLUNTEER_PASS)]
        .iter()
        .any(|(handle, passphrase)| Vault::unlock(&attempt, handle, &pass(passphrase)).is_ok())
}

#[test]
fn erase_leaves_nothing_that_opens_an_old_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let data = lived_in(tmp.path());

    // What a lab could carve from free space: the database and key file as
    // they were (old copies stay behind whenever a file is replaced).
    let stash = tmp.path().join("stash");
    std::fs::create_dir_all(&stash).unwrap();
    let old_db = std::fs::read(data.join("hotline.db")).unwrap();
    let old_key_file = std::fs::read(data.join(KEY_FILE)).unwrap();
    let old_anchor = std::fs::read(data.join(ANCHOR_FILE)).unwrap();
    // Second names for the inodes show what happened to their bytes, not
    // just to their names.
    for name in [KEY_FILE, ANCHOR_FILE, "kept-here.backup"] {
        std::fs::hard_link(data.join(name), stash.join(format!("inode-{name}"))).unwrap();
    }
    // The copies open while the anchor lives: the attempt below is not vacuous.
    assert!(opens(
        tmp.path(),
        "control",
        &old_db,
        &old_key_file,
        Some(&old_anchor)
    ));

    // A volunteer cannot erase; nothing changes.
    let before = snapshot(&data);
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(matches!(bo.erase(), Err(VaultError::NotCoordinator)));
    assert_eq!(snapshot(&data), before);

    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    vault.erase().unwrap();

    assert!(!Vault::exists(&data));
    assert!(
        snapshot(&data).is_empty(),
        "left in the data directory: {:?}",
        snapshot(&data).keys().collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "no folders left"
    );
    assert!(matches!(
        Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::NoVault)
    ));

    // The anchor, the key file and the backup were overwritten in place.
    let anchor_now = std::fs::read(stash.join(format!("inode-{ANCHOR_FILE}"))).unwrap();
    assert_eq!(anchor_now.len(), old_anchor.len());
    assert_ne!(anchor_now, old_anchor);
    let key_now = std::fs::read(stash.join(format!("inode-{KEY_FILE}"))).unwrap();
    assert!(!key_now.windows(8).any(|w| w == b"\"handle\""));
    let backup_now = std::fs::read(stash.join("inode-kept-here.backup")).unwrap();
    assert!(!backup_now.starts_with(b"HLDESKBK"));

    // The old database with the old key file (and the overwritten anchor,
    // or none) opens with no passphrase any more.
    assert!(!opens(
        tmp.path(),
        "after-1",
        &old_db,
        &old_key_file,
        Some(&anchor_now)
    ));
    assert!(!opens(tmp.path(), "after-2", &old_db, &old_key_file, None));
}

#[test]
fn panic_erase_needs_no_key_but_must_be_switched_on() {
    let tmp = tempfile::tempdir().unwrap();
    let data = lived_in(tmp.path());
    assert!(!crate::vault::panic_erase_is_on(&data), "off by default");

    let before = snapshot(&data);
    assert!(matches!(
        crate::vault::erase_at_lock_screen(&data),
        Err(VaultError::PanicEraseOff)
    ));
    assert_eq!(snapshot(&data), before, "refused: nothing touched");

    // A volunteer cannot switch it on; a coordinator can, and it is audited.
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(matches!(bo.coordinator(), Err(VaultError::NotCoordinator)));
    bo.lock().unwrap();
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    ana.coordinator().unwrap().set_panic_erase(true).unwrap();
    assert_eq!(
        crate::vault::audit::entries(ana.conn())
            .last()
            .unwrap()
            .action,
        "settings.panic_erase"
    );
    ana.lock().unwrap();
    assert!(crate::vault::panic_erase_is_on(&data));
    assert!(data.join(PANIC_ERASE_FILE).exists());

    let old_db = std::fs::read(data.join("hotline.db")).unwrap();
    let old_key_file = std::fs::read(data.join(KEY_FILE)).unwrap();
    crate::vault::erase_at_lock_screen(&data).unwrap();
    assert!(snapshot(&data).is_empty(), "{:?}", snapshot(&data).keys());
    assert!(!Vault::exists(&data));
    assert!(!opens(tmp.path(), "after", &old_db, &old_key_file, None));

    // Switching it off again removes the file.
    let (data2, vault) = new_vault(tmp.path(), "second");
    let c = vault.coordinator().unwrap();
    c.set_panic_erase(true).unwrap();
    c.set_panic_erase(false).unwrap();
    assert!(!crate::vault::panic_erase_is_on(&data2));
    vault.lock().unwrap();
}
