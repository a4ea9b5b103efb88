//! A canary stored through the API never appears in any file, while the
//! vault is open (WAL full of fresh pages), in a backup, or after lock.

use super::*;
use crate::vault::audit::entries;

const CANARY: &str = "CANARY-caller-555-0199-Calle-Falsa-123";

fn assert_nowhere(dir: &Path, needle: &[u8], what: &str, moment: &str) {
    let found = files_containing(dir, needle);
    assert!(found.is_empty(), "{what} found {moment} in {found:?}");
}

#[test]
fn canary_never_reaches_disk_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    let key_hex = vault.key.to_hex();
    create_notes_table(&vault);
    for i in 0..300 {
        add_note(&vault, &format!("{CANARY} #{i}"));
    }
    vault
        .conn()
        .execute(
            "INSERT INTO settings (key, value) VALUES ('test.canary', ?1)",
            [CANARY],
        )
        .unwrap();
    vault
        .audit("test.canary", serde_json::json!({ "note": CANARY }))
        .unwrap();
    assert_eq!(entries(vault.conn()).len(), 2);

    // The canary pages sit in the WAL right now; the test means something
    // only if they do.
    let wal = data.join("hotline.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 100_000);
    assert!(data.join("hotline.db-shm").exists());

    let secrets: [(&[u8], &str); 3] = [
        (CANARY.as_bytes(), "the canary"),
        (COORDINATOR_PASS.as_bytes(), "the passphrase"),
        (key_hex.as_bytes(), "the master key (hex)"),
    ];
    for (needle, what) in secrets {
        assert_nowhere(&data, needle, what, "while open");
    }
    // Raw key bytes too, and the database key derived from it.
    assert_nowhere(&data, vault.key.bytes(), "the master key", "while open");
    assert_nowhere(
        &data,
        vault.db_key.bytes(),
        "the database key",
        "while open",
    );
    let db_key_hex = vault.db_key.to_hex();
    assert_nowhere(
        &data,
        db_key_hex.as_bytes(),
        "the database key (hex)",
        "while open",
    );

    // A backup inside the data directory, and whatever temporaries it made.
    vault
        .coordinator()
        .unwrap()
        .backup(&data.join("backup.hlbk"))
        .unwrap();
    for (needle, what) in secrets {
        assert_nowhere(&data, needle, what, "after backup");
    }
    assert_nowhere(&data, vault.key.bytes(), "the master key", "after backup");
    assert_nowhere(
        &data,
        vault.db_key.bytes(),
        "the database key",
        "after backup",
    );

    let key_bytes = *vault.key.bytes();
    let db_key_bytes = *vault.db_key.bytes();
    vault.lock().unwrap();
    for (needle, what) in secrets {
        assert_nowhere(&data, needle, what, "after lock");
    }
    assert_nowhere(&data, &key_bytes, "the master key", "after lock");
    assert_nowhere(&data, &db_key_bytes, "the database key", "after lock");

    // Lock leaves the database (WAL checkpointed away), the key file and the backup.
    let mut names: Vec<_> = snapshot(&data).into_keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            PathBuf::from("backup.hlbk"),
            PathBuf::from("erase-anchor"),
            PathBuf::from(crate::vault::ATTEMPTS_FILE),
            PathBuf::from("hotline.db"),
            PathBuf::from("keyslots.bin")
        ]
    );
    let db = std::fs::read(data.join("hotline.db")).unwrap();
    assert!(!db.starts_with(b"SQLite format 3"));

    // And the data is really there.
    let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(notes(&vault).len(), 300);
}
