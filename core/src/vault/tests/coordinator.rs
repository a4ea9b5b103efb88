//! Being a coordinator is holding the coordinator key, sealed in
//! coordinators' key slots: a volunteer holding the files, the master key
//! and the documented formats can neither read the coordinator's secrets
//! nor make themselves one.

use super::*;
use crate::vault::slots::UserSecrets;
use crate::vault::{CoordinatorKey, VaultError, authenticate, database_key};

/// A second coordinator's handle and passphrase.
const CY: (&str, &str) = ("cy", "cy has a long passphrase");

/// The coordinator, a volunteer and a second coordinator, the bundle key
/// created; returned locked.
fn team(root: &Path) -> PathBuf {
    let (data, vault) = new_vault(root, "data");
    let coordinator = vault.coordinator().unwrap();
    coordinator
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    coordinator
        .add_user(CY.0, Role::Coordinator, &pass(CY.1))
        .unwrap();
    crate::export::coordinator_key(&coordinator).unwrap();
    vault.lock().unwrap();
    data
}

/// What someone holding the files and `handle`'s passphrase can do outside
/// the app: open the database with the master key from their slot.
fn raw_database(data: &Path, handle: &str, passphrase: &str) -> crate::store::Store {
    let files = super::super::files::VaultFiles::new(data);
    let keys = super::super::KeyFiles::load(&files).unwrap();
    let unlocked = authenticate(&files, &keys, handle, &pass(passphrase)).unwrap();
    database_key::open_database(&files, unlocked.master(), &mut |_| {})
        .unwrap()
        .0
}

/// Every text and blob value of every table, as bytes.
fn every_value(conn: &rusqlite::Connection) -> Vec<Vec<u8>> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        out.push(b.to_vec());
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

#[test]
fn a_volunteers_master_key_reveals_neither_the_coordinator_key_nor_the_age_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let secret = ana.coordinator_key().unwrap().to_bytes();
    let identity = crate::export::keys::identity(&ana.coordinator().unwrap()).unwrap();
    let identity = age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_owned();
    ana.lock().unwrap();

    let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
    let values = every_value(&store.conn);
    assert!(values.len() > 20, "the database was read");
    let contains = |needle: &[u8]| {
        values
            .iter()
            .any(|v| v.windows(needle.len()).any(|w| w == needle))
    };
    assert!(!contains(&secret[..]), "the coordinator key is in a table");
    assert!(
        !contains(identity.as_bytes()),
        "the age identity is in a table"
    );
    assert!(
        !contains(b"AGE-SECRET-KEY-1"),
        "an age identity in the clear"
    );
    store.close().unwrap();

    // The volunteer's own slot holds random bytes where a coordinator's
    // holds the key.
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(bo.user().role, Role::Volunteer);
    assert!(bo.coordinator_key().is_none());
    assert!(matches!(bo.coordinator(), Err(VaultError::NotCoordinator)));
}

#[test]
fn editing_the_role_column_makes_nobody_a_coordinator_even_after_a_rekey() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    // The volunteer, holding the files, lists themselves as coordinator.
    let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
    store
        .conn
        .execute(
            "UPDATE users SET role = 'coordinator' WHERE handle = ?1",
            [VOLUNTEER],
        )
        .unwrap();
    store.close().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(bo.user().role, Role::Volunteer, "the key decides");
    assert!(bo.coordinator().is_err());
    bo.lock().unwrap();

    // A coordinator's rekey seals the key only to rows a coordinator
    // signed as coordinators'.
    let mut ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert!(ana.rekey(&mut |_| {}).unwrap().rekeyed);
    ana.lock().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(bo.coordinator().is_err(), "no key sealed to an edited row");
    bo.lock().unwrap();
    let cy = Vault::unlock(&data, CY.0, &pass(CY.1)).unwrap();
    assert!(cy.coordinator().is_ok(), "the real coordinator keeps it");
}

#[test]
fn a_key_of_ones_own_sealed_into_ones_slot_is_not_the_coordinator_key() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    let files = super::super::files::VaultFiles::new(&data);
    let mut key_file = crate::vault::slots::SlotFile::load_if_exists(&files.key_file())
        .unwrap()
        .unwrap();
    let credentials = key_file
        .credentials(VOLUNTEER, &pass(VOLUNTEER_PASS))
        .unwrap();
    let opened = key_file.open(credentials).unwrap().unwrap();
    let own = CoordinatorKey::generate().unwrap();
    key_file
        .reseal(
            &opened.tag,
            &opened.secrets.identity.to_public(),
            &opened.sealed.master,
            Some(&own.to_bytes()),
        )
        .unwrap();
    key_file.save(&files.key_file()).unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(
        bo.coordinator().is_err(),
        "the pinned anchor names another key"
    );
}

/// Turn the locked vault in `data` into one as the version before this one
/// left it: slots that pin no verifying key and hold random bytes where the
/// coordinator key goes, the key in `coordinator_authority`, the age
/// identity in the clear, user rows unsigned.
fn as_interim_vault(data: &Path, users: &[(&str, &str)]) {
    let ana = Vault::unlock(data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let secret = ana.coordinator_key().unwrap().to_bytes();
    let identity = crate::export::keys::identity(&ana.coordinator().unwrap()).unwrap();
    let identity = age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_owned();
    let mut key_file = ana.current_key_file().unwrap();
    for (handle, passphrase) in users {
        let credentials = key_file.credentials(handle, &pass(passphrase)).unwrap();
        let opened = key_file.open(credentials).unwrap().unwrap();
        let unpinned = UserSecrets {
            identity: opened.secrets.identity.clone(),
            coordinator_public: [0; 32],
        };
        key_file
            .put(
                opened.index,
                &opened.credentials,
                &unpinned,
                &opened.sealed.master,
                None,
            )
            .unwrap();
    }
    key_file.save(&ana.files.key_file()).unwrap();
    ana.conn()
        .execute(
            "UPDATE coordinator_authority SET secret = ?1",
            [&secret[..]],
        )
        .unwrap();
    ana.conn()
        .execute(
            "UPDATE coordinator_keys SET identity = ?1, sealed_identity = NULL",
            [&identity],
        )
        .unwrap();
    ana.conn()
        .execute_batch("UPDATE users SET signature = NULL")
        .unwrap();
    drop(ana);
}

#[test]
fn the_key_kept_in_the_database_moves_into_the_coordinators_slots_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    let users = [
        (COORDINATOR, COORDINATOR_PASS),
        (VOLUNTEER, VOLUNTEER_PASS),
        CY,
    ];
    as_interim_vault(&data, &users);
    let public_before = {
        let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
        let secret: Vec<u8> = store
            .conn
            .query_row("SELECT secret FROM coordinator_authority", [], |r| r.get(0))
            .unwrap();
        assert_eq!(secret.len(), 32, "the interim storage, as it was");
        CoordinatorKey::from_bytes(&secret).unwrap().public()
    };

    // The volunteer first: verifies with the database's key, pinned now.
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert!(bo.coordinator().is_err());
    assert_eq!(bo.coordinator_public(), Some(&public_before));
    bo.lock().unwrap();

    // The coordinator's unlock moves the key and wipes it from the
    // database; the age identity is sealed.
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    assert_eq!(ana.coordinator_public(), Some(&public_before), "same key");
    assert!(crate::export::keys::identity(&ana.coordinator().unwrap()).is_ok());
    ana.lock().unwrap();
    let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
    let (secret, identity): (Vec<u8>, String) = store
        .conn
        .query_row(
            "SELECT a.secret, k.identity FROM coordinator_authority a, coordinator_keys k",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(secret.is_empty() && identity.is_empty(), "wiped");
    store.close().unwrap();

    // The second coordinator, whose slot ana's unlock sealed the key into.
    let cy = Vault::unlock(&data, CY.0, &pass(CY.1)).unwrap();
    assert!(cy.coordinator().is_ok());
    cy.lock().unwrap();
    for (handle, passphrase) in users {
        let vault = Vault::unlock(&data, handle, &pass(passphrase)).unwrap();
        assert_eq!(vault.coordinator_public(), Some(&public_before), "{handle}");
        assert!(vault.verify_audit().unwrap().is_ok(), "{handle}");
        vault.lock().unwrap();
    }
}

#[test]
fn a_pinned_volunteer_ignores_a_verifying_key_swapped_in_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    let forged = CoordinatorKey::generate().unwrap();
    let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
    store
        .conn
        .execute(
            "UPDATE coordinator_authority SET public = ?1",
            [&forged.public().to_bytes()[..]],
        )
        .unwrap();
    store.close().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_ne!(bo.coordinator_public(), Some(&forged.public()));
}

#[test]
fn a_recovery_kit_ensures_continuity_and_recovers_the_coordinator_powers() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ana) = new_vault(tmp.path(), "data");
    let alone = ana.continuity().unwrap();
    assert_eq!((alone.coordinators, alone.recovery_kits), (1, 0));
    assert!(!alone.ensured, "one holder of the key");
    let kit = ana.coordinator().unwrap().create_recovery_kit().unwrap();
    assert!(kit.handle.starts_with(crate::vault::RECOVERY_KIT_PREFIX));
    assert_eq!(
        kit.passphrase.text().split(' ').count(),
        crate::vault::RECOVERY_KIT_WORDS
    );
    assert!(!format!("{kit:?}").contains(kit.passphrase.text()));
    let ensured = ana.continuity().unwrap();
    assert_eq!((ensured.coordinators, ensured.recovery_kits), (1, 1));
    assert!(ensured.ensured);
    let listed = ana.list_users().unwrap();
    assert!(
        listed
            .iter()
            .any(|u| u.handle == kit.handle && u.recovery_kit)
    );
    ana.coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &pass(VOLUNTEER_PASS))
        .unwrap();
    let secret = ana.coordinator_key().unwrap().to_bytes();
    ana.lock().unwrap();

    // ana is gone: the kit opens a coordinator session, which needs no
    // passphrase change, holds the same key and can add a new coordinator.
    let recovery = Vault::unlock(&data, &kit.handle, &kit.passphrase.to_passphrase()).unwrap();
    assert!(recovery.require_own_passphrase().is_ok());
    assert_eq!(recovery.coordinator_key().unwrap().to_bytes(), secret);
    recovery
        .coordinator()
        .unwrap()
        .add_user("dee", Role::Coordinator, &pass("dee picks a long one"))
        .unwrap();
    recovery.lock().unwrap();
    let dee = Vault::unlock(&data, "dee", &pass("dee picks a long one")).unwrap();
    assert!(dee.coordinator().is_ok());
}

/// The coordinator's bundle recipient (`age1…`).
fn bundle_recipient(vault: &Vault) -> String {
    crate::export::coordinator_key(&vault.coordinator().unwrap()).unwrap()
}

#[test]
fn a_coordinator_leaving_replaces_the_coordinator_key_and_the_age_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let data = team(tmp.path());
    let mut ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    crate::calls::set_retention_days(&ana.coordinator().unwrap(), 45).unwrap();
    let old_key = ana.coordinator_key().unwrap().to_bytes();
    let old_public = *ana.coordinator_public().unwrap();
    let old_recipient = bundle_recipient(&ana);
    ana.remove_user_and_rekey(CY.0, &mut |_| {}).unwrap();
    let new_public = *ana.coordinator_public().unwrap();
    assert_ne!(new_public, old_public, "a new key");
    assert_ne!(bundle_recipient(&ana), old_recipient, "a new age identity");
    assert!(
        ana.verify_audit().unwrap().is_ok(),
        "checkpoints signed again"
    );
    assert_eq!(crate::calls::retention_days(&ana).unwrap(), 45);
    ana.lock().unwrap();

    // Everyone who stays follows the rotation and trusts the new key only.
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_eq!(bo.coordinator_public(), Some(&new_public));
    assert_eq!(
        crate::calls::retention_days(&bo).unwrap(),
        45,
        "still signed"
    );
    assert!(bo.verify_audit().unwrap().is_ok());
    bo.lock().unwrap();
    let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let notice = ana.unlock_notice().unwrap();
    assert!(notice.refused.is_empty(), "{notice:?}");
    assert!(notice.audit.is_ok(), "{notice:?}");
    ana.lock().unwrap();

    // What the one who left can still sign is refused: a retention record
    // signed with the old key, written by a volunteer holding the files.
    let old = CoordinatorKey::from_bytes(&old_key[..]).unwrap();
    let store = raw_database(&data, VOLUNTEER, VOLUNTEER_PASS);
    crate::vault::signed::write_with(
        &store.conn,
        &old,
        "cy",
        crate::vault::SettingKind::Retention,
        &7u32,
    )
    .unwrap();
    store
        .conn
        .execute(
            "UPDATE settings SET value = '7' WHERE key = 'retention_days'",
            [],
        )
        .unwrap();
    store.close().unwrap();
    let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
    assert_ne!(
        crate::calls::retention_days(&bo).unwrap(),
        7,
        "the old key signs nothing"
    );
}

#[test]
fn a_rotation_cut_short_before_or_after_the_database_leaves_one_coordinator_key() {
    use crate::vault::rekey::{STOP, Stop};
    for (stop, rotated) in [(Stop::AfterPending, false), (Stop::AfterDatabase, true)] {
        let tmp = tempfile::tempdir().unwrap();
        let data = team(tmp.path());
        let mut ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        let old_public = *ana.coordinator_public().unwrap();
        STOP.with(|s| s.set(Some(stop)));
        let cut = ana.remove_user_and_rekey(CY.0, &mut |_| {});
        STOP.with(|s| s.set(None));
        assert!(cut.is_err(), "{stop:?}");
        drop(ana);

        let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        assert!(ana.coordinator().is_ok(), "{stop:?}: still a coordinator");
        let public = *ana.coordinator_public().unwrap();
        assert_eq!(public != old_public, rotated, "{stop:?}");
        assert!(ana.verify_audit().unwrap().is_ok(), "{stop:?}");
        ana.lock().unwrap();
        let bo = Vault::unlock(&data, VOLUNTEER, &pass(VOLUNTEER_PASS)).unwrap();
        assert_eq!(bo.coordinator_public(), Some(&public), "{stop:?}");
        assert!(bo.verify_audit().unwrap().is_ok(), "{stop:?}");
    }
}

#[test]
fn the_team_key_survives_a_rotation_and_one_cut_short() {
    use crate::vault::rekey::{STOP, Stop};
    for stop in [None, Some(Stop::AfterPending), Some(Stop::AfterDatabase)] {
        let tmp = tempfile::tempdir().unwrap();
        let data = team(tmp.path());
        let mut ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        crate::team::create_team(&ana.coordinator().unwrap(), "Lakeside").unwrap();
        STOP.with(|s| s.set(stop));
        let removed = ana.remove_user_and_rekey(CY.0, &mut |_| {});
        STOP.with(|s| s.set(None));
        assert_eq!(removed.is_ok(), stop.is_none(), "{stop:?}");
        drop(ana);
        let ana = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        let opened = crate::team::coordinated_team(&ana.coordinator().unwrap());
        assert!(opened.is_ok(), "{stop:?}: {opened:?}");
    }
}
