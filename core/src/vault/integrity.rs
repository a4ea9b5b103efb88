//! The full integrity check, kept off the unlock path.
//!
//! Opening a vault runs only checks whose cost does not grow with the
//! database (see `store::prove_readable`): a volunteer must not wait ten
//! seconds to unlock a large vault mid-call. Reading every page is the job
//! of [`IntegrityCheck`]: the app runs it on a background thread right
//! after unlocking, on its own read-only connection, and `hotline verify`
//! runs the same check in [`Vault::verify`].
//!
//! Between unlock and the end of the check, SQLCipher still authenticates
//! each page as it is read: a damaged page gives
//! [`VaultError::DamagedDatabase`], and a write that needs it fails before
//! anything is committed, so nothing is ever written over damage. Once the
//! check has found damage, [`Vault::refuse_writes`] makes the connection
//! read-only for the rest of the session.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::InterruptHandle;

use super::secret::DatabaseKey;
use super::{Vault, VaultError};
use crate::store::{self, Store};

/// What [`IntegrityCheck::run`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityOutcome {
    /// Every page authenticates and every b-tree is well formed.
    Sound,
    /// The database is damaged; `problems` are SQLite's and SQLCipher's
    /// findings (page and table names, never stored data).
    Damaged {
        /// One line per problem.
        problems: Vec<String>,
    },
    /// [`IntegrityCheck::cancel`] stopped it before it finished.
    Cancelled,
}

/// A full check of an unlocked vault's database that can run on another
/// thread while the vault keeps working, made by [`Vault::integrity_check`].
///
/// It holds its own copy of the master key (wiped on drop) and opens its own
/// read-only connection, so the caller need not hold any lock on the vault
/// while it runs. Cancel it ([`IntegrityCheck::cancel`]) before locking the
/// vault: an open reader would keep the write-ahead log from being
/// truncated and removed.
pub struct IntegrityCheck {
    db: PathBuf,
    key: DatabaseKey,
    cancelled: AtomicBool,
    interrupt: Mutex<Option<InterruptHandle>>,
    running: Mutex<()>,
}

impl std::fmt::Debug for IntegrityCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrityCheck")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

fn guard<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl IntegrityCheck {
    /// Read every page in use on a new read-only connection with SQLite's
    /// `quick_check`: each page is decrypted and its authentication code
    /// verified as it is read, and the structure of every table and index is
    /// checked. Blocks for as long as that takes (about 10 s for a million
    /// calls); [`IntegrityCheck::cancel`] stops it promptly.
    ///
    /// Returns [`IntegrityOutcome::Cancelled`] if [`IntegrityCheck::cancel`]
    /// was called before or while it ran. A file that cannot even be opened
    /// any more is [`IntegrityOutcome::Damaged`] too.
    pub fn run(&self) -> Result<IntegrityOutcome, VaultError> {
        let _running = guard(&self.running);
        if self.cancelled.load(Ordering::SeqCst) {
            return Ok(IntegrityOutcome::Cancelled);
        }
        let conn = match Store::open_read_only(&self.db, &self.key) {
            Ok(conn) => conn,
            Err(store::StoreError::Unreadable(detail)) => {
                return Ok(IntegrityOutcome::Damaged {
                    problems: vec![detail],
                });
            }
            Err(err) => return Err(err.into()),
        };
        *guard(&self.interrupt) = Some(conn.get_interrupt_handle());
        // Checked after the handle is published: `cancel` sets the flag
        // before it looks for the handle, so one of the two sees the other.
        if self.cancelled.load(Ordering::SeqCst) {
            return Ok(IntegrityOutcome::Cancelled);
        }
        let result = store::integrity_problems(&conn);
        *guard(&self.interrupt) = None;
        drop(conn);
        if self.cancelled.load(Ordering::SeqCst) {
            return Ok(IntegrityOutcome::Cancelled);
        }
        match result? {
            problems if problems.is_empty() => Ok(IntegrityOutcome::Sound),
            problems => Ok(IntegrityOutcome::Damaged { problems }),
        }
    }

    /// Stop the check if it is running (or keep it from starting) and wait
    /// until its connection is closed. Safe to call from any thread, more
    /// than once.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(handle) = guard(&self.interrupt).as_ref() {
            handle.interrupt();
        }
        drop(guard(&self.running));
    }
}

impl Vault {
    /// A full integrity check of this vault's database, to run with
    /// [`IntegrityCheck::run`] on any thread (see the module's
    /// documentation). Making it only copies the key and the path.
    pub fn integrity_check(&self) -> IntegrityCheck {
        IntegrityCheck {
            db: self.files.db(),
            key: self.db_key.duplicate(),
            cancelled: AtomicBool::new(false),
            interrupt: Mutex::new(None),
            running: Mutex::new(()),
        }
    }

    /// Refuse every write for the rest of this session (SQLite's
    /// `query_only`): used once the vault is known to be damaged, so that
    /// nothing more is entered into a database that must be restored from
    /// a backup. Reads keep working where the pages are intact; locking
    /// still closes the database cleanly.
    pub fn refuse_writes(&self) -> Result<(), VaultError> {
        self.conn().execute_batch("PRAGMA query_only = ON")?;
        Ok(())
    }

    /// Whether [`Vault::refuse_writes`] was called on this session.
    pub fn writes_refused(&self) -> Result<bool, VaultError> {
        Ok(self
            .conn()
            .query_row("PRAGMA query_only", [], |row| row.get::<_, bool>(0))?)
    }
}

#[cfg(feature = "bench-plain")]
impl Vault {
    /// Time each checking pragma on this vault's own connection: SQLCipher's
    /// `cipher_integrity_check` (encrypted stores only), SQLite's
    /// `quick_check` and `integrity_check`. Exists only for the benchmark
    /// (feature `bench-plain`), to choose and document the background check.
    #[doc(hidden)]
    pub fn time_checks_for_benchmark(
        &self,
        encrypted: bool,
    ) -> Result<Vec<(&'static str, std::time::Duration)>, VaultError> {
        let mut out = Vec::new();
        let pragmas: &[(&'static str, &str)] = if encrypted {
            &[
                ("check_cipher_integrity", "PRAGMA cipher_integrity_check"),
                ("check_quick", "PRAGMA quick_check"),
                ("check_integrity", "PRAGMA integrity_check"),
            ]
        } else {
            &[
                ("check_quick", "PRAGMA quick_check"),
                ("check_integrity", "PRAGMA integrity_check"),
            ]
        };
        for &(name, sql) in pragmas {
            let start = std::time::Instant::now();
            let mut stmt = self.conn().prepare(sql)?;
            let rows = stmt
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let elapsed = start.elapsed();
            let sound = rows.is_empty() || rows == ["ok"];
            if !sound {
                return Err(VaultError::DamagedDatabase {
                    detail: format!("{name} found problems"),
                });
            }
            out.push((name, elapsed));
        }
        Ok(out)
    }
}
