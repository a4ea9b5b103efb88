//! The encrypted SQLite store: opening a SQLCipher database with a raw key,
//! the settings every vault connection uses, and schema migrations.
//!
//! SQLCipher comes from rusqlite's `bundled-sqlcipher` feature: SQLCipher's C
//! source is compiled into our binary, and its cryptography comes from the
//! operating system's OpenSSL `libcrypto`, linked dynamically. We chose that
//! over `bundled-sqlcipher-vendored-openssl` because it builds in seconds
//! instead of minutes and because libcrypto then receives security updates
//! from the operating system. The price is a run-time dependency on the
//! system libcrypto (the `libssl3` package on Debian and Ubuntu).
//!
//! Every connection is opened the same way ([`Store::open`]): logging off,
//! raw 256-bit key, an immediate read to prove the key, then WAL journal,
//! `synchronous=FULL`, foreign keys, `secure_delete` and in-memory temporary
//! storage. The WAL is checkpointed and truncated whenever the store closes,
//! so a locked vault is a single encrypted file. While it is open, commits
//! leave checkpoints to quiet moments ([`Store::checkpoint_quiet`]) up to
//! [`WAL_AUTOCHECKPOINT_PAGES`].

pub(crate) mod migrations;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use zeroize::Zeroizing;

use crate::vault::secret::DatabaseKey;

/// SQLCipher 4's page size; every intact database file is a whole number of pages.
const PAGE_SIZE: u64 = 4096;

/// How long a connection waits for another process (the app or the CLI)
/// holding a write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// WAL size, in pages, at which a commit copies the WAL into the database
/// itself (SQLite's automatic checkpoint, 1000 pages by default).
///
/// A checkpoint inside a commit is what made the slowest saves slow (one
/// in about 50 saves paid for copying 1000 pages and an extra fsync). The
/// app checkpoints at quiet moments instead ([`Store::checkpoint_quiet`])
/// and when the vault locks, so this limit only bounds the WAL when there
/// is no quiet moment at all (a long import): 8192 pages is 32 MiB, about
/// 400 saves of one call.
pub(crate) const WAL_AUTOCHECKPOINT_PAGES: u32 = 8192;

/// Whether [`Store::open`] may create a new database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    /// Create an empty database (the caller made sure none exists).
    Create,
    /// Open an existing database; never create one.
    Existing,
}

/// Errors of the store layer. Messages never contain keys or stored data.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// The file cannot be decrypted or is structurally damaged.
    #[error("{0}")]
    Unreadable(String),
    /// The database was written by a newer schema than this build knows.
    #[error(
        "schema version {found} is newer than this version of Hotline Desk understands ({supported})"
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: u32,
        /// Newest version this build can migrate to.
        supported: u32,
    },
    /// The key could not be applied (never carries SQLite's message, which
    /// could quote the statement and so the key).
    #[error("the database key could not be applied")]
    Key,
    /// Any other SQLite failure.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Treat "not a database" and "corrupt" as damage, anything else as an error.
fn classify(err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            StoreError::Unreadable("it cannot be decrypted with this vault's key".to_owned())
        }
        Some(ErrorCode::DatabaseCorrupt) => {
            StoreError::Unreadable("its structure is corrupt".to_owned())
        }
        _ => StoreError::Sqlite(err),
    }
}

/// What an error of an open vault's connection says about damage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Damage {
    /// A page whose authentication code does not verify (SQLCipher reports
    /// "not a database") or whose structure is corrupt: damaged on disk,
    /// since the key was proven at open.
    Page(String),
    /// Writing is switched off ("read-only"): SQLCipher does that to a
    /// connection once a page has failed its authentication code, and
    /// [`crate::vault::Vault::refuse_writes`] does it once the full check
    /// has found damage. (A write-protected database file gives the same
    /// code; the error's message says so.)
    WritesOff,
}

/// Classify an error of an open vault's connection; `None` when it says
/// nothing about damage.
pub(crate) fn damage(err: &rusqlite::Error) -> Option<Damage> {
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Some(Damage::Page(
            "a page failed its authentication or structure check when it was read; \
             the operation was not saved"
                .to_owned(),
        )),
        Some(ErrorCode::ReadOnly) => Some(Damage::WritesOff),
        _ => None,
    }
}

/// An open, keyed connection to the vault database.
///
/// Dropping it checkpoints the WAL (TRUNCATE) and closes the connection;
/// [`Store::close`] does the same and reports a failed checkpoint.
pub(crate) struct Store {
    /// The keyed connection, for the vault and later modules.
    pub(crate) conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store(..)")
    }
}

impl Store {
    /// Open (or create) the SQLCipher database at `path` with `key`, prove
    /// the key by reading `sqlite_master`, apply the connection settings and
    /// migrate the schema to the newest version.
    ///
    /// For [`OpenMode::Existing`] the file gets the cheap checks of
    /// [`precheck_file`] and [`prove_readable`] before anything can be written
    /// to it, so a file damaged in its header, first page or schema is
    /// reported and left as it was. These checks cost the same at any size;
    /// the checks that read every page are [`integrity_problems`] (in the
    /// background by the app) and [`full_check`] (`hotline verify`).
    pub(crate) fn open(path: &Path, key: &DatabaseKey, mode: OpenMode) -> Result<Self, StoreError> {
        if mode == OpenMode::Existing {
            precheck_file(path)?;
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if mode == OpenMode::Create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
        // Before the key: a wrong key must not make SQLCipher write to stderr.
        conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))?;
        apply_key(&conn, key)?;
        prove_readable(&conn)?;
        Self::configure(conn)
    }

    /// Open the existing SQLCipher database at `path` read-only with `key`,
    /// for a check that runs next to the vault's own connection. Nothing is
    /// configured or migrated and the connection cannot write
    /// (`SQLITE_OPEN_READ_ONLY` and `query_only`).
    pub(crate) fn open_read_only(path: &Path, key: &DatabaseKey) -> Result<Connection, StoreError> {
        precheck_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
        conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))?;
        apply_key(&conn, key)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;")?;
        prove_readable(&conn)?;
        Ok(conn)
    }

    /// Open (or create) an UNENCRYPTED database at `path` with the same
    /// checks, settings and migrations as [`Store::open`], only without
    /// `PRAGMA key`. Exists only for the benchmark's encrypted/plain
    /// comparison (feature `bench-plain`); production builds never have it.
    #[cfg(feature = "bench-plain")]
    pub(crate) fn open_plain_for_benchmark(
        path: &Path,
        mode: OpenMode,
    ) -> Result<Self, StoreError> {
        if mode == OpenMode::Existing {
            precheck_file(path)?;
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if mode == OpenMode::Create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
        prove_readable(&conn)?;
        Self::configure(conn)
    }

    /// The settings and migrations every connection gets once it can read
    /// the database.
    fn configure(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let journal: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(classify)?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unreadable(format!(
                "it refused WAL journaling (got {journal})"
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;",
        )?;
        // A constant of ours, not input: formatting it into the pragma is safe.
        conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}"
        ))?;
        migrations::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// Copy the WAL into the database and truncate it to zero bytes.
    pub(crate) fn checkpoint(&self) -> Result<(), StoreError> {
        checkpoint_truncate(&self.conn)
    }

    /// Copy what the WAL holds into the database without waiting for
    /// anyone (PASSIVE), for quiet moments: saves then never pay for it.
    /// Returns whether every WAL frame is now in the database. Cheap when
    /// nothing was written since the last checkpoint.
    pub(crate) fn checkpoint_quiet(&self) -> Result<bool, StoreError> {
        let (busy, log, done): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
        Ok(busy == 0 && log == done)
    }

    /// Refresh the query planner's statistics (`PRAGMA optimize`; cheap
    /// when they are current).
    pub(crate) fn optimize(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA optimize")?;
        Ok(())
    }

    /// Copy the WAL into the database and truncate it, as [`Store::close`]
    /// does; returns whether it completed (it does not while another
    /// connection is reading).
    pub(crate) fn checkpoint_now(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        Ok(busy == 0)
    }

    /// Checkpoint (TRUNCATE) and close. The connection is closed even when
    /// the checkpoint fails; the failure is then reported.
    pub(crate) fn close(self) -> Result<(), StoreError> {
        let result = self.checkpoint();
        drop(self);
        result
    }
}

/// How far [`Store::rekey`] has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RekeyStep {
    /// Pages re-encrypted into the write-ahead log so far, of `total`.
    Pages {
        /// Pages written (estimated from the log's size).
        done: u64,
        /// Pages in the database.
        total: u64,
    },
    /// The transaction is committed; the new pages are being copied over
    /// the old ones in the database file.
    WritingBack,
}

/// Bytes of one WAL frame: a 24-byte header and one page.
const WAL_FRAME_BYTES: u64 = 24 + PAGE_SIZE;
/// Bytes of the WAL file header.
const WAL_HEADER_BYTES: u64 = 32;
/// How often [`Store::rekey`] reports progress.
const REKEY_POLL: Duration = Duration::from_millis(100);

impl Store {
    /// Re-encrypt every page under `new_key` (SQLCipher's `PRAGMA rekey`),
    /// then checkpoint and truncate the write-ahead log.
    ///
    /// In WAL mode the rekey is one transaction that writes every page,
    /// encrypted with the new key, to the log; the database file keeps its
    /// old pages until the checkpoint copies the new ones over them, in
    /// place. A crash before the commit leaves the database as it was
    /// under the old key; a crash after it leaves every page in the log
    /// under the new key, which the next open replays. The automatic
    /// checkpoint is off meanwhile, so the file is never half-copied
    /// without the log holding all of it.
    ///
    /// `progress` is called from this thread about every 100 ms.
    pub(crate) fn rekey(
        &mut self,
        wal: &Path,
        new_key: &DatabaseKey,
        progress: &mut dyn FnMut(RekeyStep),
    ) -> Result<(), StoreError> {
        let sql = key_pragma("rekey", new_key)?;
        let total: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let total = u64::try_from(total).unwrap_or(0);
        self.conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
        let conn = &mut self.conn;
        let result = std::thread::scope(|scope| {
            let worker = scope.spawn(move || conn.execute_batch(&sql).map_err(|_| StoreError::Key));
            while !worker.is_finished() {
                let wal_len = std::fs::metadata(wal).map_or(0, |m| m.len());
                let done = wal_len.saturating_sub(WAL_HEADER_BYTES) / WAL_FRAME_BYTES;
                progress(RekeyStep::Pages {
                    done: done.min(total),
                    total,
                });
                std::thread::sleep(REKEY_POLL);
            }
            worker.join().unwrap_or(Err(StoreError::Key))
        });
        result?;
        progress(RekeyStep::Pages { done: total, total });
        progress(RekeyStep::WritingBack);
        self.checkpoint()?;
        self.conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}"
        ))?;
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: on lock and exit the WAL should not keep pages around.
        let _ = checkpoint_truncate(&self.conn);
    }
}

fn checkpoint_truncate(conn: &Connection) -> Result<(), StoreError> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Refuse files that cannot be an intact database, without opening them.
fn precheck_file(path: &Path) -> Result<(), StoreError> {
    let len = std::fs::metadata(path)
        .map_err(|err| StoreError::Unreadable(format!("the file cannot be read: {err}")))?
        .len();
    if len == 0 {
        return Err(StoreError::Unreadable("the file is empty".to_owned()));
    }
    if len % PAGE_SIZE != 0 {
        return Err(StoreError::Unreadable(
            "its size is not a whole number of pages (truncated?)".to_owned(),
        ));
    }
    Ok(())
}

/// The checks at open whose cost does not grow with the database.
///
/// SQLCipher checks the key only when it first reads a page, and
/// authenticates (HMAC) every page it reads. Reading the schema table reads
/// and authenticates page 1 and the schema's own pages, proves the key and,
/// because preparing a statement parses every `CREATE` statement, proves the
/// schema readable. SQLite compares the page count in the header with the
/// file's size at the same time, which catches a file cut at a page
/// boundary. Reading the newest row of every ordinary table then reads the
/// right-most path of each table b-tree, where the latest writes landed: a
/// few pages per table whatever the size.
fn prove_readable(conn: &Connection) -> Result<(), StoreError> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master
             WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
               AND sql NOT LIKE '%WITHOUT ROWID%' AND name NOT LIKE 'sqlite%'",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(classify)?;
    for table in tables {
        let sql = format!("SELECT max(rowid) FROM \"{}\"", table.replace('"', "\"\""));
        conn.query_row(&sql, [], |row| row.get::<_, Option<i64>>(0))
            .map_err(classify)?;
    }
    Ok(())
}

/// The background check: `PRAGMA quick_check`, which reads (and so
/// decrypts and authenticates) every page reachable from the schema and
/// checks the structure of every table and index. Returns the problems
/// found, empty when the database is sound; a page that fails its
/// authentication code is a problem, not an error. An error is returned
/// only when the check could not run (for example when it was interrupted:
/// unlike SQLCipher's `cipher_integrity_check`, it stops promptly when the
/// connection is interrupted, so locking never waits for it).
///
/// Free pages are not read: they hold nothing (`secure_delete` zeroes them)
/// and SQLite overwrites them before reuse. `hotline verify` and restore
/// also check them ([`full_check`]).
pub(crate) fn integrity_problems(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let quick = pragma_rows(conn, "PRAGMA quick_check")?;
    Ok(if quick == ["ok"] { Vec::new() } else { quick })
}

/// The SQL of a keying pragma (`key` or `rekey`) with the raw 256-bit key
/// in `x'…'` form, in a buffer wiped on drop. The hex text is checked to be
/// exactly 64 lowercase hex digits before it goes into the statement.
fn key_pragma(pragma: &str, key: &DatabaseKey) -> Result<Zeroizing<String>, StoreError> {
    let hex = key.to_hex();
    let hex: &str = hex.as_str();
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(StoreError::Key);
    }
    let mut sql = Zeroizing::new(String::with_capacity(96));
    sql.push_str("PRAGMA ");
    sql.push_str(pragma);
    sql.push_str(" = \"x'");
    sql.push_str(hex);
    sql.push_str("'\";");
    Ok(sql)
}

/// Key the connection with the raw 256-bit key (`x'…'` form, which skips
/// SQLCipher's own key derivation: the passphrase KDF is ours, Argon2id).
///
/// The statement text is wiped afterwards.
fn apply_key(conn: &Connection, key: &DatabaseKey) -> Result<(), StoreError> {
    let sql = key_pragma("key", key)?;
    conn.execute_batch(&sql).map_err(|_| StoreError::Key)
}

/// Run `PRAGMA integrity_check` and `PRAGMA cipher_integrity_check`: the
/// first lists structural problems ("ok" when none), the second lists pages
/// whose authentication code does not verify (nothing when none). A page
/// that cannot be read while checking is listed as a problem, not returned
/// as an error.
pub(crate) fn full_check(conn: &Connection) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let integrity = pragma_rows(conn, "PRAGMA integrity_check")?;
    let cipher = pragma_rows(conn, "PRAGMA cipher_integrity_check")?;
    Ok((integrity, cipher))
}

/// The text rows of a checking pragma; damage met while reading is one
/// more row.
fn pragma_rows(conn: &Connection, sql: &str) -> Result<Vec<String>, StoreError> {
    let run = || -> Result<Vec<String>, rusqlite::Error> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    };
    match run().map_err(classify) {
        Ok(rows) => Ok(rows),
        Err(StoreError::Unreadable(detail)) => Ok(vec![detail]),
        Err(err) => Err(err),
    }
}

/// `impl From<rusqlite::Error>` for a module's error enum with `Vault` and
/// `Database` variants: a page that fails its check when read, or a write
/// refused because of damage, becomes the vault's error
/// ([`VaultError::DamagedDatabase`](crate::vault::VaultError::DamagedDatabase),
/// [`VaultError::WritesRefused`](crate::vault::VaultError::WritesRefused));
/// anything else is a database error.
macro_rules! damage_aware_from_sqlite {
    ($error:ty) => {
        impl From<rusqlite::Error> for $error {
            fn from(err: rusqlite::Error) -> Self {
                if $crate::store::damage(&err).is_some() {
                    Self::Vault($crate::vault::VaultError::from(err))
                } else {
                    Self::Database(err)
                }
            }
        }
    };
}
pub(crate) use damage_aware_from_sqlite;

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DatabaseKey {
        DatabaseKey::legacy(&crate::vault::secret::MasterKey::generate().unwrap())
    }

    #[test]
    fn creates_a_wal_database_with_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path, &key(), OpenMode::Create).unwrap();
        let get = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(get("PRAGMA synchronous"), 2, "FULL");
        assert_eq!(get("PRAGMA foreign_keys"), 1);
        assert_eq!(get("PRAGMA secure_delete"), 1);
        assert_eq!(get("PRAGMA temp_store"), 2, "MEMORY");
        assert_eq!(
            get("PRAGMA wal_autocheckpoint"),
            i64::from(WAL_AUTOCHECKPOINT_PAGES)
        );
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(get("PRAGMA user_version"), i64::from(migrations::LATEST));
    }

    #[test]
    fn another_key_cannot_read_it_and_the_error_names_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Store::open(&path, &key(), OpenMode::Create)
            .unwrap()
            .close()
            .unwrap();
        let other = key();
        let err = Store::open(&path, &other, OpenMode::Existing).unwrap_err();
        assert!(matches!(err, StoreError::Unreadable(_)), "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(other.to_hex().as_str()));
    }

    #[test]
    fn existing_mode_never_creates_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.db");
        assert!(Store::open(&path, &key(), OpenMode::Existing).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn close_leaves_only_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path, &key(), OpenMode::Create).unwrap();
        store
            .conn
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        store.close().unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("t.db")]);
    }
}
