//! Three laptops on real vaults: the coordinator laptop's updates sealed
//! for each member with `packet::seal`, opened with `packet::open` and
//! applied, and every refusal changing nothing.

use std::str::FromStr;

use tempfile::TempDir;
use uuid::Uuid;

use super::super::enrol::{coordinated_team, stored_laptop, stored_team};
use super::super::packet::{self, Outgoing, PacketError, PacketKind, Stream};
use super::super::testing::join;
use super::super::{TeamError, create_team, keys, share};
use super::*;
use crate::calls::{self, CallError};
use crate::errors::{Coded, ErrorCode};
use crate::guidance;
use crate::referrals::{self, Referral};
use crate::vault::signed::{RefusalReason, Signed};
use crate::vault::{Passphrase, Role, Vault};

const PASS: &str = "maple kettle harbor 42";
const VOLUNTEER: &str = "vol-9";
/// The test pack (id `lakeside-test`, version 2.1.0).
const PACK: &str = include_str!("../../tests/fixtures/lakeside-pack.toml");

/// A laptop: its folder and its vault, its coordinator signed in.
struct Laptop {
    dir: TempDir,
    vault: Vault,
    coordinator: &'static str,
}

impl Laptop {
    fn new(handle: &'static str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path(), handle, &Passphrase::from(PASS)).unwrap();
        vault
            .coordinator()
            .unwrap()
            .add_user(VOLUNTEER, Role::Volunteer, &Passphrase::from(PASS))
            .unwrap();
        Self {
            dir,
            vault,
            coordinator: handle,
        }
    }

    fn id(&self) -> Uuid {
        stored_laptop(self.vault.read()).unwrap().unwrap().id
    }

    /// Lock, and unlock as `handle`.
    fn relock(self, handle: &str) -> Self {
        let Self {
            dir,
            vault,
            coordinator,
        } = self;
        vault.lock().unwrap();
        let vault = Vault::unlock(dir.path(), handle, &Passphrase::from(PASS)).unwrap();
        Self {
            dir,
            vault,
            coordinator,
        }
    }

    /// Lock, and unlock as this laptop's coordinator.
    fn relock_coordinator(self) -> Self {
        let handle = self.coordinator;
        self.relock(handle)
    }
}

/// The coordinator laptop and two members, B and C.
fn team3() -> (Laptop, Laptop, Laptop) {
    let coordinator = Laptop::new("river-7");
    create_team(&coordinator.vault.coordinator().unwrap(), "Dane hotline").unwrap();
    let b = Laptop::new("bo-2");
    let c = Laptop::new("cy-3");
    for (laptop, name) in [(&b, "laptop b"), (&c, "laptop c")] {
        join(
            &coordinator.vault,
            &laptop.vault,
            name,
            coordinator.dir.path(),
        );
    }
    (coordinator, b, c)
}

/// Switch `kinds` on and enrol the members again with the new record (as
/// the transport will carry it).
fn share_and_carry(coordinator: &Laptop, members: &[&Laptop], kinds: &[UpdateKind], on: bool) {
    share(&coordinator.vault.coordinator().unwrap(), kinds, on).unwrap();
    let (team, _) = coordinated_team(&coordinator.vault.coordinator().unwrap()).unwrap();
    let file = team.file_bytes().unwrap();
    for member in members {
        super::super::enrol(&member.vault.coordinator().unwrap(), &file).unwrap();
    }
}

/// The snapshots for `member` it has not had (none sent before).
fn outgoing_for(coordinator: &Laptop, member: &Laptop) -> Vec<(UpdateKind, u64, Vec<u8>)> {
    let c = coordinator.vault.coordinator().unwrap();
    let (team, _) = coordinated_team(&c).unwrap();
    let recipient = team.member(&member.id()).unwrap().clone();
    outgoing(&c, &recipient, &|_| 0).unwrap()
}

/// The one snapshot of `kind` for `member`.
fn snapshot_for(coordinator: &Laptop, member: &Laptop, kind: UpdateKind) -> (u64, Vec<u8>) {
    outgoing_for(coordinator, member)
        .into_iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, v, p)| (v, p))
        .expect("a snapshot of the kind")
}

/// Seal `payload` as a coordinator update from the coordinator laptop,
/// signed with the team key, for `member`.
fn seal_update(coordinator: &Laptop, member: &Laptop, payload: &[u8]) -> Vec<u8> {
    let c = coordinator.vault.coordinator().unwrap();
    let (team, key) = coordinated_team(&c).unwrap();
    let recipient = keys::recipient(&team.member(&member.id()).unwrap().recipient).unwrap();
    let tx = coordinator.vault.write().unwrap();
    let (bytes, _) = packet::seal(
        &tx,
        &team,
        (coordinator.id(), &key),
        Outgoing {
            to: Stream::Team,
            kind: PacketKind::CoordinatorUpdate,
            payload,
        },
        &[recipient],
    )
    .unwrap();
    tx.commit().unwrap();
    bytes
}

/// This laptop's age identity (to open what is sealed for it).
fn identity(laptop: &Vault) -> age::x25519::Identity {
    let text: String = laptop
        .conn()
        .query_row("SELECT age_identity FROM team_laptop", [], |r| r.get(0))
        .unwrap();
    age::x25519::Identity::from_str(&text).unwrap()
}

/// Open a packet on `laptop` (whoever is signed in) and apply it, in one
/// write with its audit entry.
fn deliver(laptop: &Vault, ciphertext: &[u8]) -> Result<Applied, TeamError> {
    let team = stored_team(laptop.read(), laptop.coordinator_public())?.unwrap();
    let opened = packet::open(ciphertext, &identity(laptop), &team, &[Stream::Team])?;
    assert_eq!(opened.header.kind, PacketKind::CoordinatorUpdate);
    let mut tx = laptop.write()?;
    let applied = apply(&mut tx, &team, &opened.payload)?;
    packet::mark_applied(&tx, &opened.header)?;
    tx.commit()?;
    Ok(applied)
}

/// What a refused update must leave as it was.
fn state(vault: &Vault) -> Vec<String> {
    let rows = |sql: &str| -> Vec<String> {
        let mut stmt = vault.conn().prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    [
        "SELECT kind || body || signer FROM signed_settings ORDER BY kind",
        "SELECT key || value FROM settings ORDER BY key",
        "SELECT name || active FROM areas ORDER BY id",
        "SELECT uid || name || removed FROM referrals ORDER BY uid",
        "SELECT id || version FROM packs ORDER BY id",
        "SELECT kind || version FROM team_updates_applied ORDER BY kind",
        "SELECT count(*) || '' FROM audit_log",
    ]
    .iter()
    .flat_map(|sql| rows(sql))
    .collect()
}

/// `kind`'s record as read for use on `vault`.
fn signed_value<T: serde::de::DeserializeOwned>(vault: &Vault, kind: SettingKind) -> Signed<T> {
    signed::read::<T>(vault.read(), vault.coordinator_public(), kind).unwrap()
}

#[test]
fn a_coordinators_new_pack_reaches_both_members_and_its_scripts_load() {
    let (coordinator, b, c) = team3();
    let c_vault = &coordinator.vault.coordinator().unwrap();
    guidance::import_pack(c_vault, PACK, "lakeside-pack.toml").unwrap();
    guidance::use_pack(c_vault, "lakeside-test").unwrap();
    share_and_carry(&coordinator, &[&b, &c], &[UpdateKind::Pack], true);
    for member in [b, c] {
        let (version, payload) = snapshot_for(&coordinator, &member, UpdateKind::Pack);
        assert_eq!(version, 1);
        let sealed = seal_update(&coordinator, &member, &payload);
        let member = member.relock(VOLUNTEER);
        let applied = deliver(&member.vault, &sealed).unwrap();
        assert_eq!((applied.kind, applied.version), (UpdateKind::Pack, 1));
        let active = guidance::load_active_pack(&member.vault);
        assert_eq!(active.fallback, None);
        assert_eq!(active.pack.meta().id, "lakeside-test");
        assert_eq!(active.pack.meta().version, "2.1.0");
        assert!(!active.pack.flows().is_empty(), "its scripts load");
        assert!(
            matches!(
                signed_value::<guidance::SignedPack>(&member.vault, SettingKind::ActivePack),
                Signed::Valid(ref p) if p.id == "lakeside-test"
            ),
            "a valid team-signed record in a volunteer's session"
        );
        assert_eq!(
            signed::refusals_now(member.vault.read(), member.vault.coordinator_public()).unwrap(),
            vec![],
            "the sweep at unlock finds nothing wrong"
        );
        let member = member.relock_coordinator();
        assert!(
            member
                .vault
                .unlock_notice()
                .is_none_or(|n| n.refused.is_empty()),
            "nothing refused at the next unlock"
        );
    }
}

#[test]
fn areas_referrals_retention_and_auto_lock_apply_and_read_as_signed_for_a_volunteer() {
    let (coordinator, b, _c) = team3();
    let c_vault = &coordinator.vault.coordinator().unwrap();
    calls::set_retention_days(c_vault, 45).unwrap();
    c_vault.set_auto_lock_minutes(12).unwrap();
    calls::add_area(c_vault, "Lakeview Commons").unwrap();
    calls::deactivate_area(c_vault, "Verona").unwrap();
    let mut referral = Referral::new("Lakeside legal clinic").unwrap();
    referral.kinds = vec!["legal-aid".to_owned()];
    let new_id = referrals::add(c_vault, referral).unwrap();
    let dropped = referrals::BUILTIN[0];
    referrals::remove(c_vault, dropped).unwrap();
    // B's own coordinator added an entry the team's directory does not have.
    let own = referrals::add(
        &b.vault.coordinator().unwrap(),
        Referral::new("Only on laptop b").unwrap(),
    )
    .unwrap();
    share_and_carry(
        &coordinator,
        &[&b],
        &[
            UpdateKind::Areas,
            UpdateKind::Referrals,
            UpdateKind::Retention,
            UpdateKind::AutoLock,
        ],
        true,
    );
    let updates = outgoing_for(&coordinator, &b);
    assert_eq!(updates.len(), 4, "one packet a kind");
    let sealed: Vec<Vec<u8>> = updates
        .iter()
        .map(|(_, _, p)| seal_update(&coordinator, &b, p))
        .collect();
    let b = b.relock(VOLUNTEER);
    for packet in &sealed {
        deliver(&b.vault, packet).unwrap();
    }
    assert_eq!(calls::retention_days(&b.vault).unwrap(), 45);
    assert_eq!(b.vault.auto_lock_minutes().unwrap(), 12);
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::Retention),
        Signed::Valid(45)
    );
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::AutoLock),
        Signed::Valid(12)
    );
    let offered: Vec<String> = calls::list_areas(&b.vault, false)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert!(offered.contains(&"Lakeview Commons".to_owned()));
    assert!(!offered.contains(&"Verona".to_owned()));
    assert!(matches!(
        signed_value::<Vec<(String, bool)>>(&b.vault, SettingKind::Areas),
        Signed::Valid(_)
    ));
    let directory: Vec<Uuid> = referrals::list(&b.vault)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!(directory.contains(&new_id));
    assert!(!directory.contains(&dropped), "removed with the team's");
    assert!(
        !directory.contains(&own),
        "the team's directory replaces b's"
    );
    assert_eq!(
        signed::refusals_now(b.vault.read(), b.vault.coordinator_public()).unwrap(),
        vec![]
    );
    let actions: i64 = b
        .vault
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'team.update_apply'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actions, 4, "each apply audited");
}

#[test]
fn an_older_snapshot_after_a_newer_one_is_refused_and_changes_nothing() {
    let (coordinator, b, _c) = team3();
    share_and_carry(&coordinator, &[&b], &[UpdateKind::Retention], true);
    let c_vault = &coordinator.vault.coordinator().unwrap();
    calls::set_retention_days(c_vault, 30).unwrap();
    let (v1, old) = snapshot_for(&coordinator, &b, UpdateKind::Retention);
    assert_eq!(
        snapshot_for(&coordinator, &b, UpdateKind::Retention).0,
        v1,
        "unchanged: the same version"
    );
    calls::set_retention_days(c_vault, 60).unwrap();
    let (v2, new) = snapshot_for(&coordinator, &b, UpdateKind::Retention);
    assert_eq!(v2, v1 + 1);
    let old_packet = seal_update(&coordinator, &b, &old);
    let new_packet = seal_update(&coordinator, &b, &new);
    // The newer first (the older one was held back and arrives late).
    let b = b.relock(VOLUNTEER);
    let team = stored_team(b.vault.read(), b.vault.coordinator_public())
        .unwrap()
        .unwrap();
    let opened = packet::open(&new_packet, &identity(&b.vault), &team, &[Stream::Team]).unwrap();
    let mut tx = b.vault.write().unwrap();
    apply(&mut tx, &team, &opened.payload).unwrap();
    tx.commit().unwrap();
    assert_eq!(calls::retention_days(&b.vault).unwrap(), 60);
    let before = state(&b.vault);
    let err = deliver(&b.vault, &old_packet).unwrap_err();
    assert!(
        matches!(err, TeamError::UpdateStale { version, have, .. } if version == v1 && have == v2),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::UpdateStale);
    assert_eq!(state(&b.vault), before);
    assert_eq!(calls::retention_days(&b.vault).unwrap(), 60);
}

#[test]
fn a_kind_switched_off_is_refused_and_changes_nothing() {
    let (coordinator, b, _c) = team3();
    share_and_carry(&coordinator, &[&b], &[UpdateKind::AutoLock], true);
    coordinator
        .vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(20)
        .unwrap();
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::AutoLock);
    let sealed = seal_update(&coordinator, &b, &payload);
    share_and_carry(&coordinator, &[&b], &[UpdateKind::AutoLock], false);
    assert!(
        outgoing_for(&coordinator, &b).is_empty(),
        "nothing is sent of a kind switched off"
    );
    let before = state(&b.vault);
    let err = deliver(&b.vault, &sealed).unwrap_err();
    assert!(
        matches!(err, TeamError::UpdateNotShared { kind: "auto_lock" }),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::UpdateNotShared);
    assert_eq!(state(&b.vault), before);
    assert_eq!(b.vault.auto_lock_minutes().unwrap(), 5);
    // Switched off, the setting is b's own coordinator's again.
    b.vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(9)
        .unwrap();
}

#[test]
fn a_volunteer_laptops_pack_or_retention_update_is_refused_and_changes_nothing() {
    let (coordinator, b, c) = team3();
    share_and_carry(
        &coordinator,
        &[&b, &c],
        &[UpdateKind::Pack, UpdateKind::Retention],
        true,
    );
    // Laptop b hand-seals updates for c with its own key: a retention
    // record and a pack, as a coordinator update would carry them.
    let b_vault = &b.vault.coordinator().unwrap();
    guidance::import_pack(b_vault, PACK, "lakeside-pack.toml").unwrap();
    let (_, coordinator_payload) = snapshot_for(&coordinator, &c, UpdateKind::Retention);
    let (team, b_keys) =
        super::super::member_team(b.vault.read(), b.vault.coordinator_public()).unwrap();
    let c_recipient = keys::recipient(&team.member(&c.id()).unwrap().recipient).unwrap();
    let forged_pack = serde_json::to_vec(&json!({
        "schema": UPDATE_SCHEMA, "version": 1, "kind": "pack", "snapshot": 9,
        "setting": {"body": "{}", "signature": "00"},
        "pack": {"file_name": "lakeside-pack.toml", "source": PACK},
    }))
    .unwrap();
    let before = state(&c.vault);
    for payload in [coordinator_payload, forged_pack] {
        let tx = b.vault.write().unwrap();
        let (bytes, _) = packet::seal(
            &tx,
            &team,
            (b_keys.id, &b_keys.signing),
            Outgoing {
                to: Stream::Team,
                kind: PacketKind::CoordinatorUpdate,
                payload: &payload,
            },
            std::slice::from_ref(&c_recipient),
        )
        .unwrap();
        tx.commit().unwrap();
        let err = deliver(&c.vault, &bytes).unwrap_err();
        assert!(
            matches!(err, TeamError::Packet(PacketError::NotAllowed { .. })),
            "{err:?}"
        );
        assert_eq!(err.code(), ErrorCode::PacketNotAllowed);
    }
    assert_eq!(state(&c.vault), before);
}

#[test]
fn a_pack_failing_the_checks_or_a_setting_not_signed_by_the_team_is_refused_whole() {
    let (coordinator, b, _c) = team3();
    share_and_carry(
        &coordinator,
        &[&b],
        &[UpdateKind::Pack, UpdateKind::Retention],
        true,
    );
    let c_vault = &coordinator.vault.coordinator().unwrap();
    guidance::import_pack(c_vault, PACK, "lakeside-pack.toml").unwrap();
    guidance::use_pack(c_vault, "lakeside-test").unwrap();
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::Pack);
    let mut doc: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let broken = PACK.replacen("next = \"door_end\"", "next = \"nowhere\"", 1);
    doc["pack"]["source"] = json!(broken);
    let broken_packet = seal_update(&coordinator, &b, &serde_json::to_vec(&doc).unwrap());
    let before = state(&b.vault);
    let err = deliver(&b.vault, &broken_packet).unwrap_err();
    assert!(
        matches!(&err, TeamError::Pack(inner) if matches!(**inner, guidance::PackLibraryError::Invalid(_))),
        "{err:?}"
    );
    assert_eq!(state(&b.vault), before);
    // A retention record whose value was changed after the team signed it.
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::Retention);
    let text = String::from_utf8(payload)
        .unwrap()
        .replace("\\\"value\\\":90", "\\\"value\\\":7");
    assert!(text.contains("\\\"value\\\":7"), "{text}");
    let err = deliver(&b.vault, &seal_update(&coordinator, &b, text.as_bytes())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UpdateInvalid, "{err:?}");
    assert_eq!(state(&b.vault), before);
}

#[test]
fn a_members_own_coordinator_cannot_change_a_setting_the_team_manages() {
    let (coordinator, b, _c) = team3();
    share_and_carry(&coordinator, &[&b], UpdateKind::ALL, true);
    let bc = &b.vault.coordinator().unwrap();
    let managed = |code: ErrorCode, field: Option<&str>, setting: &str| {
        assert_eq!(code, ErrorCode::ManagedByTeam, "{setting}");
        assert_eq!(field, Some(setting));
    };
    let err = calls::set_retention_days(bc, 30).unwrap_err();
    assert!(matches!(err, CallError::Vault(_)), "{err:?}");
    managed(err.code(), err.field(), "retention");
    let err = bc.set_auto_lock_minutes(9).unwrap_err();
    managed(err.code(), err.field(), "auto_lock");
    let err = calls::add_area(bc, "Lakeview Commons").unwrap_err();
    managed(err.code(), err.field(), "areas");
    guidance::import_pack(bc, PACK, "lakeside-pack.toml").unwrap();
    let err = guidance::use_pack(bc, "lakeside-test").unwrap_err();
    managed(err.code(), err.field(), "pack");
    let err = referrals::add(bc, Referral::new("Only on laptop b").unwrap()).unwrap_err();
    managed(err.code(), err.field(), "referrals");
    assert!(err.to_string().contains("managed by the team"), "{err}");
    // The coordinator laptop's own changes are what it sends.
    calls::set_retention_days(&coordinator.vault.coordinator().unwrap(), 30).unwrap();
}

#[test]
fn an_edited_pin_makes_team_signed_settings_refused_never_accepted() {
    let (coordinator, b, _c) = team3();
    share_and_carry(&coordinator, &[&b], &[UpdateKind::Retention], true);
    calls::set_retention_days(&coordinator.vault.coordinator().unwrap(), 120).unwrap();
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::Retention);
    deliver(&b.vault, &seal_update(&coordinator, &b, &payload)).unwrap();
    let b = b.relock(VOLUNTEER);
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::Retention),
        Signed::Valid(120)
    );
    // A volunteer with the master key pins a team key of their own and
    // signs a "team" setting with it.
    let own = SigningSeed::generate(KeyRole::Team).unwrap();
    let body = signed::body_of(SettingKind::Retention, &7u32).unwrap();
    let forged = own.sign(SettingKind::Retention.domain(), body.as_bytes());
    let conn = b.vault.conn();
    let (key, pin): (String, Vec<u8>) = conn
        .query_row(
            "SELECT team_key, pin_signature FROM team_membership",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE team_membership SET team_key = ?1",
        [own.public().to_hex()],
    )
    .unwrap();
    conn.execute(
        "UPDATE signed_settings SET body = ?1, signature = ?2 WHERE kind = 'retention'",
        (&body, &forged[..]),
    )
    .unwrap();
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::Retention),
        Signed::Refused(RefusalReason::BadSignature)
    );
    assert_eq!(
        calls::retention_days(&b.vault).unwrap(),
        crate::calls::DEFAULT_RETENTION_DAYS
    );
    assert!(matches!(
        stored_team(b.vault.read(), b.vault.coordinator_public()),
        Err(TeamError::Damaged { .. })
    ));
    // The pin back, its signature removed: refused too.
    conn.execute(
        "UPDATE team_membership SET team_key = ?1, pin_signature = NULL",
        [&key],
    )
    .unwrap();
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::Retention),
        Signed::Refused(RefusalReason::BadSignature)
    );
    assert!(stored_team(b.vault.read(), b.vault.coordinator_public()).is_err());
    // The record edited (a member dropped): the stored team is damaged.
    conn.execute("UPDATE team_membership SET pin_signature = ?1", [&pin])
        .unwrap();
    conn.execute(
        "UPDATE team_membership SET record = replace(record, 'laptop b', 'laptop x')",
        [],
    )
    .unwrap();
    assert!(matches!(
        stored_team(b.vault.read(), b.vault.coordinator_public()),
        Err(TeamError::Damaged { .. })
    ));
}

#[test]
fn a_membership_from_before_signed_pins_is_signed_at_the_next_coordinator_unlock() {
    let (coordinator, b, _c) = team3();
    share_and_carry(&coordinator, &[&b], &[UpdateKind::Retention], true);
    b.vault
        .conn()
        .execute_batch(
            "UPDATE team_membership SET pin_signature = NULL;
             INSERT INTO team_pin_pending (id) VALUES (1);",
        )
        .unwrap();
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::Retention);
    let sealed = seal_update(&coordinator, &b, &payload);
    let b = b.relock(VOLUNTEER);
    let before = state(&b.vault);
    let err = deliver(&b.vault, &sealed).unwrap_err();
    assert!(matches!(err, TeamError::PinPending), "{err:?}");
    assert_eq!(err.code(), ErrorCode::TeamPinPending);
    assert_eq!(state(&b.vault), before);
    let b = b.relock_coordinator().relock(VOLUNTEER);
    deliver(&b.vault, &sealed).unwrap();
    assert!(matches!(
        signed_value::<u32>(&b.vault, SettingKind::Retention),
        Signed::Valid(_)
    ));
}

#[test]
fn a_rotation_of_the_members_coordinator_key_keeps_the_pin_and_the_teams_settings() {
    let (coordinator, b, _c) = team3();
    b.vault
        .coordinator()
        .unwrap()
        .add_user("dee-4", Role::Coordinator, &Passphrase::from(PASS))
        .unwrap();
    share_and_carry(&coordinator, &[&b], &[UpdateKind::AutoLock], true);
    coordinator
        .vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(25)
        .unwrap();
    let (_, payload) = snapshot_for(&coordinator, &b, UpdateKind::AutoLock);
    deliver(&b.vault, &seal_update(&coordinator, &b, &payload)).unwrap();
    let mut b = b;
    let old = *b.vault.coordinator_public().unwrap();
    b.vault.remove_user_and_rekey("dee-4", &mut |_| {}).unwrap();
    assert_ne!(*b.vault.coordinator_public().unwrap(), old, "a new key");
    let b = b.relock(VOLUNTEER);
    assert!(
        stored_team(b.vault.read(), b.vault.coordinator_public())
            .unwrap()
            .is_some(),
        "the pin signed again with the new key"
    );
    assert_eq!(
        signed_value::<u32>(&b.vault, SettingKind::AutoLock),
        Signed::Valid(25),
        "the team's record is the team key's, untouched"
    );
    assert_eq!(b.vault.auto_lock_minutes().unwrap(), 25);
}
