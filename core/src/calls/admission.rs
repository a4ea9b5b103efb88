//! Rules a call's time and volunteer must meet against the clock and the
//! vault, not just their format: no call dated more than a day ahead, none
//! older than the retention period unless the person confirms it (its free
//! text would be shredded at once), and a volunteer who is someone this
//! vault knows.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::CallError;
use super::retention::retention_days_in;
use crate::vault::Write;

/// How far ahead of the clock a call may be dated: enough for laptops whose
/// clocks or zones disagree, not enough for a mistyped year.
pub const MAX_AHEAD: Duration = Duration::days(1);

/// Whether calls older than the retention period may be logged. Their free
/// text is shredded at the next purge (on the next unlock), so logging one
/// is refused unless the person confirmed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OldCalls {
    /// Refuse them ([`CallError::OlderThanRetention`]).
    #[default]
    Refuse,
    /// Log them: the person was told the free text goes at once.
    Accept,
}

/// Refuse a call time more than [`MAX_AHEAD`] after `now`.
pub(crate) fn check_not_ahead(
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), CallError> {
    if received_at > now + MAX_AHEAD {
        return Err(CallError::InFuture { received_at });
    }
    Ok(())
}

/// Refuse (unless `old` accepts it) a call time before the retention
/// period's start at `now`.
pub(crate) fn check_within_retention(
    tx: &Write<'_>,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
    old: OldCalls,
) -> Result<(), CallError> {
    if old == OldCalls::Accept {
        return Ok(());
    }
    let days = retention_days_in(tx.read(), tx.authority().public())?;
    if received_at < now - Duration::days(i64::from(days)) {
        return Err(CallError::OlderThanRetention { received_at, days });
    }
    Ok(())
}

/// Refuse a volunteer handle this vault does not know.
///
/// Known today means a user of this laptop (the `users` table). Team
/// members enrolled from other laptops are to be accepted here as well,
/// once enrolment exists: this is the one place that decides.
pub(crate) fn check_known_volunteer(conn: &Connection, handle: &str) -> Result<(), CallError> {
    let known: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM users WHERE handle = ?1")?
        .query_row([handle], |r| r.get(0))
        .optional()?;
    match known {
        Some(_) => Ok(()),
        None => Err(CallError::UnknownVolunteer {
            handle: handle.to_owned(),
        }),
    }
}
