//! The full integrity check on its own connection: sound vaults pass, it can
//! run next to writes, and cancelling it leaves the vault to lock cleanly.

use super::*;
use crate::vault::IntegrityOutcome;

fn filled(root: &Path, name: &str, notes_count: usize) -> (PathBuf, Vault) {
    let (data, vault) = new_vault(root, name);
    create_notes_table(&vault);
    for i in 0..notes_count {
        add_note(&vault, &format!("note {i} {}", "x".repeat(200)));
    }
    (data, vault)
}

fn only_the_database_and_key_files(data: &Path) {
    let names: Vec<_> = snapshot(data).into_keys().collect();
    assert!(
        names.iter().all(|n| n == Path::new("hotline.db")
            || n == Path::new("keyslots.bin")
            || n == Path::new("erase-anchor")
            || n == Path::new(crate::vault::ATTEMPTS_FILE)),
        "{names:?}"
    );
}

#[test]
fn a_sound_vault_passes_on_another_thread_while_it_keeps_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = filled(tmp.path(), "sound", 300);
    let check = vault.integrity_check();
    let worker = std::thread::spawn(move || check.run());
    for i in 0..20 {
        add_note(&vault, &format!("written during the check {i}"));
    }
    assert_eq!(worker.join().unwrap().unwrap(), IntegrityOutcome::Sound);
    assert!(!vault.writes_refused().unwrap());
    assert_eq!(notes(&vault).len(), 320);
    vault.lock().unwrap();
    only_the_database_and_key_files(&data);
}

#[test]
fn a_cancelled_check_says_so_and_the_vault_locks_to_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = filled(tmp.path(), "cancel", 300);

    let before = vault.integrity_check();
    before.cancel();
    assert_eq!(before.run().unwrap(), IntegrityOutcome::Cancelled);

    // Cancelled from another thread while (or before) it runs: `cancel`
    // returns only once the check's connection is closed.
    let check = std::sync::Arc::new(vault.integrity_check());
    let runner = std::sync::Arc::clone(&check);
    let worker = std::thread::spawn(move || runner.run());
    check.cancel();
    let outcome = worker.join().unwrap().unwrap();
    assert!(
        matches!(
            outcome,
            IntegrityOutcome::Cancelled | IntegrityOutcome::Sound
        ),
        "{outcome:?}"
    );
    vault.lock().unwrap();
    only_the_database_and_key_files(&data);
}

#[test]
fn refused_writes_still_lock_cleanly_and_the_next_unlock_writes_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = filled(tmp.path(), "refused", 10);
    vault.refuse_writes().unwrap();
    let err = vault
        .audit("test.write", serde_json::json!({}))
        .unwrap_err();
    assert!(
        matches!(err, crate::vault::VaultError::WritesRefused),
        "{err:?}"
    );
    vault.lock().unwrap();
    only_the_database_and_key_files(&data);

    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert!(!vault.writes_refused().unwrap());
    add_note(&vault, "after a new unlock");
    assert_eq!(notes(&vault).len(), 11);
    vault.lock().unwrap();
}
