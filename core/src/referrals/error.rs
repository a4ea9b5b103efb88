//! Errors of the referral directory. Messages name the field and the
//! rule, never the value.

use crate::vault::VaultError;

/// Everything that can go wrong reading or changing the referral directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReferralError {
    /// A field's value breaks a rule.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as named in the directory file (`name`, `web`, `kinds` …).
        field: &'static str,
        /// The rule broken (fixed text, never the value).
        reason: &'static str,
    },
    /// A text field is longer than its limit (in bytes of UTF-8).
    #[error("{field} is too long: the limit is {limit} bytes")]
    TooLong {
        /// The field.
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
    /// The text is not a referral id.
    #[error("not a referral id (expected a UUID such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b)")]
    InvalidId,
    /// No entry with that id in the directory.
    #[error("no referral directory entry with that id")]
    NotFound,
    /// A directory file could not be read. `detail` is serde's description
    /// with any quoted input value removed.
    #[error("invalid referral file at line {line}, column {column} (field `{path}`): {detail}")]
    Json {
        /// Where in the document, such as `entries[2].kinds`.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        detail: String,
    },
    /// The file is not a referral directory file of a version this build reads.
    #[error(
        "not a referral directory file: `format` must be \"hotline-referrals\" and `version` 1"
    )]
    WrongFormat,
    /// One entry of a file was refused; nothing was imported.
    #[error("entry {number} of {total}: {source}")]
    InEntry {
        /// Which entry, counting from 1.
        number: usize,
        /// How many entries the file has.
        total: usize,
        /// Why it was refused.
        #[source]
        source: Box<ReferralError>,
    },
    /// Two entries of one file have the same id.
    #[error("entry {number} repeats the id of an earlier entry; each id appears once")]
    DuplicateId {
        /// Which entry, counting from 1.
        number: usize,
    },
    /// The export file exists already (and overwriting was not asked for).
    #[error("{path} exists already; choose another file")]
    OutputExists {
        /// The file.
        path: String,
    },
    /// The export file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// The vault refused (for example while writing the audit log).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database operation failed (damage is reported as a
    /// [`VaultError`] inside [`ReferralError::Vault`] instead).
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

crate::store::damage_aware_from_sqlite!(ReferralError);
