//! Exports: what may leave the vault, and how. `docs/EXPORTS.md` states
//! the guarantees and the schemas.
//!
//! - [`summary`]: the coordinator's summary of calls by ISO week ×
//!   category × area, and by agency, verification, language and caller
//!   relation, with every count `0` or at least `k` and complementary
//!   suppression checked against an attacker who solves the published
//!   totals ([`suppress`]); rendered as CSV, JSON or a self-contained HTML
//!   report by [`render_summary`], previewed for the window by [`preview`],
//!   written and audited by [`write_summary`];
//! - [`dashboard`] and [`dashboard_shareable`]: in-app counts;
//! - [`coordinator_key`], [`export_bundle`], [`merge_bundles`] and
//!   [`write_merged`]: exact counts from the team's laptops, as signed
//!   packets (`crate::team`) encrypted with `age` to the coordinator's
//!   key, checked, summed exactly and published once.
//!
//! Nothing here ever reads a call's free text, contact fields, handles,
//! ids or exact times: only the structured columns listed in
//! [`summary`]'s module, with times reduced to ISO weeks in the query.

mod bundle;
pub mod chart;
mod dashboard;
mod format_csv;
mod format_html;
mod format_json;
pub(crate) mod keys;
mod preview;
mod summary;
pub(crate) mod suppress;

#[cfg(test)]
mod tests;

/// Decrypt an age file with `vault`'s coordinator bundle key (tests only).
#[cfg(test)]
pub(crate) fn testing_decrypt(vault: &crate::vault::Vault, ciphertext: &[u8]) -> Vec<u8> {
    bundle::testing::decrypt(vault, ciphertext)
}

/// Encrypt `plaintext` with age to `recipient` (tests only).
#[cfg(test)]
pub(crate) fn testing_encrypt(recipient: &str, plaintext: &[u8]) -> Vec<u8> {
    bundle::testing::encrypt(recipient, plaintext)
}

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::output::OutputError;
use crate::vault::{Coordinator, VaultError};

pub use bundle::{
    BUNDLE_SCHEMA, BUNDLE_VERSION, BundleReport, Contribution, HeldBundle, Merged, export_bundle,
    merge_bundles, write_merged,
};
pub use dashboard::{Dashboard, DashboardCount, dashboard, dashboard_shareable};
pub use keys::coordinator_key;
pub(crate) use keys::{rotate_identity, seal_stored_identity};
pub use preview::{PreviewTable, SummaryView, preview};
pub use summary::{
    ALL, DIMENSIONS, MAX_WEEKS, OTHER_LANGUAGE, Row, SUMMARY_SCHEMA, Summary, SummaryOptions,
    Table, UNSPECIFIED_AREA, summary, week_label,
};

/// The threshold used unless the coordinator chooses another.
pub const DEFAULT_K: u32 = 5;
/// The smallest threshold accepted: below it, a published 1 or 2 could
/// single out a caller.
pub const MIN_K: u32 = 3;
/// The largest threshold accepted: above it nearly every count of a
/// hotline's report would be hidden, which is a typing slip, not a choice.
pub const MAX_K: u32 = 100;

/// Everything that can go wrong exporting. Messages never contain counts,
/// keys or anything about a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The threshold is below [`MIN_K`].
    #[error("k must be at least 3 (got {k}): smaller counts could single out a caller")]
    ThresholdTooLow {
        /// The threshold asked for.
        k: u32,
    },
    /// The threshold is above [`MAX_K`].
    #[error("k must be at most {max} (got {k}): a larger k would hide nearly every count")]
    ThresholdTooHigh {
        /// The threshold asked for.
        k: u32,
        /// The largest accepted ([`MAX_K`]).
        max: u32,
    },
    /// The period is not usable.
    #[error("invalid period: {reason}")]
    InvalidRange {
        /// What is wrong.
        reason: &'static str,
    },
    /// The output file exists and overwriting was not asked for.
    #[error("{path} already exists; pass --force to overwrite it")]
    OutputExists {
        /// The file.
        path: String,
    },
    /// The output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The vault has no coordinator key yet.
    #[error("this vault has no coordinator key yet; create it with `hotline keys coordinator`")]
    NoCoordinatorKey,
    /// The public key is not an age X25519 recipient.
    #[error("not a coordinator public key (expected age1…)")]
    InvalidRecipient,
    /// Encryption failed.
    #[error("the bundle could not be encrypted")]
    Encrypt,
    /// The bundle is not encrypted to this coordinator's key, or is damaged.
    #[error(
        "bundle {number}: cannot decrypt it with this vault's coordinator key (another key, or damaged)"
    )]
    Decrypt {
        /// Which bundle, counting from 1.
        number: usize,
    },
    /// The bundle is of another kind or version.
    #[error(
        "bundle {number}: foreign schema `{found}` (expected {BUNDLE_SCHEMA} version {BUNDLE_VERSION})"
    )]
    ForeignSchema {
        /// Which bundle, counting from 1.
        number: usize,
        /// The schema and version it declares.
        found: String,
    },
    /// The bundle's content is invalid.
    #[error("bundle {number}: {reason}")]
    InvalidBundle {
        /// Which bundle, counting from 1.
        number: usize,
        /// What is wrong (never a count or a value).
        reason: String,
    },
    /// The same bundle was given twice.
    #[error("bundle {number} is a duplicate of an earlier bundle in this merge ({id})")]
    DuplicateBundle {
        /// Which bundle, counting from 1.
        number: usize,
        /// Its bundle id.
        id: String,
    },
    /// The bundle was imported by an earlier merge.
    #[error("bundle {number} ({id}) was already imported into this vault")]
    AlreadyImported {
        /// Which bundle, counting from 1.
        number: usize,
        /// Its bundle id.
        id: String,
    },
    /// A merge needs at least one bundle.
    #[error("no bundles to merge")]
    NoBundles,
    /// Stored or merged data is inconsistent.
    #[error("invalid data: {reason}")]
    InvalidData {
        /// What is wrong.
        reason: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// Rendering failed.
    #[error("cannot render the export: {0}")]
    Render(String),
    /// A bundle was refused as a packet: unsigned, forged, altered,
    /// replayed, from a laptop not enrolled or revoked, of another team …
    #[error("bundle {number}: {source}")]
    Packet {
        /// Which bundle, counting from 1.
        number: usize,
        /// Why.
        #[source]
        source: crate::team::PacketError,
    },
    /// The team refused (no team, not the coordinator laptop …).
    #[error(transparent)]
    Team(crate::team::TeamError),
    /// The vault refused (for example while writing the audit log).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database operation failed (damage is reported as a
    /// [`VaultError`] inside [`ExportError::Vault`] instead).
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

crate::store::damage_aware_from_sqlite!(ExportError);

impl From<crate::team::TeamError> for ExportError {
    fn from(err: crate::team::TeamError) -> Self {
        match err {
            crate::team::TeamError::Vault(inner) => Self::Vault(inner),
            other => Self::Team(other),
        }
    }
}

/// Language of an HTML report's headings and labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

/// An output format of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// CSV, one row per cell (tidy).
    Csv,
    /// JSON with a versioned schema, one row per cell.
    Json,
    /// A self-contained HTML report (inline SVG, no script) in a language.
    Html(Lang),
}

impl Format {
    /// `csv`, `json` or `html`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Html(_) => "html",
        }
    }
}

/// Render a summary to bytes without writing anything (for a preview).
pub fn render_summary(summary: &Summary, format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => format_csv::render(summary),
        Format::Json => format_json::render(summary),
        Format::Html(lang) => Ok(format_html::render(summary, lang).into_bytes()),
    }
}

/// Render `summary` as `format`, write it to `out` (refusing an existing
/// file unless `force`) and record the export in the audit log
/// (coordinators only).
pub fn write_summary(
    vault: &Coordinator<'_>,
    summary: &Summary,
    format: Format,
    out: &Path,
    force: bool,
) -> Result<(), ExportError> {
    let bytes = render_summary(summary, format)?;
    write_output(out, &bytes, force)?;
    vault.audit_file(out, "export.summary", audit_params(summary, format, force))?;
    Ok(())
}

/// The audit parameters of a written summary: never a count.
fn audit_params(summary: &Summary, format: Format, force: bool) -> serde_json::Value {
    json!({
        "format": format.as_str(),
        "from": summary.from,
        "to": summary.to,
        "k": summary.k,
        "include_synthetic": summary.include_synthetic,
        "overwrote": force,
    })
}

/// Refuse a threshold below [`MIN_K`] or above [`MAX_K`].
pub(crate) fn check_k(k: u32) -> Result<(), ExportError> {
    if k < MIN_K {
        Err(ExportError::ThresholdTooLow { k })
    } else if k > MAX_K {
        Err(ExportError::ThresholdTooHigh { k, max: MAX_K })
    } else {
        Ok(())
    }
}

/// Write `bytes` to `path`: a new file, or (with `force`) over an existing one.
pub(crate) fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<(), ExportError> {
    crate::output::write_file(path, bytes, force).map_err(|err| match err {
        OutputError::Exists => ExportError::OutputExists {
            path: path.display().to_string(),
        },
        OutputError::Io(source) => ExportError::Write {
            path: path.display().to_string(),
            source,
        },
    })
}
