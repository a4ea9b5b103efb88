//! The team and its members: this laptop's keys, the coordinator's team
//! record (signed with the team key), enrolment requests, invitations,
//! joining and revocation.
//!
//! The team record is the one statement of who belongs: the team's id,
//! name and public key, the coordinator's bundle recipient, and every
//! member laptop with its signing key, its age recipient, the handles of
//! its users, the first sequence number accepted from it and, once
//! revoked, the last. Each change is a new record with a higher revision,
//! signed with the team key. A laptop trusts the team key it enrolled
//! with (its fingerprint compared on both screens) and nothing else.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::keys::{self, KeyRole, PublicKey, SigningSeed};
use super::updates::UpdateKind;
use super::{TeamError, write_output};
use crate::vault::coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
use crate::vault::{Coordinator, Reader, Vault, VaultError, Write, now_unix};

/// Schema id of the team record.
const TEAM_SCHEMA: &str = "hotline-desk/team";
/// Schema id of an enrolment request.
const REQUEST_SCHEMA: &str = "hotline-desk/enrolment-request";
/// Version of both documents this build writes and reads.
const DOC_VERSION: u32 = 1;
/// Signature domain of the team record.
const TEAM_DOMAIN: &str = "team-record";
/// Signature domain of the pin: the team key this laptop trusts, signed
/// with its own coordinator key.
const PIN_DOMAIN: &str = "team-pin";
/// Signature domain of an enrolment request.
const REQUEST_DOMAIN: &str = "enrolment-request";
/// Longest team or laptop name, in bytes.
const MAX_NAME: usize = 80;
/// Most handles a request may carry (the per-laptop user limit).
const MAX_HANDLES: usize = crate::vault::SLOT_COUNT;
/// Largest request or team file read.
const MAX_FILE: usize = 1 << 20;

/// A signed document as it is stored and travels: the exact JSON text that
/// was signed, and the signature (hex).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedDoc {
    body: String,
    signature: String,
}

/// One member laptop, as the team record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Member {
    pub(crate) laptop_id: Uuid,
    pub(crate) name: String,
    signing_key: String,
    pub(crate) recipient: String,
    pub(crate) handles: Vec<String>,
    /// The first sequence number accepted from this laptop.
    pub(crate) seq_start: u64,
    /// Revoked: the last sequence number accepted from this laptop.
    pub(crate) revoked_after: Option<u64>,
}

impl Member {
    /// The laptop's verifying key.
    pub(crate) fn signing_key(&self) -> Option<PublicKey> {
        PublicKey::from_hex(&self.signing_key)
    }

    fn fingerprint(&self) -> String {
        laptop_fingerprint(&self.laptop_id, &self.signing_key, &self.recipient)
    }
}

/// The body of the team record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamDoc {
    schema: String,
    version: u32,
    team_id: Uuid,
    name: String,
    revision: u64,
    team_key: String,
    coordinator_laptop: Uuid,
    coordinator_recipient: String,
    members: Vec<Member>,
    /// The kinds of coordinator update the team shares (none unless the
    /// coordinator switches them on; absent in records from before them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    shares: Vec<UpdateKind>,
}

/// A verified team record.
#[derive(Debug, Clone)]
pub(crate) struct Team {
    doc: TeamDoc,
    key: PublicKey,
    signed: SignedDoc,
}

impl Team {
    /// The team's id.
    pub(crate) fn id(&self) -> Uuid {
        self.doc.team_id
    }

    /// The team key.
    pub(crate) fn key(&self) -> PublicKey {
        self.key
    }

    /// The laptop that holds the team key.
    pub(crate) fn coordinator_laptop(&self) -> Uuid {
        self.doc.coordinator_laptop
    }

    /// Where bundles are encrypted to.
    pub(crate) fn coordinator_recipient(&self) -> &str {
        &self.doc.coordinator_recipient
    }

    /// A member laptop.
    pub(crate) fn member(&self, id: &Uuid) -> Option<&Member> {
        self.doc.members.iter().find(|m| m.laptop_id == *id)
    }

    /// Whether the team shares coordinator updates of `kind`.
    pub(crate) fn shares(&self, kind: UpdateKind) -> bool {
        self.doc.shares.contains(&kind)
    }

    fn fingerprint(&self) -> String {
        team_fingerprint(
            &self.doc.team_id,
            &self.doc.team_key,
            &self.doc.coordinator_recipient,
        )
    }

    /// Verify a signed team record: its own key must have signed it, and it
    /// must be one of ours.
    fn verify(signed: SignedDoc) -> Result<Self, TeamError> {
        let invalid = |reason| TeamError::InvalidTeamFile { reason };
        let doc: TeamDoc = serde_json::from_str(&signed.body)
            .map_err(|_| invalid("it is not a team record of this version"))?;
        if doc.schema != TEAM_SCHEMA || doc.version != DOC_VERSION {
            return Err(invalid("it is not a team record of this version"));
        }
        let key = PublicKey::from_hex(&doc.team_key).ok_or(invalid("its team key is not a key"))?;
        let signature = hex::decode(&signed.signature).unwrap_or_default();
        if !key.verifies(
            KeyRole::Team,
            TEAM_DOMAIN,
            signed.body.as_bytes(),
            &signature,
        ) {
            return Err(invalid("its signature does not verify"));
        }
        let mut ids = BTreeSet::new();
        for member in &doc.members {
            if !ids.insert(member.laptop_id)
                || member.signing_key().is_none()
                || keys::recipient(&member.recipient).is_none()
            {
                return Err(invalid("a member laptop is listed twice or with a bad key"));
            }
        }
        if keys::recipient(&doc.coordinator_recipient).is_none()
            || !ids.contains(&doc.coordinator_laptop)
        {
            return Err(invalid("its coordinator is not one of its laptops"));
        }
        Ok(Self { doc, key, signed })
    }

    /// Sign `doc` with the team key.
    fn sign(doc: TeamDoc, key: &SigningSeed) -> Result<Self, TeamError> {
        let body = serde_json::to_string(&doc).map_err(|_| TeamError::Crypto)?;
        let signature = hex::encode(key.sign(TEAM_DOMAIN, body.as_bytes()));
        Ok(Self {
            doc,
            key: key.public(),
            signed: SignedDoc { body, signature },
        })
    }

    pub(crate) fn file_bytes(&self) -> Result<Vec<u8>, TeamError> {
        let mut bytes = serde_json::to_vec_pretty(&self.signed).map_err(|_| TeamError::Crypto)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// This laptop's signing key and public keys, created once per vault (its
/// age identity stays in the database until packets for one laptop are
/// received).
pub(crate) struct LaptopKeys {
    pub(crate) id: Uuid,
    pub(crate) signing: SigningSeed,
    pub(crate) recipient: String,
}

impl LaptopKeys {
    fn fingerprint(&self) -> String {
        laptop_fingerprint(&self.id, &self.signing.public().to_hex(), &self.recipient)
    }
}

impl std::fmt::Debug for LaptopKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LaptopKeys({}, <redacted>)", self.id)
    }
}

fn laptop_fingerprint(id: &Uuid, signing_key: &str, recipient: &str) -> String {
    keys::fingerprint(&[
        b"laptop",
        id.as_bytes(),
        signing_key.as_bytes(),
        recipient.as_bytes(),
    ])
}

fn team_fingerprint(id: &Uuid, team_key: &str, recipient: &str) -> String {
    keys::fingerprint(&[
        b"team",
        id.as_bytes(),
        team_key.as_bytes(),
        recipient.as_bytes(),
    ])
}

/// This laptop's id and fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaptopInfo {
    /// The laptop's id.
    pub laptop_id: String,
    /// The fingerprint of its keys, to compare on both screens.
    pub fingerprint: String,
}

/// One member laptop, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// The laptop's id.
    pub laptop_id: String,
    /// The name its coordinator gave it.
    pub name: String,
    /// The handles of its users.
    pub handles: Vec<String>,
    /// The fingerprint of its keys.
    pub fingerprint: String,
    /// The first sequence number accepted from it.
    pub seq_start: u64,
    /// Revoked: the last sequence number accepted from it.
    pub revoked_after: Option<u64>,
}

/// The team this laptop belongs to, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamInfo {
    /// The team's id.
    pub team_id: String,
    /// Its name.
    pub name: String,
    /// The revision of its record.
    pub revision: u64,
    /// The fingerprint of the team key, to compare on both screens.
    pub fingerprint: String,
    /// This laptop's id.
    pub this_laptop: String,
    /// Whether this laptop holds the team key.
    pub coordinator_laptop: bool,
    /// Its member laptops.
    pub members: Vec<MemberInfo>,
    /// The kinds of coordinator update the team shares.
    pub shares: Vec<UpdateKind>,
}

impl TeamInfo {
    fn of(team: &Team, this_laptop: &Uuid) -> Self {
        Self {
            team_id: team.doc.team_id.to_string(),
            name: team.doc.name.clone(),
            revision: team.doc.revision,
            fingerprint: team.fingerprint(),
            this_laptop: this_laptop.to_string(),
            coordinator_laptop: team.doc.coordinator_laptop == *this_laptop,
            members: team
                .doc
                .members
                .iter()
                .map(|m| MemberInfo {
                    laptop_id: m.laptop_id.to_string(),
                    name: m.name.clone(),
                    handles: m.handles.clone(),
                    fingerprint: m.fingerprint(),
                    seq_start: m.seq_start,
                    revoked_after: m.revoked_after,
                })
                .collect(),
            shares: team.doc.shares.clone(),
        }
    }
}

/// A new laptop's request to join, as read by the coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRequest {
    schema: String,
    version: u32,
    /// The laptop's id.
    pub laptop_id: Uuid,
    /// The name its coordinator gave it.
    pub name: String,
    signing_key: String,
    recipient: String,
    /// The handles of its users.
    pub handles: Vec<String>,
    /// Its next sequence number.
    pub next_seq: u64,
}

impl EnrolmentRequest {
    /// The fingerprint of its keys, to compare with the new laptop's screen.
    pub fn fingerprint(&self) -> String {
        laptop_fingerprint(&self.laptop_id, &self.signing_key, &self.recipient)
    }
}

/// What [`invite`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invited {
    /// The laptop enrolled.
    pub laptop: MemberInfo,
    /// The team, after the enrolment.
    pub team: TeamInfo,
    /// Whether the laptop was enrolled before with the same keys (the
    /// team file was written again, nothing changed).
    pub already_enrolled: bool,
}

/// A new random (version 4) UUID.
fn random_id() -> Result<Uuid, TeamError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| TeamError::Random)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Check a team or laptop name.
fn check_name(field: &'static str, name: &str) -> Result<String, TeamError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TeamError::InvalidField {
            field,
            reason: "it is empty",
        });
    }
    if name.len() > MAX_NAME {
        return Err(TeamError::InvalidField {
            field,
            reason: "it is longer than 80 bytes",
        });
    }
    if name.chars().any(char::is_control) {
        return Err(TeamError::InvalidField {
            field,
            reason: "it holds a control character",
        });
    }
    Ok(name.to_owned())
}

/// This laptop's keys, if created.
pub(crate) fn stored_laptop(conn: Reader<'_>) -> Result<Option<LaptopKeys>, TeamError> {
    /// The stored columns.
    struct Row {
        id: String,
        seed: Zeroizing<Vec<u8>>,
        recipient: String,
    }
    let row: Option<Row> = conn
        .query_row(
            "SELECT laptop_id, signing_seed, recipient FROM team_laptop WHERE id = 1",
            [],
            |r| {
                Ok(Row {
                    id: r.get(0)?,
                    seed: Zeroizing::new(r.get(1)?),
                    recipient: r.get(2)?,
                })
            },
        )
        .optional()?;
    let Some(Row {
        id,
        seed,
        recipient,
    }) = row
    else {
        return Ok(None);
    };
    let damaged = TeamError::Damaged {
        reason: "this laptop's keys are malformed",
    };
    let id = Uuid::parse_str(&id).map_err(|_| TeamError::Damaged {
        reason: "this laptop's id is malformed",
    })?;
    let signing = SigningSeed::from_bytes(&seed, KeyRole::Laptop).ok_or(damaged)?;
    Ok(Some(LaptopKeys {
        id,
        signing,
        recipient,
    }))
}

/// This laptop's keys, created (in `tx`) the first time.
pub(crate) fn ensure_laptop(tx: &Write<'_>) -> Result<LaptopKeys, TeamError> {
    if let Some(keys) = stored_laptop(tx.read())? {
        return Ok(keys);
    }
    let id = random_id()?;
    let signing = SigningSeed::generate(KeyRole::Laptop)?;
    let (identity, recipient) = keys::new_identity();
    tx.execute(
        "INSERT INTO team_laptop (id, laptop_id, signing_seed, age_identity, recipient, next_seq, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, 1, ?5)",
        (
            id.to_string(),
            &signing.to_bytes()[..],
            identity.as_str(),
            &recipient,
            now_unix(),
        ),
    )?;
    Ok(LaptopKeys {
        id,
        signing,
        recipient,
    })
}

/// This laptop's next sequence number.
pub(crate) fn next_seq(conn: Reader<'_>) -> Result<u64, TeamError> {
    let n: i64 = conn.query_row("SELECT next_seq FROM team_laptop WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    u64::try_from(n).map_err(|_| TeamError::Damaged {
        reason: "the sequence counter is negative",
    })
}

/// This laptop's id and fingerprint, creating its keys the first time
/// (anyone; the creation is audited).
pub fn laptop(vault: &Vault) -> Result<LaptopInfo, TeamError> {
    if let Some(keys) = stored_laptop(vault.read())? {
        return Ok(LaptopInfo {
            laptop_id: keys.id.to_string(),
            fingerprint: keys.fingerprint(),
        });
    }
    let mut tx = vault.write()?;
    let keys = ensure_laptop(&tx)?;
    tx.audit("team.laptop_keys", json!({ "laptop": keys.id.to_string() }));
    tx.commit()?;
    Ok(LaptopInfo {
        laptop_id: keys.id.to_string(),
        fingerprint: keys.fingerprint(),
    })
}

/// The team record this laptop trusts, verified against the team key it
/// enrolled with.
///
/// The pin (the team key this laptop trusts) must be signed with this
/// vault's coordinator key (`public`), or wait for its first signature
/// (a membership from before pins were signed, until a coordinator's
/// next unlock).
pub(crate) fn stored_team(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Option<Team>, TeamError> {
    let Some(team) = unpinned_team(conn)? else {
        return Ok(None);
    };
    let signature: Option<Vec<u8>> = conn.query_row(
        "SELECT pin_signature FROM team_membership WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let unsigned_pin = TeamError::Damaged {
        reason: "the team key this laptop trusts is not signed by its coordinator key",
    };
    match (signature, public) {
        (Some(signature), Some(public)) => {
            if !pin_verifies(&team.id(), &team.doc.team_key, public, &signature) {
                return Err(unsigned_pin);
            }
        }
        (Some(_), None) => return Err(unsigned_pin),
        (None, _) => {
            if !pin_pending(conn)? {
                return Err(unsigned_pin);
            }
        }
    }
    Ok(Some(team))
}

/// What the pin's signature covers: the team's id and key.
fn pin_message(team_id: &str, team_key: &str) -> Vec<u8> {
    format!("{team_id}\n{team_key}").into_bytes()
}

fn pin_verifies(
    team_id: &Uuid,
    team_key: &str,
    public: &CoordinatorPublic,
    signature: &[u8],
) -> bool {
    Signature::from_bytes(signature).is_some_and(|sig| {
        public
            .verify(
                PIN_DOMAIN,
                &pin_message(&team_id.to_string(), team_key),
                &sig,
            )
            .is_ok()
    })
}

/// Whether the pin waits for its first signature (see `UPDATES_SQL`).
fn pin_pending(conn: Reader<'_>) -> Result<bool, rusqlite::Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM team_pin_pending WHERE id = 1",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Sign the pin of `team_id` and `team_key` with `key`, on `conn` (inside
/// the caller's transaction), and stop waiting for it.
fn sign_pin(conn: &rusqlite::Connection, key: &CoordinatorKey) -> Result<(), VaultError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT team_id, team_key FROM team_membership WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((team_id, team_key)) = row {
        let signature = key.sign(PIN_DOMAIN, &pin_message(&team_id, &team_key));
        conn.execute(
            "UPDATE team_membership SET pin_signature = ?1 WHERE id = 1",
            [&signature.to_bytes()[..]],
        )?;
    }
    conn.execute("DELETE FROM team_pin_pending", [])?;
    Ok(())
}

/// At a coordinator's unlock: sign a pin that waits for its first
/// signature (audited as `team.pin_signed`).
pub(crate) fn sign_pending_pin(
    conn: &rusqlite::Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    if !pin_pending(conn.into())? {
        return Ok(());
    }
    let mut tx = Write::begin(conn, actor)?;
    sign_pin(&tx, key)?;
    tx.audit("team.pin_signed", json!({}));
    tx.commit()
}

/// In a rotation of the coordinator key: sign the pin again with `new`
/// if `old` signed it.
pub(crate) fn resign_pin(
    conn: &rusqlite::Connection,
    old: &CoordinatorPublic,
    new: &CoordinatorKey,
) -> Result<(), VaultError> {
    let row: Option<(String, String, Option<Vec<u8>>)> = conn
        .query_row(
            "SELECT team_id, team_key, pin_signature FROM team_membership WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((team_id, team_key, Some(signature))) = row
        && Uuid::parse_str(&team_id).is_ok_and(|id| pin_verifies(&id, &team_key, old, &signature))
    {
        sign_pin(conn, new)?;
    }
    Ok(())
}

/// The team key this laptop pinned, if its pin is signed with the
/// coordinator key `public` (what team-signed settings verify with).
pub(crate) fn pinned_team_key(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Option<PublicKey>, VaultError> {
    let Some(public) = public else {
        return Ok(None);
    };
    let row: Option<(String, String, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT team_id, team_key, pin_signature FROM team_membership WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((team_id, team_key, Some(signature))) = row else {
        return Ok(None);
    };
    let signed =
        Uuid::parse_str(&team_id).is_ok_and(|id| pin_verifies(&id, &team_key, public, &signature));
    Ok(signed.then(|| PublicKey::from_hex(&team_key)).flatten())
}

/// The team record this laptop holds, verified against the team key it
/// holds beside it, without checking the pin's signature (whether a
/// setting is managed by the team: refusing a local change is the safe
/// side).
pub(crate) fn unpinned_team(conn: Reader<'_>) -> Result<Option<Team>, TeamError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT team_key, record FROM team_membership WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((pinned, record)) = row else {
        return Ok(None);
    };
    let damaged = TeamError::Damaged {
        reason: "the stored team record does not verify with the team key this laptop enrolled with",
    };
    let signed: SignedDoc = serde_json::from_str(&record).map_err(|_| TeamError::Damaged {
        reason: "the stored team record is malformed",
    })?;
    let team = Team::verify(signed).map_err(|_| TeamError::Damaged {
        reason: "the stored team record does not verify with the team key this laptop enrolled with",
    })?;
    if team.doc.team_key != pinned {
        return Err(damaged);
    }
    Ok(Some(team))
}

/// The team this laptop is a member of, with this laptop's keys.
pub(crate) fn member_team(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<(Team, LaptopKeys), TeamError> {
    let team = stored_team(conn, public)?.ok_or(TeamError::NoTeam)?;
    let laptop = stored_laptop(conn)?.ok_or(TeamError::Damaged {
        reason: "this laptop is in a team but has no keys",
    })?;
    if team.member(&laptop.id).is_none() {
        return Err(TeamError::NotEnrolled);
    }
    Ok((team, laptop))
}

/// The team, for a coordinator on the laptop that holds the team key:
/// the stored record must be signed by the key this session opens with
/// its coordinator key (a record edited in the database fails here).
pub(crate) fn coordinated_team(vault: &Coordinator<'_>) -> Result<(Team, SigningSeed), TeamError> {
    let team = stored_team(vault.read(), vault.coordinator_public())?.ok_or(TeamError::NoTeam)?;
    let row: Option<(String, Vec<u8>)> = vault
        .read()
        .query_row(
            "SELECT team_id, sealed FROM team_key WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (team_id, sealed) = row.ok_or(TeamError::NotTeamCoordinator)?;
    if team_id != team.id().to_string() {
        return Err(TeamError::NotTeamCoordinator);
    }
    let key = keys::open_team_key(vault, &team.id(), &sealed)?;
    if key.public() != team.key() {
        return Err(TeamError::Damaged {
            reason: "the stored team record is not signed by this laptop's team key",
        });
    }
    Ok((team, key))
}

/// The handles of this vault's users.
fn handles(vault: &Vault) -> Result<Vec<String>, TeamError> {
    Ok(vault.list_users()?.into_iter().map(|u| u.handle).collect())
}

/// Refuse if this laptop is in a team already.
fn refuse_if_in_team(conn: Reader<'_>) -> Result<(), TeamError> {
    match unpinned_team(conn)? {
        Some(team) => Err(TeamError::AlreadyInTeam {
            team: team.doc.name,
        }),
        None => Ok(()),
    }
}

/// Store `team` as the record this laptop trusts, its pin signed with the
/// coordinator key `tx` holds.
fn store_team(tx: &Write<'_>, team: &Team) -> Result<(), TeamError> {
    let key = tx.authority().key().ok_or(VaultError::NotCoordinator)?;
    store_record(tx, team)?;
    sign_pin(tx, key)?;
    Ok(())
}

/// Store `team`'s record as the one this laptop trusts, keeping the pinned
/// team id and key (and so their signature) of a laptop already in it.
fn store_record(tx: &Write<'_>, team: &Team) -> Result<(), TeamError> {
    let record = serde_json::to_string(&team.signed).map_err(|_| TeamError::Crypto)?;
    let revision = i64::try_from(team.doc.revision).map_err(|_| TeamError::InvalidTeamFile {
        reason: "its revision is too large",
    })?;
    tx.execute(
        "INSERT INTO team_membership (id, team_id, team_key, revision, record, joined_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, record = excluded.record",
        (
            team.doc.team_id.to_string(),
            &team.doc.team_key,
            revision,
            record,
            now_unix(),
        ),
    )?;
    Ok(())
}

/// Create a team with this laptop as its coordinator laptop (coordinators
/// only; audited). Makes the team key, sealed under the coordinator key,
/// and this laptop's own keys and bundle key pair if it has none.
pub fn create_team(vault: &Coordinator<'_>, name: &str) -> Result<TeamInfo, TeamError> {
    let name = check_name("name", name)?;
    refuse_if_in_team(vault.read())?;
    let recipient = crate::export::coordinator_key(vault).map_err(|err| match err {
        crate::export::ExportError::Vault(err) => TeamError::Vault(err),
        _ => TeamError::Damaged {
            reason: "the coordinator's bundle key could not be made",
        },
    })?;
    let handles = handles(vault)?;
    let team_id = random_id()?;
    let team_key = SigningSeed::generate(KeyRole::Team)?;
    let sealed = keys::seal_team_key(vault, &team_id, &team_key)?;
    let mut tx = vault.write()?;
    refuse_if_in_team(tx.read())?;
    let laptop = ensure_laptop(&tx)?;
    let doc = TeamDoc {
        schema: TEAM_SCHEMA.to_owned(),
        version: DOC_VERSION,
        team_id,
        name,
        revision: 1,
        team_key: team_key.public().to_hex(),
        coordinator_laptop: laptop.id,
        coordinator_recipient: recipient,
        members: vec![Member {
            laptop_id: laptop.id,
            name: "coordinator".to_owned(),
            signing_key: laptop.signing.public().to_hex(),
            recipient: laptop.recipient.clone(),
            handles,
            seq_start: next_seq(tx.read())?,
            revoked_after: None,
        }],
        shares: Vec::new(),
    };
    let team = Team::sign(doc, &team_key)?;
    tx.execute(
        "INSERT INTO team_key (id, team_id, sealed, public, created_at, created_by)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)",
        (
            team_id.to_string(),
            sealed,
            team_key.public().to_hex(),
            now_unix(),
            &vault.user().handle,
        ),
    )?;
    store_team(&tx, &team)?;
    tx.audit(
        "team.create",
        json!({ "team": team_id.to_string(), "laptop": laptop.id.to_string() }),
    );
    tx.commit()?;
    Ok(TeamInfo::of(&team, &laptop.id))
}

/// Write this laptop's enrolment request to `out`: its id, `name`, public
/// keys, its users' handles and its next sequence number, signed with its
/// own key (coordinators only; audited). Returns its fingerprint, which
/// the team's coordinator must see on their screen too.
pub fn request_enrolment(
    vault: &Coordinator<'_>,
    name: &str,
    out: &Path,
    force: bool,
) -> Result<LaptopInfo, TeamError> {
    let name = check_name("name", name)?;
    refuse_if_in_team(vault.read())?;
    let handles = handles(vault)?;
    let mut tx = vault.write()?;
    let laptop = ensure_laptop(&tx)?;
    let doc = EnrolmentRequest {
        schema: REQUEST_SCHEMA.to_owned(),
        version: DOC_VERSION,
        laptop_id: laptop.id,
        name,
        signing_key: laptop.signing.public().to_hex(),
        recipient: laptop.recipient.clone(),
        handles,
        next_seq: next_seq(tx.read())?,
    };
    let body = serde_json::to_string(&doc).map_err(|_| TeamError::Crypto)?;
    let signature = hex::encode(laptop.signing.sign(REQUEST_DOMAIN, body.as_bytes()));
    let mut bytes =
        serde_json::to_vec_pretty(&SignedDoc { body, signature }).map_err(|_| TeamError::Crypto)?;
    bytes.push(b'\n');
    write_output(out, &bytes, force)?;
    tx.audit(
        "team.request",
        json!({ "laptop": laptop.id.to_string(), "overwrote": force }),
    );
    tx.commit_after_file(out)?;
    Ok(LaptopInfo {
        laptop_id: laptop.id.to_string(),
        fingerprint: laptop.fingerprint(),
    })
}

/// Read and check an enrolment request: its own key signed it, and its
/// fields follow the rules.
pub fn read_request(bytes: &[u8]) -> Result<EnrolmentRequest, TeamError> {
    let invalid = |reason| TeamError::InvalidRequest { reason };
    if bytes.len() > MAX_FILE {
        return Err(invalid("it is larger than 1 MiB"));
    }
    let signed: SignedDoc =
        serde_json::from_slice(bytes).map_err(|_| invalid("it is not an enrolment request"))?;
    let doc: EnrolmentRequest = serde_json::from_str(&signed.body)
        .map_err(|_| invalid("it is not an enrolment request of this version"))?;
    if doc.schema != REQUEST_SCHEMA || doc.version != DOC_VERSION {
        return Err(invalid("it is not an enrolment request of this version"));
    }
    let key =
        PublicKey::from_hex(&doc.signing_key).ok_or(invalid("its signing key is not a key"))?;
    if keys::recipient(&doc.recipient).is_none() {
        return Err(invalid("its recipient is not an age X25519 key"));
    }
    let signature = hex::decode(&signed.signature).unwrap_or_default();
    if !key.verifies(
        KeyRole::Laptop,
        REQUEST_DOMAIN,
        signed.body.as_bytes(),
        &signature,
    ) {
        return Err(invalid("its signature does not verify (altered?)"));
    }
    check_name("name", &doc.name)?;
    if doc.handles.len() > MAX_HANDLES {
        return Err(invalid("it lists more handles than a laptop has users"));
    }
    for handle in &doc.handles {
        crate::vault::rules::check_handle(handle)
            .map_err(|_| invalid("one of its handles breaks the handle rules"))?;
    }
    if doc.next_seq == 0 {
        return Err(invalid("its sequence number is 0"));
    }
    Ok(doc)
}

/// Enrol the laptop of `request` (from [`read_request`]) into this
/// laptop's team: a new team record with it as a member, signed with the
/// team key, stored here and written to `out` for the new laptop
/// (coordinators of the coordinator laptop only; audited). Enrolling the
/// same laptop again with the same keys writes the team file again and
/// changes nothing.
pub fn invite(
    vault: &Coordinator<'_>,
    request: &EnrolmentRequest,
    out: &Path,
    force: bool,
) -> Result<Invited, TeamError> {
    let (team, key) = coordinated_team(vault)?;
    let mut tx = vault.write()?;
    let wanted = Member {
        laptop_id: request.laptop_id,
        name: request.name.clone(),
        signing_key: request.signing_key.clone(),
        recipient: request.recipient.clone(),
        handles: request.handles.clone(),
        seq_start: request.next_seq,
        revoked_after: None,
    };
    let (team, already) = match team.member(&request.laptop_id) {
        Some(m) if m.signing_key == wanted.signing_key && m.recipient == wanted.recipient => {
            (team.clone(), true)
        }
        Some(_) => {
            return Err(TeamError::InvalidRequest {
                reason: "a laptop with its id is enrolled with other keys (revoke it and enrol a new one)",
            });
        }
        None => {
            if team
                .doc
                .members
                .iter()
                .any(|m| m.signing_key == wanted.signing_key || m.recipient == wanted.recipient)
            {
                return Err(TeamError::InvalidRequest {
                    reason: "its keys are those of another member laptop",
                });
            }
            let mut doc = team.doc.clone();
            doc.revision += 1;
            doc.members.push(wanted);
            (Team::sign(doc, &key)?, false)
        }
    };
    let this = stored_laptop(tx.read())?.ok_or(TeamError::NotTeamCoordinator)?;
    if !already {
        store_team(&tx, &team)?;
    }
    write_output(out, &team.file_bytes()?, force)?;
    tx.audit(
        "team.invite",
        json!({
            "team": team.id().to_string(),
            "laptop": request.laptop_id.to_string(),
            "revision": team.doc.revision,
            "overwrote": force,
        }),
    );
    tx.commit_after_file(out)?;
    let info = TeamInfo::of(&team, &this.id);
    let laptop = info
        .members
        .iter()
        .find(|m| m.laptop_id == request.laptop_id.to_string())
        .cloned()
        .ok_or(TeamError::NotEnrolled)?;
    Ok(Invited {
        laptop,
        team: info,
        already_enrolled: already,
    })
}

/// Join the team of a team file written by [`invite`] for this laptop, or
/// take a newer revision of this laptop's team's record (coordinators
/// only; audited). The record must be signed by its team key, enrol this
/// laptop with its own keys, and — for a laptop already in a team — come
/// from the same team key with a higher revision. Compare the returned
/// fingerprint with the coordinator's screen.
pub fn enrol(vault: &Coordinator<'_>, team_file: &[u8]) -> Result<TeamInfo, TeamError> {
    if team_file.len() > MAX_FILE {
        return Err(TeamError::InvalidTeamFile {
            reason: "it is larger than 1 MiB",
        });
    }
    let signed: SignedDoc =
        serde_json::from_slice(team_file).map_err(|_| TeamError::InvalidTeamFile {
            reason: "it is not a team file",
        })?;
    let team = Team::verify(signed)?;
    let laptop = stored_laptop(vault.read())?.ok_or(TeamError::NotEnrolled)?;
    let member = team.member(&laptop.id).ok_or(TeamError::NotEnrolled)?;
    if member.signing_key != laptop.signing.public().to_hex()
        || member.recipient != laptop.recipient
    {
        return Err(TeamError::NotEnrolled);
    }
    let mut tx = vault.write()?;
    if let Some(current) = stored_team(tx.read(), vault.coordinator_public())? {
        if current.doc.team_key != team.doc.team_key || current.id() != team.id() {
            return Err(TeamError::AlreadyInTeam {
                team: current.doc.name,
            });
        }
        if team.doc.revision <= current.doc.revision {
            return Err(TeamError::InvalidTeamFile {
                reason: "it is not newer than the team record this laptop has",
            });
        }
    }
    store_team(&tx, &team)?;
    tx.audit(
        "team.enrol",
        json!({ "team": team.id().to_string(), "revision": team.doc.revision }),
    );
    tx.commit()?;
    Ok(TeamInfo::of(&team, &laptop.id))
}

/// Find a member laptop by its id or the first 8 or more characters of it.
fn find_member(team: &Team, id: &str) -> Result<Uuid, TeamError> {
    let id = id.trim().to_lowercase();
    if id.len() < 8 {
        return Err(TeamError::InvalidField {
            field: "laptop",
            reason: "give at least the first 8 characters of the laptop's id",
        });
    }
    let found: Vec<Uuid> = team
        .doc
        .members
        .iter()
        .map(|m| m.laptop_id)
        .filter(|m| m.to_string().starts_with(&id))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(TeamError::UnknownLaptop { id }),
        _ => Err(TeamError::AmbiguousLaptop { id }),
    }
}

/// Revoke a member laptop: nothing it signs with a sequence number above
/// `after` is accepted any more (coordinators of the coordinator laptop
/// only; audited). A later revocation of the same laptop can only lower
/// the cut-off.
pub fn revoke(vault: &Coordinator<'_>, laptop: &str, after: u64) -> Result<TeamInfo, TeamError> {
    let (team, key) = coordinated_team(vault)?;
    let id = find_member(&team, laptop)?;
    let mut tx = vault.write()?;
    let mut doc = team.doc.clone();
    doc.revision += 1;
    for member in &mut doc.members {
        if member.laptop_id == id {
            let cut = member.revoked_after.map_or(after, |old| old.min(after));
            member.revoked_after = Some(cut);
        }
    }
    let team = Team::sign(doc, &key)?;
    store_team(&tx, &team)?;
    let this = stored_laptop(tx.read())?.ok_or(TeamError::NotTeamCoordinator)?;
    tx.audit(
        "team.revoke",
        json!({ "team": team.id().to_string(), "laptop": id.to_string(), "after": after }),
    );
    tx.commit()?;
    Ok(TeamInfo::of(&team, &this.id))
}

/// The team this laptop belongs to, if any (anyone).
pub fn team_info(vault: &Vault) -> Result<Option<TeamInfo>, TeamError> {
    let Some(team) = stored_team(vault.read(), vault.coordinator_public())? else {
        return Ok(None);
    };
    let laptop = stored_laptop(vault.read())?.ok_or(TeamError::Damaged {
        reason: "this laptop is in a team but has no keys",
    })?;
    Ok(Some(TeamInfo::of(&team, &laptop.id)))
}

impl Team {
    /// The record's revision.
    pub(crate) fn revision(&self) -> u64 {
        self.doc.revision
    }

    /// Its member laptops.
    pub(crate) fn members(&self) -> &[Member] {
        &self.doc.members
    }

    /// The signed record as it travels in a `team_record` packet (the
    /// bytes of a team file).
    pub(crate) fn record_bytes(&self) -> Result<Vec<u8>, TeamError> {
        self.file_bytes()
    }
}

/// This laptop's age identity, which packets for it are encrypted to.
pub(crate) fn laptop_identity(conn: Reader<'_>) -> Result<age::x25519::Identity, TeamError> {
    let text: Zeroizing<String> = Zeroizing::new(conn.query_row(
        "SELECT age_identity FROM team_laptop WHERE id = 1",
        [],
        |r| r.get(0),
    )?);
    text.parse().map_err(|_| TeamError::Damaged {
        reason: "this laptop's age identity is malformed",
    })
}

/// What applying a travelling team record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordApplied {
    /// It was newer: stored.
    Stored,
    /// This laptop had that revision or a newer one: nothing changed.
    NotNewer,
}

/// Apply a team record that came in a `team_record` packet (already
/// checked as signed by the team key `current` pins): it must verify with
/// that same key, be of the same team, and list this laptop (`laptop`)
/// with its own keys; stored in `tx` if its revision is higher.
pub(crate) fn apply_record(
    tx: &Write<'_>,
    current: &Team,
    laptop: &LaptopKeys,
    payload: &[u8],
) -> Result<RecordApplied, TeamError> {
    let invalid = |reason| TeamError::InvalidTeamFile { reason };
    let signed: SignedDoc =
        serde_json::from_slice(payload).map_err(|_| invalid("it is not a team record"))?;
    let team = Team::verify(signed)?;
    if team.doc.team_key != current.doc.team_key || team.id() != current.id() {
        return Err(invalid("it is not signed by this laptop's team key"));
    }
    let member = team.member(&laptop.id).ok_or(TeamError::NotEnrolled)?;
    if member.signing_key != laptop.signing.public().to_hex()
        || member.recipient != laptop.recipient
    {
        return Err(TeamError::NotEnrolled);
    }
    if team.doc.revision <= current.doc.revision {
        return Ok(RecordApplied::NotNewer);
    }
    // Same team id and key (checked above): the pin and its signature
    // stand, so a volunteer's session may store it.
    store_record(tx, &team)?;
    Ok(RecordApplied::Stored)
}

/// Switch the sharing of coordinator updates of `kinds` on (or, with
/// `on` false, off): a new revision of the team record, signed with the
/// team key (coordinators of the coordinator laptop only; audited). A
/// change that changes nothing writes nothing.
pub fn share(
    vault: &Coordinator<'_>,
    kinds: &[UpdateKind],
    on: bool,
) -> Result<TeamInfo, TeamError> {
    let (team, key) = coordinated_team(vault)?;
    let mut doc = team.doc.clone();
    for &kind in kinds {
        doc.shares.retain(|k| *k != kind);
        if on {
            doc.shares.push(kind);
        }
    }
    doc.shares.sort_by_key(|k| k.as_str());
    let this = stored_laptop(vault.read())?.ok_or(TeamError::NotTeamCoordinator)?;
    if doc.shares == team.doc.shares {
        return Ok(TeamInfo::of(&team, &this.id));
    }
    doc.revision += 1;
    let mut tx = vault.write()?;
    let team = Team::sign(doc, &key)?;
    store_team(&tx, &team)?;
    tx.audit(
        "team.share",
        json!({
            "team": team.id().to_string(),
            "revision": team.doc.revision,
            "shares": team.doc.shares.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        }),
    );
    tx.commit()?;
    Ok(TeamInfo::of(&team, &this.id))
}
