//! The packet envelope: the one form of everything that travels between
//! the laptops of a team.
//!
//! A packet file is an age file (X25519, to every recipient the content
//! is for) whose plaintext is:
//!
//! | bytes | what |
//! |---|---|
//! | 20 | `hotline-desk packet\n` |
//! | 2 | format version, big endian ([`PACKET_FORMAT`]) |
//! | 4 + n | header length, header (JSON: team, sender, seq, prev, to, kind) |
//! | 4 + m | payload length, payload (the kind's document) |
//! | 64 | Ed25519 signature of everything before it |
//!
//! The signature is the sender laptop's key, or the team key for the kinds
//! only the coordinator may send; the kind says which ([`PacketKind`]).
//! Sequence numbers count each sender's packets (1, 2, 3 …, one counter a
//! laptop); `prev` is the sender's previous packet on the same stream (0
//! for its first), so a recipient sees a gap in its own stream and holds
//! what arrives early. See `docs/TEAM.md` for the refusals.

use std::io::Write as _;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::TeamError;
use super::enrol::{Member, Team};
use super::keys::{KeyRole, SigningSeed};
use crate::vault::{Reader, Write, now_unix};

/// Format version of the packets this build writes and reads.
pub const PACKET_FORMAT: u16 = 1;
/// What every packet's plaintext starts with.
const MAGIC: &[u8; 20] = b"hotline-desk packet\n";
/// Signature domain of a packet.
const PACKET_DOMAIN: &str = "packet";
/// Largest packet plaintext read (far above a year of bundles).
const MAX_PACKET: usize = 64 << 20;

/// What a packet carries, and so who must have signed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketKind {
    /// A laptop's exact counts for the coordinator (`export::export_bundle`),
    /// signed by the laptop.
    SummaryBundle,
    // Kinds of the team folder (`sync`): each one is applied by the
    // function `sync::apply` names for it, and produced by one of
    // `sync::PRODUCERS`.
    /// A new revision of the team record for one laptop, signed by the
    /// team key (`sync`).
    TeamRecord,
    // Coordinator updates (team step 2).
    /// A coordinator update (`team::updates`): one kind's snapshot, signed
    /// by the team key, for every member laptop.
    CoordinatorUpdate,
    // Case handoff (team step 3).
    /// A case document (`calls::handoff`): the open cases a laptop hands to
    /// one other laptop and its case events since the last one, signed by
    /// the sending laptop.
    CaseDocument,
}

impl PacketKind {
    /// The kind as it travels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SummaryBundle => "summary_bundle",
            Self::TeamRecord => "team_record",
            Self::CoordinatorUpdate => "coordinator_update",
            Self::CaseDocument => "case_document",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "summary_bundle" => Some(Self::SummaryBundle),
            "team_record" => Some(Self::TeamRecord),
            "coordinator_update" => Some(Self::CoordinatorUpdate),
            "case_document" => Some(Self::CaseDocument),
            _ => None,
        }
    }

    /// Who signs this kind: a laptop, or the team key.
    pub(crate) fn signer(self) -> KeyRole {
        match self {
            Self::SummaryBundle => KeyRole::Laptop,
            Self::TeamRecord => KeyRole::Team,
            Self::CoordinatorUpdate => KeyRole::Team,
            Self::CaseDocument => KeyRole::Laptop,
        }
    }
}

/// Who a packet is for: the coordinator (bundles), every laptop of the team,
/// or one laptop (everything in the team folder: `sync`). Each sender keeps
/// one chain of `prev` links per stream. `Team` is read but never written:
/// the folder sends each laptop its own packets, so a laptop enrolled later
/// starts its chain at 0 like every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// The team's coordinator.
    Coordinator,
    /// Every laptop of the team.
    Team,
    /// One laptop.
    Laptop(Uuid),
}

impl Stream {
    /// The stream as stored.
    pub(crate) fn key(self) -> String {
        match self {
            Self::Coordinator => "coordinator".to_owned(),
            Self::Team => "team".to_owned(),
            Self::Laptop(id) => format!("laptop:{id}"),
        }
    }
}

/// A packet's header as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireHeader {
    team: Uuid,
    sender: Uuid,
    seq: u64,
    prev: u64,
    to: Stream,
    kind: String,
}

/// A packet's checked header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) sender: Uuid,
    pub(crate) seq: u64,
    pub(crate) prev: u64,
    pub(crate) to: Stream,
    pub(crate) kind: PacketKind,
}

/// A packet whose signature, team, sender and address were checked.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) header: Header,
    /// The sender laptop's name in the team record.
    pub(crate) sender_name: String,
    /// The kind's document.
    pub(crate) payload: Zeroizing<Vec<u8>>,
    /// The whole plaintext, to hold it until its gap fills.
    pub(crate) plaintext: Zeroizing<Vec<u8>>,
}

/// Why a packet was refused. Each names what a person can check; none
/// holds anything of the packet's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Not encrypted to this laptop (or to this coordinator).
    #[error("it is not encrypted to this laptop's key (meant for another laptop or coordinator)")]
    NotForThisLaptop,
    /// The file was changed after it was encrypted, or is not a packet.
    #[error("it was altered or damaged after it was sealed (or it is not a packet)")]
    Altered,
    /// Encrypted to us but carrying no signature: an old unsigned bundle,
    /// or one made outside the team.
    #[error(
        "it is not signed: an unsigned bundle (from before bundles were signed, or made outside the team) is never merged"
    )]
    Unsigned,
    /// Its signature does not verify with its sender's key.
    #[error("its signature does not verify with the key of laptop {sender}: it is forged")]
    Forged {
        /// The laptop it claims to come from.
        sender: String,
    },
    /// Signed by a key that may not sign its kind (a laptop key on a
    /// coordinator update).
    #[error("laptop {sender} may not send a packet of this kind")]
    NotAllowed {
        /// The sender laptop.
        sender: String,
    },
    /// Its sequence number was applied before.
    #[error("it was received before (laptop {sender}, number {seq}): a replay or a duplicate")]
    Replayed {
        /// The sender laptop.
        sender: String,
        /// Its sequence number.
        seq: u64,
    },
    /// Its sender was revoked before it sent this.
    #[error("laptop {sender} was revoked after its number {after}; this packet is number {seq}")]
    Revoked {
        /// The sender laptop.
        sender: String,
        /// The revocation's cut-off.
        after: u64,
        /// Its sequence number.
        seq: u64,
    },
    /// It belongs to another team.
    #[error("it belongs to another team")]
    ForeignTeam,
    /// Its sender is not a member of the team.
    #[error("its sender, laptop {sender}, is not enrolled in this team")]
    UnknownSender {
        /// The laptop it claims to come from.
        sender: String,
    },
    /// A packet of a newer format or kind: it waits.
    #[error(
        "it was made by a newer version of Hotline Desk (packet format {found}); update this laptop, then try again"
    )]
    NewerFormat {
        /// The format or kind found.
        found: String,
    },
    /// It came before an earlier packet of its sender that has not
    /// arrived.
    #[error(
        "it came early: laptop {sender}'s number {seq} follows its number {waiting_for}, which has not arrived"
    )]
    Gap {
        /// The sender laptop.
        sender: String,
        /// Its sequence number.
        seq: u64,
        /// The number it follows.
        waiting_for: u64,
    },
    /// A packet of another kind where this one was expected.
    #[error("it is a packet of another kind ({found})")]
    WrongKind {
        /// The kind found.
        found: &'static str,
    },
}

/// A short form of a laptop id for messages: its first 8 characters.
pub(crate) fn short(id: &Uuid) -> String {
    id.to_string()[..8].to_owned()
}

/// The signed plaintext of a packet.
fn plaintext(header: &WireHeader, payload: &[u8], key: &SigningSeed) -> Result<Vec<u8>, TeamError> {
    let header = serde_json::to_vec(header).map_err(|_| TeamError::Crypto)?;
    let too_big = TeamError::InvalidField {
        field: "payload",
        reason: "it is too large for a packet",
    };
    let header_len = u32::try_from(header.len()).map_err(|_| TeamError::Crypto)?;
    let payload_len = u32::try_from(payload.len()).map_err(|_| too_big)?;
    let mut out = Vec::with_capacity(MAGIC.len() + 10 + header.len() + payload.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&PACKET_FORMAT.to_be_bytes());
    out.extend_from_slice(&header_len.to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&payload_len.to_be_bytes());
    out.extend_from_slice(payload);
    let signature = key.sign(PACKET_DOMAIN, &out);
    out.extend_from_slice(&signature);
    Ok(out)
}

/// What to send: the stream, the kind and the kind's document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outgoing<'a> {
    pub(crate) to: Stream,
    pub(crate) kind: PacketKind,
    pub(crate) payload: &'a [u8],
}

/// Seal a packet from this laptop (`sender`): take its next sequence
/// number and the stream's previous one (both advanced in `tx`, so a
/// packet that is not committed never used them), sign it with `key`
/// (this laptop's, or the team key for team kinds) and encrypt it to
/// `recipients`.
pub(crate) fn seal(
    tx: &Write<'_>,
    team: &Team,
    (sender, key): (Uuid, &SigningSeed),
    outgoing: Outgoing<'_>,
    recipients: &[age::x25519::Recipient],
) -> Result<(Vec<u8>, Header), TeamError> {
    let Outgoing { to, kind, payload } = outgoing;
    let seq = super::enrol::next_seq(tx.read())?;
    let stream = to.key();
    let prev: i64 = tx
        .read()
        .query_row(
            "SELECT last_seq FROM team_sent WHERE stream = ?1",
            [&stream],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let prev = u64::try_from(prev).map_err(|_| TeamError::Damaged {
        reason: "a stream's sequence number is negative",
    })?;
    let seq_sql = i64::try_from(seq).map_err(|_| TeamError::Damaged {
        reason: "the sequence counter is too large",
    })?;
    let header = WireHeader {
        team: team.id(),
        sender,
        seq,
        prev,
        to,
        kind: kind.as_str().to_owned(),
    };
    let plain = Zeroizing::new(plaintext(&header, payload, key)?);
    let ciphertext = encrypt(recipients, &plain)?;
    tx.execute(
        "UPDATE team_laptop SET next_seq = ?1 WHERE id = 1",
        [seq_sql + 1],
    )?;
    tx.execute(
        "INSERT INTO team_sent (stream, last_seq) VALUES (?1, ?2)
         ON CONFLICT (stream) DO UPDATE SET last_seq = excluded.last_seq",
        (&stream, seq_sql),
    )?;
    Ok((
        ciphertext,
        Header {
            sender,
            seq,
            prev,
            to,
            kind,
        },
    ))
}

/// Encrypt with age to every recipient.
fn encrypt(recipients: &[age::x25519::Recipient], plaintext: &[u8]) -> Result<Vec<u8>, TeamError> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| TeamError::Crypto)?;
    let mut out = Vec::with_capacity(plaintext.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|_| TeamError::Crypto)?;
    writer.write_all(plaintext).map_err(|_| TeamError::Crypto)?;
    writer.finish().map_err(|_| TeamError::Crypto)?;
    Ok(out)
}

/// Decrypt a packet file with `identity` and check it ([`open_plaintext`]).
pub(crate) fn open(
    ciphertext: &[u8],
    identity: &dyn age::Identity,
    team: &Team,
    accept: &[Stream],
) -> Result<Opened, PacketError> {
    let plain = Zeroizing::new(match age::Decryptor::new_buffered(ciphertext) {
        Ok(decryptor) => {
            let mut reader =
                decryptor
                    .decrypt(std::iter::once(identity))
                    .map_err(|err| match err {
                        age::DecryptError::NoMatchingKeys => PacketError::NotForThisLaptop,
                        _ => PacketError::Altered,
                    })?;
            let mut buf = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(&mut reader, MAX_PACKET as u64 + 1),
                &mut buf,
            )
            .map_err(|_| PacketError::Altered)?;
            if buf.len() > MAX_PACKET {
                return Err(PacketError::Altered);
            }
            buf
        }
        Err(_) => return Err(PacketError::Altered),
    });
    open_plaintext(plain, team, accept)
}

/// The parts of a packet's plaintext.
struct Parts<'a> {
    format: u16,
    header: &'a [u8],
    payload: &'a [u8],
    /// Every byte before the signature.
    signed: &'a [u8],
    signature: &'a [u8],
}

/// Split a plaintext into its parts; `None` if it is not well formed.
fn split(plain: &[u8]) -> Option<Parts<'_>> {
    let rest = plain.strip_prefix(&MAGIC[..])?;
    let (format, rest) = rest.split_first_chunk::<2>()?;
    let format = u16::from_be_bytes(*format);
    let (len, rest) = rest.split_first_chunk::<4>()?;
    let (header, rest) = rest.split_at_checked(usize::try_from(u32::from_be_bytes(*len)).ok()?)?;
    let (len, rest) = rest.split_first_chunk::<4>()?;
    let (payload, signature) =
        rest.split_at_checked(usize::try_from(u32::from_be_bytes(*len)).ok()?)?;
    if signature.len() != super::keys::SIGNATURE_LEN {
        return None;
    }
    let signed = &plain[..plain.len() - signature.len()];
    Some(Parts {
        format,
        header,
        payload,
        signed,
        signature,
    })
}

/// Check a packet's plaintext: its format, team, sender, signature, who
/// may sign its kind, that it is for one of the streams in `accept`, and
/// its sender's revocation and first sequence number. (Its order among
/// the sender's packets is [`position`]'s.)
pub(crate) fn open_plaintext(
    plain: Zeroizing<Vec<u8>>,
    team: &Team,
    accept: &[Stream],
) -> Result<Opened, PacketError> {
    if !plain.starts_with(MAGIC) {
        // An age file of JSON is a bundle from before bundles were signed.
        return Err(match plain.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => PacketError::Unsigned,
            _ => PacketError::Altered,
        });
    }
    let Parts {
        format,
        header,
        payload,
        signed,
        signature,
    } = split(&plain).ok_or(PacketError::Altered)?;
    if format > PACKET_FORMAT {
        return Err(PacketError::NewerFormat {
            found: format.to_string(),
        });
    }
    if format == 0 {
        return Err(PacketError::Altered);
    }
    let header: WireHeader = serde_json::from_slice(header).map_err(|_| PacketError::Altered)?;
    if header.team != team.id() {
        return Err(PacketError::ForeignTeam);
    }
    let sender = short(&header.sender);
    let member: &Member =
        team.member(&header.sender)
            .ok_or_else(|| PacketError::UnknownSender {
                sender: sender.clone(),
            })?;
    let kind = PacketKind::parse(&header.kind).ok_or_else(|| PacketError::NewerFormat {
        found: format!(
            "{format}, kind {}",
            header.kind.chars().take(40).collect::<String>()
        ),
    })?;
    let role = kind.signer();
    let key = match role {
        KeyRole::Laptop => member.signing_key(),
        KeyRole::Team if header.sender == team.coordinator_laptop() => Some(team.key()),
        KeyRole::Team => return Err(PacketError::NotAllowed { sender }),
    }
    .ok_or_else(|| PacketError::UnknownSender {
        sender: sender.clone(),
    })?;
    if !key.verifies(role, PACKET_DOMAIN, signed, signature) {
        return Err(PacketError::Forged { sender });
    }
    if header.seq <= header.prev {
        return Err(PacketError::Altered);
    }
    if !accept.contains(&header.to) {
        return Err(PacketError::NotForThisLaptop);
    }
    if let Some(after) = member.revoked_after
        && header.seq > after
    {
        return Err(PacketError::Revoked {
            sender,
            after,
            seq: header.seq,
        });
    }
    if header.seq < member.seq_start {
        return Err(PacketError::Replayed {
            sender,
            seq: header.seq,
        });
    }
    let payload = Zeroizing::new(payload.to_vec());
    Ok(Opened {
        header: Header {
            sender: header.sender,
            seq: header.seq,
            prev: header.prev,
            to: header.to,
            kind,
        },
        sender_name: member.name.clone(),
        payload,
        plaintext: plain,
    })
}

/// Where a checked packet stands among its sender's packets on its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// It follows the last one applied: apply it.
    Next,
    /// An earlier one has not arrived: hold it.
    Early,
    /// It or a later one was applied before.
    Replayed,
}

/// The last sequence number applied from `sender` on `to` (0 for none).
pub(crate) fn last_applied(conn: Reader<'_>, sender: &Uuid, to: Stream) -> Result<u64, TeamError> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT last_seq FROM team_streams WHERE sender = ?1 AND stream = ?2",
            (sender.to_string(), to.key()),
            |r| r.get(0),
        )
        .optional()?;
    u64::try_from(last.unwrap_or(0)).map_err(|_| TeamError::Damaged {
        reason: "a stream's sequence number is negative",
    })
}

/// Where `header` stands after the last applied packet `last`.
pub(crate) fn position(header: &Header, last: u64) -> Position {
    if header.seq <= last || header.prev < last {
        Position::Replayed
    } else if header.prev == last {
        Position::Next
    } else {
        Position::Early
    }
}

/// Record `header` as applied, in the write that applies it.
pub(crate) fn mark_applied(tx: &Write<'_>, header: &Header) -> Result<(), TeamError> {
    let seq = i64::try_from(header.seq).map_err(|_| TeamError::Damaged {
        reason: "a sequence number is too large",
    })?;
    tx.execute(
        "INSERT INTO team_streams (sender, stream, last_seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (sender, stream) DO UPDATE SET last_seq = excluded.last_seq",
        (header.sender.to_string(), header.to.key(), seq),
    )?;
    tx.execute(
        "DELETE FROM team_held_packets WHERE sender = ?1 AND seq = ?2",
        (header.sender.to_string(), seq),
    )?;
    Ok(())
}

/// Hold a packet that came early, in the write that reports it.
pub(crate) fn hold(tx: &Write<'_>, h: &Header, plaintext: &[u8]) -> Result<(), TeamError> {
    let too_big = || TeamError::Damaged {
        reason: "a sequence number is too large",
    };
    tx.execute(
        "INSERT INTO team_held_packets (sender, seq, stream, prev, kind, packet, held_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (sender, seq) DO NOTHING",
        (
            h.sender.to_string(),
            i64::try_from(h.seq).map_err(|_| too_big())?,
            h.to.key(),
            i64::try_from(h.prev).map_err(|_| too_big())?,
            h.kind.as_str(),
            plaintext,
            now_unix(),
        ),
    )?;
    Ok(())
}

/// A held packet, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldRow {
    pub(crate) sender: String,
    pub(crate) seq: u64,
    pub(crate) plaintext: Zeroizing<Vec<u8>>,
    pub(crate) held_at: i64,
}

/// The packets held on stream `to`, oldest sequence number first.
pub(crate) fn held(conn: Reader<'_>, to: Stream) -> Result<Vec<HeldRow>, TeamError> {
    let mut stmt = conn.prepare(
        "SELECT sender, seq, packet, held_at FROM team_held_packets WHERE stream = ?1
         ORDER BY sender, seq",
    )?;
    let rows = stmt.query_map([to.key()], |r| {
        Ok(HeldRow {
            sender: r.get(0)?,
            seq: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            plaintext: Zeroizing::new(r.get(2)?),
            held_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
