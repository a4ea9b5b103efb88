//! Vault tests on real SQLCipher files in temporary directories, with the
//! production key-derivation parameters.

mod anchor;
mod audit_chain;
mod backup;
mod canary;
mod coordinator;
mod crash;
mod damage;
mod erase;
mod integrity;
mod lifecycle;
mod rekey;
mod slots;
mod unlock_counter;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::keyslots::{KeyFile, KeySlot};
use super::{KdfParams, Passphrase, Role, Vault};

/// The first coordinator's handle in every test vault.
pub(super) const COORDINATOR: &str = "ana";
/// The first coordinator's passphrase.
pub(super) const COORDINATOR_PASS: &str = "correct horse battery staple";
/// A volunteer's handle.
pub(super) const VOLUNTEER: &str = "bo";
/// The volunteer's passphrase.
pub(super) const VOLUNTEER_PASS: &str = "tres palabras largas";

pub(super) fn pass(text: &str) -> Passphrase {
    Passphrase::from(text)
}

/// A new vault in `<tmp>/<name>` with the coordinator unlocked.
pub(super) fn new_vault(root: &Path, name: &str) -> (PathBuf, Vault) {
    let data = root.join(name);
    let vault = Vault::create(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    (data, vault)
}

/// Create the test table used to store rows through the vault connection.
pub(super) fn create_notes_table(vault: &Vault) {
    vault
        .conn()
        .execute_batch("CREATE TABLE test_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        .unwrap();
}

/// Insert a note through the vault connection.
pub(super) fn add_note(vault: &Vault, note: &str) {
    vault
        .conn()
        .execute("INSERT INTO test_notes (note) VALUES (?1)", [note])
        .unwrap();
}

/// Every note, in insertion order.
pub(super) fn notes(vault: &Vault) -> Vec<String> {
    let mut stmt = vault
        .conn()
        .prepare("SELECT note FROM test_notes ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Every file under `dir` (recursively) with its bytes, keyed by path
/// relative to `dir`.
pub(super) fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// Files under `dir` whose bytes contain `needle`.
pub(super) fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path)
        .collect()
}

/// Copy every file of `from` into a new directory `to`.
pub(super) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (rel, bytes) in snapshot(from) {
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

/// Turn `vault` into one as versions before key file format 2 left it:
/// `users` get one slot each in `keyslots.json` (handle and role in the
/// clear), `keyslots.bin` is removed, and the database loses the user
/// index (and the tables of the migrations after it) and goes back to the
/// schema version before it.
pub(crate) fn give_old_slots(vault: &Vault, users: &[(&str, Role, &str)]) {
    let slots = users
        .iter()
        .map(|(handle, role, passphrase)| {
            KeySlot::seal(
                handle,
                *role,
                KdfParams::DEFAULT,
                &pass(passphrase),
                &vault.key,
            )
            .unwrap()
        })
        .collect();
    KeyFile { slots }
        .save(&vault.files.legacy_key_file())
        .unwrap();
    std::fs::remove_file(vault.files.key_file()).unwrap();
    let before = crate::store::migrations::MIGRATIONS
        .iter()
        .find(|m| m.sql == crate::store::migrations::USER_KEY_SLOTS)
        .unwrap()
        .version
        - 1;
    // Versions before the slots held the coordinator key kept it in the
    // database.
    let secret = vault.coordinator_key().unwrap().to_bytes();
    vault
        .conn()
        .execute(
            "UPDATE coordinator_authority SET secret = ?1",
            [&secret[..]],
        )
        .unwrap();
    vault
        .conn()
        .execute_batch(&format!(
            "DROP TABLE coordinator_rotations;
             ALTER TABLE users DROP COLUMN recovery_kit;
             ALTER TABLE users DROP COLUMN signature;
             ALTER TABLE coordinator_keys DROP COLUMN sealed_identity;
             DROP INDEX users_slot_tag;
             ALTER TABLE users DROP COLUMN slot_tag;
             ALTER TABLE users DROP COLUMN public_key;
             ALTER TABLE users DROP COLUMN old_slot;
             DROP TABLE unlock_counter;
             DROP TABLE unlock_counter_events;
             DROP TABLE signed_settings_pending;
             ALTER TABLE team_key DROP COLUMN sealed_next;
             ALTER TABLE calls DROP COLUMN case_state;
             DROP TRIGGER call_counts_insert;
             DROP TRIGGER call_counts_delete;
             DROP TRIGGER call_counts_update;
             DROP INDEX calls_handed_in;
             ALTER TABLE calls DROP COLUMN origin_laptop;
             ALTER TABLE calls DROP COLUMN share_text;
             ALTER TABLE calls DROP COLUMN shred_due_at;
             DROP INDEX call_followups_uid;
             ALTER TABLE call_followups DROP COLUMN uid;
             DROP TABLE case_events;
             DROP TABLE case_clock;
             DROP TABLE case_handed;
             DROP TABLE case_events_sent;
             DROP TABLE team_outbox;
             ALTER TABLE signed_settings DROP COLUMN signer;
             ALTER TABLE team_membership DROP COLUMN pin_signature;
             DROP TABLE team_pin_pending;
             DROP TABLE team_update_versions;
             DROP TABLE team_updates_applied;
             PRAGMA user_version = {before};"
        ))
        .unwrap();
}

#[test]
fn an_unlocked_vault_can_be_handed_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Vault>();
}
