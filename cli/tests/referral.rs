//! Black-box tests of `hotline referral`: the real binary on temporary
//! data directories.

mod common;

use common::{add_volunteer, hotline, hotline_as};

/// A new data directory with a vault whose first coordinator is the test handle.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    hotline(dir.path(), &["init"]).ok();
    dir
}

const LOCATOR: &str = "d8f08dc7-189f-42b4-a7df-a91c0d8e9c89";

#[test]
fn list_add_search_remove_and_unverified_entries() {
    let dir = vault();
    let d = dir.path();
    let listed = hotline(d, &["referral", "list"]).ok().stdout;
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(
        listed.contains(&format!(
            "{LOCATOR}\tverified 2026-12-01\tdetainee-locator\tICE Online Detainee Locator System"
        )),
        "{listed}"
    );

    let added = hotline(
        d,
        &[
            "referral",
            "add",
            "--name",
            "Example Law Clinic",
            "--about-es",
            "Asesoría legal gratuita",
            "--kind",
            "legal-aid",
            "--language",
            "es",
        ],
    )
    .ok();
    let id = added.stdout.trim().to_owned();
    assert_eq!(id.len(), 36, "{}", added.stdout);
    let found = hotline(d, &["referral", "search", "asesoria"]).ok().stdout;
    assert_eq!(
        found,
        format!("{id}\tUNVERIFIED\tlegal-aid\tExample Law Clinic\n")
    );
    let by_kind = hotline(d, &["referral", "search", "--kind", "legal-aid"])
        .ok()
        .stdout;
    assert_eq!(by_kind.lines().count(), 2, "{by_kind}");
    let none = hotline(d, &["referral", "search", "--kind", "crisis"])
        .ok()
        .stdout;
    assert_eq!(none, "no entry matches\n");

    hotline(d, &["referral", "remove", &id]).ok();
    let gone = hotline(d, &["referral", "search", "clinic"]).ok().stdout;
    assert_eq!(gone, "no entry matches\n");
    let again = hotline(d, &["referral", "remove", &id]).failed();
    assert!(
        again
            .stderr
            .contains("no referral directory entry with that id"),
        "{}",
        again.stderr
    );
}

#[test]
fn bad_input_and_volunteers_are_refused_with_a_clear_message() {
    let dir = vault();
    let d = dir.path();
    let bad = hotline(
        d,
        &["referral", "add", "--name", "X", "--web", "example.org"],
    )
    .failed();
    assert!(bad.stderr.contains("invalid web"), "{}", bad.stderr);
    let bad = hotline(
        d,
        &["referral", "add", "--name", "X", "--kind", "Legal Aid"],
    )
    .failed();
    assert!(bad.stderr.contains("invalid kinds"), "{}", bad.stderr);
    let bad = hotline(d, &["referral", "remove", "not-an-id"]).failed();
    assert!(bad.stderr.contains("not a referral id"), "{}", bad.stderr);

    add_volunteer(d, "bo-3");
    let refused = hotline_as(d, "bo-3", &["referral", "add", "--name", "X"], "").failed();
    assert!(
        refused.stderr.contains("only a coordinator"),
        "{}",
        refused.stderr
    );
    let listed = hotline_as(d, "bo-3", &["referral", "list"], "").ok().stdout;
    assert_eq!(listed.lines().count(), 3, "volunteers read the directory");
}

#[test]
fn export_and_import_merge_by_id_across_laptops() {
    let first = vault();
    let id = hotline(
        first.path(),
        &[
            "referral",
            "add",
            "--name",
            "Clinic",
            "--kind",
            "legal-aid",
            "--source",
            "the clinic's page",
            "--verified-on",
            "2026-11-30",
        ],
    )
    .ok()
    .stdout
    .trim()
    .to_owned();
    let file = first.path().join("directory.json");
    let wrote = hotline(
        first.path(),
        &["referral", "export", "--out", file.to_str().unwrap()],
    )
    .ok();
    assert!(
        wrote.stdout.starts_with("wrote 4 entries"),
        "{}",
        wrote.stdout
    );
    let exists = hotline(
        first.path(),
        &["referral", "export", "--out", file.to_str().unwrap()],
    )
    .failed();
    assert!(
        exists.stderr.contains("exists already"),
        "{}",
        exists.stderr
    );

    let second = vault();
    let imported = hotline(
        second.path(),
        &["referral", "import", file.to_str().unwrap()],
    )
    .ok();
    assert!(
        imported
            .stdout
            .ends_with(": 1 added, 0 updated, 3 unchanged\n"),
        "{}",
        imported.stdout
    );
    let json = hotline(second.path(), &["referral", "list", "--json"])
        .ok()
        .json();
    let ids: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&id.as_str()),
        "same id on the second laptop: {ids:?}"
    );
    let same = hotline(second.path(), &["referral", "export"]).ok().stdout;
    assert_eq!(
        same,
        std::fs::read_to_string(&file).unwrap(),
        "the same file from both"
    );

    let broken = second.path().join("broken.json");
    std::fs::write(&broken, same.replacen("\"legal-aid\"", "\"Legal Aid\"", 1)).unwrap();
    let refused = hotline(
        second.path(),
        &["referral", "import", broken.to_str().unwrap()],
    )
    .failed();
    assert!(
        refused.stderr.contains("invalid kinds"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("entry "), "{}", refused.stderr);
}

#[test]
fn a_call_takes_directory_ids_and_refuses_others_naming_the_field() {
    let dir = vault();
    let d = dir.path();
    let example = hotline(d, &["call", "example"]).ok().stdout;
    assert!(
        example.contains(LOCATOR),
        "the example names a directory entry"
    );
    hotline_as(d, common::HANDLE, &["call", "add", "--file", "-"], &example).ok();
    let unknown = example.replace(LOCATOR, "legal-aid");
    let refused = hotline_as(d, common::HANDLE, &["call", "add", "--file", "-"], &unknown).failed();
    assert!(
        refused
            .stderr
            .contains("invalid referrals: entry 1 (legal-aid) is not in the referral directory"),
        "{}",
        refused.stderr
    );
}

#[test]
fn the_schema_command_prints_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let printed = hotline(dir.path(), &["referral", "schema"]).ok().stdout;
    let documented = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/referrals.schema.json"
    ))
    .unwrap();
    assert_eq!(printed, documented);
}
