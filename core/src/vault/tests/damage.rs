//! Damaged files give specific errors and stay byte-identical; nothing is
//! ever re-initialised over them.

use super::*;
use crate::vault::{IntegrityOutcome, KEY_FILE, VaultError};

const DB: &str = "hotline.db";

/// Pages of the pristine vault worth damaging, found with SQLite's `dbstat`
/// table before it was locked (1-based page numbers).
#[derive(Debug, Clone, Copy)]
struct Pages {
    /// A leaf of the schema table other than page 1.
    schema_leaf: u64,
    /// The left-most leaf of the notes table: old rows, read by nothing at
    /// open.
    deep_leaf: u64,
    /// The left-most leaf of an index on the notes, read by nothing at open.
    index_leaf: u64,
}

/// A locked vault with enough rows to span many pages.
fn pristine(root: &Path) -> (PathBuf, Pages) {
    let (data, vault) = new_vault(root, "pristine");
    create_notes_table(&vault);
    vault
        .conn()
        .execute_batch("CREATE INDEX test_notes_by_note ON test_notes (note)")
        .unwrap();
    for i in 0..200 {
        add_note(&vault, &format!("note number {i} with some padding text"));
    }
    let page = |sql: &str| -> u64 {
        let n: i64 = vault.conn().query_row(sql, [], |r| r.get(0)).unwrap();
        u64::try_from(n).unwrap()
    };
    let pages = Pages {
        schema_leaf: page(
            "SELECT pageno FROM dbstat WHERE name = 'sqlite_schema' AND pagetype = 'leaf'
             AND pageno > 1 ORDER BY path DESC LIMIT 1",
        ),
        deep_leaf: page(
            "SELECT pageno FROM dbstat WHERE name = 'test_notes' AND pagetype = 'leaf'
             ORDER BY path LIMIT 1",
        ),
        index_leaf: page(
            "SELECT pageno FROM dbstat WHERE name = 'test_notes_by_note' AND pagetype = 'leaf'
             ORDER BY path LIMIT 1",
        ),
    };
    vault.lock().unwrap();
    (data, pages)
}

/// Flip one bit in the middle of page `page` (1-based).
fn flip_in_page(mut bytes: Vec<u8>, page: u64) -> Option<Vec<u8>> {
    let i = usize::try_from((page - 1) * 4096 + 2000).unwrap();
    bytes[i] ^= 0x40;
    Some(bytes)
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    getrandom::fill(&mut out).unwrap();
    out
}

/// Copy the pristine vault into `<root>/<case>` and damage one file (or
/// remove it when `damage` returns `None`).
fn damaged_copy(
    pristine: &Path,
    root: &Path,
    case: &str,
    file: &str,
    damage: impl FnOnce(Vec<u8>) -> Option<Vec<u8>>,
) -> PathBuf {
    let data = root.join(case);
    copy_dir(pristine, &data);
    let path = data.join(file);
    match damage(std::fs::read(&path).unwrap()) {
        Some(bytes) => std::fs::write(&path, bytes).unwrap(),
        None => std::fs::remove_file(&path).unwrap(),
    }
    data
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
    let data = damaged_copy(pristine, root, case, file, damage);
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

/// Damage deeper in the database than the checks at open read: the vault
/// unlocks (that is the point of keeping open cheap), but the full check,
/// `verify` and any read of the damaged page report it, a write that needs
/// the page fails, refused writes stay refused, and the file stays
/// byte-identical through all of it and after locking.
///
/// `access` is a query that reads the damaged page and a statement that
/// must modify it, when the test knows them.
fn check_deep(pristine: &Path, root: &Path, case: &str, page: u64, access: Option<(&str, &str)>) {
    let data = damaged_copy(pristine, root, case, DB, |b| flip_in_page(b, page));
    let before = snapshot(&data);

    let vault = match Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)) {
        Ok(vault) => vault,
        // A page whose role the test does not pin down may be one the
        // checks at open read; then it must be reported like any damage.
        Err(err) if access.is_none() && damaged_db(&err) => {
            assert_eq!(snapshot(&data), before, "{case}: files changed");
            return;
        }
        Err(err) => panic!("{case}: the checks at open read page {page}: {err}"),
    };
    let check = vault.integrity_check();
    let outcome = std::thread::spawn(move || check.run()).join().unwrap();
    match outcome {
        Ok(IntegrityOutcome::Damaged { problems }) => assert!(!problems.is_empty(), "{case}"),
        other => panic!("{case}: the full check missed the damage: {other:?}"),
    }

    let Some((read, write)) = access else {
        let report = vault.verify().unwrap();
        assert!(
            !report.is_ok(),
            "{case}: verify missed the damage: {report:?}"
        );
        vault.lock().unwrap();
        assert_eq!(snapshot(&data), before, "{case}: files changed");
        return;
    };

    // A write that needs the damaged page fails before anything is
    // committed, as damage.
    let err = vault
        .conn()
        .execute(write, [])
        .map_err(VaultError::from)
        .unwrap_err();
    assert!(damaged_db(&err), "{case}: {err:?}");

    // Reading the page is refused as damage, with the usual message.
    let err = read_all(&vault, read).unwrap_err();
    assert!(damaged_db(&err), "{case}: {err:?}");
    assert!(
        err.to_string().starts_with("the vault database is damaged"),
        "{case}: {err}"
    );

    // Intact pages already in the connection's cache can still be read
    // (SQLCipher refuses to decrypt further pages on a connection that met
    // a bad one): the users table and its slot index, read at unlock.
    let users: i64 = vault
        .conn()
        .query_row(
            "SELECT count(*) FROM users WHERE slot_tag IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(users, 1, "{case}");

    // SQLCipher refuses every write on a connection that met a bad page,
    // even one that needs no damaged page.
    let err = vault
        .audit("test.write", serde_json::json!({}))
        .unwrap_err();
    assert!(
        damaged_db(&err) || matches!(err, VaultError::WritesRefused),
        "{case}: {err:?}"
    );

    let report = vault.verify().unwrap();
    assert!(
        !report.is_ok(),
        "{case}: verify missed the damage: {report:?}"
    );

    // So does the vault once the damage is known: the retention purge and
    // the audit log cannot write either.
    assert!(!vault.writes_refused().unwrap());
    vault.refuse_writes().unwrap();
    assert!(vault.writes_refused().unwrap());
    let err = vault
        .audit("test.write", serde_json::json!({}))
        .unwrap_err();
    assert!(matches!(err, VaultError::WritesRefused), "{case}: {err:?}");
    let err = crate::calls::purge_expired(&vault, chrono::Utc::now()).unwrap_err();
    assert!(
        matches!(
            err,
            crate::calls::CallError::Vault(VaultError::WritesRefused)
        ),
        "{case}: {err:?}"
    );
    vault.lock().unwrap();

    assert_eq!(snapshot(&data), before, "{case}: files changed");
}

/// Step through every row `sql` returns.
fn read_all(vault: &Vault, sql: &str) -> Result<usize, VaultError> {
    let mut stmt = vault.conn().prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

fn damaged_db(err: &VaultError) -> bool {
    matches!(err, VaultError::DamagedDatabase { .. })
}

fn damaged_key_file(err: &VaultError) -> bool {
    matches!(err, VaultError::DamagedKeyFile { .. })
}

#[test]
fn damage_the_checks_at_open_read_is_reported_at_unlock_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let (pristine, pages) = pristine(tmp.path());
    let db_len = std::fs::metadata(pristine.join(DB)).unwrap().len() as usize;
    assert!(db_len >= 8 * 4096, "test vault spans several pages");
    assert!(pages.schema_leaf > 1, "{pages:?}");

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
        "db-truncated-by-one-page",
        DB,
        |b| Some(b[..b.len() - 4096].to_vec()),
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
        "db-header-flipped-byte",
        DB,
        |mut b| {
            b[40] ^= 0x40;
            Some(b)
        },
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-page-1-flipped-byte",
        DB,
        |b| flip_in_page(b, 1),
        damaged_db,
    );
    check(
        &pristine,
        tmp.path(),
        "db-schema-page-flipped-byte",
        DB,
        |b| flip_in_page(b, pages.schema_leaf),
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
fn deep_damage_unlocks_but_is_found_by_the_full_check_and_by_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let (pristine, pages) = pristine(tmp.path());
    check_deep(
        &pristine,
        tmp.path(),
        "db-deep-table-leaf",
        pages.deep_leaf,
        Some((
            "SELECT note FROM test_notes ORDER BY rowid",
            "UPDATE test_notes SET note = note || ''",
        )),
    );
    check_deep(
        &pristine,
        tmp.path(),
        "db-deep-index-leaf",
        pages.index_leaf,
        Some((
            "SELECT note FROM test_notes INDEXED BY test_notes_by_note ORDER BY note",
            "UPDATE test_notes SET note = note || '.'",
        )),
    );
    // The last page of the file (whatever it holds here) is not read at
    // open either.
    let last = std::fs::metadata(pristine.join(DB)).unwrap().len() / 4096;
    check_deep(&pristine, tmp.path(), "db-last-page", last, None);
}

#[test]
fn damaged_key_file_is_reported_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let (pristine, _) = pristine(tmp.path());
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
        |mut b| {
            // The header's Argon2id memory (bytes 12..16), down to 1 MiB.
            assert_eq!(b[12..16], 65536u32.to_be_bytes());
            b[12..16].copy_from_slice(&1024u32.to_be_bytes());
            Some(b)
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
