//! Failed unlock attempts: one counter for the vault in a small plaintext
//! file in the data directory (updated under a lock on the directory), and
//! a growing delay before the next attempt.
//!
//! This slows down someone guessing at the keyboard (a shoulder-surfer, a
//! curious housemate). It does not slow down an attacker who copies the
//! files: they can delete the counter and run Argon2 themselves, which is
//! why the passphrase KDF is expensive. Failures never delete anything; a
//! successful unlock zeroes the count.
//!
//! **Mirrored in the database.** The file also keeps a `sequence`: every
//! failure it counts adds one, and nothing takes one away. After each
//! successful unlock ([`Vault::mirror_failed_unlocks`]) the database
//! records the failures the file counted before it and the sequence it
//! left, so that at the next unlock a file that is missing, unreadable,
//! older (a lower sequence) or edited (a count that does not match the
//! failures its sequence grew by) shows: it is recorded with an audit entry
//! and reported at the next coordinator unlock. What this cannot see is in
//! `docs/SECURITY.md` ("Failed unlocks").

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::files::{VaultFiles, remove_if_exists, write_atomic};
use super::{Vault, VaultError};

/// Failures allowed in a row before any delay applies.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest delay between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// Migration SQL: the counter file as the last successful unlock left it,
/// and what each successful unlock found (failures before it, a problem
/// with the file), until a coordinator's unlock reports it.
pub(crate) const UNLOCK_COUNTER_SQL: &str = "
    CREATE TABLE unlock_counter (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        -- The file's sequence after the last successful unlock; NULL if
        -- the file could not be written then.
        sequence INTEGER,
        at       INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE unlock_counter_events (
        id       INTEGER PRIMARY KEY,
        failures INTEGER NOT NULL,
        problem  TEXT,
        at       INTEGER NOT NULL,
        reported INTEGER NOT NULL DEFAULT 0 CHECK (reported IN (0, 1))
    ) STRICT;
";

/// What the counter file holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    /// Failed attempts in a row.
    failures: u32,
    /// When the last one happened (seconds since 1970).
    last_failure_unix: u64,
    /// Failures this file has ever counted: never goes down (files of
    /// earlier versions have none, read as 0).
    #[serde(default)]
    sequence: u64,
}

/// The counter file as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Missing,
    Unreadable,
    Present(Record),
}

/// What is wrong with the counter file, found at a successful unlock by
/// comparing it with the database's record of the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CounterProblem {
    /// The file was deleted since the last successful unlock.
    Missing,
    /// The file cannot be read.
    Unreadable,
    /// The file is older than the one the last successful unlock left (a
    /// lower sequence): it was replaced by an earlier copy or by hand.
    Reset,
    /// The file's count does not match the failures its sequence grew by:
    /// it was edited.
    Altered,
}

impl CounterProblem {
    /// The problem's name in the database and in audit entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Unreadable => "unreadable",
            Self::Reset => "reset",
            Self::Altered => "altered",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Missing, Self::Unreadable, Self::Reset, Self::Altered]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// The problem, if any, of the file `found` when the last successful
    /// unlock left it at `expected` (its sequence; `None` if that unlock
    /// could not write it, or if no unlock since the upgrade has).
    fn of(found: Found, expected: Option<u64>) -> Option<Self> {
        let expected = expected?;
        match found {
            Found::Missing => Some(Self::Missing),
            Found::Unreadable => Some(Self::Unreadable),
            Found::Present(r) if r.sequence < expected => Some(Self::Reset),
            Found::Present(r) if r.sequence - expected != u64::from(r.failures) => {
                Some(Self::Altered)
            }
            Found::Present(_) => None,
        }
    }
}

/// What the unlocks since a coordinator's last one found, for that
/// coordinator's unlock notice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FailedUnlocks {
    /// Failed attempts counted before those unlocks, in all.
    pub failures: u32,
    /// Each problem found with the counter file, oldest first.
    pub problems: Vec<CounterProblemFound>,
}

impl FailedUnlocks {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.failures == 0 && self.problems.is_empty()
    }
}

/// A problem with the counter file, and when an unlock found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CounterProblemFound {
    /// What was wrong.
    pub problem: CounterProblem,
    /// When it was found, in seconds since 1970.
    pub found_at_unix: i64,
}

/// The wait required after `failures` failed attempts in a row: nothing for
/// the first three, then 1 s, 2 s, 4 s … doubling, capped at 60 s.
pub fn retry_delay(failures: u32) -> Duration {
    if failures <= FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = failures - FREE_ATTEMPTS - 1;
    let secs = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
    Duration::from_secs(secs).min(MAX_DELAY)
}

/// Failed unlock attempts in a row recorded in `data_dir` (0 if none, or if
/// the counter file is missing or unreadable).
pub fn failed_attempts(data_dir: &Path) -> u32 {
    read(&VaultFiles::new(data_dir)).failures
}

fn read(files: &VaultFiles) -> Record {
    match read_found(files) {
        Found::Present(record) => record,
        Found::Missing | Found::Unreadable => Record::default(),
    }
}

fn read_found(files: &VaultFiles) -> Found {
    match std::fs::read(files.attempts()) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Found::Missing,
        Err(_) => Found::Unreadable,
        Ok(bytes) => serde_json::from_slice(&bytes).map_or(Found::Unreadable, Found::Present),
    }
}

/// Lock the data directory (exclusively, until the handle is dropped), so
/// that reading, changing and writing the counter is one step for every
/// process. Best effort: `None` if it cannot be opened or locked.
fn lock_dir(files: &VaultFiles) -> Option<std::fs::File> {
    let dir = std::fs::File::open(&files.dir).ok()?;
    dir.lock().ok()?;
    Some(dir)
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Refuse with [`VaultError::TooSoon`] if the delay after the recorded
/// failures has not passed yet. A last failure "in the future" (the clock
/// was turned back) does not lock anyone out.
pub(crate) fn check(files: &VaultFiles) -> Result<(), VaultError> {
    let record = read(files);
    let delay = retry_delay(record.failures);
    if delay.is_zero() {
        return Ok(());
    }
    let now = now_unix();
    if record.last_failure_unix > now {
        return Ok(());
    }
    let elapsed = Duration::from_secs(now - record.last_failure_unix);
    if elapsed >= delay {
        return Ok(());
    }
    Err(VaultError::TooSoon {
        wait: delay - elapsed,
        failures: record.failures,
    })
}

/// Count one more failure; returns the new count. The read, the increment
/// and the (atomic) write happen under an exclusive lock on the data
/// directory, so two unlocks failing at once (the window and `hotline`)
/// both count. Best effort: a data directory that cannot be locked or
/// written to does not turn a wrong passphrase into a different error.
pub(crate) fn record_failure(files: &VaultFiles) -> u32 {
    let _lock = lock_dir(files);
    let mut record = read(files);
    record.failures = record.failures.saturating_add(1);
    record.sequence = record.sequence.saturating_add(1);
    record.last_failure_unix = now_unix();
    if files.dir.is_dir() {
        let _ = write(files, &record);
    }
    record.failures
}

fn write(files: &VaultFiles, record: &Record) -> Result<(), VaultError> {
    let bytes = serde_json::to_vec(record).map_err(|_| VaultError::Crypto)?;
    write_atomic(&files.attempts(), &bytes)
}

/// Forget the counter file (a new vault starts without one).
pub(crate) fn reset(files: &VaultFiles) {
    let _ = remove_if_exists(&files.attempts());
}

impl Vault {
    /// After a successful unlock, under the lock on the data directory:
    /// zero the file's count (keeping its sequence), compare the file as
    /// found with the database's record of the last successful unlock, and
    /// record what this unlock found (the failures before it, a problem
    /// with the file: audited as `unlock.failures` or
    /// `unlock_counter.problem`) and the sequence it leaves, in one write.
    pub(super) fn mirror_failed_unlocks(&self) -> Result<(), VaultError> {
        let _lock = lock_dir(&self.files);
        let found = read_found(&self.files);
        let mut tx = self.write()?;
        let last: Option<Option<i64>> = tx
            .query_row(
                "SELECT sequence FROM unlock_counter WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let expected = last.flatten().and_then(|s| u64::try_from(s).ok());
        let problem = CounterProblem::of(found, expected);
        let (failures, sequence) = match found {
            Found::Present(r) => (r.failures, r.sequence),
            // A new file continues the sequence the database knows.
            Found::Missing | Found::Unreadable => (0, expected.unwrap_or(0)),
        };
        let zeroed = Record {
            failures: 0,
            last_failure_unix: 0,
            sequence,
        };
        let unchanged = found == Found::Present(zeroed) && expected == Some(sequence);
        if unchanged {
            return Ok(());
        }
        let written = write(&self.files, &zeroed).ok().map(|()| sequence);
        let at = super::now_unix();
        tx.execute(
            "INSERT INTO unlock_counter (id, sequence, at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET sequence = excluded.sequence, at = excluded.at",
            (written.and_then(|s| i64::try_from(s).ok()), at),
        )?;
        if failures > 0 || problem.is_some() {
            tx.execute(
                "INSERT INTO unlock_counter_events (failures, problem, at) VALUES (?1, ?2, ?3)",
                (failures, problem.map(CounterProblem::as_str), at),
            )?;
        }
        match problem {
            Some(problem) => tx.audit(
                "unlock_counter.problem",
                json!({ "problem": problem.as_str(), "failures": failures }),
            ),
            None if failures > 0 => tx.audit("unlock.failures", json!({ "failures": failures })),
            None => {}
        }
        tx.commit()
    }
}

/// What the unlocks found since the last report, which this marks
/// reported (at a coordinator's unlock, inside its write).
pub(super) fn take_unreported(conn: &Connection) -> Result<FailedUnlocks, VaultError> {
    let mut out = FailedUnlocks::default();
    let mut stmt = conn.prepare_cached(
        "SELECT failures, problem, at FROM unlock_counter_events WHERE reported = 0 ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (failures, problem, found_at_unix) = row?;
        out.failures = out
            .failures
            .saturating_add(u32::try_from(failures).unwrap_or(u32::MAX));
        // A problem the app did not write is left out.
        if let Some(problem) = problem.as_deref().and_then(CounterProblem::parse) {
            out.problems.push(CounterProblemFound {
                problem,
                found_at_unix,
            });
        }
    }
    drop(stmt);
    conn.execute(
        "UPDATE unlock_counter_events SET reported = 1 WHERE reported = 0",
        [],
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_schedule() {
        let secs = |n| retry_delay(n).as_secs();
        assert_eq!([secs(0), secs(1), secs(2), secs(3)], [0, 0, 0, 0]);
        assert_eq!([secs(4), secs(5), secs(6), secs(7)], [1, 2, 4, 8]);
        assert_eq!([secs(8), secs(9), secs(10)], [16, 32, 60]);
        assert_eq!(secs(100), 60);
        assert_eq!(secs(u32::MAX), 60);
    }

    #[test]
    fn counts_enforces_and_resets() {
        let dir = tempfile::tempdir().unwrap();
        let files = VaultFiles::new(dir.path());
        assert_eq!(failed_attempts(dir.path()), 0);
        for expected in 1..=3 {
            assert_eq!(record_failure(&files), expected);
            assert!(check(&files).is_ok(), "free attempt {expected}");
        }
        assert_eq!(record_failure(&files), 4);
        match check(&files) {
            Err(VaultError::TooSoon { wait, failures }) => {
                assert_eq!(failures, 4);
                assert!(wait <= Duration::from_secs(1));
            }
            other => panic!("expected TooSoon, got {other:?}"),
        }
        assert_eq!(failed_attempts(dir.path()), 4);
        reset(&files);
        assert_eq!(failed_attempts(dir.path()), 0);
        assert!(check(&files).is_ok());
    }

    #[test]
    fn each_failure_adds_to_a_sequence_that_a_success_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let files = VaultFiles::new(dir.path());
        for _ in 0..3 {
            record_failure(&files);
        }
        assert_eq!((read(&files).failures, read(&files).sequence), (3, 3));
        let zeroed = Record {
            failures: 0,
            last_failure_unix: 0,
            sequence: 3,
        };
        write(&files, &zeroed).unwrap();
        record_failure(&files);
        assert_eq!((read(&files).failures, read(&files).sequence), (1, 4));
    }

    #[test]
    fn a_file_is_judged_against_the_sequence_the_last_success_left() {
        let at = |failures, sequence| {
            Found::Present(Record {
                failures,
                last_failure_unix: 0,
                sequence,
            })
        };
        // Nothing recorded yet (a new or upgraded vault): nothing to judge.
        assert_eq!(CounterProblem::of(Found::Missing, None), None);
        assert_eq!(
            CounterProblem::of(at(0, 0), Some(5)),
            Some(CounterProblem::Reset)
        );
        assert_eq!(CounterProblem::of(at(2, 7), Some(5)), None);
        assert_eq!(
            CounterProblem::of(at(0, 7), Some(5)),
            Some(CounterProblem::Altered)
        );
        assert_eq!(
            CounterProblem::of(at(9, 9), Some(5)),
            Some(CounterProblem::Altered)
        );
        assert_eq!(
            CounterProblem::of(Found::Missing, Some(0)),
            Some(CounterProblem::Missing)
        );
        assert_eq!(
            CounterProblem::of(Found::Unreadable, Some(0)),
            Some(CounterProblem::Unreadable)
        );
    }

    #[test]
    fn failures_at_the_same_time_all_count() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let files = VaultFiles::new(dir.path());
                    for _ in 0..10 {
                        record_failure(&files);
                    }
                });
            }
        });
        assert_eq!(failed_attempts(dir.path()), 80);
    }

    #[test]
    fn old_failures_no_longer_block() {
        let dir = tempfile::tempdir().unwrap();
        let files = VaultFiles::new(dir.path());
        let record = Record {
            failures: 9,
            last_failure_unix: now_unix() - 120,
            sequence: 9,
        };
        std::fs::write(files.attempts(), serde_json::to_vec(&record).unwrap()).unwrap();
        assert!(check(&files).is_ok());
        let future = Record {
            failures: 9,
            last_failure_unix: now_unix() + 3600,
            sequence: 9,
        };
        std::fs::write(files.attempts(), serde_json::to_vec(&future).unwrap()).unwrap();
        assert!(
            check(&files).is_ok(),
            "a clock turned back locks nobody out"
        );
    }

    #[test]
    fn garbage_counter_reads_as_zero() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(super::super::files::ATTEMPTS_FILE),
            b"\x00zz",
        )
        .unwrap();
        assert_eq!(failed_attempts(dir.path()), 0);
    }
}
