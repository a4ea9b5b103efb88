//! Damaged files give specific errors and stay byte-identical; nothing is
//! ever re-initialised over them.

use super::*;
use crate::vault::{KEY_FILE, VaultError};

const DB: &str = "hotline.db";

/// A locked vault with enough rows to span many pages.
fn pristine(root: &Path) -> PathBuf {
    let (data, vault) = new_vault(root, "pristine");
    create_notes_table(&vault);
    for i in 0..200 {
        add_note(&vault, &format!("note number {i} with some padding text"));
    }
    vault.lock().unwrap();
    data
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    getrandom::fill(&mut out).unwrap();
    out
}

/// Copy the pristine vault, damage one file, try to unlock, create and
/// restore over it, and check the error and that no file changed.
fn check(
    pristine: &Path,
    root: &Path,
    case: &str,
    file: &str,
    damage: impl FnOnce(Vec<u8>) -> Option<Vec<u8>>,
    expected: impl Fn(&VaultError) -> bool,
) {
    let data = root.join(case);
    copy_dir(pristine, &data);
    let path = data.join(file);
    match damage(std::fs::read(&path).unwrap()) {
        Some(bytes) => std::fs::write(&path, bytes).unwrap(),
        None => std::fs::remove_file(&path).unwrap(),
    }
    let before = snapshot(&data);

    let err = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap_err();
    assert!(expected(&err), "{case}: unexpected error {err:?}");
    let message = err.to_string();
    assert!(!message.contains(COORDINATOR_PASS), "{case}: {message}");

    assert!(matches!(
        Vault::create(&data, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::AlreadyExists)
    ));
    let no_backup = root.join("no-such-backup");
    assert!(matches!(
        Vault::restore(&data, &no_backup, COORDINATOR, &pass(COORDINATOR_PASS)),
        Err(VaultError::RestoreTargetExists)
    ));
    assert_eq!(snapshot(&data), before, "{case}: files changed");
}

fn damaged_db(err: &VaultError) -> bool {
    matches!(err, VaultError::DamagedDatabase { .. })
}

fn damaged_key_file(err: &VaultError) -> bool {
    matches!(err, VaultError::DamagedKeyFile { .. })
}

#[test]
fn damaged_database_is_reported_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = pristine(tmp.path());
    let db_len = std::fs::metadata(pristine.join(DB)).unwrap().len() as usize;
    assert!(db_len >= 8 * 4096, "test vault spans several pages");

    check(
        &pristine,
        tmp.path(),
        "db-random",
        DB,
        |b| Some(random_bytes(b.len())),
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-truncated-to-whole-pages",
        DB,
        |b| Some(b[..(b.len() / 2 / 4096) * 4096].to_vec()),
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-truncated-mid-page",
        DB,
        |b| Some(b[..b.len() - 1000].to_vec()),
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-empty",
        DB,
        |_| Some(Vec::new()),
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-one-flipped-byte",
        DB,
        |mut b| {
            let i = b.len() - 4096 + 100;
            b[i] ^= 0x40;
            Some(b)
        },
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-missing",
        DB,
        |_| None,
        damaged_db,
    );
}

#[test]
fn damaged_key_file_is_reported_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = pristine(tmp.path());
    check(
        &pristine,
        tmp.path(),
        "key-random",
        KEY_FILE,
        |b| Some(random_bytes(b.len())),
        damaged_key_file,
    );
    check(
        &pristine,
        tmp.path(),
        "key-truncated",
        KEY_FILE,
        |b| Some(b[..b.len() / 2].to_vec()),
        damaged_key_file,
    );
    check(
        &pristine,
        tmp.path(),
        "key-empty",
        KEY_FILE,
        |_| Some(Vec::new()),
        damaged_key_file,
    );
    check(
        &pristine,
        tmp.path(),
        "key-missing",
        KEY_FILE,
        |_| None,
        damaged_key_file,
    );
    check(
        &pristine,
        tmp.path(),
        "key-weakened-parameters",
        KEY_FILE,
        |b| {
            let text = String::from_utf8(b).unwrap();
            let weakened = text.replace("\"memory_kib\": 65536", "\"memory_kib\": 1024");
            assert_ne!(weakened, text);
            Some(weakened.into_bytes())
        },
        damaged_key_file,
    );
}

#[test]
fn a_key_file_from_another_vault_is_not_mistaken_for_a_wrong_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, vault) = new_vault(tmp.path(), "first");
    vault.lock().unwrap();
    let (second, vault) = new_vault(tmp.path(), "second");
    vault.lock().unwrap();
    std::fs::copy(second.join(KEY_FILE), first.join(KEY_FILE)).unwrap();
    let before = snapshot(&first);
    let err = Vault::unlock(&first, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap_err();
    assert!(damaged_db(&err), "{err:?}");
    assert_eq!(snapshot(&first), before);
}
