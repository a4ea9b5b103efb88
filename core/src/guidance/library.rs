//! Packs kept in the encrypted vault: coordinators import pack files and
//! choose the active pack; the built-in pack is always available. A
//! coordinator may also attach the text of a pack's seed article, so a
//! citation can show the cited paragraphs without the pack (or this
//! repository) ever containing the article.
//!
//! Rules:
//! - An import is parsed and validated first ([`check_source`]); a pack with
//!   any problem is never stored, and the caller gets every problem.
//! - Importing a pack whose id is already stored replaces it (a new
//!   version). Texts attached to it are kept when the new version still
//!   declares the same seed-article source with the same paragraph count,
//!   and dropped otherwise.
//! - The built-in pack's id (and the word `builtin`) are reserved: such an
//!   import is refused, so "the built-in pack" always means the shipped one.
//! - Import, removal, choosing the active pack and attaching a text need a
//!   coordinator, and each is written to the audit log (ids, versions and
//!   counts only).
//! - [`load_active_pack`] never fails: if the chosen pack is missing or no
//!   longer passes the checks, it returns the built-in pack and says why.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::issue::{IssueKind, PackErrors, PackIssue, Severity};
use super::model::SourceKind;
use super::validate::check_source;
use super::{Pack, Text};
use crate::vault::coordinator_key::{CoordinatorKey, CoordinatorPublic};
use crate::vault::signed::{self, RefusalReason, SettingKind, Signed};
use crate::vault::{Coordinator, Reader, Vault, VaultError, Write, now_unix};

/// Largest pack text an import accepts (1 MiB); real packs are far smaller.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// Largest source text (the seed article) that can be attached (1 MiB).
pub const MAX_SOURCE_TEXT_BYTES: usize = 1024 * 1024;

/// What `hotline pack use` and the settings accept as the built-in pack's
/// name besides its id; no imported pack may take it.
pub const BUILTIN_ALIAS: &str = "builtin";

/// Settings-table key of the active pack's id (absent: the built-in pack).
const ACTIVE_KEY: &str = "active_pack";

/// Why a pack operation was refused. Messages name ids, counts and limits,
/// never the content of a pack or an article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackLibraryError {
    /// The pack has problems; nothing was stored. Every problem is listed.
    #[error("the pack has {} problem(s); nothing was imported", .0.issues().len())]
    Invalid(PackErrors),
    /// The text is larger than the limit.
    #[error("the {what} is larger than {limit} bytes; nothing was stored")]
    TooLarge {
        /// `pack file` or `text`.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A text file is not UTF-8.
    #[error("the text is not UTF-8 (line {line}); save it as UTF-8 plain text")]
    NotUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// A file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The pack uses the built-in pack's id or the reserved word `builtin`.
    #[error(
        "the pack id \"{id}\" is reserved for the built-in pack; give the imported pack its own id in [pack]"
    )]
    ReservedId {
        /// The id in the file.
        id: String,
    },
    /// No imported pack has this id.
    #[error("no imported pack has the id \"{id}\"")]
    UnknownPack {
        /// The id asked for.
        id: String,
    },
    /// The built-in pack cannot be removed.
    #[error("the built-in pack cannot be removed")]
    CannotRemoveBuiltin,
    /// The pack declares no such source.
    #[error("pack \"{pack}\" has no source \"{source_id}\"")]
    UnknownSource {
        /// The pack.
        pack: String,
        /// The source id asked for.
        source_id: String,
    },
    /// Only the seed article's text can be attached.
    #[error(
        "source \"{source_id}\" is not the pack's seed article; only a seed article's text can be attached"
    )]
    NotSeedArticle {
        /// The source id.
        source_id: String,
    },
    /// The text does not have the paragraph count the pack declares.
    #[error(
        "the text has {found} paragraph(s) but source \"{source_id}\" declares {expected}; paragraphs are separated by blank lines. Is it the right article?"
    )]
    ParagraphCount {
        /// The source id.
        source_id: String,
        /// The count in the pack.
        expected: u32,
        /// The count in the text.
        found: usize,
    },
    /// A stored pack no longer passes the checks (so it cannot be chosen).
    #[error("the stored pack \"{id}\" no longer passes the checks; import it again")]
    StoredPackBroken {
        /// The pack id.
        id: String,
        /// Its problems.
        errors: PackErrors,
    },
    /// The vault refused (for example while writing the audit log).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database operation failed (damage is reported as a
    /// [`VaultError`] inside [`PackLibraryError::Vault`] instead).
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

crate::store::damage_aware_from_sqlite!(PackLibraryError);

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The pack as stored.
    pub pack: Arc<Pack>,
    /// The version it replaced, if a pack with this id was stored before.
    pub replaced_version: Option<String>,
    /// Whether it is the active pack (it replaced the active one).
    pub active: bool,
    /// Attached texts dropped because the new version no longer matches them.
    pub texts_dropped: usize,
}

/// A seed-article source of a listed pack, and whether its text is attached.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeedSourceEntry {
    /// Source id.
    pub id: String,
    /// Source title.
    pub title: String,
    /// Paragraphs the pack declares.
    pub paragraphs: u32,
    /// Whether a matching text is attached.
    pub attached: bool,
}

/// One pack in [`list_packs`] (also what the app's Script packs card shows).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackEntry {
    /// Pack id.
    pub id: String,
    /// Title per language code.
    pub title: BTreeMap<String, String>,
    /// The pack's version.
    pub version: String,
    /// When a person last reviewed it (`YYYY-MM-DD`).
    pub reviewed_on: Option<String>,
    /// Whether it is the built-in pack.
    pub builtin: bool,
    /// Whether it is the active pack.
    pub active: bool,
    /// When it was imported (seconds since 1970); `None` for the built-in pack.
    pub imported_at: Option<i64>,
    /// Who imported it; `None` for the built-in pack.
    pub imported_by: Option<String>,
    /// Its seed-article sources.
    pub seed_sources: Vec<SeedSourceEntry>,
    /// Why a stored pack cannot be used any more, if it cannot.
    pub problem: Option<String>,
}

/// The active pack, as loaded at unlock.
#[derive(Debug, Clone)]
pub struct ActivePack {
    /// The pack to play (the built-in pack when nothing else can be used).
    pub pack: Arc<Pack>,
    /// Why the chosen pack could not be loaded, when the built-in pack
    /// stands in for it.
    pub fallback: Option<String>,
}

/// One cited paragraph of an attached text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedParagraph {
    /// 1-based paragraph number.
    pub number: u32,
    /// Its text (lines joined with line breaks, no trailing break).
    pub text: String,
}

/// Split a text into paragraphs: blocks of lines separated by blank (or
/// whitespace-only) lines, each line kept with a trailing line break. This
/// is how the pack format counts the seed article's paragraphs.
pub fn split_paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.trim().is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Whether `id` names the built-in pack (its id or [`BUILTIN_ALIAS`]).
pub fn is_builtin_id(id: &str) -> bool {
    id == BUILTIN_ALIAS || id == Pack::builtin().meta().id
}

/// Read at most `limit` bytes of a file as UTF-8 text.
fn read_text_file(path: &Path, limit: usize, what: &'static str) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    std::fs::File::open(path)
        .and_then(|f| f.take(cap).read_to_end(&mut bytes))
        .map_err(|err| ReadError::Library(PackLibraryError::Io(err)))?;
    if bytes.len() > limit {
        return Err(ReadError::Library(PackLibraryError::TooLarge {
            what,
            limit,
        }));
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        ReadError::NotUtf8 {
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
        }
    })
}

enum ReadError {
    Library(PackLibraryError),
    NotUtf8 { line: usize },
}

fn text_map(text: &Text) -> BTreeMap<String, String> {
    text.entries
        .iter()
        .map(|t| (t.lang.clone(), t.value.clone()))
        .collect()
}

/// Import pack text (a coordinator's file, read by the caller). `file_name`
/// is used in problem reports only. See the module rules.
pub fn import_pack(
    vault: &Coordinator<'_>,
    text: &str,
    file_name: &str,
) -> Result<ImportOutcome, PackLibraryError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(PackLibraryError::TooLarge {
            what: "pack file",
            limit: MAX_IMPORT_BYTES,
        });
    }
    let pack = check_source(text, file_name).map_err(PackLibraryError::Invalid)?;
    let meta = pack.meta();
    if is_builtin_id(&meta.id) {
        return Err(PackLibraryError::ReservedId {
            id: meta.id.clone(),
        });
    }
    let mut tx = vault.write()?;
    let (replaced_version, texts_dropped) =
        store_source(&tx, &pack, text, file_name, &vault.user().handle)?;
    let meta = pack.meta();
    let active = active_id(tx.read())?.as_deref() == Some(meta.id.as_str());
    if active {
        sign_active(&tx)?;
    }
    tx.audit(
        "pack.import",
        json!({
            "id": meta.id,
            "version": meta.version,
            "replaced_version": replaced_version,
            "texts_dropped": texts_dropped,
        }),
    );
    tx.commit()?;
    Ok(ImportOutcome {
        pack: Arc::new(pack),
        replaced_version,
        active,
        texts_dropped,
    })
}

/// Store the checked `pack` (its source `text`, from `file_name`) in the
/// library on `tx`, as imported by `actor`, replacing a pack of its id;
/// returns the version it replaced and how many attached texts no longer
/// match.
fn store_source(
    tx: &Connection,
    pack: &Pack,
    text: &str,
    file_name: &str,
    actor: &str,
) -> Result<(Option<String>, usize), PackLibraryError> {
    let meta = pack.meta();
    let reviewed_on = meta.reviewed_on.map(|d| d.to_string()).unwrap_or_default();
    let title = serde_json::Value::Object(
        text_map(&meta.title)
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect(),
    )
    .to_string();
    let replaced_version: Option<String> = tx
        .query_row("SELECT version FROM packs WHERE id = ?1", [&meta.id], |r| {
            r.get(0)
        })
        .optional()?;
    tx.execute(
        "INSERT INTO packs (id, version, title, reviewed_on, file_name, source, imported_at, imported_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title,
             reviewed_on = excluded.reviewed_on, file_name = excluded.file_name,
             source = excluded.source, imported_at = excluded.imported_at,
             imported_by = excluded.imported_by",
        (
            &meta.id,
            &meta.version,
            &title,
            &reviewed_on,
            file_name,
            text,
            now_unix(),
            actor,
        ),
    )?;
    let texts_dropped = drop_unmatched_texts(tx, pack)?;
    Ok((replaced_version, texts_dropped))
}

/// On a member laptop, in the write applying the team's update: store the
/// pack `source` (its text and file name; none for the built-in pack) as
/// an import would — a pack that fails the checks is refused whole — and
/// make it active; the stored pack must be the one `record` names, id,
/// version and source hash.
pub(crate) fn store_team_pack(
    tx: &Write<'_>,
    record: &SignedPack,
    source: Option<(&str, &str)>,
) -> Result<(), PackLibraryError> {
    let id = match (source, &record.source_sha256) {
        (Some((text, file_name)), Some(_)) => {
            if text.len() > MAX_IMPORT_BYTES {
                return Err(PackLibraryError::TooLarge {
                    what: "pack file",
                    limit: MAX_IMPORT_BYTES,
                });
            }
            let pack = check_source(text, file_name).map_err(PackLibraryError::Invalid)?;
            if is_builtin_id(&pack.meta().id) {
                return Err(PackLibraryError::ReservedId {
                    id: pack.meta().id.clone(),
                });
            }
            store_source(tx, &pack, text, file_name, tx.actor())?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (ACTIVE_KEY, &pack.meta().id),
            )?;
            Some(pack.meta().id.clone())
        }
        (None, None) => {
            tx.execute("DELETE FROM settings WHERE key = ?1", [ACTIVE_KEY])?;
            None
        }
        _ => {
            return Err(PackLibraryError::UnknownPack {
                id: record.id.clone(),
            });
        }
    };
    if signed_pack_of(tx.read(), id.as_deref())? != *record {
        return Err(PackLibraryError::UnknownPack {
            id: record.id.clone(),
        });
    }
    Ok(())
}

/// Read a pack file (at most [`MAX_IMPORT_BYTES`], UTF-8) and import it.
pub fn import_pack_file(
    vault: &Coordinator<'_>,
    path: &Path,
) -> Result<ImportOutcome, PackLibraryError> {
    let file = path.display().to_string();
    match read_text_file(path, MAX_IMPORT_BYTES, "pack file") {
        Ok(text) => import_pack(vault, &text, &file),
        Err(ReadError::Library(err)) => Err(err),
        Err(ReadError::NotUtf8 { line }) => {
            Err(PackLibraryError::Invalid(PackErrors(vec![PackIssue {
                file,
                line,
                item: None,
                kind: IssueKind::File,
                message: "the file is not UTF-8 text; save it as UTF-8 (plain text)".to_owned(),
                severity: Severity::Error,
            }])))
        }
    }
}

/// Delete attached texts of `pack` whose source is no longer a seed article
/// with the same paragraph count; returns how many.
fn drop_unmatched_texts(tx: &Connection, pack: &Pack) -> Result<usize, PackLibraryError> {
    let mut stmt =
        tx.prepare("SELECT source_id, paragraphs FROM pack_source_texts WHERE pack_id = ?1")?;
    let attached = stmt
        .query_map([&pack.meta().id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut dropped = 0;
    for (source_id, count) in attached {
        let still = pack.source(&source_id).is_some_and(|s| {
            s.kind == SourceKind::SeedArticle && s.paragraphs.map(i64::from) == Some(count)
        });
        if !still {
            dropped += tx.execute(
                "DELETE FROM pack_source_texts WHERE pack_id = ?1 AND source_id = ?2",
                (&pack.meta().id, &source_id),
            )?;
        }
    }
    Ok(dropped)
}

/// The id stored as the active pack, if any.
fn active_id(conn: Reader<'_>) -> Result<Option<String>, rusqlite::Error> {
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        [ACTIVE_KEY],
        |r| r.get(0),
    )
    .optional()
}

/// A stored pack's source and file name.
pub(crate) fn pack_source(
    conn: Reader<'_>,
    id: &str,
) -> Result<Option<(String, String)>, rusqlite::Error> {
    stored_source(conn, id)
}

/// A stored pack's source and file name.
fn stored_source(conn: Reader<'_>, id: &str) -> Result<Option<(String, String)>, rusqlite::Error> {
    conn.query_row(
        "SELECT source, file_name FROM packs WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Load a stored pack and check it again.
fn load_stored(conn: Reader<'_>, id: &str) -> Result<Pack, PackLibraryError> {
    let (source, file_name) = stored_source(conn, id)?
        .ok_or_else(|| PackLibraryError::UnknownPack { id: id.to_owned() })?;
    check_source(&source, &file_name).map_err(|errors| PackLibraryError::StoredPackBroken {
        id: id.to_owned(),
        errors,
    })
}

/// The built-in pack or a stored one, by id.
fn pack_by_id(conn: Reader<'_>, id: &str) -> Result<Arc<Pack>, PackLibraryError> {
    if is_builtin_id(id) {
        Ok(Pack::builtin_shared())
    } else {
        load_stored(conn, id).map(Arc::new)
    }
}

/// The active pack. Never fails: when the chosen pack is missing, cannot be
/// read or no longer passes the checks, the built-in pack is returned with
/// the reason in [`ActivePack::fallback`]. The choice is read from its
/// coordinator-signed record: a pack chosen, or a stored pack changed, in
/// the database around the app is not used (the signed pack is, or the
/// built-in pack while the record is refused).
pub fn load_active_pack(vault: &Vault) -> ActivePack {
    let builtin = |reason: String| ActivePack {
        pack: Pack::builtin_shared(),
        fallback: Some(reason),
    };
    let record = match signed::read::<SignedPack>(
        vault.read(),
        vault.coordinator_public(),
        SettingKind::ActivePack,
    ) {
        Ok(Signed::Valid(record)) => record,
        Ok(Signed::Unprotected) => return load_plain_active(vault),
        Ok(Signed::Refused(_)) => {
            return builtin(
                "the active pack's coordinator signature is missing or not valid; using the built-in pack"
                    .to_owned(),
            );
        }
        Err(err) => return builtin(format!("the active pack could not be read: {err}")),
    };
    if record.source_sha256.is_none() {
        return ActivePack {
            pack: Pack::builtin_shared(),
            fallback: None,
        };
    }
    match signed_pack_of(vault.read(), Some(&record.id)) {
        Ok(stored) if stored == record => match load_stored(vault.read(), &record.id) {
            Ok(pack) => ActivePack {
                pack: Arc::new(pack),
                fallback: None,
            },
            Err(err) => builtin(format!("{err}; using the built-in pack")),
        },
        Ok(_) => builtin(format!(
            "the active pack \"{}\" was changed without a coordinator's signature; using the built-in pack",
            record.id
        )),
        Err(err) => builtin(format!("the active pack could not be read: {err}")),
    }
}

/// The active pack as the settings table names it (a vault without a
/// coordinator key yet).
fn load_plain_active(vault: &Vault) -> ActivePack {
    let builtin = |reason: String| ActivePack {
        pack: Pack::builtin_shared(),
        fallback: Some(reason),
    };
    let id = match active_id(vault.read()) {
        Ok(Some(id)) if !is_builtin_id(&id) => id,
        Ok(_) => {
            return ActivePack {
                pack: Pack::builtin_shared(),
                fallback: None,
            };
        }
        Err(err) => return builtin(format!("the active pack could not be read: {err}")),
    };
    match load_stored(vault.read(), &id) {
        Ok(pack) => ActivePack {
            pack: Arc::new(pack),
            fallback: None,
        },
        Err(err) => builtin(format!("{err}; using the built-in pack")),
    }
}

/// The active pack as signed: its id and version, and the SHA-256 (hex) of
/// its stored source; `None` for the built-in pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SignedPack {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) source_sha256: Option<String>,
}

/// The record of the pack `id` as stored (the built-in pack for `None`,
/// its id, or a pack no longer stored).
fn signed_pack_of(conn: Reader<'_>, id: Option<&str>) -> Result<SignedPack, VaultError> {
    let stored: Option<(String, String)> = match id.filter(|id| !is_builtin_id(id)) {
        Some(id) => conn
            .query_row(
                "SELECT version, source FROM packs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        None => None,
    };
    Ok(match (id, stored) {
        (Some(id), Some((version, source))) => SignedPack {
            id: id.to_owned(),
            version,
            source_sha256: Some(hex::encode(Sha256::digest(source.as_bytes()))),
        },
        _ => {
            let builtin = Pack::builtin_shared();
            SignedPack {
                id: builtin.meta().id.clone(),
                version: builtin.meta().version.clone(),
                source_sha256: None,
            }
        }
    })
}

/// The record of the active pack as the settings table names it.
fn plain_active(conn: Reader<'_>) -> Result<SignedPack, VaultError> {
    signed_pack_of(conn, active_id(conn)?.as_deref())
}

/// Sign the active pack as the settings name it, in `tx` (a coordinator's).
fn sign_active(tx: &Write<'_>) -> Result<(), VaultError> {
    signed::write(tx, SettingKind::ActivePack, &plain_active(tx.read())?)
}

/// Sign the active pack as it stands (when the coordinator key is created,
/// or at the first coordinator unlock after the upgrade that signs it).
pub(crate) fn sign_current_pack(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    let record = plain_active(conn.into())?;
    signed::write_with(conn, key, actor, SettingKind::ActivePack, &record)
}

/// What the signed active pack says against the settings and the stored
/// pack: its refusal, for the sweep at unlock.
pub(crate) fn pack_refusals(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<(SettingKind, RefusalReason)>, VaultError> {
    Ok(
        match signed::read::<SignedPack>(conn, public, SettingKind::ActivePack)? {
            Signed::Valid(record) if record != plain_active(conn)? => {
                vec![(
                    SettingKind::ActivePack,
                    RefusalReason::ChangedWithoutSignature,
                )]
            }
            Signed::Valid(_) | Signed::Unprotected => vec![],
            Signed::Refused(reason) => vec![(SettingKind::ActivePack, reason)],
        },
    )
}

/// Make `id` the active pack (coordinators only; audited). The built-in
/// pack's id or [`BUILTIN_ALIAS`] choose the built-in pack. A stored pack
/// that no longer passes the checks is refused. Returns the pack.
pub fn use_pack(vault: &Coordinator<'_>, id: &str) -> Result<Arc<Pack>, PackLibraryError> {
    let mut tx = vault.write()?;
    let pack = pack_by_id(tx.read(), id)?;
    if is_builtin_id(id) {
        tx.execute("DELETE FROM settings WHERE key = ?1", [ACTIVE_KEY])?;
    } else {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (ACTIVE_KEY, &pack.meta().id),
        )?;
    }
    sign_active(&tx)?;
    tx.audit(
        "pack.use",
        json!({ "id": pack.meta().id, "version": pack.meta().version }),
    );
    tx.commit()?;
    Ok(pack)
}

/// Remove an imported pack and its attached texts (coordinators only;
/// audited). If it was active, the built-in pack becomes active. Returns
/// whether it was active.
pub fn remove_pack(vault: &Coordinator<'_>, id: &str) -> Result<bool, PackLibraryError> {
    if is_builtin_id(id) {
        return Err(PackLibraryError::CannotRemoveBuiltin);
    }
    let mut tx = vault.write()?;
    let version: Option<String> = tx
        .query_row("SELECT version FROM packs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(version) = version else {
        return Err(PackLibraryError::UnknownPack { id: id.to_owned() });
    };
    tx.execute("DELETE FROM packs WHERE id = ?1", [id])?;
    tx.execute("DELETE FROM pack_source_texts WHERE pack_id = ?1", [id])?;
    let was_active = active_id(tx.read())?.as_deref() == Some(id);
    if was_active {
        tx.execute("DELETE FROM settings WHERE key = ?1", [ACTIVE_KEY])?;
        sign_active(&tx)?;
    }
    tx.audit(
        "pack.remove",
        json!({ "id": id, "version": version, "was_active": was_active }),
    );
    tx.commit()?;
    Ok(was_active)
}

/// Attached source ids of a pack with their paragraph counts.
fn attached_counts(conn: Reader<'_>, pack_id: &str) -> Result<Vec<(String, i64)>, rusqlite::Error> {
    let mut stmt =
        conn.prepare("SELECT source_id, paragraphs FROM pack_source_texts WHERE pack_id = ?1")?;
    stmt.query_map([pack_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

fn entry_for(
    conn: Reader<'_>,
    pack: &Pack,
    builtin: bool,
    active: bool,
) -> Result<PackEntry, PackLibraryError> {
    let meta = pack.meta();
    let attached = attached_counts(conn, &meta.id)?;
    let seed_sources = pack
        .sources()
        .iter()
        .filter(|s| s.kind == SourceKind::SeedArticle)
        .filter_map(|s| {
            s.paragraphs.map(|count| SeedSourceEntry {
                id: s.id.clone(),
                title: s.title.clone(),
                paragraphs: count,
                attached: attached
                    .iter()
                    .any(|(id, n)| *id == s.id && *n == i64::from(count)),
            })
        })
        .collect();
    Ok(PackEntry {
        id: meta.id.clone(),
        title: text_map(&meta.title),
        version: meta.version.clone(),
        reviewed_on: meta.reviewed_on.map(|d| d.to_string()),
        builtin,
        active,
        imported_at: None,
        imported_by: None,
        seed_sources,
        problem: None,
    })
}

/// Every pack: the built-in pack first, then imported packs by id, with
/// which one is active (anyone signed in may list).
pub fn list_packs(vault: &Vault) -> Result<Vec<PackEntry>, PackLibraryError> {
    let conn = vault.read();
    let active = load_active_pack(vault);
    let active_id = active.pack.meta().id.clone();
    let builtin_id = &Pack::builtin().meta().id;
    let mut entries = vec![entry_for(
        conn,
        Pack::builtin(),
        true,
        active_id == *builtin_id,
    )?];
    let mut stmt = conn.prepare(
        "SELECT id, version, title, reviewed_on, imported_at, imported_by FROM packs ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, version, title, reviewed_on, imported_at, imported_by) in rows {
        let mut entry = match load_stored(conn, &id) {
            Ok(pack) => entry_for(conn, &pack, false, id == active_id)?,
            Err(err) => PackEntry {
                id: id.clone(),
                title: serde_json::from_str(&title).unwrap_or_default(),
                version,
                reviewed_on: Some(reviewed_on),
                builtin: false,
                active: false,
                imported_at: None,
                imported_by: None,
                seed_sources: Vec::new(),
                problem: Some(err.to_string()),
            },
        };
        entry.imported_at = Some(imported_at);
        entry.imported_by = Some(imported_by);
        entries.push(entry);
    }
    Ok(entries)
}

/// Attach the text of `source_id` (the seed article) to pack `pack_id` (or
/// the built-in pack), replacing any text attached before. Coordinators
/// only; audited. The text must split ([`split_paragraphs`]) into exactly
/// the number of paragraphs the source declares. Returns that number.
pub fn attach_source_text(
    vault: &Coordinator<'_>,
    pack_id: &str,
    source_id: &str,
    text: &str,
) -> Result<u32, PackLibraryError> {
    if text.len() > MAX_SOURCE_TEXT_BYTES {
        return Err(PackLibraryError::TooLarge {
            what: "text",
            limit: MAX_SOURCE_TEXT_BYTES,
        });
    }
    let mut tx = vault.write()?;
    let pack = pack_by_id(tx.read(), pack_id)?;
    let pack_id = pack.meta().id.clone();
    let source = pack
        .source(source_id)
        .ok_or_else(|| PackLibraryError::UnknownSource {
            pack: pack_id.clone(),
            source_id: source_id.to_owned(),
        })?;
    let expected = match (source.kind, source.paragraphs) {
        (SourceKind::SeedArticle, Some(count)) => count,
        _ => {
            return Err(PackLibraryError::NotSeedArticle {
                source_id: source_id.to_owned(),
            });
        }
    };
    let found = split_paragraphs(text).len();
    if u32::try_from(found).ok() != Some(expected) {
        return Err(PackLibraryError::ParagraphCount {
            source_id: source_id.to_owned(),
            expected,
            found,
        });
    }
    tx.execute(
        "INSERT INTO pack_source_texts (pack_id, source_id, paragraphs, body, attached_at, attached_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (pack_id, source_id) DO UPDATE SET paragraphs = excluded.paragraphs,
             body = excluded.body, attached_at = excluded.attached_at,
             attached_by = excluded.attached_by",
        (
            &pack_id,
            source_id,
            i64::from(expected),
            text,
            now_unix(),
            &vault.user().handle,
        ),
    )?;
    tx.audit(
        "pack.attach_text",
        json!({ "pack": pack_id, "source": source_id, "paragraphs": expected }),
    );
    tx.commit()?;
    Ok(expected)
}

/// Read a text file (at most [`MAX_SOURCE_TEXT_BYTES`], UTF-8) and attach it
/// like [`attach_source_text`].
pub fn attach_source_text_file(
    vault: &Coordinator<'_>,
    pack_id: &str,
    source_id: &str,
    path: &Path,
) -> Result<u32, PackLibraryError> {
    match read_text_file(path, MAX_SOURCE_TEXT_BYTES, "text") {
        Ok(text) => attach_source_text(vault, pack_id, source_id, &text),
        Err(ReadError::Library(err)) => Err(err),
        Err(ReadError::NotUtf8 { line }) => Err(PackLibraryError::NotUtf8 { line }),
    }
}

/// The text of paragraphs `numbers` of `source_id` in `pack`, or `None`
/// when no text is attached (or the attached one no longer matches the
/// source's paragraph count). Numbers out of range are left out.
pub fn cited_paragraphs(
    vault: &Vault,
    pack: &Pack,
    source_id: &str,
    numbers: &[u32],
) -> Result<Option<Vec<CitedParagraph>>, PackLibraryError> {
    let Some(expected) = pack
        .source(source_id)
        .filter(|s| s.kind == SourceKind::SeedArticle)
        .and_then(|s| s.paragraphs)
    else {
        return Ok(None);
    };
    let body: Option<String> = vault
        .read()
        .query_row(
            "SELECT body FROM pack_source_texts WHERE pack_id = ?1 AND source_id = ?2",
            (&pack.meta().id, source_id),
            |r| r.get(0),
        )
        .optional()?;
    let Some(body) = body else {
        return Ok(None);
    };
    let paragraphs = split_paragraphs(&body);
    if u32::try_from(paragraphs.len()).ok() != Some(expected) {
        return Ok(None);
    }
    Ok(Some(
        numbers
            .iter()
            .filter_map(|&number| {
                let index = usize::try_from(number).ok()?.checked_sub(1)?;
                paragraphs.get(index).map(|text| CitedParagraph {
                    number,
                    text: text.trim_end().to_owned(),
                })
            })
            .collect(),
    ))
}
