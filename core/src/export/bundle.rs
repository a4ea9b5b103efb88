//! Aggregate bundles: exact counts from one laptop, encrypted with `age`
//! to the coordinator's X25519 public key, and the coordinator's merge of
//! many bundles into one suppressed summary.
//!
//! A bundle holds its schema and version, a random bundle id (UUID v4), the
//! period and the exact non-zero counts by ISO week × category × area and
//! by agency, verification, language and caller relation. It holds no call
//! id, handle, text or time finer than a week.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::summary::{self, Counts, Summary, SummaryOptions};
use super::{ExportError, Format, check_k, keys, render_summary, write_output};
use crate::calls::CallerRelation;
use crate::codes::{Agency, Category, Verification};
use crate::vault::{Coordinator, Reader};

/// Schema id of a bundle.
pub const BUNDLE_SCHEMA: &str = "hotline-desk/bundle";
/// Version of the bundle schema this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// The largest count a bundle may hold (far above any hotline's calls;
/// keeps sums of many bundles far from overflowing).
const MAX_COUNT: u64 = 1_000_000_000_000;

/// A bundle's plaintext (JSON, before encryption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleDoc {
    schema: String,
    version: u32,
    bundle_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    include_synthetic: bool,
    cells: Vec<CellDoc>,
    agency: Vec<Entry<Agency>>,
    verification: Vec<Entry<Verification>>,
    language: Vec<Entry<String>>,
    caller_relation: Vec<Entry<CallerRelation>>,
}

/// Calls of one ISO week, category and area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CellDoc {
    week: String,
    category: Category,
    area: String,
    count: u64,
}

/// Calls with one value of a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry<T> {
    value: T,
    count: u64,
}

/// What [`export_bundle`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// The bundle's id.
    pub bundle_id: String,
    /// First day covered (a Monday).
    pub from: NaiveDate,
    /// Last day covered (a Sunday).
    pub to: NaiveDate,
}

/// A merge ready to be written: the suppressed summary of the bundles'
/// summed counts, and the ids to record as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The published summary.
    pub summary: Summary,
    /// The bundles' ids, in the order given.
    pub bundle_ids: Vec<String>,
    /// Calls whose area is not in this coordinator's list (counted as
    /// unspecified).
    pub unlisted_area_calls: u64,
}

/// A new random (version 4) UUID from the operating system.
fn random_id() -> Result<Uuid, ExportError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| ExportError::Random)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Write a bundle of the exact counts of the period in `options` (its `k`
/// is not used: bundles are exact), encrypted to `to_key` (`age1…`), to
/// `out` (coordinators only; audited).
pub fn export_bundle(
    vault: &Coordinator<'_>,
    options: &SummaryOptions,
    to_key: &str,
    out: &Path,
    force: bool,
) -> Result<BundleReport, ExportError> {
    let recipient = keys::recipient(to_key)?;
    let (from, to) = summary::period(
        vault.read(),
        options.from,
        options.to,
        options.include_synthetic,
    )?;
    let counts = summary::count(vault.read(), from, to, options.include_synthetic)?;
    let bundle_id = random_id()?;
    let doc = to_doc(&counts, bundle_id);
    let plaintext = zeroize::Zeroizing::new(
        serde_json::to_vec(&doc).map_err(|e| ExportError::Render(e.to_string()))?,
    );
    let ciphertext = age::encrypt(&recipient, &plaintext).map_err(|_| ExportError::Encrypt)?;
    write_output(out, &ciphertext, force)?;
    vault.audit_file(
        out,
        "export.bundle",
        json!({
            "bundle_id": bundle_id.to_string(),
            "from": from,
            "to": to,
            "include_synthetic": options.include_synthetic,
            "recipient": to_key.trim(),
            "overwrote": force,
        }),
    )?;
    Ok(BundleReport {
        bundle_id: bundle_id.to_string(),
        from,
        to,
    })
}

fn to_doc(counts: &Counts, bundle_id: Uuid) -> BundleDoc {
    BundleDoc {
        schema: BUNDLE_SCHEMA.to_owned(),
        version: BUNDLE_VERSION,
        bundle_id,
        from: counts.from,
        to: counts.to,
        include_synthetic: counts.include_synthetic,
        cells: counts
            .cells
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|((week, category, area), n)| CellDoc {
                week: summary::week_label(*week),
                category: *category,
                area: area.clone(),
                count: *n,
            })
            .collect(),
        agency: entries(counts.agency.iter().map(|(k, n)| (*k, *n))),
        verification: entries(counts.verification.iter().map(|(k, n)| (*k, *n))),
        language: entries(counts.language.iter().map(|(k, n)| (k.clone(), *n))),
        caller_relation: entries(
            counts
                .caller_relation
                .iter()
                .filter_map(|(k, n)| Some((k.parse().ok()?, *n))),
        ),
    }
}

fn entries<T>(items: impl Iterator<Item = (T, u64)>) -> Vec<Entry<T>> {
    items
        .filter(|(_, n)| *n > 0)
        .map(|(value, count)| Entry { value, count })
        .collect()
}

/// Read one decrypted bundle (`number` counts from 1, for messages).
fn from_doc(plaintext: &[u8], number: usize) -> Result<(Uuid, Counts), ExportError> {
    let invalid = |reason: &str| ExportError::InvalidBundle {
        number,
        reason: reason.to_owned(),
    };
    let value: serde_json::Value =
        serde_json::from_slice(plaintext).map_err(|_| ExportError::ForeignSchema {
            number,
            found: "not JSON".to_owned(),
        })?;
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    if schema != BUNDLE_SCHEMA || version != Some(u64::from(BUNDLE_VERSION)) {
        let mut found: String = schema.chars().take(64).collect();
        if found.is_empty() {
            found.push_str("(none)");
        }
        if let Some(v) = version {
            found.push_str(&format!(" version {v}"));
        }
        return Err(ExportError::ForeignSchema { number, found });
    }
    let doc: BundleDoc = serde_json::from_value(value)
        .map_err(|_| invalid("its content does not follow the bundle schema"))?;
    if doc.from.weekday() != Weekday::Mon || doc.to.weekday() != Weekday::Sun || doc.from > doc.to {
        return Err(invalid("its period is not a run of whole ISO weeks"));
    }
    let too_big = doc
        .cells
        .iter()
        .map(|c| c.count)
        .chain(doc.agency.iter().map(|e| e.count))
        .chain(doc.verification.iter().map(|e| e.count))
        .chain(doc.language.iter().map(|e| e.count))
        .chain(doc.caller_relation.iter().map(|e| e.count))
        .any(|n| n > MAX_COUNT);
    if too_big {
        return Err(invalid("a count is impossibly large"));
    }
    let mut counts = Counts {
        from: doc.from,
        to: doc.to,
        include_synthetic: doc.include_synthetic,
        ..Counts::default()
    };
    for cell in &doc.cells {
        let week = summary::parse_week(&cell.week)
            .filter(|w| *w >= doc.from && *w <= doc.to)
            .ok_or_else(|| invalid("a week is not one of its period"))?;
        if crate::calls::text::check_area_name(&cell.area).is_err() {
            return Err(invalid("an area name is not valid"));
        }
        let slot = counts
            .cells
            .entry((week, cell.category, cell.area.clone()))
            .or_default();
        *slot = slot.saturating_add(cell.count);
    }
    for e in &doc.agency {
        let slot = counts.agency.entry(e.value).or_default();
        *slot = slot.saturating_add(e.count);
    }
    for e in &doc.verification {
        let slot = counts.verification.entry(e.value).or_default();
        *slot = slot.saturating_add(e.count);
    }
    for e in &doc.language {
        let key = summary::language_key(&e.value);
        if !(2..=3).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(invalid("a language is not a language tag"));
        }
        let slot = counts.language.entry(key).or_default();
        *slot = slot.saturating_add(e.count);
    }
    for e in &doc.caller_relation {
        let slot = counts
            .caller_relation
            .entry(e.value.as_str().to_owned())
            .or_default();
        *slot = slot.saturating_add(e.count);
    }
    if !counts.consistent() {
        return Err(invalid("its tables do not add up to the same total"));
    }
    Ok((doc.bundle_id, counts))
}

/// Whether a bundle id was recorded by an earlier merge.
fn imported(conn: Reader<'_>, id: &str) -> Result<bool, ExportError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM imported_bundles WHERE bundle_id = ?1",
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Decrypt `bundles` with the coordinator key in the vault, refuse
/// duplicates (within this merge or imported before) and foreign schemas,
/// sum the counts exactly and publish them with threshold `k`
/// (coordinators only). Nothing is recorded until [`write_merged`].
pub fn merge_bundles(
    vault: &Coordinator<'_>,
    bundles: &[Vec<u8>],
    k: u32,
) -> Result<Merged, ExportError> {
    check_k(k)?;
    if bundles.is_empty() {
        return Err(ExportError::NoBundles);
    }
    let identity = keys::identity(vault)?;
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(bundles.len());
    let mut total: Option<Counts> = None;
    for (i, ciphertext) in bundles.iter().enumerate() {
        let number = i + 1;
        let plaintext = zeroize::Zeroizing::new(
            age::decrypt(&identity, ciphertext).map_err(|_| ExportError::Decrypt { number })?,
        );
        let (id, counts) = from_doc(&plaintext, number)?;
        let id = id.to_string();
        if !seen.insert(id.clone()) {
            return Err(ExportError::DuplicateBundle { number, id });
        }
        if imported(vault.read(), &id)? {
            return Err(ExportError::AlreadyImported { number, id });
        }
        ids.push(id);
        match &mut total {
            Some(sum) => sum.add(&counts),
            None => total = Some(counts),
        }
    }
    let total = total.ok_or(ExportError::NoBundles)?;
    let areas = summary::area_names(vault.read())?;
    let listed: BTreeSet<String> = areas.iter().map(|a| a.to_lowercase()).collect();
    let unlisted_area_calls = total
        .cells
        .iter()
        .filter(|((_, _, area), _)| {
            area != super::UNSPECIFIED_AREA && !listed.contains(&area.to_lowercase())
        })
        .map(|(_, n)| n)
        .sum();
    let summary = summary::publish(&total, &areas, k)?;
    Ok(Merged {
        summary,
        bundle_ids: ids,
        unlisted_area_calls,
    })
}

/// Write a merged summary as `format` to `out` (refusing an existing file
/// unless `force`), record its bundles as imported, and audit the merge, in
/// one transaction (coordinators only).
pub fn write_merged(
    vault: &Coordinator<'_>,
    merged: &Merged,
    format: Format,
    out: &Path,
    force: bool,
) -> Result<(), ExportError> {
    let bytes = render_summary(&merged.summary, format)?;
    let mut tx = vault.write()?;
    let now = crate::vault::now_unix();
    for (i, id) in merged.bundle_ids.iter().enumerate() {
        if imported(tx.read(), id)? {
            return Err(ExportError::AlreadyImported {
                number: i + 1,
                id: id.clone(),
            });
        }
        tx.execute(
            "INSERT INTO imported_bundles (bundle_id, imported_at, imported_by) VALUES (?1, ?2, ?3)",
            (id, now, &vault.user().handle),
        )?;
    }
    write_output(out, &bytes, force)?;
    let summary = &merged.summary;
    tx.audit(
        "export.merge",
        json!({
            "bundles": merged.bundle_ids,
            "format": format.as_str(),
            "from": summary.from,
            "to": summary.to,
            "k": summary.k,
            "include_synthetic": summary.include_synthetic,
            "overwrote": force,
        }),
    );
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for tests: read a bundle's plaintext as JSON, or encrypt a
    //! hand-made plaintext.

    /// Decrypt a bundle with the vault's coordinator key.
    pub(crate) fn decrypt(vault: &crate::vault::Vault, ciphertext: &[u8]) -> Vec<u8> {
        let identity = super::keys::identity(&vault.coordinator().unwrap()).unwrap();
        age::decrypt(&identity, ciphertext).unwrap()
    }

    /// Encrypt `plaintext` to `recipient`.
    pub(crate) fn encrypt(recipient: &str, plaintext: &[u8]) -> Vec<u8> {
        let recipient = super::keys::recipient(recipient).unwrap();
        age::encrypt(&recipient, plaintext).unwrap()
    }
}
