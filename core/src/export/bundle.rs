//! Aggregate bundles: exact counts from one laptop of the team, as a
//! packet (`crate::team::packet`) signed with the laptop's key and
//! encrypted with `age` to the coordinator's X25519 public key, and the
//! coordinator's merge of many bundles into one suppressed summary.
//!
//! A call counts only in its origin laptop's bundle: today every call in a
//! vault was logged there; calls handed over from another laptop (a later
//! step) must stay out of the receiving laptop's bundles.
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
use crate::team::packet::{self, Header, Stream};
use crate::team::{self, PacketKind};
use crate::vault::{Coordinator, Reader};

/// Schema id of a bundle.
pub const BUNDLE_SCHEMA: &str = "hotline-desk/bundle";
/// Version of the bundle schema this build writes and reads.
pub const BUNDLE_VERSION: u32 = 2;

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
    /// The laptop that signed it.
    pub laptop_id: String,
    /// Its sequence number among the laptop's packets.
    pub seq: u64,
}

/// One laptop's part of a merge, shown before it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution {
    /// The laptop's id.
    pub laptop_id: String,
    /// Its name in the team record.
    pub laptop: String,
    /// Its bundles in this merge.
    pub bundles: usize,
    /// The calls they count, exactly.
    pub calls: u64,
}

/// A bundle that came before an earlier one of its laptop: held in the
/// vault until the earlier one is merged, and then merged with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldBundle {
    /// The laptop's id.
    pub laptop_id: String,
    /// Its name in the team record.
    pub laptop: String,
    /// The bundle's sequence number.
    pub seq: u64,
    /// The number of the bundle it follows, which has not been merged.
    pub waiting_for: u64,
}

/// A merge ready to be written: the suppressed summary of the bundles'
/// summed counts, each laptop's part, and what to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The published summary.
    pub summary: Summary,
    /// The merged bundles' ids.
    pub bundle_ids: Vec<String>,
    /// Calls whose area is not in this coordinator's list (counted as
    /// unspecified).
    pub unlisted_area_calls: u64,
    /// Each laptop's part, by laptop name.
    pub contributions: Vec<Contribution>,
    /// Bundles that wait for an earlier one (given now or held before).
    pub held: Vec<HeldBundle>,
    /// The packets merged, to record as applied.
    #[serde(skip)]
    applied: Vec<Header>,
    /// Bundles given now that came early, to hold.
    #[serde(skip)]
    to_hold: Vec<ToHold>,
}

/// A new random (version 4) UUID from the operating system.
fn random_id() -> Result<Uuid, ExportError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| ExportError::Random)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Write a bundle of the exact counts of the period in `options` (its `k`
/// is not used: bundles are exact) to `out`: a packet of kind summary
/// bundle, signed with this laptop's key and encrypted to the team's
/// coordinator (coordinators of an enrolled laptop only; audited).
pub fn export_bundle(
    vault: &Coordinator<'_>,
    options: &SummaryOptions,
    out: &Path,
    force: bool,
) -> Result<BundleReport, ExportError> {
    let (team, laptop) = team::member_team(vault.read(), vault.coordinator_public())?;
    let recipient = keys::recipient(team.coordinator_recipient())?;
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
    let mut tx = vault.write()?;
    let (ciphertext, header) = packet::seal(
        &tx,
        &team,
        (laptop.id, &laptop.signing),
        packet::Outgoing {
            to: Stream::Coordinator,
            kind: PacketKind::SummaryBundle,
            payload: &plaintext,
        },
        &[recipient],
    )?;
    write_output(out, &ciphertext, force)?;
    tx.audit(
        "export.bundle",
        json!({
            "bundle_id": bundle_id.to_string(),
            "from": from,
            "to": to,
            "include_synthetic": options.include_synthetic,
            "team": team.id().to_string(),
            "seq": header.seq,
            "overwrote": force,
        }),
    );
    tx.commit_after_file(out)?;
    Ok(BundleReport {
        bundle_id: bundle_id.to_string(),
        from,
        to,
        laptop_id: laptop.id.to_string(),
        seq: header.seq,
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

/// One bundle of a merge, checked.
struct Candidate {
    /// Its place among the files given (from 1); `None` for one held
    /// before.
    number: Option<usize>,
    header: Header,
    sender_name: String,
    plaintext: zeroize::Zeroizing<Vec<u8>>,
    bundle_id: String,
    counts: Counts,
}

/// Decrypt and check each of `bundles` as a packet of this laptop's team
/// (signed by an enrolled, unrevoked laptop, never seen before), together
/// with the bundles held from earlier merges; take each laptop's bundles
/// in their order, hold those that come before an earlier one, sum the
/// rest exactly and publish them with threshold `k` (coordinators of the
/// coordinator laptop only). Nothing is recorded until [`write_merged`].
pub fn merge_bundles(
    vault: &Coordinator<'_>,
    bundles: &[Vec<u8>],
    k: u32,
) -> Result<Merged, ExportError> {
    check_k(k)?;
    if bundles.is_empty() {
        return Err(ExportError::NoBundles);
    }
    let (team, _) = team::coordinated_team(vault)?;
    let identity = keys::identity(vault)?;
    let accept = [Stream::Coordinator];
    let mut seen_ids = BTreeSet::new();
    let mut seen_packets = BTreeSet::new();
    let mut candidates = Vec::with_capacity(bundles.len());
    for (i, ciphertext) in bundles.iter().enumerate() {
        let number = i + 1;
        let refused = |source| ExportError::Packet { number, source };
        let opened = packet::open(ciphertext, &identity, &team, &accept).map_err(refused)?;
        let candidate = candidate(Some(number), opened)?;
        if !seen_packets.insert((candidate.header.sender, candidate.header.seq))
            || !seen_ids.insert(candidate.bundle_id.clone())
        {
            return Err(ExportError::DuplicateBundle {
                number,
                id: candidate.bundle_id,
            });
        }
        candidates.push(candidate);
    }
    for row in packet::held(vault.read(), Stream::Coordinator)? {
        // A held bundle whose laptop was revoked since stays held, unused.
        let Ok(opened) = packet::open_plaintext(row.plaintext, &team, &accept) else {
            continue;
        };
        if seen_packets.insert((opened.header.sender, opened.header.seq)) {
            candidates.push(candidate(None, opened)?);
        }
    }
    let Ordered {
        ready,
        held,
        to_hold,
    } = in_order(vault, candidates)?;
    for c in &ready {
        if imported(vault.read(), &c.bundle_id)? {
            return Err(ExportError::AlreadyImported {
                number: c.number.unwrap_or(0),
                id: c.bundle_id.clone(),
            });
        }
    }
    let Some(first) = ready.first() else {
        return Err(first_early(&held));
    };
    let mut total = first.counts.clone();
    for c in &ready[1..] {
        total.add(&c.counts);
    }
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
        bundle_ids: ready.iter().map(|c| c.bundle_id.clone()).collect(),
        unlisted_area_calls,
        contributions: contributions(&ready),
        held: held.iter().map(|(c, _)| held_report(c)).collect(),
        applied: ready.iter().map(|c| c.header.clone()).collect(),
        to_hold,
    })
}

/// A checked packet as a bundle of the merge.
fn candidate(
    number: Option<usize>,
    opened: team::packet::Opened,
) -> Result<Candidate, ExportError> {
    let n = number.unwrap_or(0);
    if opened.header.kind != PacketKind::SummaryBundle {
        return Err(ExportError::Packet {
            number: n,
            source: team::PacketError::WrongKind {
                found: opened.header.kind.as_str(),
            },
        });
    }
    let (id, counts) = from_doc(&opened.payload, n)?;
    Ok(Candidate {
        number,
        header: opened.header,
        sender_name: opened.sender_name,
        plaintext: opened.plaintext,
        bundle_id: id.to_string(),
        counts,
    })
}

/// A waiting bundle and whether it was given in this merge.
type Waiting = (Candidate, bool);

/// A bundle given now that came early: its header and plaintext, to hold.
type ToHold = (Header, zeroize::Zeroizing<Vec<u8>>);

/// The bundles of a merge in their order.
struct Ordered {
    ready: Vec<Candidate>,
    held: Vec<Waiting>,
    to_hold: Vec<ToHold>,
}

/// Each laptop's bundles in the order of their sequence numbers after the
/// last one merged: those that follow on are ready; one whose predecessor
/// has not arrived waits, with every later one; one merged before is
/// refused (given now) or dropped (held).
fn in_order(
    vault: &Coordinator<'_>,
    mut candidates: Vec<Candidate>,
) -> Result<Ordered, ExportError> {
    candidates.sort_by_key(|c| (c.header.sender, c.header.seq));
    let mut ready = Vec::new();
    let mut held: Vec<Waiting> = Vec::new();
    let mut to_hold = Vec::new();
    let mut sender = None;
    let mut last = 0;
    let mut blocked = false;
    for c in candidates {
        if sender != Some(c.header.sender) {
            sender = Some(c.header.sender);
            last = packet::last_applied(vault.read(), &c.header.sender, Stream::Coordinator)?;
            blocked = false;
        }
        let position = if blocked {
            packet::Position::Early
        } else {
            packet::position(&c.header, last)
        };
        match (position, c.number) {
            (packet::Position::Next, _) => {
                last = c.header.seq;
                ready.push(c);
            }
            (packet::Position::Replayed, Some(number)) => {
                return Err(ExportError::Packet {
                    number,
                    source: team::PacketError::Replayed {
                        sender: packet::short(&c.header.sender),
                        seq: c.header.seq,
                    },
                });
            }
            (packet::Position::Replayed, None) => {}
            (packet::Position::Early, given) => {
                blocked = true;
                if given.is_some() {
                    to_hold.push((c.header.clone(), c.plaintext.clone()));
                }
                held.push((c, given.is_some()));
            }
        }
    }
    Ok(Ordered {
        ready,
        held,
        to_hold,
    })
}

/// The refusal of a merge in which every bundle waits for an earlier one.
fn first_early(held: &[Waiting]) -> ExportError {
    match held.iter().find(|(c, given)| *given && c.number.is_some()) {
        Some((c, _)) => ExportError::Packet {
            number: c.number.unwrap_or(0),
            source: team::PacketError::Gap {
                sender: packet::short(&c.header.sender),
                seq: c.header.seq,
                waiting_for: c.header.prev,
            },
        },
        None => ExportError::NoBundles,
    }
}

fn held_report(c: &Candidate) -> HeldBundle {
    HeldBundle {
        laptop_id: c.header.sender.to_string(),
        laptop: c.sender_name.clone(),
        seq: c.header.seq,
        waiting_for: c.header.prev,
    }
}

/// Each laptop's bundles and calls, by laptop name and id.
fn contributions(ready: &[Candidate]) -> Vec<Contribution> {
    let mut by_laptop: std::collections::BTreeMap<(String, String), (usize, u64)> =
        std::collections::BTreeMap::new();
    for c in ready {
        let calls: u64 = c.counts.cells.values().sum();
        let entry = by_laptop
            .entry((c.sender_name.clone(), c.header.sender.to_string()))
            .or_default();
        entry.0 += 1;
        entry.1 += calls;
    }
    by_laptop
        .into_iter()
        .map(|((laptop, laptop_id), (bundles, calls))| Contribution {
            laptop_id,
            laptop,
            bundles,
            calls,
        })
        .collect()
}

/// Write a merged summary as `format` to `out` (refusing an existing file
/// unless `force`), record its bundles as imported and their packets as
/// applied, hold the bundles that came early, and audit the merge, in one
/// transaction (coordinators only).
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
    for (i, header) in merged.applied.iter().enumerate() {
        // Another merge may have applied it meanwhile.
        let last = packet::last_applied(tx.read(), &header.sender, header.to)?;
        if packet::position(header, last) != packet::Position::Next {
            return Err(ExportError::Packet {
                number: i + 1,
                source: team::PacketError::Replayed {
                    sender: packet::short(&header.sender),
                    seq: header.seq,
                },
            });
        }
        packet::mark_applied(&tx, header)?;
    }
    for (header, plaintext) in &merged.to_hold {
        packet::hold(&tx, header, plaintext)?;
    }
    write_output(out, &bytes, force)?;
    let summary = &merged.summary;
    let packets: Vec<serde_json::Value> = merged
        .applied
        .iter()
        .map(|h| json!({ "laptop": h.sender.to_string(), "seq": h.seq }))
        .collect();
    tx.audit(
        "export.merge",
        json!({
            "bundles": merged.bundle_ids,
            "packets": packets,
            "held": merged.held.len(),
            "format": format.as_str(),
            "from": summary.from,
            "to": summary.to,
            "k": summary.k,
            "include_synthetic": summary.include_synthetic,
            "overwrote": force,
        }),
    );
    tx.commit_after_file(out)?;
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
