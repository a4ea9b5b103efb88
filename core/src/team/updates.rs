//! Coordinator updates: what the team's coordinator laptop sends every
//! member laptop, and how a member laptop applies it.
//!
//! One packet of kind [`PacketKind::CoordinatorUpdate`] carries one
//! update kind ([`UpdateKind`]) as a full SNAPSHOT with a version, counted
//! per kind on the coordinator laptop (a new version only when the
//! snapshot changed). The payload is canonical JSON (serde's field order,
//! no spaces), schema `hotline-desk/coordinator-update`, version 1:
//!
//! - `pack`: the active pack's record (id, version, source hash), signed
//!   with the team key, and its source document as imported;
//! - `areas`, `retention`, `auto_lock`: the setting's record body, signed
//!   with the team key under the same domain as a coordinator's
//!   (`setting/<kind>`);
//! - `referrals`: the whole directory as a directory file.
//!
//! A member laptop applies an update only if the team record it holds
//! shares its kind, its pin (the team key, signed with this vault's
//! coordinator key) verifies, and its version is above the one applied;
//! everything it changes, the record stored as TEAM-signed, and the
//! version are one write with its audit entry. From then on the setting is
//! managed by the team on that laptop: its own coordinator's change is
//! refused ([`refuse_if_managed`]).
//!
//! [`PacketKind::CoordinatorUpdate`]: super::PacketKind::CoordinatorUpdate

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::TeamError;
use super::enrol::{Member, Team, coordinated_team, pinned_team_key, unpinned_team};
use super::keys::{KeyRole, PublicKey, SigningSeed};
use crate::vault::signed::{self, SettingKind, Signed};
use crate::vault::{Coordinator, Reader, VaultError, Write, now_unix};

/// Migration SQL: who signed a setting's record, the signed pin and the
/// memberships waiting for it, the versions of the snapshots the
/// coordinator laptop sends, and the versions a member laptop applied.
pub(crate) const UPDATES_SQL: &str = "
    ALTER TABLE signed_settings ADD COLUMN signer TEXT NOT NULL DEFAULT 'coordinator'
        CHECK (signer IN ('coordinator', 'team'));
    ALTER TABLE team_membership ADD COLUMN pin_signature BLOB;
    CREATE TABLE team_pin_pending (id INTEGER PRIMARY KEY CHECK (id = 1)) STRICT;
    INSERT INTO team_pin_pending (id) SELECT 1 FROM team_membership;
    CREATE TABLE team_update_versions (
        kind    TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        digest  TEXT NOT NULL
    ) STRICT;
    CREATE TABLE team_updates_applied (
        kind       TEXT PRIMARY KEY NOT NULL,
        version    INTEGER NOT NULL CHECK (version >= 1),
        applied_at INTEGER NOT NULL
    ) STRICT;
";

/// Schema id of an update's payload.
const UPDATE_SCHEMA: &str = "hotline-desk/coordinator-update";
/// Version of the payload this build writes and reads.
const UPDATE_VERSION: u32 = 1;

/// What a coordinator update carries. Which kinds travel is the
/// coordinator's switch, in the team record (`hotline team share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateKind {
    /// The active pack and its source.
    Pack,
    /// The areas and whether each is offered.
    Areas,
    /// The referral directory.
    Referrals,
    /// The retention period.
    Retention,
    /// The auto-lock idle time.
    AutoLock,
    /// Case handoff: not a snapshot of the coordinator's, but the switch
    /// that lets the laptops hand their open cases to one another
    /// (`calls::handoff`, carried by the team folder as case documents).
    Cases,
}

impl UpdateKind {
    /// Every kind, in a fixed order.
    pub const ALL: &'static [UpdateKind] = &[
        Self::Pack,
        Self::Areas,
        Self::Referrals,
        Self::Retention,
        Self::AutoLock,
        Self::Cases,
    ];

    /// The kind as it travels and as the command line names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pack => "pack",
            Self::Areas => "areas",
            Self::Referrals => "referrals",
            Self::Retention => "retention",
            Self::AutoLock => "auto_lock",
            Self::Cases => "cases",
        }
    }

    /// Whether the coordinator sends this kind as a snapshot (all but
    /// [`Self::Cases`], which is only a switch).
    pub fn is_snapshot(self) -> bool {
        self != Self::Cases
    }

    /// The kind named `text`, if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// The signed setting this kind carries (none for the referrals).
    fn setting(self) -> Option<SettingKind> {
        match self {
            Self::Pack => Some(SettingKind::ActivePack),
            Self::Areas => Some(SettingKind::Areas),
            Self::Retention => Some(SettingKind::Retention),
            Self::AutoLock => Some(SettingKind::AutoLock),
            Self::Referrals | Self::Cases => None,
        }
    }

    /// The kind that carries the signed setting `kind` (none for the legal
    /// holds, which travel with cases).
    pub(crate) fn of_setting(kind: SettingKind) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.setting() == Some(kind))
    }
}

/// A setting's record as it travels: its canonical body and the team
/// key's signature (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingRecord {
    body: String,
    signature: String,
}

/// A pack's source document as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackSource {
    file_name: String,
    source: String,
}

/// The payload of a coordinator update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateDoc {
    schema: String,
    version: u32,
    kind: UpdateKind,
    /// The snapshot's version, per kind, on the coordinator laptop.
    snapshot: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    setting: Option<SettingRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pack: Option<PackSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referrals: Option<String>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The update's kind.
    pub(crate) kind: UpdateKind,
    /// Its snapshot's version.
    pub(crate) version: u64,
}

/// Whether `signature` is the team key's over `body`, a record of `kind`.
pub(crate) fn verifies_setting(
    key: &PublicKey,
    kind: SettingKind,
    body: &str,
    signature: &[u8],
) -> bool {
    key.verifies(KeyRole::Team, kind.domain(), body.as_bytes(), signature)
}

/// Refuse a coordinator's change of the setting of `kind` on a member
/// laptop whose team shares it ([`VaultError::ManagedByTeam`]); the
/// coordinator laptop's own changes are what it sends.
pub(crate) fn refuse_if_managed(conn: Reader<'_>, kind: UpdateKind) -> Result<(), VaultError> {
    let team = unpinned_team(conn).map_err(|_| VaultError::DamagedDatabase {
        detail: "the stored team record does not verify".to_owned(),
    })?;
    let Some(team) = team else {
        return Ok(());
    };
    let this: Option<String> = conn
        .query_row("SELECT laptop_id FROM team_laptop WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let coordinator_laptop = this.is_some_and(|id| id == team.coordinator_laptop().to_string());
    if team.shares(kind) && !coordinator_laptop {
        return Err(VaultError::ManagedByTeam {
            setting: kind.as_str(),
        });
    }
    Ok(())
}

/// The current snapshot of `kind` on the coordinator laptop, as the
/// payload's parts (with version 0).
fn snapshot(
    vault: &Coordinator<'_>,
    key: &SigningSeed,
    kind: UpdateKind,
) -> Result<UpdateDoc, TeamError> {
    let mut doc = UpdateDoc {
        schema: UPDATE_SCHEMA.to_owned(),
        version: UPDATE_VERSION,
        kind,
        snapshot: 0,
        setting: None,
        pack: None,
        referrals: None,
    };
    let conn = vault.read();
    let public = vault.coordinator_public();
    let refused = TeamError::UpdateInvalid {
        reason: "this laptop's own setting is refused (see the unlock notice); set it again first",
    };
    match kind {
        UpdateKind::Cases => return Err(not_a_snapshot()),
        UpdateKind::Referrals => {
            let entries = crate::referrals::list(vault).map_err(Box::new)?;
            doc.referrals = Some(crate::referrals::file_text(entries));
        }
        UpdateKind::Retention | UpdateKind::AutoLock => {
            let setting = kind.setting().ok_or(TeamError::Crypto)?;
            let Signed::Valid(value) = signed::read::<u32>(conn, public, setting)? else {
                return Err(refused);
            };
            doc.setting = Some(record(key, setting, &value)?);
        }
        UpdateKind::Areas => {
            let Signed::Valid(list) =
                signed::read::<Vec<(String, bool)>>(conn, public, SettingKind::Areas)?
            else {
                return Err(refused);
            };
            doc.setting = Some(record(key, SettingKind::Areas, &list)?);
        }
        UpdateKind::Pack => {
            let Signed::Valid(pack) =
                signed::read::<crate::guidance::SignedPack>(conn, public, SettingKind::ActivePack)?
            else {
                return Err(refused);
            };
            if pack.source_sha256.is_some() {
                let (source, file_name) = crate::guidance::pack_source(conn, &pack.id)?.ok_or(
                    TeamError::UpdateInvalid {
                        reason: "the active pack is not stored on this laptop",
                    },
                )?;
                doc.pack = Some(PackSource { file_name, source });
            }
            doc.setting = Some(record(key, SettingKind::ActivePack, &pack)?);
        }
    }
    Ok(doc)
}

/// `value` as the record of `setting`, signed with the team key.
fn record<T: Serialize>(
    key: &SigningSeed,
    setting: SettingKind,
    value: &T,
) -> Result<SettingRecord, TeamError> {
    let body = signed::body_of(setting, value)?;
    let signature = hex::encode(key.sign(setting.domain(), body.as_bytes()));
    Ok(SettingRecord { body, signature })
}

/// The version of `kind`'s snapshot `doc` (its version field 0): the
/// stored one while the snapshot is unchanged, the next one (stored, and
/// audited) once it changed.
fn version_of(vault: &Coordinator<'_>, doc: &UpdateDoc) -> Result<u64, TeamError> {
    let bytes = serde_json::to_vec(doc).map_err(|_| TeamError::Crypto)?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let kind = doc.kind.as_str();
    let stored: Option<(i64, String)> = vault
        .read()
        .query_row(
            "SELECT version, digest FROM team_update_versions WHERE kind = ?1",
            [kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let damaged = || TeamError::Damaged {
        reason: "an update's version is out of range",
    };
    match stored {
        Some((version, old)) if old == digest => u64::try_from(version).map_err(|_| damaged()),
        stored => {
            let next = stored.map_or(1, |(v, _)| v + 1);
            let mut tx = vault.write()?;
            tx.execute(
                "INSERT INTO team_update_versions (kind, version, digest) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind) DO UPDATE SET version = excluded.version,
                     digest = excluded.digest",
                (kind, next, &digest),
            )?;
            tx.audit(
                "team.update_snapshot",
                json!({ "kind": kind, "version": next }),
            );
            tx.commit()?;
            u64::try_from(next).map_err(|_| damaged())
        }
    }
}

/// The snapshots `recipient` has not had yet (the last version sent to it
/// of each kind is `sent(kind)`, 0 for none): each kind the team shares
/// whose version is newer, as (kind, version, payload). Coordinators of
/// the coordinator laptop only; nothing for the coordinator laptop itself
/// or a revoked laptop.
/// The team folder's producer (`sync`) calls it for each member.
pub(crate) fn outgoing(
    vault: &Coordinator<'_>,
    recipient: &Member,
    sent: &dyn Fn(UpdateKind) -> u64,
) -> Result<Vec<(UpdateKind, u64, Vec<u8>)>, TeamError> {
    let (team, key) = coordinated_team(vault)?;
    if recipient.laptop_id == team.coordinator_laptop() || recipient.revoked_after.is_some() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for &kind in UpdateKind::ALL
        .iter()
        .filter(|k| k.is_snapshot() && team.shares(**k))
    {
        let mut doc = snapshot(vault, &key, kind)?;
        let version = version_of(vault, &doc)?;
        if version > sent(kind) {
            doc.snapshot = version;
            let payload = serde_json::to_vec(&doc).map_err(|_| TeamError::Crypto)?;
            out.push((kind, version, payload));
        }
    }
    Ok(out)
}

/// Read a payload: a newer schema version or an unknown kind waits
/// ("update this laptop"); anything else malformed is refused.
fn parse(payload: &[u8]) -> Result<UpdateDoc, TeamError> {
    let invalid = TeamError::UpdateInvalid {
        reason: "it is not a coordinator update",
    };
    let value: serde_json::Value = serde_json::from_slice(payload).map_err(|_| invalid)?;
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    let kind = value.get("kind").and_then(serde_json::Value::as_str);
    if value.get("schema").and_then(serde_json::Value::as_str) != Some(UPDATE_SCHEMA) {
        return Err(TeamError::UpdateInvalid {
            reason: "it is not a coordinator update",
        });
    }
    let newer = |found: String| TeamError::Packet(super::PacketError::NewerFormat { found });
    match (version, kind) {
        (Some(v), _) if v > u64::from(UPDATE_VERSION) => {
            return Err(newer(format!("update version {v}")));
        }
        (Some(_), Some(k)) if UpdateKind::parse(k).is_none() => {
            return Err(newer(format!(
                "update kind {}",
                k.chars().take(40).collect::<String>()
            )));
        }
        _ => {}
    }
    let doc: UpdateDoc = serde_json::from_value(value).map_err(|_| TeamError::UpdateInvalid {
        reason: "it is not a coordinator update",
    })?;
    if doc.version != UPDATE_VERSION || doc.snapshot == 0 {
        return Err(TeamError::UpdateInvalid {
            reason: "it is not a coordinator update",
        });
    }
    Ok(doc)
}

/// The version of `kind` applied here (0 for none).
fn applied_version(conn: Reader<'_>, kind: UpdateKind) -> Result<u64, TeamError> {
    let v: Option<i64> = conn
        .query_row(
            "SELECT version FROM team_updates_applied WHERE kind = ?1",
            [kind.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    u64::try_from(v.unwrap_or(0)).map_err(|_| TeamError::Damaged {
        reason: "an update's version is out of range",
    })
}

/// A setting's record from `doc`, its team signature checked: the body,
/// the signature and the value.
fn checked_record<T: serde::de::DeserializeOwned>(
    doc: &UpdateDoc,
    team: &Team,
    setting: SettingKind,
) -> Result<(String, Vec<u8>, T), TeamError> {
    let bad = TeamError::UpdateInvalid {
        reason: "its setting is not signed with the team key",
    };
    let record = doc.setting.as_ref().ok_or(TeamError::UpdateInvalid {
        reason: "it carries no setting",
    })?;
    let signature = hex::decode(&record.signature).map_err(|_| TeamError::UpdateInvalid {
        reason: "its setting is not signed with the team key",
    })?;
    if !verifies_setting(&team.key(), setting, &record.body, &signature) {
        return Err(bad);
    }
    let value = signed::value_of(setting, &record.body).ok_or(TeamError::UpdateInvalid {
        reason: "its setting cannot be read",
    })?;
    Ok((record.body.clone(), signature, value))
}

/// Apply a coordinator update (the payload of a checked
/// [`PacketKind::CoordinatorUpdate`](super::PacketKind::CoordinatorUpdate)
/// packet of `team`) in `tx`, with its audit entry. Refused, changing
/// nothing: a kind the team record does not share, a snapshot not newer
/// than the one applied, a pin not signed by this vault's coordinator key,
/// a setting not signed with the team key, a pack that fails the checks.
/// The team folder (`sync`) calls it for each `coordinator_update` packet.
pub(crate) fn apply(tx: &mut Write<'_>, team: &Team, payload: &[u8]) -> Result<Applied, TeamError> {
    let doc = parse(payload)?;
    let kind = doc.kind;
    if !team.shares(kind) {
        return Err(TeamError::UpdateNotShared {
            kind: kind.as_str(),
        });
    }
    match pinned_team_key(tx.read(), tx.authority().public())? {
        Some(key) if key == team.key() => {}
        Some(_) => {
            return Err(TeamError::Damaged {
                reason: "the team key this laptop trusts is not the team record's",
            });
        }
        None => return Err(TeamError::PinPending),
    }
    let have = applied_version(tx.read(), kind)?;
    if doc.snapshot <= have {
        return Err(TeamError::UpdateStale {
            kind: kind.as_str(),
            version: doc.snapshot,
            have,
        });
    }
    apply_kind(tx, team, &doc)?;
    let version = i64::try_from(doc.snapshot).map_err(|_| TeamError::UpdateInvalid {
        reason: "its version is out of range",
    })?;
    tx.execute(
        "INSERT INTO team_updates_applied (kind, version, applied_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind) DO UPDATE SET version = excluded.version,
             applied_at = excluded.applied_at",
        (kind.as_str(), version, now_unix()),
    )?;
    tx.audit(
        "team.update_apply",
        json!({ "kind": kind.as_str(), "version": doc.snapshot }),
    );
    Ok(Applied {
        kind,
        version: doc.snapshot,
    })
}

/// The refusal of a coordinator update of kind `cases` (only a switch).
fn not_a_snapshot() -> TeamError {
    TeamError::UpdateInvalid {
        reason: "case handoff is a switch of the team record, not a coordinator update",
    }
}

/// Change what `doc`'s kind holds to its snapshot, in `tx`.
fn apply_kind(tx: &Write<'_>, team: &Team, doc: &UpdateDoc) -> Result<(), TeamError> {
    let out_of_range = |reason| TeamError::UpdateInvalid { reason };
    match doc.kind {
        UpdateKind::Cases => return Err(not_a_snapshot()),
        UpdateKind::Referrals => {
            let text = doc.referrals.as_deref().ok_or(TeamError::UpdateInvalid {
                reason: "it carries no referral directory",
            })?;
            crate::referrals::replace_directory(tx, text, tx.actor()).map_err(Box::new)?;
        }
        UpdateKind::Retention => {
            let (body, signature, days) = checked_record::<u32>(doc, team, SettingKind::Retention)?;
            if !(crate::calls::MIN_RETENTION_DAYS..=crate::calls::MAX_RETENTION_DAYS)
                .contains(&days)
            {
                return Err(out_of_range("its retention is not 7 to 365 days"));
            }
            crate::calls::retention::store_plain(tx, days)?;
            signed::write_team(tx, SettingKind::Retention, &body, &signature)?;
        }
        UpdateKind::AutoLock => {
            let (body, signature, minutes) =
                checked_record::<u32>(doc, team, SettingKind::AutoLock)?;
            if !(crate::vault::AUTO_LOCK_MIN_MINUTES..=crate::vault::AUTO_LOCK_MAX_MINUTES)
                .contains(&minutes)
            {
                return Err(out_of_range("its auto-lock is not 1 to 60 minutes"));
            }
            crate::vault::settings::store_plain(tx, minutes)?;
            signed::write_team(tx, SettingKind::AutoLock, &body, &signature)?;
        }
        UpdateKind::Areas => {
            let (body, signature, list) =
                checked_record::<Vec<(String, bool)>>(doc, team, SettingKind::Areas)?;
            crate::calls::areas::store_team_list(tx, &list).map_err(|err| match err {
                crate::calls::CallError::Vault(err) => TeamError::Vault(err),
                _ => TeamError::UpdateInvalid {
                    reason: "one of its area names breaks the area rules",
                },
            })?;
            signed::write_team(tx, SettingKind::Areas, &body, &signature)?;
        }
        UpdateKind::Pack => {
            let (body, signature, record) =
                checked_record::<crate::guidance::SignedPack>(doc, team, SettingKind::ActivePack)?;
            crate::guidance::store_team_pack(
                tx,
                &record,
                doc.pack
                    .as_ref()
                    .map(|p| (p.source.as_str(), p.file_name.as_str())),
            )
            .map_err(Box::new)?;
            signed::write_team(tx, SettingKind::ActivePack, &body, &signature)?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "updates_tests.rs"]
mod tests;
