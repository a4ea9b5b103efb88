//! The team folder: packets for one laptop each, carried by a USB stick, a
//! shared drive or Syncthing. `docs/TEAM.md` ("The team folder") states the
//! rules this module keeps.
//!
//! ```text
//! DIR/<team id>/to-<laptop id>/<sender id>-<seq>.hdpacket
//! ```
//!
//! Every packet is for one laptop (stream [`Stream::Laptop`]) and encrypted
//! only to its age recipient. A sync **receives** first: it opens every
//! packet in this laptop's own folder, applies those that follow the last
//! one applied from their sender (one write each: the kind's change, the
//! stream's sequence number and the audit entry), holds those that come
//! early, deletes the files it applied (and replays of them), and leaves
//! refused files where they are. Then it **sends**: for every other member
//! laptop that is not revoked, each producer ([`PRODUCERS`]) offers what
//! that laptop has not been sent yet (table `team_outbox`), one file and
//! one write per packet. Last it deletes its own files older than
//! [`PACKET_EXPIRY_DAYS`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::enrol::{self, LaptopKeys, Member, RecordApplied, Team};
use super::keys::{self, KeyRole, SigningSeed};
use super::packet::{self, Opened, Position, Stream};
use super::updates::{self, UpdateKind};
use super::{PacketError, PacketKind, TeamError};
use crate::errors::{Coded, ErrorCode};
use crate::vault::{Vault, Write, now_unix};

/// A sender deletes its own packet files this many days after writing them;
/// a recipient that was away longer reports the gap (`packet_early`).
pub const PACKET_EXPIRY_DAYS: u64 = 30;
/// The ending of a packet file's name.
pub const PACKET_EXTENSION: &str = "hdpacket";
/// Largest packet file read from the folder.
const MAX_FILE: u64 = 64 << 20;

/// Migration SQL of the team folder's outbox: what this laptop wrote for
/// whom (kind and version of the content, the file, when), so a sync cut
/// short sends the rest next time and never the same content twice.
pub(crate) const TEAM_OUTBOX_SQL: &str = "
    CREATE TABLE IF NOT EXISTS team_outbox (
        recipient  TEXT NOT NULL,
        kind       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        seq        INTEGER NOT NULL,
        file       TEXT NOT NULL,
        written_at INTEGER NOT NULL,
        expired    INTEGER NOT NULL DEFAULT 0 CHECK (expired IN (0, 1)),
        PRIMARY KEY (recipient, kind, version)
    ) STRICT;
";

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// Packets written for other laptops.
    pub sent: u32,
    /// Packets applied on this laptop.
    pub applied: u32,
    /// Packets waiting for an earlier one of their sender.
    pub held: Vec<HeldPacket>,
    /// Files refused, each left in the folder.
    pub refused: Vec<RefusedFile>,
    /// Files deleted from this laptop's folder: applied, or replays of
    /// packets applied before.
    pub deleted: u32,
    /// This laptop's own files deleted because they expired.
    pub expired: u32,
    /// The sync was stopped (the vault locked) before it finished; the next
    /// one carries on.
    pub stopped: bool,
}

/// A packet held until the gap before it fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeldPacket {
    /// The sender laptop's id.
    pub laptop_id: String,
    /// Its name in the team record.
    pub laptop: String,
    /// The packet's number.
    pub seq: u64,
    /// The number it follows, which has not arrived.
    pub waiting_for: u64,
}

/// A file of the folder that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedFile {
    /// The file's name in this laptop's folder.
    pub file: String,
    /// Why, as a code.
    pub code: ErrorCode,
    /// Why, in English.
    pub message: String,
}

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SyncStage {
    /// Reading this laptop's packets.
    Receiving,
    /// Writing packets for the other laptops.
    Sending,
}

/// Progress of a sync: `done` of `total` packets of the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    /// The stage.
    pub stage: SyncStage,
    /// Packets done in it.
    pub done: u32,
    /// Packets it has.
    pub total: u32,
}

/// Receive this laptop's packets from the team folder `dir`, then send
/// the other laptops what they have not been sent (anyone; each packet
/// applied or sent is its own audited write). Checks `stop` before each
/// packet: once set, the sync ends after the packet in hand, and the next
/// sync carries on. Sending the team record needs a coordinator's session
/// on the coordinator laptop; other sessions receive and send the rest.
pub fn sync(
    vault: &Vault,
    dir: &Path,
    progress: &mut dyn FnMut(SyncProgress),
    stop: &AtomicBool,
) -> Result<SyncReport, TeamError> {
    if !dir.is_dir() {
        return Err(TeamError::Folder {
            path: dir.display().to_string(),
            reason: "it is not a folder".to_owned(),
        });
    }
    let (team, laptop) = enrol::member_team(vault.read(), vault.coordinator_public())?;
    let folder = dir.join(team.id().to_string());
    let mut report = SyncReport::default();
    receive(vault, &folder, &laptop, progress, stop, &mut report)?;
    if !report.stopped {
        send(vault, &folder, progress, stop, &mut report)?;
    }
    if !report.stopped {
        report.expired = expire(vault, &folder)?;
    }
    Ok(report)
}

/// The folder of packets for `laptop`.
fn inbox(folder: &Path, laptop: &Uuid) -> PathBuf {
    folder.join(format!("to-{laptop}"))
}

/// A packet file's name: its sender and number.
fn file_name(sender: &Uuid, seq: u64) -> String {
    format!("{sender}-{seq}.{PACKET_EXTENSION}")
}

/// Whether `name` is a packet file's (not a temporary file of this sync or
/// of Syncthing, nor anything else).
fn is_packet_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(&format!(".{PACKET_EXTENSION}")) else {
        return false;
    };
    let Some((sender, seq)) = stem.rsplit_once('-') else {
        return false;
    };
    Uuid::parse_str(sender).is_ok() && !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit())
}

fn folder_error(path: &Path, err: &std::io::Error) -> TeamError {
    TeamError::Folder {
        path: path.display().to_string(),
        reason: err.kind().to_string(),
    }
}

/// The packet files in `inbox`, by name (none if it does not exist yet).
fn packet_files(inbox: &Path) -> Result<Vec<(String, PathBuf)>, TeamError> {
    let entries = match std::fs::read_dir(inbox) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(folder_error(inbox, &err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| folder_error(inbox, &err))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if is_packet_name(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
            files.push((name, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// A packet to apply: checked once, and again before it is applied.
struct Candidate {
    /// Its file in the folder; `None` for a packet held in the vault.
    file: Option<(String, PathBuf)>,
    opened: Opened,
}

/// A refused file of the report.
fn refused(name: &str, err: &TeamError) -> RefusedFile {
    RefusedFile {
        file: name.to_owned(),
        code: err.code(),
        message: err.to_string(),
    }
}

/// Read one packet file (at most [`MAX_FILE`] bytes).
fn read_packet(path: &Path) -> Result<Vec<u8>, TeamError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|err| folder_error(path, &err))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| folder_error(path, &err))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(PacketError::Altered.into());
    }
    Ok(bytes)
}

/// Open every packet for this laptop and every held one, refusing what
/// fails its checks.
fn candidates(
    vault: &Vault,
    folder: &Path,
    team: &Team,
    laptop: &LaptopKeys,
    report: &mut SyncReport,
) -> Result<Vec<Candidate>, TeamError> {
    let identity = enrol::laptop_identity(vault.read())?;
    let accept = [Stream::Laptop(laptop.id)];
    let mut out: Vec<Candidate> = Vec::new();
    for (name, path) in packet_files(&inbox(folder, &laptop.id))? {
        let opened = read_packet(&path).and_then(|bytes| {
            packet::open(&bytes, &identity, team, &accept).map_err(TeamError::from)
        });
        match opened {
            Ok(opened) => out.push(Candidate {
                file: Some((name, path)),
                opened,
            }),
            Err(err) => report.refused.push(refused(&name, &err)),
        }
    }
    for row in packet::held(vault.read(), Stream::Laptop(laptop.id))? {
        let Ok(opened) = packet::open_plaintext(row.plaintext, team, &accept) else {
            // A held packet whose sender was revoked since stays held, unused.
            continue;
        };
        let key = (opened.header.sender, opened.header.seq);
        if !out
            .iter()
            .any(|c| (c.opened.header.sender, c.opened.header.seq) == key)
        {
            out.push(Candidate { file: None, opened });
        }
    }
    // The coordinator laptop's packets first: a team record that revokes a
    // laptop is in force before that laptop's packets are looked at.
    let coordinator = team.coordinator_laptop();
    out.sort_by_key(|c| {
        let h = &c.opened.header;
        (h.sender != coordinator, h.sender, h.seq)
    });
    Ok(out)
}

/// Receive: apply, hold or refuse every packet for this laptop.
fn receive(
    vault: &Vault,
    folder: &Path,
    laptop: &LaptopKeys,
    progress: &mut dyn FnMut(SyncProgress),
    stop: &AtomicBool,
    report: &mut SyncReport,
) -> Result<(), TeamError> {
    let mut team =
        enrol::stored_team(vault.read(), vault.coordinator_public())?.ok_or(TeamError::NoTeam)?;
    let all = candidates(vault, folder, &team, laptop, report)?;
    let total = u32::try_from(all.len()).unwrap_or(u32::MAX);
    let accept = [Stream::Laptop(laptop.id)];
    let mut blocked: Option<Uuid> = None;
    for (done, c) in all.into_iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            report.stopped = true;
            return Ok(());
        }
        progress(SyncProgress {
            stage: SyncStage::Receiving,
            done: u32::try_from(done).unwrap_or(u32::MAX),
            total,
        });
        let name = c.file.as_ref().map(|(n, _)| n.clone());
        // Checked again against the team record as it stands now.
        let opened = match packet::open_plaintext(c.opened.plaintext.clone(), &team, &accept) {
            Ok(opened) => opened,
            Err(err) => {
                if let Some(name) = &name {
                    report.refused.push(refused(name, &err.into()));
                }
                continue;
            }
        };
        let header = &opened.header;
        let last = packet::last_applied(vault.read(), &header.sender, header.to)?;
        let position = if blocked == Some(header.sender) {
            Position::Early
        } else {
            packet::position(header, last)
        };
        match position {
            Position::Replayed => remove_applied(c.file.as_ref(), report),
            Position::Early => {
                blocked = Some(header.sender);
                hold(vault, &opened)?;
                report.held.push(HeldPacket {
                    laptop_id: header.sender.to_string(),
                    laptop: opened.sender_name.clone(),
                    seq: header.seq,
                    waiting_for: header.prev,
                });
            }
            Position::Next => match apply_one(vault, &team, laptop, &opened) {
                Ok(Some(skipped)) => {
                    if let Some(name) = &name {
                        report.refused.push(refused(name, &skipped));
                    }
                    remove_applied(c.file.as_ref(), report);
                }
                Ok(None) => {
                    report.applied += 1;
                    remove_applied(c.file.as_ref(), report);
                    if header.kind == PacketKind::TeamRecord {
                        team = enrol::stored_team(vault.read(), vault.coordinator_public())?
                            .ok_or(TeamError::NoTeam)?;
                    }
                }
                Err(err) if is_refusal(&err) => {
                    blocked = Some(header.sender);
                    if let Some(name) = &name {
                        report.refused.push(refused(name, &err));
                    }
                }
                Err(err) => return Err(err),
            },
        }
    }
    Ok(())
}

/// Whether `err` refuses one packet (reported, the sync goes on) rather
/// than stopping the sync (the vault or the disk failed).
fn is_refusal(err: &TeamError) -> bool {
    matches!(
        err,
        TeamError::Packet(_)
            | TeamError::InvalidTeamFile { .. }
            | TeamError::NotEnrolled
            | TeamError::InvalidField { .. }
            | TeamError::UpdateInvalid { .. }
            | TeamError::PinPending
            | TeamError::Pack(_)
            | TeamError::Referrals(_)
    ) || matches!(
        err,
        // A document refused whole (malformed, or a field its rules refuse),
        // not the vault failing.
        TeamError::Cases(inner)
            if !matches!(inner.code(), ErrorCode::Internal | ErrorCode::DamagedVault | ErrorCode::Locked)
    )
}

/// Delete an applied packet's file (a file that is already gone counts
/// for nothing).
fn remove_applied(file: Option<&(String, PathBuf)>, report: &mut SyncReport) {
    if let Some((_, path)) = file
        && std::fs::remove_file(path).is_ok()
    {
        report.deleted += 1;
    }
}

/// Hold a packet that came early (audited).
fn hold(vault: &Vault, opened: &Opened) -> Result<(), TeamError> {
    let held_before: Option<i64> = vault
        .read()
        .query_row(
            "SELECT seq FROM team_held_packets WHERE sender = ?1 AND seq = ?2",
            (
                opened.header.sender.to_string(),
                i64::try_from(opened.header.seq).unwrap_or(i64::MAX),
            ),
            |r| r.get(0),
        )
        .optional()?;
    if held_before.is_some() {
        return Ok(());
    }
    let mut tx = vault.write()?;
    packet::hold(&tx, &opened.header, &opened.plaintext)?;
    tx.audit(
        "team.sync_hold",
        json!({
            "sender": opened.header.sender.to_string(),
            "seq": opened.header.seq,
            "kind": opened.header.kind.as_str(),
        }),
    );
    tx.commit()?;
    Ok(())
}

/// Apply one packet that follows on, in one write: the kind's change, its
/// sequence number as the last applied on its stream, its audit entry.
/// Returns the refusal of an update that was used up without a change
/// (stale, or of a kind the team does not share).
fn apply_one(
    vault: &Vault,
    team: &Team,
    laptop: &LaptopKeys,
    opened: &Opened,
) -> Result<Option<TeamError>, TeamError> {
    let mut tx = vault.write()?;
    // Another sync may have applied it meanwhile.
    let last = packet::last_applied(tx.read(), &opened.header.sender, opened.header.to)?;
    if packet::position(&opened.header, last) != Position::Next {
        return Err(PacketError::Replayed {
            sender: packet::short(&opened.header.sender),
            seq: opened.header.seq,
        }
        .into());
    }
    let (what, skipped) = match apply(&mut tx, team, laptop, opened) {
        Ok(what) => (what, None),
        // Authentic and in order, but with nothing to change (checked before
        // anything is written): used up, so that one stale snapshot never
        // holds back the sender's later packets.
        Err(err @ (TeamError::UpdateStale { .. } | TeamError::UpdateNotShared { .. })) => {
            ("nothing", Some(err))
        }
        Err(err) => return Err(err),
    };
    packet::mark_applied(&tx, &opened.header)?;
    tx.audit(
        "team.sync_apply",
        json!({
            "sender": opened.header.sender.to_string(),
            "seq": opened.header.seq,
            "kind": opened.header.kind.as_str(),
            "change": what,
        }),
    );
    tx.commit()?;
    Ok(skipped)
}

/// The one map from a packet's kind to what applies it on this laptop,
/// inside the write that records it as applied. Returns a short word for
/// the audit entry (never content). A kind that never travels through the
/// folder is refused as the wrong kind.
fn apply(
    tx: &mut Write<'_>,
    team: &Team,
    laptop: &LaptopKeys,
    opened: &Opened,
) -> Result<&'static str, TeamError> {
    match opened.header.kind {
        PacketKind::TeamRecord => match enrol::apply_record(tx, team, laptop, &opened.payload)? {
            RecordApplied::Stored => Ok("stored"),
            RecordApplied::NotNewer => Ok("not newer"),
        },
        PacketKind::CoordinatorUpdate => {
            Ok(updates::apply(tx, team, &opened.payload)?.kind.as_str())
        }
        PacketKind::CaseDocument => {
            if !team.shares(UpdateKind::Cases) {
                return Err(TeamError::UpdateNotShared {
                    kind: UpdateKind::Cases.as_str(),
                });
            }
            crate::calls::handoff::apply(tx, opened.header.sender, &opened.payload)
                .map_err(Box::new)?;
            Ok("cases")
        }
        // Bundles go to the coordinator's `summary merge`, never the folder.
        PacketKind::SummaryBundle => Err(PacketError::WrongKind {
            found: opened.header.kind.as_str(),
        }
        .into()),
    }
}

/// What sending may use: the team, this laptop's keys, and the team key
/// when a coordinator's session on the coordinator laptop syncs.
pub(crate) struct Sending<'a> {
    vault: &'a Vault,
    team: Team,
    laptop: LaptopKeys,
    team_key: Option<SigningSeed>,
}

/// What a producer offers one recipient: a kind, the topic and version of
/// its content (what the outbox remembers), and the payload.
pub(crate) struct Offer {
    kind: PacketKind,
    /// What the outbox keys the content by: the kind, or for coordinator
    /// updates `coordinator_update/<update kind>` (each has its versions).
    topic: String,
    version: u64,
    payload: Zeroizing<Vec<u8>>,
}

/// A producer: what `recipient` has not been sent yet of one kind (it
/// reads what was sent with [`last_sent`]).
type Producer = fn(&Sending<'_>, &Member) -> Result<Vec<Offer>, TeamError>;

/// Every producer of outgoing packets, in the order they send. To make a
/// new kind travel, add its producer here and its apply function to
/// [`apply`].
const PRODUCERS: &[Producer] = &[team_record, coordinator_updates];

/// The team record, to every member that was last sent an older revision
/// (only with the team key).
fn team_record(ctx: &Sending<'_>, recipient: &Member) -> Result<Vec<Offer>, TeamError> {
    let topic = PacketKind::TeamRecord.as_str();
    let last = last_sent(ctx.vault, &recipient.laptop_id, topic)?;
    if ctx.team_key.is_none() || last.is_some_and(|v| v >= ctx.team.revision()) {
        return Ok(Vec::new());
    }
    Ok(vec![Offer {
        kind: PacketKind::TeamRecord,
        topic: topic.to_owned(),
        version: ctx.team.revision(),
        payload: Zeroizing::new(ctx.team.record_bytes()?),
    }])
}

/// The outbox topic of a coordinator update of `kind`.
fn update_topic(kind: UpdateKind) -> String {
    format!(
        "{}/{}",
        PacketKind::CoordinatorUpdate.as_str(),
        kind.as_str()
    )
}

/// The coordinator updates the team shares, each snapshot newer than the
/// one `recipient` was last sent (only with the team key).
fn coordinator_updates(ctx: &Sending<'_>, recipient: &Member) -> Result<Vec<Offer>, TeamError> {
    if ctx.team_key.is_none() {
        return Ok(Vec::new());
    }
    let coordinator = ctx.vault.coordinator()?;
    let mut sent = std::collections::HashMap::new();
    for &kind in UpdateKind::ALL {
        let last = last_sent(ctx.vault, &recipient.laptop_id, &update_topic(kind))?;
        sent.insert(kind, last.unwrap_or(0));
    }
    let offers = updates::outgoing(&coordinator, recipient, &|kind| {
        sent.get(&kind).copied().unwrap_or(0)
    })?;
    Ok(offers
        .into_iter()
        .map(|(kind, version, payload)| Offer {
            kind: PacketKind::CoordinatorUpdate,
            topic: update_topic(kind),
            version,
            payload: Zeroizing::new(payload),
        })
        .collect())
}

/// The highest version of `topic` sent to `recipient`.
fn last_sent(vault: &Vault, recipient: &Uuid, topic: &str) -> Result<Option<u64>, TeamError> {
    let v: Option<i64> = vault.read().query_row(
        "SELECT max(version) FROM team_outbox WHERE recipient = ?1 AND kind = ?2",
        (recipient.to_string(), topic),
        |r| r.get(0),
    )?;
    Ok(v.and_then(|v| u64::try_from(v).ok()))
}

/// The team key, if this session may sign for the team.
fn team_key(vault: &Vault, team: &Team, laptop: &Uuid) -> Result<Option<SigningSeed>, TeamError> {
    if team.coordinator_laptop() != *laptop {
        return Ok(None);
    }
    let Ok(coordinator) = vault.coordinator() else {
        return Ok(None);
    };
    match enrol::coordinated_team(&coordinator) {
        Ok((_, key)) => Ok(Some(key)),
        Err(TeamError::NotTeamCoordinator) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Send: for every other member laptop not revoked, what each producer
/// offers it, one packet file and one write each.
fn send(
    vault: &Vault,
    folder: &Path,
    progress: &mut dyn FnMut(SyncProgress),
    stop: &AtomicBool,
    report: &mut SyncReport,
) -> Result<(), TeamError> {
    let (team, laptop) = enrol::member_team(vault.read(), vault.coordinator_public())?;
    let team_key = team_key(vault, &team, &laptop.id)?;
    let ctx = Sending {
        vault,
        team,
        laptop,
        team_key,
    };
    let mut offers = Vec::new();
    for member in ctx.team.members() {
        if member.laptop_id == ctx.laptop.id || member.revoked_after.is_some() {
            continue;
        }
        for producer in PRODUCERS {
            for offer in producer(&ctx, member)? {
                offers.push((member.clone(), offer));
            }
        }
    }
    let total = u32::try_from(offers.len()).unwrap_or(u32::MAX);
    for (done, (member, offer)) in offers.into_iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            report.stopped = true;
            return Ok(());
        }
        progress(SyncProgress {
            stage: SyncStage::Sending,
            done: u32::try_from(done).unwrap_or(u32::MAX),
            total,
        });
        send_one(ctx.vault.write()?, &ctx, folder, &member, &offer)?;
        report.sent += 1;
    }
    if ctx.team.shares(UpdateKind::Cases) {
        send_cases(&ctx, folder, stop, report)?;
    }
    Ok(())
}

/// Case documents (`calls::handoff`), once the team shares cases: to every
/// other member laptop not revoked, the open cases logged here it has not
/// had and the case events made here since its last document. Each is
/// built inside the write that seals it, so a document that was not
/// written is built again next time.
fn send_cases(
    ctx: &Sending<'_>,
    folder: &Path,
    stop: &AtomicBool,
    report: &mut SyncReport,
) -> Result<(), TeamError> {
    let retention = crate::calls::retention_days(ctx.vault).map_err(Box::new)?;
    for member in ctx.team.members() {
        if member.laptop_id == ctx.laptop.id || member.revoked_after.is_some() {
            continue;
        }
        if stop.load(Ordering::SeqCst) {
            report.stopped = true;
            return Ok(());
        }
        let tx = ctx.vault.write()?;
        let by = tx.actor().to_owned();
        let document = crate::calls::handoff::outgoing(&tx, member.laptop_id, &by, retention)
            .map_err(Box::new)?;
        let Some(payload) = document else {
            continue;
        };
        let offer = Offer {
            kind: PacketKind::CaseDocument,
            topic: PacketKind::CaseDocument.as_str().to_owned(),
            // Each document is new content: keyed by the number it takes.
            version: enrol::next_seq(tx.read())?,
            payload: Zeroizing::new(payload),
        };
        send_one(tx, ctx, folder, member, &offer)?;
        report.sent += 1;
    }
    Ok(())
}

/// Seal `offer` for `member`, write its file (temporary name, flushed to
/// disk, renamed) and record it in the outbox, all in `tx` with its audit
/// entry.
fn send_one(
    mut tx: Write<'_>,
    ctx: &Sending<'_>,
    folder: &Path,
    member: &Member,
    offer: &Offer,
) -> Result<(), TeamError> {
    let key = match offer.kind.signer() {
        KeyRole::Team => ctx.team_key.as_ref().ok_or(TeamError::NotTeamCoordinator)?,
        KeyRole::Laptop => &ctx.laptop.signing,
    };
    let recipient = keys::recipient(&member.recipient).ok_or(TeamError::Damaged {
        reason: "a member's age recipient is malformed",
    })?;
    let (bytes, header) = packet::seal(
        &tx,
        &ctx.team,
        (ctx.laptop.id, key),
        packet::Outgoing {
            to: Stream::Laptop(member.laptop_id),
            kind: offer.kind,
            payload: &offer.payload,
        },
        &[recipient],
    )?;
    let dir = inbox(folder, &member.laptop_id);
    let name = file_name(&ctx.laptop.id, header.seq);
    let path = dir.join(&name);
    write_atomically(&dir, &name, &bytes)?;
    let too_big = || TeamError::Damaged {
        reason: "a sequence number is too large",
    };
    tx.execute(
        "INSERT INTO team_outbox (recipient, kind, version, seq, file, written_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (recipient, kind, version) DO UPDATE SET
             seq = excluded.seq, file = excluded.file, written_at = excluded.written_at,
             expired = 0",
        (
            member.laptop_id.to_string(),
            &offer.topic,
            i64::try_from(offer.version).map_err(|_| too_big())?,
            i64::try_from(header.seq).map_err(|_| too_big())?,
            format!("to-{}/{name}", member.laptop_id),
            now_unix(),
        ),
    )?;
    tx.audit(
        "team.sync_send",
        json!({
            "recipient": member.laptop_id.to_string(),
            "seq": header.seq,
            "kind": offer.topic,
            "version": offer.version,
        }),
    );
    tx.commit_after_file(&path)?;
    Ok(())
}

/// Write `bytes` as `dir/name`: first under a temporary name in the same
/// folder (never read as a packet), flushed to disk, then renamed, so a
/// half-written file never has a packet's name.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), TeamError> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir).map_err(|err| folder_error(dir, &err))?;
    let temp = dir.join(format!(".{name}.partial"));
    let path = dir.join(name);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)?;
        // The rename itself reaches the disk with the folder's entry.
        std::fs::File::open(dir)?.sync_all()
    })();
    written.map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        folder_error(&path, &err)
    })
}

/// Delete this laptop's own packet files written more than
/// [`PACKET_EXPIRY_DAYS`] ago; the number deleted.
fn expire(vault: &Vault, folder: &Path) -> Result<u32, TeamError> {
    let limit = i64::try_from(PACKET_EXPIRY_DAYS * 86_400).unwrap_or(i64::MAX);
    let cutoff = now_unix().saturating_sub(limit);
    let files: Vec<String> = {
        let mut stmt = vault.read().prepare(
            "SELECT file FROM team_outbox WHERE expired = 0 AND written_at < ?1 ORDER BY file",
        )?;
        stmt.query_map([cutoff], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    if files.is_empty() {
        return Ok(0);
    }
    let mut removed = 0;
    for file in &files {
        if std::fs::remove_file(folder.join(file)).is_ok() {
            removed += 1;
        }
    }
    let mut tx = vault.write()?;
    tx.execute(
        "UPDATE team_outbox SET expired = 1 WHERE expired = 0 AND written_at < ?1",
        [cutoff],
    )?;
    tx.audit(
        "team.sync_expire",
        json!({ "files": files.len(), "removed": removed }),
    );
    tx.commit()?;
    Ok(removed)
}
