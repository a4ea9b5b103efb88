//! Errors of the call log. Messages name fields, limits and codes, never
//! what a caller said: a message may end up on screen, in a terminal or in a
//! bug report.

use crate::codes::Verification;
use crate::vault::VaultError;

/// Everything that can go wrong logging, editing, searching or purging calls.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// A text field is longer than its limit (in bytes of UTF-8).
    #[error("{field} is too long: the limit is {limit} bytes")]
    TooLong {
        /// The field, as named in the call JSON (`notes`, `salute.size` …).
        field: &'static str,
        /// Its limit in bytes.
        limit: usize,
    },
    /// A list has more entries than allowed.
    #[error("{field} has too many entries: the limit is {limit}")]
    TooMany {
        /// The list field.
        field: &'static str,
        /// Most entries allowed.
        limit: usize,
    },
    /// A text field holds a control character other than line feed or tab.
    #[error("{field} contains a control character; only line breaks and tabs are allowed in text")]
    ControlCharacter {
        /// The field.
        field: &'static str,
    },
    /// A field's value breaks a rule other than length.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// The rule broken (fixed text, never the value).
        reason: &'static str,
    },
    /// The verification cannot move from `from` to `to`.
    #[error("verification cannot change from {from} to {to}")]
    InvalidTransition {
        /// Current verification.
        from: Verification,
        /// Requested verification.
        to: Verification,
    },
    /// No call with that id.
    #[error("no call with that id")]
    NotFound,
    /// An alert text was asked for a call whose verification is not `confirmed`.
    #[error("verification is not confirmed: only a confirmed sighting has an alert text")]
    NotConfirmed,
    /// No follow-up task with that id.
    #[error("no follow-up task with that id")]
    FollowUpNotFound,
    /// The text is not a call id.
    #[error("not a call id (expected a UUID such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b)")]
    InvalidId,
    /// The area is not in the list (or, for new entries, not active).
    #[error("unknown area: choose one from the coordinator's list of active areas")]
    UnknownArea,
    /// A referral is not an entry of the referral directory (or one a
    /// coordinator removed).
    #[error(
        "invalid referrals: entry {number} ({id}) is not in the referral directory (use the id of a directory entry, a UUID)"
    )]
    UnknownReferral {
        /// Which referral of the list, counting from 1.
        number: usize,
        /// The id given (a directory id, never caller data).
        id: String,
    },
    /// The call is dated more than a day ahead of the clock.
    #[error(
        "received_at {} is more than a day in the future: check the date and the time zone",
        rfc3339(received_at)
    )]
    InFuture {
        /// The time given.
        received_at: chrono::DateTime<chrono::Utc>,
    },
    /// The call is older than the retention period and logging it was not
    /// confirmed ([`super::OldCalls`]).
    #[error(
        "received_at {} is older than the retention period ({days} days): its free text would be shredded at once",
        rfc3339(received_at)
    )]
    OlderThanRetention {
        /// The time given.
        received_at: chrono::DateTime<chrono::Utc>,
        /// The retention period.
        days: u32,
    },
    /// The volunteer is not someone this vault knows.
    #[error("volunteer {handle:?} is not a user of this laptop")]
    UnknownVolunteer {
        /// The handle given (a handle, never caller data).
        handle: String,
    },
    /// An area with that name exists already (adding: an active one;
    /// renaming: any other).
    #[error("an area with that name already exists")]
    AreaExists,
    /// The notes hold what must never be written (an A-number, a birth
    /// country next to a person, immigration status) and storing them
    /// anyway was not confirmed ([`super::FlaggedNotes`]).
    #[error(
        "notes: {count} passage(s) look like an A-number, a birth country or immigration status, which must never be written down; correct them or confirm"
    )]
    NotesFlagged {
        /// How many passages the notes check found.
        count: usize,
    },
    /// The call's free text was shredded by retention; text fields can no
    /// longer be written.
    #[error(
        "this call's free text was removed by retention; its text fields can no longer be edited"
    )]
    Shredded,
    /// The retention period is outside the allowed range.
    #[error("retention must be {min} to {max} days (got {days})")]
    InvalidRetention {
        /// Requested number of days.
        days: u32,
        /// Shortest allowed.
        min: u32,
        /// Longest allowed.
        max: u32,
    },
    /// Call JSON could not be read. `detail` is serde's description with
    /// any quoted input value removed.
    #[error("invalid call JSON at line {line}, column {column} (field `{path}`): {detail}")]
    Json {
        /// Where in the document, such as `[2].followups[0].due` (`.` is the top level).
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// One call of several ([`super::create_many`]) was refused; none was stored.
    #[error("call {number} of {total}: {source}")]
    InBatch {
        /// Which call, counting from 1.
        number: usize,
        /// How many calls there were.
        total: usize,
        /// Why it was refused.
        #[source]
        source: Box<CallError>,
    },
    /// A case cannot be closed while follow-up tasks are open.
    #[error("the case cannot be closed: {open} follow-up task(s) are not done yet")]
    CaseHasOpenFollowUps {
        /// How many follow-up tasks are not done.
        open: usize,
    },
    /// A case document from another laptop cannot be applied; nothing of
    /// it was.
    #[error("the case document cannot be applied: {reason}")]
    CaseDocument {
        /// What is wrong (fixed text, never a value of the document).
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// The vault refused (for example while writing the audit log).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database operation failed (damage is reported as a
    /// [`VaultError`] inside [`CallError::Vault`] instead).
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

crate::store::damage_aware_from_sqlite!(CallError);

/// A time as the call JSON writes it (`2025-03-01T14:05:00Z`).
fn rfc3339(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
