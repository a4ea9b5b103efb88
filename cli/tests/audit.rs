//! `hotline audit verify|list` on real vaults, one altered through SQLCipher
//! by a volunteer's passphrase as someone holding the files could.

mod common;

use common::{HANDLE, PASS, add_volunteer, hotline, hotline_as};
use hotline_core::errors::EXIT_DAMAGED;
use hotline_core::vault::{self, Passphrase};

/// Run `sql` on the vault's database unlocked as `handle`.
fn tamper(dir: &std::path::Path, handle: &str, sql: &str) {
    vault::tamper_as(dir, handle, &Passphrase::from(PASS), sql).expect("the database opens");
}

#[test]
fn verify_passes_a_sound_log_and_fails_an_edited_one_with_exit_4() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path();
    hotline(data, &["init"]).ok();
    add_volunteer(data, "bo");

    let run = hotline(data, &["audit", "verify"]).ok();
    assert!(run.stdout.contains("audit log OK"), "{}", run.stdout);
    assert!(!run.stdout.contains("problem"), "{}", run.stdout);

    let listed = hotline(data, &["audit", "list", "--json"]).ok().json();
    let actions: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.last(),
        Some(&"vault.create"),
        "newest first: {actions:?}"
    );
    let added = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e["action"] == "user.add")
        .expect("the user.add entry");
    let id = added["id"].as_i64().expect("an id");
    assert_eq!(added["actor"], HANDLE);

    // A volunteer rewrites who added them.
    tamper(
        data,
        "bo",
        &format!("UPDATE audit_log SET actor = 'bo' WHERE id = {id}"),
    );
    let run = hotline_as(data, "bo", &["audit", "verify"], "").failed();
    assert_eq!(run.code, i32::from(EXIT_DAMAGED), "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("problem: entry {id} was edited")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("audit log was altered"),
        "{}",
        run.stderr
    );

    let json = hotline(data, &["audit", "verify", "--json"])
        .failed()
        .json();
    assert_eq!(json["problems"][0]["kind"], "edited");
    assert_eq!(json["problems"][0]["id"], id);
}

#[test]
fn verify_finds_a_deleted_entry_and_only_coordinators_list() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path();
    hotline(data, &["init"]).ok();
    add_volunteer(data, "bo");
    hotline(data, &["retention", "set", "30"]).ok();

    let run = hotline_as(data, "bo", &["audit", "list"], "").failed();
    assert!(run.stderr.contains("only a coordinator"), "{}", run.stderr);

    tamper(
        data,
        "bo",
        "DELETE FROM audit_log WHERE action = 'user.add'",
    );
    let run = hotline(data, &["audit", "verify"]).failed();
    assert_eq!(run.code, i32::from(EXIT_DAMAGED));
    assert!(run.stdout.contains("was deleted"), "{}", run.stdout);
}

#[test]
fn a_retention_forged_by_a_volunteer_is_refused_and_shown_at_the_coordinators_unlock() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path();
    hotline(data, &["init"]).ok();
    add_volunteer(data, "bo");
    hotline(data, &["retention", "set", "60"]).ok();
    tamper(
        data,
        "bo",
        "UPDATE settings SET value = '7' WHERE key = 'retention_days'",
    );
    let shown = hotline_as(data, "bo", &["retention", "show"], "").ok();
    assert!(shown.stdout.contains("60"), "{}", shown.stdout);

    let run = hotline(data, &["retention", "show"]).ok();
    assert!(
        run.stderr.contains(
            "refused setting retention: it was changed without a coordinator's signature"
        ),
        "{}",
        run.stderr
    );
    let listed = hotline(data, &["audit", "list", "--json"]).ok().json();
    assert!(
        listed
            .as_array()
            .expect("a list")
            .iter()
            .any(|e| e["action"] == "settings.refused" && e["params"]["setting"] == "retention"),
        "{listed}"
    );
}

#[test]
fn an_area_added_by_a_volunteer_is_not_offered_and_shown_at_the_coordinators_unlock() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path();
    hotline(data, &["init"]).ok();
    add_volunteer(data, "bo");
    tamper(
        data,
        "bo",
        "INSERT INTO areas (name) VALUES ('Nowhere Street')",
    );
    let listed = hotline_as(data, "bo", &["area", "list"], "").ok();
    assert!(listed.stdout.contains("Verona"), "{}", listed.stdout);
    assert!(
        !listed.stdout.contains("Nowhere Street"),
        "{}",
        listed.stdout
    );

    let run = hotline(data, &["area", "list"]).ok();
    assert!(
        run.stderr
            .contains("refused setting areas: it was changed without a coordinator's signature"),
        "{}",
        run.stderr
    );
}
