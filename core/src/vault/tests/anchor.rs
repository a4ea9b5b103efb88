//! The erase anchor: new vaults have one, old vaults are migrated at their
//! next unlock (re-encrypted once, with progress), and a migration cut
//! short at any point loses nothing.

use super::*;
use crate::vault::secret::DatabaseKey;
use crate::vault::{ANCHOR_FILE, ANCHOR_LEN, MigrationProgress, needs_migration};

const NOTE: &str = "a call from before the anchor";

/// A vault as an older Hotline Desk left it: the database keyed with the
/// master key itself, no anchor, the old key file.
fn legacy_vault(root: &Path, name: &str, notes_count: usize) -> PathBuf {
    let (data, vault) = new_vault(root, name);
    create_notes_table(&vault);
    for i in 0..notes_count {
        add_note(&vault, &format!("{NOTE} {i}"));
    }
    // Vaults from before the anchor had only the old key file.
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
        .rekey(&files.wal(), &DatabaseKey::legacy(&key), &mut |_| {})
        .unwrap();
    store.close().unwrap();
    std::fs::remove_file(files.anchor()).unwrap();
    data
}

/// Unlock as the coordinator, collecting the progress reports.
fn unlock_collecting(data: &Path) -> (Vault, Vec<MigrationProgress>) {
    let mut steps = Vec::new();
    let vault = Vault::unlock_with_progress(data, COORDINATOR, &pass(COORDINATOR_PASS), &mut |p| {
        steps.push(p)
    })
    .unwrap();
    (vault, steps)
}

/// Whether the database in `data` opens with the master key alone (the
/// old scheme).
fn opens_with_the_master_key(data: &Path, vault: &Vault) -> bool {
    crate::store::Store::open_read_only(&data.join("hotline.db"), &DatabaseKey::legacy(&vault.key))
        .is_ok()
}

#[test]
fn a_new_vault_has_a_full_block_anchor_and_its_database_needs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "new");
    assert_eq!(
        std::fs::metadata(data.join(ANCHOR_FILE)).unwrap().len(),
        ANCHOR_LEN as u64
    );
    assert!(!needs_migration(&data));
    assert!(!opens_with_the_master_key(&data, &vault));
    assert_ne!(vault.key.bytes(), vault.db_key.bytes());
    vault.lock().unwrap();
    // Without the anchor the vault does not open (and nothing is rewritten).
    let anchor = std::fs::read(data.join(ANCHOR_FILE)).unwrap();
    std::fs::write(data.join(ANCHOR_FILE), [0u8; ANCHOR_LEN]).unwrap();
    let before = snapshot(&data);
    assert!(Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).is_err());
    assert_eq!(snapshot(&data), before);
    std::fs::write(data.join(ANCHOR_FILE), anchor).unwrap();
    Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS))
        .unwrap()
        .lock()
        .unwrap();
}

#[test]
fn an_old_vault_is_migrated_once_at_unlock_with_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let data = legacy_vault(tmp.path(), "old", 2000);
    assert!(needs_migration(&data));

    let (vault, steps) = unlock_collecting(&data);
    assert_eq!(steps.last(), Some(&MigrationProgress::Done));
    assert!(steps.contains(&MigrationProgress::WritingBack));
    let reencrypting: Vec<_> = steps
        .iter()
        .filter_map(|s| match s {
            MigrationProgress::Reencrypting { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    let (done, total) = *reencrypting.last().unwrap();
    assert!(total > 10 && done == total, "{reencrypting:?}");
    assert!(reencrypting.windows(2).all(|w| w[0].0 <= w[1].0));

    assert_eq!(notes(&vault).len(), 2000);
    assert!(!needs_migration(&data));
    assert!(!opens_with_the_master_key(&data, &vault), "re-encrypted");
    assert!(vault.verify().unwrap().is_ok());
    vault.lock().unwrap();
    let names: Vec<_> = snapshot(&data).into_keys().collect();
    assert_eq!(
        names,
        [
            PathBuf::from(ANCHOR_FILE),
            PathBuf::from(crate::vault::ATTEMPTS_FILE),
            PathBuf::from("hotline.db"),
            PathBuf::from("keyslots.bin")
        ],
        "the WAL was checkpointed away, the old key file removed"
    );

    // The next unlock does not migrate again.
    let (vault, steps) = unlock_collecting(&data);
    assert!(steps.is_empty(), "{steps:?}");
    assert_eq!(notes(&vault).len(), 2000);
    vault.lock().unwrap();
}

#[test]
fn a_migration_cut_short_after_the_anchor_was_written_is_finished() {
    let tmp = tempfile::tempdir().unwrap();
    // The anchor complete, the database still under the old key.
    let data = legacy_vault(tmp.path(), "complete-anchor", 50);
    std::fs::write(data.join(ANCHOR_FILE), [7u8; ANCHOR_LEN]).unwrap();
    let (vault, steps) = unlock_collecting(&data);
    assert_eq!(steps.last(), Some(&MigrationProgress::Done));
    assert_eq!(notes(&vault).len(), 50);
    assert_eq!(
        std::fs::read(data.join(ANCHOR_FILE)).unwrap(),
        [7u8; ANCHOR_LEN]
    );
    vault.lock().unwrap();

    // An anchor cut short while it was being written.
    let data = legacy_vault(tmp.path(), "short-anchor", 50);
    std::fs::write(data.join(ANCHOR_FILE), [7u8; 100]).unwrap();
    let (vault, steps) = unlock_collecting(&data);
    assert_eq!(steps.last(), Some(&MigrationProgress::Done));
    assert_eq!(notes(&vault).len(), 50);
    assert_eq!(
        std::fs::metadata(data.join(ANCHOR_FILE)).unwrap().len(),
        ANCHOR_LEN as u64
    );
    vault.lock().unwrap();
    Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS))
        .unwrap()
        .lock()
        .unwrap();
}

#[test]
fn a_kill_after_the_rekey_committed_but_before_write_back_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = legacy_vault(tmp.path(), "old", 500);
    let frozen = tmp.path().join("frozen");
    // At `WritingBack` the rekey is committed to the WAL and the database
    // file still holds the old pages: copy the files as a kill would leave
    // them.
    let vault =
        Vault::unlock_with_progress(&data, COORDINATOR, &pass(COORDINATOR_PASS), &mut |p| {
            if p == MigrationProgress::WritingBack {
                copy_dir(&data, &frozen);
            }
        })
        .unwrap();
    vault.lock().unwrap();
    let names: Vec<_> = snapshot(&frozen).into_keys().collect();
    assert!(
        names.contains(&PathBuf::from("hotline.db-wal")),
        "{names:?}"
    );

    let (vault, steps) = unlock_collecting(&frozen);
    assert!(steps.is_empty(), "already under the new key: {steps:?}");
    assert_eq!(notes(&vault).len(), 500);
    vault.lock().unwrap();
    // Locking copied the log over the old pages (SQLCipher's page check
    // reads the database file itself, so it runs once they are there).
    let (vault, _) = unlock_collecting(&frozen);
    assert!(!opens_with_the_master_key(&frozen, &vault));
    let report = vault.verify().unwrap();
    assert!(report.is_ok(), "{report:?}");
    vault.lock().unwrap();
}

#[test]
fn a_backup_from_before_the_anchor_restores_with_a_fresh_anchor() {
    let tmp = tempfile::tempdir().unwrap();
    let data = legacy_vault(tmp.path(), "old", 20);
    // A format-1 backup as an older version wrote it: no anchor, the
    // database under the master key.
    let key_file = std::fs::read(data.join("keyslots.json")).unwrap();
    let db = std::fs::read(data.join("hotline.db")).unwrap();
    let mut backup = b"HLDESKBK".to_vec();
    backup.extend_from_slice(&1u32.to_be_bytes());
    backup.extend_from_slice(&(key_file.len() as u32).to_be_bytes());
    backup.extend_from_slice(&key_file);
    backup.extend_from_slice(&(db.len() as u64).to_be_bytes());
    backup.extend_from_slice(&db);
    let file = tmp.path().join("old.hlbk");
    std::fs::write(&file, backup).unwrap();

    let target = tmp.path().join("restored");
    let restored = Vault::restore(&target, &file, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&restored).len(), 20);
    assert!(!opens_with_the_master_key(&target, &restored));
    assert!(!needs_migration(&target));
    restored.lock().unwrap();
    let (vault, steps) = unlock_collecting(&target);
    assert!(steps.is_empty(), "restored straight under its own anchor");
    assert_eq!(notes(&vault).len(), 20);
    vault.lock().unwrap();
}
