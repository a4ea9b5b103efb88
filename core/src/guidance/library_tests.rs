//! Tests of packs kept in the vault, on real SQLCipher files in temporary
//! directories: import, listing, the active pack, removal, fallback, and
//! attached seed-article text.

use tempfile::TempDir;

use super::tests::SEED_ARTICLE;
use super::*;
use crate::vault::{Passphrase, Role, Vault, VaultError};

const PASS: &str = "maple kettle harbor 42";
const COORDINATOR: &str = "river-7";
const VOLUNTEER: &str = "bo-3";

/// The test pack (id `lakeside-test`, version 2.1.0, 12-paragraph article).
const FIXTURE: &str = include_str!("../../tests/fixtures/lakeside-pack.toml");

fn new_vault() -> (TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
    (dir, vault)
}

fn relock(dir: &TempDir, vault: Vault, handle: &str) -> Vault {
    vault.lock().unwrap();
    Vault::unlock(dir.path(), handle, &Passphrase::from(PASS)).unwrap()
}

fn ids(vault: &Vault) -> Vec<(String, bool)> {
    list_packs(vault)
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.active))
        .collect()
}

fn audit_actions(vault: &Vault) -> Vec<String> {
    let mut stmt = vault
        .conn()
        .prepare("SELECT action FROM audit_log ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn article() -> String {
    std::fs::read_to_string(SEED_ARTICLE).expect("the seed article beside the repository")
}

#[test]
fn a_valid_pack_is_stored_listed_and_audited() {
    let (_dir, vault) = new_vault();
    let outcome =
        import_pack(&vault.coordinator().unwrap(), FIXTURE, "lakeside-pack.toml").unwrap();
    assert_eq!(outcome.pack.meta().id, "lakeside-test");
    assert_eq!(outcome.replaced_version, None);
    assert!(!outcome.active);

    let list = list_packs(&vault).unwrap();
    assert_eq!(list.len(), 2);
    let builtin = &list[0];
    assert!(builtin.builtin && builtin.active);
    assert_eq!(builtin.id, "madison-dane");
    assert_eq!(builtin.imported_by, None);
    let stored = &list[1];
    assert_eq!(stored.id, "lakeside-test");
    assert_eq!(stored.version, "2.1.0");
    assert_eq!(stored.reviewed_on.as_deref(), Some("2026-10-01"));
    assert_eq!(stored.title["es"], "Paquete de prueba Lakeside");
    assert_eq!(stored.imported_by.as_deref(), Some(COORDINATOR));
    assert!(stored.imported_at.is_some());
    assert!(!stored.builtin && !stored.active);
    assert_eq!(stored.problem, None);
    assert_eq!(stored.seed_sources.len(), 1);
    assert_eq!(stored.seed_sources[0].paragraphs, 12);
    assert!(!stored.seed_sources[0].attached);
    assert!(audit_actions(&vault).contains(&"pack.import".to_owned()));
}

#[test]
fn an_invalid_pack_is_not_stored_and_every_issue_has_its_line() {
    let (_dir, vault) = new_vault();
    let broken = FIXTURE
        .replacen("next = \"door_end\"", "next = \"nowhere\"", 1)
        .replacen("reviewed_on = 2026-10-01", "reviewed_on = 2999-01-01", 1);
    let err = import_pack(&vault.coordinator().unwrap(), &broken, "broken.toml").unwrap_err();
    let PackLibraryError::Invalid(errors) = err else {
        panic!("expected Invalid, got {err:?}");
    };
    let issues = errors.issues();
    assert_eq!(issues.len(), 2, "{errors}");
    let line_of = |needle: &str| broken[..broken.find(needle).unwrap()].matches('\n').count() + 1;
    assert!(
        issues
            .iter()
            .any(|i| i.line == line_of("reviewed_on = 2999") && i.kind == IssueKind::ReviewDate)
    );
    assert!(
        issues
            .iter()
            .any(|i| i.line == line_of("next = \"nowhere\"")
                && i.node_id() == Some("door_say")
                && i.file == "broken.toml")
    );
    assert_eq!(ids(&vault), [("madison-dane".to_owned(), true)]);
    assert!(!audit_actions(&vault).contains(&"pack.import".to_owned()));
}

#[test]
fn a_volunteer_cannot_import_choose_remove_or_attach() {
    let (dir, vault) = new_vault();
    vault
        .coordinator()
        .map_err(Into::into)
        .and_then(|c| import_pack(&c, FIXTURE, "p.toml"))
        .unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    let volunteer = relock(&dir, vault, VOLUNTEER);
    let refused = |r: Result<(), PackLibraryError>| {
        assert!(
            matches!(r, Err(PackLibraryError::Vault(VaultError::NotCoordinator))),
            "{r:?}"
        );
    };
    refused(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| import_pack(&c, FIXTURE, "p.toml"))
            .map(|_| ()),
    );
    refused(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| use_pack(&c, "lakeside-test"))
            .map(|_| ()),
    );
    refused(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| remove_pack(&c, "lakeside-test"))
            .map(|_| ()),
    );
    refused(
        volunteer
            .coordinator()
            .map_err(Into::into)
            .and_then(|c| attach_source_text(&c, "lakeside-test", "article", &article()))
            .map(|_| ()),
    );
    // Listing and playing are for everyone.
    assert_eq!(list_packs(&volunteer).unwrap().len(), 2);
    assert_eq!(load_active_pack(&volunteer).pack.meta().id, "madison-dane");
}

#[test]
fn the_active_pack_survives_lock_and_unlock() {
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    let pack = use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    assert_eq!(pack.meta().version, "2.1.0");
    let vault = relock(&dir, vault, COORDINATOR);
    let active = load_active_pack(&vault);
    assert_eq!(active.pack.meta().id, "lakeside-test");
    assert_eq!(active.fallback, None);
    assert_eq!(active.pack.flows().len(), 2);
    assert_eq!(
        ids(&vault),
        [
            ("madison-dane".to_owned(), false),
            ("lakeside-test".to_owned(), true)
        ]
    );
    assert!(audit_actions(&vault).contains(&"pack.use".to_owned()));
    // Back to the built-in pack by its alias.
    use_pack(&vault.coordinator().unwrap(), BUILTIN_ALIAS).unwrap();
    assert_eq!(load_active_pack(&vault).pack.meta().id, "madison-dane");
}

#[test]
fn reimporting_replaces_the_pack_with_its_new_version() {
    let (_dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    let newer = FIXTURE.replacen("version = \"2.1.0\"", "version = \"2.2.0\"", 1);
    let outcome = import_pack(&vault.coordinator().unwrap(), &newer, "p.toml").unwrap();
    assert_eq!(outcome.replaced_version.as_deref(), Some("2.1.0"));
    assert!(outcome.active);
    assert_eq!(load_active_pack(&vault).pack.meta().version, "2.2.0");
    assert_eq!(list_packs(&vault).unwrap().len(), 2);
}

#[test]
fn the_builtin_id_is_reserved_and_the_builtin_pack_cannot_be_removed() {
    let (_dir, vault) = new_vault();
    for id in ["madison-dane", "builtin"] {
        let text = FIXTURE.replacen("id = \"lakeside-test\"", &format!("id = \"{id}\""), 1);
        let err = import_pack(&vault.coordinator().unwrap(), &text, "p.toml").unwrap_err();
        assert!(
            matches!(err, PackLibraryError::ReservedId { .. }),
            "{err:?}"
        );
    }
    assert!(matches!(
        remove_pack(&vault.coordinator().unwrap(), "madison-dane"),
        Err(PackLibraryError::CannotRemoveBuiltin)
    ));
    assert!(matches!(
        remove_pack(&vault.coordinator().unwrap(), "never-imported"),
        Err(PackLibraryError::UnknownPack { .. })
    ));
    assert!(matches!(
        use_pack(&vault.coordinator().unwrap(), "never-imported"),
        Err(PackLibraryError::UnknownPack { .. })
    ));
}

#[test]
fn too_large_a_pack_is_refused_with_the_limit() {
    let (_dir, vault) = new_vault();
    let mut text = FIXTURE.to_owned();
    text.push_str(&format!("# {}\n", "x".repeat(MAX_IMPORT_BYTES)));
    let err = import_pack(&vault.coordinator().unwrap(), &text, "p.toml").unwrap_err();
    assert!(
        matches!(
            err,
            PackLibraryError::TooLarge {
                limit: MAX_IMPORT_BYTES,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("1048576 bytes"), "{err}");
}

#[test]
fn removing_the_active_pack_falls_back_to_the_builtin_pack() {
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    attach_source_text(
        &vault.coordinator().unwrap(),
        "lakeside-test",
        "article",
        &article(),
    )
    .unwrap();
    use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    assert!(remove_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap());
    assert_eq!(ids(&vault), [("madison-dane".to_owned(), true)]);
    let vault = relock(&dir, vault, COORDINATOR);
    let active = load_active_pack(&vault);
    assert_eq!(active.pack.meta().id, "madison-dane");
    assert_eq!(active.fallback, None);
    let texts: i64 = vault
        .conn()
        .query_row("SELECT count(*) FROM pack_source_texts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(texts, 0, "the removed pack's text is gone too");
    assert!(audit_actions(&vault).contains(&"pack.remove".to_owned()));
}

#[test]
fn a_stored_pack_that_no_longer_parses_falls_back_to_the_builtin_pack() {
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    vault
        .conn()
        .execute(
            "UPDATE packs SET source = '[pack\nid = ' WHERE id = 'lakeside-test'",
            [],
        )
        .unwrap();
    let vault = relock(&dir, vault, COORDINATOR);
    let active = load_active_pack(&vault);
    assert_eq!(active.pack.meta().id, "madison-dane");
    let reason = active.fallback.expect("the fallback is reported");
    assert!(reason.contains("lakeside-test"), "{reason}");
    let list = list_packs(&vault).unwrap();
    assert!(list[0].active, "the built-in pack stands in");
    assert!(!list[1].active && list[1].problem.is_some());
    assert!(matches!(
        use_pack(&vault.coordinator().unwrap(), "lakeside-test"),
        Err(PackLibraryError::StoredPackBroken { .. })
    ));
}

#[test]
fn split_paragraphs_finds_the_paragraphs_the_builtin_pack_declares() {
    let declared = Pack::builtin()
        .source("article")
        .and_then(|source| source.paragraphs);
    assert_eq!(declared, Some(12));
    assert_eq!(
        u32::try_from(split_paragraphs(&article()).len()).ok(),
        declared
    );
    assert_eq!(
        split_paragraphs("a\nb\n\n  \n\nc\n"),
        ["a\nb\n".to_owned(), "c\n".to_owned()]
    );
}

#[test]
fn a_text_with_the_wrong_paragraph_count_is_refused() {
    let (_dir, vault) = new_vault();
    let text = article();
    let eleven = split_paragraphs(&text)[..11].join("\n");
    let err = attach_source_text(&vault.coordinator().unwrap(), "builtin", "article", &eleven)
        .unwrap_err();
    assert!(
        matches!(
            err,
            PackLibraryError::ParagraphCount {
                expected: 12,
                found: 11,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("11 paragraph(s)"), "{err}");
    let err = attach_source_text(
        &vault.coordinator().unwrap(),
        "builtin",
        "kyr-guides",
        &text,
    )
    .unwrap_err();
    assert!(
        matches!(err, PackLibraryError::NotSeedArticle { .. }),
        "{err:?}"
    );
    let err =
        attach_source_text(&vault.coordinator().unwrap(), "builtin", "nope", &text).unwrap_err();
    assert!(
        matches!(err, PackLibraryError::UnknownSource { .. }),
        "{err:?}"
    );
    assert_eq!(
        cited_paragraphs(&vault, Pack::builtin(), "article", &[1]).unwrap(),
        None
    );
}

#[test]
fn attached_paragraphs_are_returned_for_a_citation() {
    let (dir, vault) = new_vault();
    let text = article();
    let expected = split_paragraphs(&text);
    assert_eq!(
        attach_source_text(
            &vault.coordinator().unwrap(),
            "madison-dane",
            "article",
            &text
        )
        .unwrap(),
        12
    );
    let vault = relock(&dir, vault, COORDINATOR);
    let cited = cited_paragraphs(&vault, Pack::builtin(), "article", &[3, 6, 99])
        .unwrap()
        .expect("attached");
    assert_eq!(cited.len(), 2, "paragraph 99 does not exist");
    assert_eq!(cited[0].number, 3);
    assert_eq!(cited[0].text, expected[2].trim_end());
    assert_eq!(cited[1].number, 6);
    assert_eq!(cited[1].text, expected[5].trim_end());
    // Not attached to another pack, and not for other sources.
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    let other = use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    assert_eq!(
        cited_paragraphs(&vault, &other, "article", &[3]).unwrap(),
        None
    );
    assert_eq!(
        cited_paragraphs(&vault, Pack::builtin(), "kyr-guides", &[]).unwrap(),
        None
    );
    let list = list_packs(&vault).unwrap();
    assert!(list[0].seed_sources[0].attached);
    assert!(!list[1].seed_sources[0].attached);
    assert!(audit_actions(&vault).contains(&"pack.attach_text".to_owned()));
}

#[test]
fn a_new_version_keeps_a_matching_text_and_drops_one_that_no_longer_matches() {
    let (_dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    attach_source_text(
        &vault.coordinator().unwrap(),
        "lakeside-test",
        "article",
        &article(),
    )
    .unwrap();
    let same = FIXTURE.replacen("version = \"2.1.0\"", "version = \"2.2.0\"", 1);
    assert_eq!(
        import_pack(&vault.coordinator().unwrap(), &same, "p.toml")
            .unwrap()
            .texts_dropped,
        0
    );
    let pack = use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    assert!(
        cited_paragraphs(&vault, &pack, "article", &[2])
            .unwrap()
            .is_some()
    );

    let recounted = same.replacen("paragraphs = 12", "paragraphs = 13", 1);
    assert_eq!(
        import_pack(&vault.coordinator().unwrap(), &recounted, "p.toml")
            .unwrap()
            .texts_dropped,
        1
    );
    let pack = use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    assert_eq!(
        cited_paragraphs(&vault, &pack, "article", &[2]).unwrap(),
        None
    );
}

#[test]
fn a_pack_file_that_is_not_utf8_is_reported_with_its_line() {
    let (dir, vault) = new_vault();
    let path = dir.path().join("latin1.toml");
    let mut bytes = FIXTURE.as_bytes()[..40].to_vec();
    bytes.extend_from_slice(b"\n\xe9\n");
    std::fs::write(&path, bytes).unwrap();
    let err = import_pack_file(&vault.coordinator().unwrap(), &path).unwrap_err();
    let PackLibraryError::Invalid(errors) = err else {
        panic!("expected Invalid, got {err:?}");
    };
    assert_eq!(errors.issues()[0].kind, IssueKind::File);
    assert!(errors.issues()[0].line > 1);
}

#[test]
fn neither_the_pack_nor_the_article_is_readable_on_disk() {
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    let text = article();
    attach_source_text(
        &vault.coordinator().unwrap(),
        "lakeside-test",
        "article",
        &text,
    )
    .unwrap();
    vault.lock().unwrap();
    let paragraphs = split_paragraphs(&text);
    let needles: [&[u8]; 3] = [
        b"You may keep the door closed and talk through it.",
        b"lakeside-test",
        paragraphs[3].trim_end().as_bytes(),
    ];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds plain text",
                path.display()
            );
        }
    }
}

#[test]
fn a_pack_with_only_warnings_is_imported_used_and_keeps_its_warnings() {
    let (dir, vault) = new_vault();
    // A volatile fact a year older than the review: a warning, not an error.
    let src = super::tests::BASE
        .replacen("id = \"t\"", "id = \"warned\"", 1)
        .replacen(
            "resources = []",
            "volatile = true\nas_of = \"2025-01\"\nresources = []",
            1,
        );
    let outcome = import_pack(&vault.coordinator().unwrap(), &src, "warned.toml").unwrap();
    assert_eq!(outcome.pack.warnings().len(), 1);
    assert_eq!(outcome.pack.warnings()[0].kind, IssueKind::StaleFact);
    use_pack(&vault.coordinator().unwrap(), "warned").unwrap();
    let vault = relock(&dir, vault, COORDINATOR);
    let active = load_active_pack(&vault);
    assert_eq!(active.pack.meta().id, "warned");
    assert_eq!(active.fallback, None);
    let listed = list_packs(&vault).unwrap();
    assert_eq!(
        listed.iter().find(|e| e.id == "warned").unwrap().problem,
        None
    );
}

/// The refusals the next coordinator unlock reports (kind and reason).
fn refused(dir: &TempDir) -> Vec<(crate::vault::SettingKind, crate::vault::RefusalReason)> {
    let vault = Vault::unlock(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
    let found = vault
        .unlock_notice()
        .expect("a coordinator's notice")
        .refused
        .iter()
        .map(|r| (r.kind, r.reason))
        .collect();
    vault.lock().unwrap();
    found
}

#[test]
fn a_pack_switched_in_the_database_by_a_volunteer_is_refused_and_reported() {
    use crate::vault::{RefusalReason, SettingKind};
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    vault
        .coordinator()
        .unwrap()
        .add_user(VOLUNTEER, Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    let bo = relock(&dir, vault, VOLUNTEER);
    // What someone holding the files and the master key could do.
    bo.conn()
        .execute(
            "INSERT INTO settings (key, value) VALUES ('active_pack', 'lakeside-test')",
            [],
        )
        .unwrap();
    let active = load_active_pack(&bo);
    assert_eq!(active.pack.meta().id, "madison-dane", "the signed choice");
    bo.lock().unwrap();
    assert_eq!(
        refused(&dir),
        [(
            SettingKind::ActivePack,
            RefusalReason::ChangedWithoutSignature
        )]
    );
    // A coordinator choosing it signs it: it is used, nothing is refused.
    let vault = Vault::unlock(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
    use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    vault.lock().unwrap();
    assert_eq!(refused(&dir), []);
    let bo = Vault::unlock(dir.path(), VOLUNTEER, &Passphrase::from(PASS)).unwrap();
    assert_eq!(load_active_pack(&bo).pack.meta().id, "lakeside-test");
}

#[test]
fn a_signed_pack_edited_in_the_database_gives_the_builtin_pack() {
    use crate::vault::{RefusalReason, SettingKind};
    let (dir, vault) = new_vault();
    import_pack(&vault.coordinator().unwrap(), FIXTURE, "p.toml").unwrap();
    use_pack(&vault.coordinator().unwrap(), "lakeside-test").unwrap();
    // The same id and version, other words (still a valid pack).
    let edited = FIXTURE.replacen("Lakeside", "Lakesyde", 1);
    assert_ne!(edited, FIXTURE);
    vault
        .conn()
        .execute(
            "UPDATE packs SET source = ?1 WHERE id = 'lakeside-test'",
            [&edited],
        )
        .unwrap();
    let active = load_active_pack(&vault);
    assert_eq!(active.pack.meta().id, "madison-dane");
    let reason = active.fallback.expect("the fallback is reported");
    assert!(
        reason.contains("without a coordinator's signature"),
        "{reason}"
    );
    vault.lock().unwrap();
    assert_eq!(
        refused(&dir),
        [(
            SettingKind::ActivePack,
            RefusalReason::ChangedWithoutSignature
        )]
    );
}
