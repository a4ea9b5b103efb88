//! Failed unlock attempts: one counter for the vault in a small plaintext
//! file in the data directory (updated under a lock on the directory), and
//! a growing delay before the next attempt.
//!
//! This slows down someone guessing at the keyboard (a shoulder-surfer, a
//! curious housemate). It does not slow down an attacker who copies the
//! files: they can delete the counter and run Argon2 themselves, which is
//! why the passphrase KDF is expensive. Failures never delete anything; a
//! successful unlock resets the counter.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::VaultError;
use super::files::{VaultFiles, remove_if_exists, write_atomic};

/// Failures allowed in a row before any delay applies.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest delay between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// What the counter file holds.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
struct Record {
    /// Failed attempts in a row.
    failures: u32,
    /// When the last one happened (seconds since 1970).
    last_failure_unix: u64,
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
    std::fs::read(files.attempts())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
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
    // Held until the end of the function; dropping the handle unlocks.
    let lock = std::fs::File::open(&files.dir).ok();
    if let Some(dir) = &lock {
        let _ = dir.lock();
    }
    let mut record = read(files);
    record.failures = record.failures.saturating_add(1);
    record.last_failure_unix = now_unix();
    if files.dir.is_dir()
        && let Ok(bytes) = serde_json::to_vec(&record)
    {
        let _ = write_atomic(&files.attempts(), &bytes);
    }
    record.failures
}

/// Forget all failures (after a successful unlock).
pub(crate) fn reset(files: &VaultFiles) {
    let _ = remove_if_exists(&files.attempts());
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
        };
        std::fs::write(files.attempts(), serde_json::to_vec(&record).unwrap()).unwrap();
        assert!(check(&files).is_ok());
        let future = Record {
            failures: 9,
            last_failure_unix: now_unix() + 3600,
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
