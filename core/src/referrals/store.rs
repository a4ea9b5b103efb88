//! Storing, listing and searching the directory in the vault.
//!
//! Removing an entry only hides it: calls that name it keep a readable
//! referral, and importing a file that holds it again brings it back.

use chrono::{NaiveDate, Utc};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::json;
use uuid::Uuid;

use super::{Referral, ReferralError};
use crate::vault::{Coordinator, Reader, Vault};

/// Columns of a [`Referral`], in the order [`from_row`] reads.
const COLUMNS: &str = "uid, name, about_en, about_es, languages, hours, phone, web, area, kinds,
    source, verified_on";

fn conversion(err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Referral> {
    let uid: String = row.get(0)?;
    let languages: String = row.get(4)?;
    let kinds: String = row.get(9)?;
    let verified_on: Option<String> = row.get(11)?;
    Ok(Referral {
        id: Uuid::try_parse(&uid).map_err(conversion)?,
        name: row.get(1)?,
        about_en: row.get(2)?,
        about_es: row.get(3)?,
        languages: serde_json::from_str(&languages).map_err(conversion)?,
        hours: row.get(5)?,
        phone: row.get(6)?,
        web: row.get(7)?,
        area: row.get(8)?,
        kinds: serde_json::from_str(&kinds).map_err(conversion)?,
        source: row.get(10)?,
        verified_on: verified_on
            .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
            .transpose()
            .map_err(conversion)?,
    })
}

/// Every entry not removed, by name (without regard to case).
pub fn list(vault: &Vault) -> Result<Vec<Referral>, ReferralError> {
    list_in(vault.read())
}

fn list_in(conn: Reader<'_>) -> Result<Vec<Referral>, ReferralError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM referrals WHERE removed = 0 ORDER BY name COLLATE NOCASE, uid"
    ))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Entries whose name, what they do (English or Spanish), kinds or area
/// hold every word of `query`, without regard to case or accents
/// ("asesoria" finds "asesoría"); when `kinds` is not empty, only entries
/// of at least one of those kinds. An empty query matches every entry.
pub fn search(
    vault: &Vault,
    query: &str,
    kinds: &[String],
) -> Result<Vec<Referral>, ReferralError> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    Ok(list(vault)?
        .into_iter()
        .filter(|r| r.has_any_kind(kinds))
        .filter(|r| {
            let haystack = fold(&format!(
                "{} {} {} {} {}",
                r.name,
                r.about_en,
                r.about_es,
                r.kinds.join(" "),
                r.area.as_deref().unwrap_or("")
            ));
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .collect())
}

/// `text` in lower case with the accents of Spanish (and common Latin
/// letters) taken off, for matching.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// The entry `id`, even if removed (a call may still name it).
pub fn get(vault: &Vault, id: Uuid) -> Result<Referral, ReferralError> {
    get_in(vault.read(), id)?.ok_or(ReferralError::NotFound)
}

fn get_in(conn: Reader<'_>, id: Uuid) -> Result<Option<Referral>, ReferralError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM referrals WHERE uid = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

/// Add a new entry (audited with its id). The entry's
/// id must not be in the directory yet (make it with [`Referral::new`]).
pub fn add(vault: &Coordinator<'_>, referral: Referral) -> Result<Uuid, ReferralError> {
    let referral = referral.checked()?;
    let mut tx = vault.write()?;
    crate::team::refuse_if_managed(tx.read(), crate::team::UpdateKind::Referrals)?;
    if get_in(tx.read(), referral.id)?.is_some() {
        return Err(ReferralError::Invalid {
            field: "id",
            reason: "an entry with this id exists already; edit it instead",
        });
    }
    write(&tx, &referral, &vault.user().handle)?;
    tx.audit("referral.add", json!({ "id": referral.id.to_string() }));
    tx.commit()?;
    Ok(referral.id)
}

/// Replace the entry with `referral.id` (audited with its id). A removed entry is brought back.
pub fn edit(vault: &Coordinator<'_>, referral: Referral) -> Result<(), ReferralError> {
    let referral = referral.checked()?;
    let mut tx = vault.write()?;
    crate::team::refuse_if_managed(tx.read(), crate::team::UpdateKind::Referrals)?;
    if get_in(tx.read(), referral.id)?.is_none() {
        return Err(ReferralError::NotFound);
    }
    write(&tx, &referral, &vault.user().handle)?;
    tx.audit("referral.edit", json!({ "id": referral.id.to_string() }));
    tx.commit()?;
    Ok(())
}

/// Stop offering the entry `id` (audited with its id).
/// Calls that name it keep it.
pub fn remove(vault: &Coordinator<'_>, id: Uuid) -> Result<(), ReferralError> {
    let mut tx = vault.write()?;
    crate::team::refuse_if_managed(tx.read(), crate::team::UpdateKind::Referrals)?;
    let changed = tx.execute(
        "UPDATE referrals SET removed = 1, updated_at = ?2, updated_by = ?3
         WHERE uid = ?1 AND removed = 0",
        rusqlite::params![id.to_string(), Utc::now().timestamp(), vault.user().handle],
    )?;
    if changed == 0 {
        return Err(ReferralError::NotFound);
    }
    tx.audit("referral.remove", json!({ "id": id.to_string() }));
    tx.commit()?;
    Ok(())
}

/// What writing one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// It was new.
    Added,
    /// It replaced different details (or brought back a removed entry).
    Updated,
    /// The directory already held exactly this.
    Unchanged,
}

/// Insert or replace a checked entry, kept (not removed), by `actor`.
pub(crate) fn write(
    tx: &Connection,
    referral: &Referral,
    actor: &str,
) -> Result<Written, ReferralError> {
    let existing: Option<(Referral, bool)> = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, removed FROM referrals WHERE uid = ?1"
        ))?
        .query_row([referral.id.to_string()], |r| {
            Ok((from_row(r)?, r.get(12)?))
        })
        .optional()?;
    let outcome = match &existing {
        None => Written::Added,
        Some((old, removed)) if old == referral && !removed => return Ok(Written::Unchanged),
        Some(_) => Written::Updated,
    };
    tx.prepare_cached(
        "INSERT INTO referrals (uid, name, about_en, about_es, languages, hours, phone, web,
             area, kinds, source, verified_on, removed, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14)
         ON CONFLICT (uid) DO UPDATE SET name = excluded.name, about_en = excluded.about_en,
             about_es = excluded.about_es, languages = excluded.languages,
             hours = excluded.hours, phone = excluded.phone, web = excluded.web,
             area = excluded.area, kinds = excluded.kinds, source = excluded.source,
             verified_on = excluded.verified_on, removed = 0,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )?
    .execute(rusqlite::params![
        referral.id.to_string(),
        referral.name,
        referral.about_en,
        referral.about_es,
        serde_json::Value::from(referral.languages.clone()).to_string(),
        referral.hours,
        referral.phone,
        referral.web,
        referral.area,
        serde_json::Value::from(referral.kinds.clone()).to_string(),
        referral.source,
        referral
            .verified_on
            .map(|d| d.format("%Y-%m-%d").to_string()),
        Utc::now().timestamp(),
        actor,
    ])?;
    Ok(outcome)
}

/// The position (from 0) of the first of `ids` that is not an entry of the
/// directory still offered, leaving out those in `kept` (already on the
/// call, so an entry removed since stays on it).
pub(crate) fn first_unknown(
    conn: &Connection,
    ids: &[String],
    kept: &[String],
) -> Result<Option<usize>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM referrals WHERE uid = ?1 AND removed = 0")?;
    for (i, id) in ids.iter().enumerate() {
        if kept.contains(id) {
            continue;
        }
        let canonical = match Uuid::try_parse(id) {
            Ok(uuid) if uuid.to_string() == *id => uuid.to_string(),
            _ => return Ok(Some(i)),
        };
        if stmt
            .query_row([canonical], |_| Ok(()))
            .optional()?
            .is_none()
        {
            return Ok(Some(i));
        }
    }
    Ok(None)
}
