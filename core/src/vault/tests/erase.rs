//! Emergency erase: afterwards an old copy of the database cannot be opened
//! with anything left on disk.

use super::*;
use crate::vault::{KEY_FILE, Role, VaultError};

#[test]
fn erase_leaves_nothing_that_opens_an_old_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    create_notes_table(&vault);
    add_note(&vault, "a call that must not be recovered");
    vault.lock().unwrap();

    // What an attacker copied earlier: the database file alone.
    let stash = tmp.path().join("stash");
    std::fs::create_dir_all(&stash).unwrap();
    std::fs::copy(data.join("hotline.db"), stash.join("old-copy.db")).unwrap();
    let original_key_file = std::fs::read(data.join(KEY_FILE)).unwrap();
    // A second name for the key file's inode shows what happened to its
    // bytes, not just to its name.
    #[cfg(unix)]
    std::fs::hard_link(data.join(KEY_FILE), stash.join("key-file-inode")).unwrap();

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
    assert!(matches!(
        Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::NoVault)
    ));

    #[cfg(unix)]
    {
        let overwritten = std::fs::read(stash.join("key-file-inode")).unwrap();
        assert!(overwritten.len() >= original_key_file.len());
        assert_ne!(
            &overwritten[..original_key_file.len()],
            &original_key_file[..]
        );
        assert!(!overwritten.windows(8).any(|w| w == b"\"handle\""));
    }

    // Try every file that remains anywhere as the key file next to the old
    // copy, with both users' passphrases.
    let mut remaining = snapshot(tmp.path());
    remaining.remove(Path::new("stash/old-copy.db"));
    if cfg!(unix) {
        assert!(
            !remaining.is_empty(),
            "at least the overwritten inode remains"
        );
    }
    for (i, (name, bytes)) in remaining.iter().enumerate() {
        let attempt = tmp.path().join(format!("attempt-{i}"));
        std::fs::create_dir_all(&attempt).unwrap();
        std::fs::copy(stash.join("old-copy.db"), attempt.join("hotline.db")).unwrap();
        std::fs::write(attempt.join(KEY_FILE), bytes).unwrap();
        for (handle, passphrase) in [(COORDINATOR, COORDINATOR_PASS), (VOLUNTEER, VOLUNTEER_PASS)] {
            let result = Vault::unlock(&attempt, handle, &pass(passphrase));
            assert!(result.is_err(), "{} opened the old copy", name.display());
        }
    }
    // The original key file, had it survived, would have opened it: the
    // test above is not vacuous.
    let control = tmp.path().join("control");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::copy(stash.join("old-copy.db"), control.join("hotline.db")).unwrap();
    std::fs::write(control.join(KEY_FILE), &original_key_file).unwrap();
    let opened = Vault::unlock(&control, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&opened), ["a call that must not be recovered"]);
}
