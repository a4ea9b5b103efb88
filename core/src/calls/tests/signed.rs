//! Retention and legal holds are coordinator-signed settings: a change
//! written straight into the database, as a volunteer holding the files
//! and the master key could, is refused and reported.

use super::*;
use crate::vault::coordinator_key::CoordinatorKey;
use crate::vault::{RefusalReason, RefusedSetting, SettingKind};

/// The refusals the next coordinator unlock reports (kind and reason).
fn reported(fx: Fixture) -> (Fixture, Vec<(SettingKind, RefusalReason)>) {
    let fx = fx.relock(COORDINATOR);
    let notice = fx
        .vault
        .unlock_notice()
        .expect("a coordinator's notice")
        .clone();
    let found = notice
        .refused
        .iter()
        .map(|RefusedSetting { kind, reason, .. }| (*kind, *reason))
        .collect();
    (fx, found)
}

fn audited_refusals(vault: &Vault) -> Vec<String> {
    crate::vault::audit::entries(vault.conn())
        .into_iter()
        .filter(|e| e.action == "settings.refused")
        .map(|e| e.params)
        .collect()
}

/// A call received `days` ago, its text still there.
fn old_call(vault: &Vault, days: i64) -> CallId {
    create_old(vault, call_with("kept words", Duration::days(days)))
}

fn shredded(vault: &Vault, id: CallId) -> bool {
    get(vault, id).unwrap().shredded_at.is_some()
}

#[test]
fn a_retention_changed_in_the_database_by_a_volunteer_is_refused_and_reported() {
    let mut fx = Fixture::new();
    set_retention_days(&fx.vault.coordinator().unwrap(), 60).unwrap();
    let call = old_call(&fx.vault, 40);
    let bo = fx.volunteer();
    // What the app's own plain copy would let anyone with the key do.
    bo.conn()
        .execute(
            "UPDATE settings SET value = '7' WHERE key = 'retention_days'",
            [],
        )
        .unwrap();
    assert_eq!(retention_days(&bo).unwrap(), 60, "the signed value is used");
    let report = purge_expired(&bo, Utc::now()).unwrap();
    assert_eq!((report.calls_shredded, report.retention_days), (0, 60));
    assert!(!shredded(&bo, call));
    bo.lock().unwrap();

    let (fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(
            SettingKind::Retention,
            RefusalReason::ChangedWithoutSignature
        )]
    );
    assert_eq!(
        audited_refusals(&fx.vault),
        vec![r#"{"reason":"changed_without_signature","setting":"retention"}"#],
        "found and audited once"
    );
    // Still refused: still reported, and audited only once.
    let (fx, found) = reported(fx);
    assert_eq!(found.len(), 1);
    assert_eq!(audited_refusals(&fx.vault).len(), 1);
    // A coordinator setting it again signs it anew, which closes it.
    set_retention_days(&fx.vault.coordinator().unwrap(), 30).unwrap();
    let (fx, found) = reported(fx);
    assert_eq!(found, vec![]);
    assert_eq!(retention_days(&fx.vault).unwrap(), 30);
}

#[test]
fn a_retention_signed_by_another_key_is_refused_and_nothing_is_purged() {
    let mut fx = Fixture::new();
    let call = old_call(&fx.vault, 100);
    let bo = fx.volunteer();
    let forger = CoordinatorKey::generate().unwrap();
    let body = r#"{"v":1,"kind":"retention","value":7}"#;
    let sig = forger.sign("setting/retention", body.as_bytes());
    bo.conn()
        .execute(
            "UPDATE signed_settings SET body = ?1, signature = ?2 WHERE kind = 'retention'",
            (body, &sig.to_bytes()[..]),
        )
        .unwrap();
    assert_eq!(retention_days(&bo).unwrap(), DEFAULT_RETENTION_DAYS);
    let report = purge_expired(&bo, Utc::now()).unwrap();
    assert!(report.held_back, "never purge on a forged retention");
    assert_eq!(report.calls_shredded, 0);
    assert!(!shredded(&bo, call), "due under the default, but kept");
    bo.lock().unwrap();
    let (fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(SettingKind::Retention, RefusalReason::BadSignature)]
    );
    // The coordinator signs a retention again: purging resumes.
    set_retention_days(&fx.vault.coordinator().unwrap(), 90).unwrap();
    assert!(!purge_expired(&fx.vault, Utc::now()).unwrap().held_back);
    assert!(shredded(&fx.vault, call));
}

#[test]
fn an_unsigned_retention_is_refused() {
    let mut fx = Fixture::new();
    let bo = fx.volunteer();
    bo.conn()
        .execute("DELETE FROM signed_settings WHERE kind = 'retention'", [])
        .unwrap();
    assert!(purge_expired(&bo, Utc::now()).unwrap().held_back);
    bo.lock().unwrap();
    let (_fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(SettingKind::Retention, RefusalReason::Unsigned)]
    );
}

#[test]
fn a_hold_lifted_in_the_database_is_kept_and_reported() {
    let mut fx = Fixture::new();
    let call = old_call(&fx.vault, 100);
    set_legal_hold(&fx.vault.coordinator().unwrap(), call, true).unwrap();
    let bo = fx.volunteer();
    bo.conn()
        .execute("UPDATE calls SET legal_hold = 0", [])
        .unwrap();
    let report = purge_expired(&bo, Utc::now()).unwrap();
    assert!(!report.held_back);
    assert!(!shredded(&bo, call), "the signed hold still stands");
    bo.lock().unwrap();
    let (fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(
            SettingKind::LegalHolds,
            RefusalReason::ChangedWithoutSignature
        )]
    );
    // Lifted by a coordinator, it goes at the next purge.
    set_legal_hold(&fx.vault.coordinator().unwrap(), call, false).unwrap();
    purge_expired(&fx.vault, Utc::now()).unwrap();
    assert!(shredded(&fx.vault, call));
}

#[test]
fn a_volunteers_session_cannot_sign_a_setting() {
    let mut fx = Fixture::new();
    let bo = fx.volunteer();
    assert!(bo.coordinator_key().is_none());
    assert!(bo.coordinator_public().is_some(), "but can verify");
    let tx = bo.write().unwrap();
    let err = crate::vault::signed::write(&tx, SettingKind::Retention, &7u32);
    assert!(matches!(err, Err(VaultError::NotCoordinator)), "{err:?}");
}

#[test]
fn a_vault_from_before_the_key_is_signed_at_its_first_coordinator_unlock() {
    let mut fx = Fixture::new();
    set_retention_days(&fx.vault.coordinator().unwrap(), 45).unwrap();
    fx.volunteer().lock().unwrap();
    // As an older vault: the old key file, no coordinator key, nothing
    // signed or checkpointed (dropped, not locked, so that no checkpoint
    // follows).
    crate::vault::tests::give_old_slots(
        &fx.vault,
        &[
            (COORDINATOR, Role::Coordinator, PASS),
            (VOLUNTEER, Role::Volunteer, PASS),
        ],
    );
    fx.vault
        .conn()
        .execute_batch(
            "DELETE FROM coordinator_authority; DELETE FROM signed_settings;
             DELETE FROM audit_checkpoints;",
        )
        .unwrap();
    let Fixture { dir, vault } = fx;
    drop(vault);
    let bo = Vault::unlock(dir.path(), VOLUNTEER, &Passphrase::from(PASS)).unwrap();
    assert!(bo.coordinator_public().is_none());
    assert_eq!(
        retention_days(&bo).unwrap(),
        45,
        "unprotected: the plain value"
    );
    drop(bo);
    let ana = Vault::unlock(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
    let notice = ana.unlock_notice().expect("a coordinator's notice");
    assert_eq!(notice.refused, vec![], "signed as found, nothing refused");
    assert!(ana.coordinator_public().is_some());
    let actions: Vec<String> = crate::vault::audit::entries(ana.conn())
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"coordinator_key.create".to_owned()),
        "{actions:?}"
    );
    assert_eq!(retention_days(&ana).unwrap(), 45);
    assert!(ana.verify_audit().unwrap().is_ok());
}

#[test]
fn an_auto_lock_changed_in_the_database_is_refused_and_a_forged_record_gives_the_default() {
    let mut fx = Fixture::new();
    fx.vault
        .coordinator()
        .unwrap()
        .set_auto_lock_minutes(3)
        .unwrap();
    let bo = fx.volunteer();
    bo.conn()
        .execute(
            "UPDATE settings SET value = '60' WHERE key = 'auto_lock_minutes'",
            [],
        )
        .unwrap();
    assert_eq!(bo.auto_lock_minutes().unwrap(), 3, "the signed value");
    let forger = CoordinatorKey::generate().unwrap();
    let body = r#"{"v":1,"kind":"auto_lock","value":60}"#;
    let sig = forger.sign("setting/auto_lock", body.as_bytes());
    bo.conn()
        .execute(
            "UPDATE signed_settings SET body = ?1, signature = ?2 WHERE kind = 'auto_lock'",
            (body, &sig.to_bytes()[..]),
        )
        .unwrap();
    assert_eq!(bo.auto_lock_minutes().unwrap(), 5, "refused: the default");
    bo.lock().unwrap();
    let (_fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(SettingKind::AutoLock, RefusalReason::BadSignature)]
    );
}

#[test]
fn the_purge_preview_keeps_the_signed_holds_as_the_purge_does() {
    let mut fx = Fixture::new();
    let held = old_call(&fx.vault, 100);
    let due = old_call(&fx.vault, 100);
    set_legal_hold(&fx.vault.coordinator().unwrap(), held, true).unwrap();
    let bo = fx.volunteer();
    bo.conn()
        .execute("UPDATE calls SET legal_hold = 0", [])
        .unwrap();
    let preview = purge_preview(&bo, Utc::now()).unwrap();
    assert_eq!(
        (
            preview.calls_to_shred,
            preview.calls_held,
            preview.held_back
        ),
        (1, 1, false),
        "the lifted hold still counts as held"
    );
    let report = purge_expired(&bo, Utc::now()).unwrap();
    assert_eq!(report.calls_shredded, preview.calls_to_shred);
    assert!(!shredded(&bo, held));
    assert!(shredded(&bo, due));
}

#[test]
fn the_purge_preview_of_a_refused_hold_set_shreds_nothing_as_the_purge() {
    let mut fx = Fixture::new();
    let call = old_call(&fx.vault, 100);
    let bo = fx.volunteer();
    bo.conn()
        .execute("DELETE FROM signed_settings WHERE kind = 'legal_holds'", [])
        .unwrap();
    let preview = purge_preview(&bo, Utc::now()).unwrap();
    assert_eq!(
        (
            preview.calls_to_shred,
            preview.calls_held,
            preview.held_back
        ),
        (0, 1, true)
    );
    let report = purge_expired(&bo, Utc::now()).unwrap();
    assert!(report.held_back);
    assert!(!shredded(&bo, call));
}

#[test]
fn an_area_added_in_the_database_by_a_volunteer_is_not_offered_and_is_reported() {
    let mut fx = Fixture::new();
    add_area(&fx.vault.coordinator().unwrap(), "Lakeview").unwrap();
    let bo = fx.volunteer();
    let offered = |vault: &Vault| -> Vec<String> {
        list_areas(vault, false)
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect()
    };
    assert!(
        offered(&bo).contains(&"Lakeview".to_owned()),
        "signed by the coordinator"
    );
    bo.conn()
        .execute_batch(
            "INSERT INTO areas (name) VALUES ('Nowhere Street');
             UPDATE areas SET active = 0 WHERE name = 'Lakeview';",
        )
        .unwrap();
    assert!(!offered(&bo).contains(&"Nowhere Street".to_owned()));
    assert!(
        offered(&bo).contains(&"Lakeview".to_owned()),
        "the signed list stands"
    );
    let mut call = call_with("words", Duration::days(1));
    call.area = Some("Nowhere Street".into());
    assert!(
        matches!(create(&bo, call), Err(CallError::UnknownArea)),
        "an unsigned area takes no call"
    );
    bo.lock().unwrap();
    let (fx, found) = reported(fx);
    assert_eq!(
        found,
        vec![(SettingKind::Areas, RefusalReason::ChangedWithoutSignature)]
    );
    // A coordinator's next change signs the list as it then stands.
    rename_area(
        &fx.vault.coordinator().unwrap(),
        "Nowhere Street",
        "Somewhere",
    )
    .unwrap();
    let (fx, found) = reported(fx);
    assert_eq!(found, vec![]);
    assert!(offered(&fx.vault).contains(&"Somewhere".to_owned()));
}

#[test]
fn a_vault_signed_before_areas_and_packs_signs_them_at_the_next_coordinator_unlock() {
    let mut fx = Fixture::new();
    add_area(&fx.vault.coordinator().unwrap(), "Lakeview").unwrap();
    fx.volunteer().lock().unwrap();
    // As the previous version left it: retention, holds and auto-lock
    // signed, areas and the pack not, and the upgrade waiting for them.
    fx.vault
        .conn()
        .execute_batch(
            "DELETE FROM signed_settings WHERE kind IN ('areas', 'active_pack');
             INSERT INTO signed_settings_pending (kind) VALUES ('areas'), ('active_pack');",
        )
        .unwrap();
    let Fixture { dir, vault } = fx;
    drop(vault);
    let bo = Vault::unlock(dir.path(), VOLUNTEER, &Passphrase::from(PASS)).unwrap();
    assert!(
        list_areas(&bo, false)
            .unwrap()
            .iter()
            .any(|a| a.name == "Lakeview"),
        "unsigned yet: the plain list"
    );
    drop(bo);
    let ana = Vault::unlock(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
    assert_eq!(ana.unlock_notice().unwrap().refused, vec![]);
    let actions: Vec<String> = crate::vault::audit::entries(ana.conn())
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"settings.signed_as_found".to_owned()),
        "{actions:?}"
    );
    let pending: i64 = ana
        .conn()
        .query_row("SELECT count(*) FROM signed_settings_pending", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(pending, 0);
    // Signed now: a change around the app is refused again.
    ana.conn()
        .execute("UPDATE areas SET active = 0 WHERE name = 'Lakeview'", [])
        .unwrap();
    assert!(
        list_areas(&ana, false)
            .unwrap()
            .iter()
            .any(|a| a.name == "Lakeview")
    );
}
