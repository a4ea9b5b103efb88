//! The directory file: a JSON document coordinators share
//! (`docs/referrals.schema.json`, documented in `docs/REFERRALS.md`).
//! Importing merges by id: a new id is added, a known one replaced.

use std::borrow::Cow;
use std::path::Path;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use super::store::{self, Written};
use super::{Referral, ReferralError};
use crate::output::OutputError;
use crate::vault::{Coordinator, Vault};

/// The `format` every directory file names.
pub const FILE_FORMAT: &str = "hotline-referrals";
/// The file version this build writes and reads.
pub const FILE_VERSION: u32 = 1;
/// Most entries in one file.
pub const MAX_FILE_ENTRIES: usize = 5000;

/// A referral directory file.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Hotline Desk referral directory")]
struct DirectoryFile {
    /// Always `hotline-referrals`.
    format: String,
    /// Always 1.
    version: u32,
    /// The entries, in any order.
    entries: Vec<Referral>,
}

/// How the file's schema describes an id (a UUID written as text).
pub(super) struct FileId;

impl JsonSchema for FileId {
    fn schema_name() -> Cow<'static, str> {
        "ReferralId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut map = Map::new();
        map.insert(
            "description".into(),
            json!("A UUID, such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b."),
        );
        map.insert("type".into(), json!("string"));
        map.insert("format".into(), json!("uuid"));
        Schema::from(map)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Entries that were new here.
    pub added: usize,
    /// Entries that replaced different details (or came back after removal).
    pub updated: usize,
    /// Entries the directory already held exactly.
    pub unchanged: usize,
}

/// Read a directory file and check every entry, without storing anything.
pub fn parse_file(text: &str) -> Result<Vec<Referral>, ReferralError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let file: DirectoryFile =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            json_error(path, err.inner())
        })?;
    deserializer
        .end()
        .map_err(|err| json_error(".".to_owned(), &err))?;
    if file.format != FILE_FORMAT || file.version != FILE_VERSION {
        return Err(ReferralError::WrongFormat);
    }
    if file.entries.len() > MAX_FILE_ENTRIES {
        return Err(ReferralError::TooMany {
            field: "entries",
            limit: MAX_FILE_ENTRIES,
        });
    }
    let total = file.entries.len();
    let mut seen = std::collections::HashSet::new();
    file.entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            if !seen.insert(entry.id) {
                return Err(ReferralError::DuplicateId { number: i + 1 });
            }
            entry.checked().map_err(|err| ReferralError::InEntry {
                number: i + 1,
                total,
                source: Box::new(err),
            })
        })
        .collect()
}

fn json_error(path: String, err: &serde_json::Error) -> ReferralError {
    let message = err.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => &message,
    };
    // Keep serde's words up to any quoted input value.
    let detail = message
        .split(['"'])
        .next()
        .unwrap_or_default()
        .trim_end_matches([' ', ':', ','])
        .to_owned();
    ReferralError::Json {
        path,
        line: err.line(),
        column: err.column(),
        detail,
    }
}

/// Import a directory file: all entries or none,
/// merged by id. Audited with the counts.
pub fn import_file(vault: &Coordinator<'_>, text: &str) -> Result<ImportReport, ReferralError> {
    let entries = parse_file(text)?;
    let mut tx = vault.write()?;
    crate::team::refuse_if_managed(tx.read(), crate::team::UpdateKind::Referrals)?;
    let mut report = ImportReport::default();
    for entry in &entries {
        match store::write(&tx, entry, &vault.user().handle)? {
            Written::Added => report.added += 1,
            Written::Updated => report.updated += 1,
            Written::Unchanged => report.unchanged += 1,
        }
    }
    tx.audit(
        "referral.import",
        json!({ "added": report.added, "updated": report.updated }),
    );
    tx.commit()?;
    Ok(report)
}

/// Make the directory the one of the directory file `text` (on a member
/// laptop, in the write applying the team's update): every entry of the
/// file written as `actor`, every other entry removed (calls that name it
/// keep it). Returns how many entries were removed.
pub(crate) fn replace_directory(
    tx: &rusqlite::Connection,
    text: &str,
    actor: &str,
) -> Result<usize, ReferralError> {
    let entries = parse_file(text)?;
    for entry in &entries {
        store::write(tx, entry, actor)?;
    }
    let kept: std::collections::HashSet<String> =
        entries.iter().map(|e| e.id.to_string()).collect();
    let offered: Vec<String> = tx
        .prepare("SELECT uid FROM referrals WHERE removed = 0")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut removed = 0;
    for uid in offered.iter().filter(|uid| !kept.contains(*uid)) {
        removed += tx.execute(
            "UPDATE referrals SET removed = 1, updated_at = ?2, updated_by = ?3 WHERE uid = ?1",
            rusqlite::params![uid, chrono::Utc::now().timestamp(), actor],
        )?;
    }
    Ok(removed)
}

/// The directory (entries not removed) as the text of a directory file,
/// pretty-printed and ending in a newline.
pub fn export_file(vault: &Vault) -> Result<String, ReferralError> {
    let entries = store::list(vault)?;
    Ok(file_text(entries))
}

/// Write the directory file to `path`: a new file, or (with `force`) over
/// an existing one. Returns how many entries it holds. Audited with the count.
pub fn write_export(vault: &Vault, path: &Path, force: bool) -> Result<usize, ReferralError> {
    let entries = store::list(vault)?;
    let count = entries.len();
    let text = file_text(entries);
    crate::output::write_file(path, text.as_bytes(), force).map_err(|err| match err {
        OutputError::Exists => ReferralError::OutputExists {
            path: path.display().to_string(),
        },
        OutputError::Io(source) => ReferralError::Write {
            path: path.display().to_string(),
            source,
        },
    })?;
    vault.audit_file(path, "referral.export", json!({ "entries": count }))?;
    Ok(count)
}

/// `entries` as the text of a directory file.
pub fn file_text(entries: Vec<Referral>) -> String {
    let file = DirectoryFile {
        format: FILE_FORMAT.to_owned(),
        version: FILE_VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON schema of the directory file, with object keys sorted, as the
/// text of `docs/referrals.schema.json`.
pub fn file_schema_text() -> String {
    crate::output::json_text(schemars::schema_for!(DirectoryFile).to_value())
}
