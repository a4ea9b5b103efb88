//! Settings only coordinators may set and everyone must read, each kept as
//! a record signed with the coordinator key, or — on a member laptop of a
//! team whose coordinator shares the setting — with the TEAM key
//! (`signer` = `team`; the same body and domain, verified with the team
//! key this laptop pinned, itself signed with the local coordinator key:
//! `team::updates`).
//!
//! A record's body is the canonical JSON `{"v":1,"kind":"<kind>","value":…}`
//! (serde's fixed field order, no spaces), signed under the domain
//! `setting/<kind>`; it is written in the same [`Write`] as the change it
//! records, and only a write holding the coordinator key can write one.
//! Reading a setting for use verifies its record ([`read`]); an unsigned,
//! badly signed or unreadable record is refused, and the caller falls back
//! to what is safe for that setting (see `docs/SECURITY.md`, "Signed
//! settings"). [`sweep`] runs at every unlock: it compares each record with
//! the plain copy the rest of the app keeps (a row of `settings`, the
//! `legal_hold` column) and records each refusal once, with an audit entry;
//! every coordinator unlock reports the refusals that still stand.

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
use super::{Reader, VaultError, Write, now_unix};

/// Migration SQL: the signed records, and the refusals that stand (found
/// by the sweep at unlock, closed once the setting is signed again).
pub(crate) const SIGNED_SETTINGS_SQL: &str = "
    CREATE TABLE signed_settings (
        kind      TEXT PRIMARY KEY NOT NULL,
        body      TEXT NOT NULL,
        signature BLOB NOT NULL,
        signed_at INTEGER NOT NULL,
        signed_by TEXT NOT NULL
    ) STRICT;
    CREATE TABLE refused_settings (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        found_at    INTEGER NOT NULL
    ) STRICT;
    -- The held calls, read at every unlock (to compare with the signed
    -- set) without reading the calls themselves.
    CREATE INDEX calls_held ON calls (uid) WHERE legal_hold = 1;
";

/// Migration SQL: the kinds signed since a vault's coordinator key was made
/// (the areas, the active pack). In a vault that already has signed
/// records, each waits here, read from its plain copy, until the next
/// coordinator unlock signs it as it stands ([`sign_pending`]).
pub(crate) const SIGNED_PENDING_SQL: &str = "
    CREATE TABLE signed_settings_pending (kind TEXT PRIMARY KEY NOT NULL) STRICT;
    INSERT INTO signed_settings_pending (kind)
        SELECT kind FROM (SELECT 'areas' AS kind UNION ALL SELECT 'active_pack')
        WHERE EXISTS (SELECT 1 FROM signed_settings);
";

/// Version of the record body's encoding.
const BODY_VERSION: u32 = 1;

/// What only coordinators may set and everyone must read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    /// The retention period (days).
    Retention,
    /// The calls under legal hold.
    LegalHolds,
    /// The auto-lock idle time (minutes).
    AutoLock,
    /// The areas (names and whether each is offered).
    Areas,
    /// The active pack (id, version and source hash).
    ActivePack,
}

impl SettingKind {
    /// Every kind, in a fixed order.
    pub const ALL: &'static [SettingKind] = &[
        Self::Retention,
        Self::LegalHolds,
        Self::AutoLock,
        Self::Areas,
        Self::ActivePack,
    ];

    /// The kind's name in records and audit entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retention => "retention",
            Self::LegalHolds => "legal_holds",
            Self::AutoLock => "auto_lock",
            Self::Areas => "areas",
            Self::ActivePack => "active_pack",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// The signature domain of the kind's records.
    pub(crate) fn domain(self) -> &'static str {
        match self {
            Self::Retention => "setting/retention",
            Self::LegalHolds => "setting/legal_holds",
            Self::AutoLock => "setting/auto_lock",
            Self::Areas => "setting/areas",
            Self::ActivePack => "setting/active_pack",
        }
    }
}

/// Why a setting was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// There is no signed record (it was deleted).
    Unsigned,
    /// The record's signature does not verify with the coordinator key.
    BadSignature,
    /// The record is signed but cannot be read (a newer or broken body).
    Unreadable,
    /// The setting was changed without a coordinator's signature: the
    /// value in use is the signed one.
    ChangedWithoutSignature,
}

impl RefusalReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Unsigned => "unsigned",
            Self::BadSignature => "bad_signature",
            Self::Unreadable => "unreadable",
            Self::ChangedWithoutSignature => "changed_without_signature",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Unsigned,
            Self::BadSignature,
            Self::Unreadable,
            Self::ChangedWithoutSignature,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// A setting found refused, as reported to a coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedSetting {
    /// Which setting.
    pub kind: SettingKind,
    /// Why it was refused.
    pub reason: RefusalReason,
    /// When it was first found, in seconds since 1970.
    pub found_at_unix: i64,
}

/// A setting as read for use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signed<T> {
    /// Signed by the coordinator key.
    Valid(T),
    /// The vault has no coordinator key yet (made before it, and no
    /// coordinator unlocked since): nothing can be checked.
    Unprotected,
    /// Refused: the caller falls back to what is safe.
    Refused(RefusalReason),
}

#[derive(Serialize, Deserialize)]
struct Body<T> {
    v: u32,
    kind: String,
    value: T,
}

/// The record of `kind`, verified against `public`.
pub(crate) fn read<T: DeserializeOwned>(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
    kind: SettingKind,
) -> Result<Signed<T>, VaultError> {
    let Some(public) = public else {
        return Ok(Signed::Unprotected);
    };
    let row: Option<(String, Vec<u8>, String)> = conn
        .prepare_cached("SELECT body, signature, signer FROM signed_settings WHERE kind = ?1")?
        .query_row([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((body, signature, signer)) = row else {
        if is_pending(conn, kind)? {
            return Ok(Signed::Unprotected);
        }
        return Ok(Signed::Refused(RefusalReason::Unsigned));
    };
    let verified = match Signer::parse(&signer) {
        Some(Signer::Coordinator) => Signature::from_bytes(&signature)
            .is_some_and(|sig| public.verify(kind.domain(), body.as_bytes(), &sig).is_ok()),
        Some(Signer::Team) => crate::team::pinned_team_key(conn, Some(public))?
            .is_some_and(|key| crate::team::verifies_setting(&key, kind, &body, &signature)),
        None => false,
    };
    if !verified {
        return Ok(Signed::Refused(RefusalReason::BadSignature));
    }
    match serde_json::from_str::<Body<T>>(&body) {
        Ok(b) if b.v == BODY_VERSION && b.kind == kind.as_str() => Ok(Signed::Valid(b.value)),
        _ => Ok(Signed::Refused(RefusalReason::Unreadable)),
    }
}

/// Who signed a setting's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signer {
    /// This vault's coordinator key.
    Coordinator,
    /// The team key (a setting the team's coordinator shares).
    Team,
}

impl Signer {
    fn as_str(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::Team => "team",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Coordinator, Self::Team]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Who signed the record of `kind`, if there is one.
pub(crate) fn signer_of(conn: Reader<'_>, kind: SettingKind) -> Result<Option<Signer>, VaultError> {
    let signer: Option<String> = conn
        .prepare_cached("SELECT signer FROM signed_settings WHERE kind = ?1")?
        .query_row([kind.as_str()], |r| r.get(0))
        .optional()?;
    Ok(signer.as_deref().and_then(Signer::parse))
}

/// The canonical body of `kind`'s record holding `value` (what the
/// coordinator key or the team key signs, under [`SettingKind::domain`]).
pub(crate) fn body_of<T: Serialize>(kind: SettingKind, value: &T) -> Result<String, VaultError> {
    serde_json::to_string(&Body {
        v: BODY_VERSION,
        kind: kind.as_str().to_owned(),
        value,
    })
    .map_err(|_| VaultError::Crypto)
}

/// The value of a record body of `kind`; `None` if it is not one.
pub(crate) fn value_of<T: DeserializeOwned>(kind: SettingKind, body: &str) -> Option<T> {
    match serde_json::from_str::<Body<T>>(body) {
        Ok(b) if b.v == BODY_VERSION && b.kind == kind.as_str() => Some(b.value),
        _ => None,
    }
}

/// Store a record of `kind` the team key signed (`body`, checked by the
/// caller), in the write that applies the team's update.
pub(crate) fn write_team(
    tx: &Write<'_>,
    kind: SettingKind,
    body: &str,
    signature: &[u8],
) -> Result<(), VaultError> {
    tx.prepare_cached(
        "INSERT INTO signed_settings (kind, body, signature, signed_at, signed_by, signer)
         VALUES (?1, ?2, ?3, ?4, 'team', 'team')
         ON CONFLICT (kind) DO UPDATE SET body = excluded.body,
             signature = excluded.signature, signed_at = excluded.signed_at,
             signed_by = excluded.signed_by, signer = excluded.signer",
    )?
    .execute((kind.as_str(), body, signature, now_unix()))?;
    tx.execute(
        "DELETE FROM signed_settings_pending WHERE kind = ?1",
        [kind.as_str()],
    )?;
    Ok(())
}

/// Whether `kind` waits for its first signature (see [`SIGNED_PENDING_SQL`]).
fn is_pending(conn: Reader<'_>, kind: SettingKind) -> Result<bool, VaultError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM signed_settings_pending WHERE kind = ?1")?
        .query_row([kind.as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Sign `value` as the record of `kind`, in `tx` (which must hold the
/// coordinator key: [`VaultError::NotCoordinator`] otherwise). A coordinator's
/// change of a setting its team manages on this member laptop is refused
/// ([`VaultError::ManagedByTeam`]).
pub(crate) fn write<T: Serialize>(
    tx: &Write<'_>,
    kind: SettingKind,
    value: &T,
) -> Result<(), VaultError> {
    let key = tx.authority().key().ok_or(VaultError::NotCoordinator)?;
    if let Some(update) = crate::team::UpdateKind::of_setting(kind) {
        crate::team::refuse_if_managed(tx.read(), update)?;
    }
    write_with(tx, key, tx.actor(), kind, value)
}

/// Sign `value` as the record of `kind` with `key`, on `conn` (inside the
/// caller's transaction), as `actor`.
pub(crate) fn write_with<T: Serialize>(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
    kind: SettingKind,
    value: &T,
) -> Result<(), VaultError> {
    let body = body_of(kind, value)?;
    let signature = key.sign(kind.domain(), body.as_bytes());
    conn.prepare_cached(
        "INSERT INTO signed_settings (kind, body, signature, signed_at, signed_by, signer)
         VALUES (?1, ?2, ?3, ?4, ?5, 'coordinator')
         ON CONFLICT (kind) DO UPDATE SET body = excluded.body,
             signature = excluded.signature, signed_at = excluded.signed_at,
             signed_by = excluded.signed_by, signer = excluded.signer",
    )?
    .execute((
        kind.as_str(),
        &body,
        &signature.to_bytes()[..],
        now_unix(),
        actor,
    ))?;
    Ok(())
}

/// Every record the coordinator key signed as (its signature domain,
/// [(rowid, body, signature)]), for signing them again with a new
/// coordinator key (the team's records are the team key's).
pub(crate) type SignedRows = Vec<(&'static str, Vec<super::rotation::SignedRow>)>;

/// The records of [`SignedRows`], by kind.
pub(crate) fn signed_rows(conn: &Connection) -> Result<SignedRows, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT rowid, kind, body, signature FROM signed_settings WHERE signer = 'coordinator'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    let mut out: SignedRows = Vec::new();
    for row in rows {
        let (rowid, kind, body, signature) = row?;
        let Some(kind) = SettingKind::parse(&kind) else {
            continue;
        };
        let entry = (rowid, body.into_bytes(), signature);
        match out.iter_mut().find(|(domain, _)| *domain == kind.domain()) {
            Some((_, list)) => list.push(entry),
            None => out.push((kind.domain(), vec![entry])),
        }
    }
    Ok(out)
}

/// Sign every signed setting as it stands now (when the coordinator key is
/// created: a new vault, or an older one at its first coordinator unlock).
pub(crate) fn sign_all_current(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    crate::calls::retention::sign_current(conn, key, actor)?;
    super::settings::sign_current(conn, key, actor)?;
    for &kind in PENDING_KINDS {
        sign_current(conn, key, actor, kind)?;
    }
    Ok(())
}

/// The kinds a vault made before them signs at its next coordinator unlock.
const PENDING_KINDS: &[SettingKind] = &[SettingKind::Areas, SettingKind::ActivePack];

/// Sign the setting `kind` (one of [`PENDING_KINDS`]) as it stands.
fn sign_current(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
    kind: SettingKind,
) -> Result<(), VaultError> {
    match kind {
        SettingKind::Areas => crate::calls::areas::sign_current(conn, key, actor),
        SettingKind::ActivePack => crate::guidance::sign_current_pack(conn, key, actor),
        SettingKind::Retention | SettingKind::LegalHolds | SettingKind::AutoLock => Ok(()),
    }
}

/// At a coordinator's unlock: sign each kind still waiting for its first
/// signature as it stands (audited as `settings.signed_as_found`, with the
/// kinds), and stop waiting. A kind that has a record meanwhile keeps it.
pub(crate) fn sign_pending(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    let pending: Vec<SettingKind> = conn
        .prepare("SELECT kind FROM signed_settings_pending ORDER BY kind")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .filter_map(|k| SettingKind::parse(k))
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let mut tx = Write::begin(conn, actor)?;
    let mut signed = Vec::new();
    for kind in pending {
        let has_record = tx
            .prepare_cached("SELECT 1 FROM signed_settings WHERE kind = ?1")?
            .query_row([kind.as_str()], |_| Ok(()))
            .optional()?
            .is_some();
        if !has_record {
            sign_current(&tx, key, actor, kind)?;
            signed.push(kind.as_str());
        }
    }
    tx.execute("DELETE FROM signed_settings_pending", [])?;
    if !signed.is_empty() {
        tx.audit("settings.signed_as_found", json!({ "settings": signed }));
    }
    tx.commit()
}

/// Every signed setting's refusals now (for the sweep at unlock).
pub(crate) fn refusals_now(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<(SettingKind, RefusalReason)>, VaultError> {
    let mut found = crate::calls::retention::refusals(conn, public)?;
    found.extend(super::settings::refusals(conn, public)?);
    found.extend(crate::calls::areas::refusals(conn, public)?);
    found.extend(crate::guidance::pack_refusals(conn, public)?);
    Ok(found)
}

/// Make the open refusals those `found` now: each new one is recorded with
/// an audit entry `settings.refused`; one no longer found (a coordinator set
/// the setting again) is closed. Writes only when something changed.
pub(crate) fn record_refusals(
    conn: &Connection,
    actor: &str,
    found: &[(SettingKind, RefusalReason)],
) -> Result<(), VaultError> {
    let open = open_refusals(conn)?;
    let is_open =
        |k: SettingKind, r: RefusalReason| open.iter().any(|o| o.kind == k && o.reason == r);
    for &(kind, reason) in found.iter().filter(|(k, r)| !is_open(*k, *r)) {
        let mut tx = Write::begin(conn, actor)?;
        tx.execute(
            "INSERT INTO refused_settings (kind, reason, found_at) VALUES (?1, ?2, ?3)",
            (kind.as_str(), reason.as_str(), now_unix()),
        )?;
        tx.audit(
            "settings.refused",
            json!({ "setting": kind.as_str(), "reason": reason.as_str() }),
        );
        tx.commit()?;
    }
    let closed = open
        .iter()
        .filter(|o| !found.contains(&(o.kind, o.reason)))
        .count();
    if closed > 0 || open.len() != open_rows(conn)? {
        let tx = Write::begin(conn, actor)?;
        let mut delete =
            tx.prepare("DELETE FROM refused_settings WHERE kind = ?1 AND reason = ?2")?;
        for o in open.iter().filter(|o| !found.contains(&(o.kind, o.reason))) {
            delete.execute((o.kind.as_str(), o.reason.as_str()))?;
        }
        drop(delete);
        tx.commit()?;
    }
    Ok(())
}

fn open_rows(conn: &Connection) -> Result<usize, VaultError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM refused_settings", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The settings refused now, each as first found, oldest first.
pub(crate) fn open_refusals(conn: &Connection) -> Result<Vec<RefusedSetting>, VaultError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, reason, min(found_at) FROM refused_settings
         GROUP BY kind, reason ORDER BY min(id)",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, reason, found_at_unix) = row?;
        // A row the app did not write (no such kind or reason) is ignored:
        // the sweep finds the real state of every setting itself.
        if let (Some(kind), Some(reason)) =
            (SettingKind::parse(&kind), RefusalReason::parse(&reason))
        {
            out.push(RefusedSetting {
                kind,
                reason,
                found_at_unix,
            });
        }
    }
    Ok(out)
}
