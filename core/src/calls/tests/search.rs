//! Full-text search inside the encrypted database.

use super::*;

fn found(vault: &Vault, query: &str) -> Vec<CallId> {
    search(vault, query, 100)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

#[test]
fn fts5_is_compiled_into_sqlcipher() {
    let fx = Fixture::new();
    let used: i64 = fx
        .vault
        .conn()
        .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(used, 1);
}

#[test]
fn common_rare_phrase_prefix_and_no_match() {
    let fx = Fixture::new();
    let a = create(&fx.vault, call("White van parked near the school entrance")).unwrap();
    let b = create(
        &fx.vault,
        call("Agents near the school, caller stayed inside"),
    )
    .unwrap();
    let mut with_salute = call("Nothing unusual in the notes");
    with_salute.salute.equipment = Some("a white pickup with a ladder".into());
    with_salute.contact_phone = Some("608-555-0142".into());
    let c = create(&fx.vault, with_salute).unwrap();
    let d = create(
        &fx.vault,
        call("La policía habló con la familia sobre la detención"),
    )
    .unwrap();

    // Common word: every match, most recently logged first.
    assert_eq!(found(&fx.vault, "school"), [b, a]);
    // Rare word, in any text field, any case.
    assert_eq!(found(&fx.vault, "LADDER"), [c]);
    // Words must all appear, in any order.
    assert_eq!(found(&fx.vault, "white school"), [a]);
    assert_eq!(found(&fx.vault, "white"), [c, a]);
    // A phrase must appear as written.
    assert_eq!(found(&fx.vault, "\"white van\""), [a]);
    assert!(found(&fx.vault, "\"van white\"").is_empty());
    // Prefixes, phone numbers, and accents folded both ways.
    assert_eq!(found(&fx.vault, "entr*"), [a]);
    assert_eq!(found(&fx.vault, "555-0142"), [c]);
    assert_eq!(found(&fx.vault, "detencion policia"), [d]);
    assert_eq!(found(&fx.vault, "policía"), [d]);
    // No match.
    assert!(found(&fx.vault, "helicopter").is_empty());
    // The limit holds.
    assert_eq!(search(&fx.vault, "school", 1).unwrap().len(), 1);
}

#[test]
fn hostile_queries_never_error() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("near the corner store, (two) cars: white")).unwrap();
    for query in [
        "\"",
        "\"\"\"",
        "NEAR(",
        "NEAR(corner store, 2)",
        "corner AND",
        "OR",
        "NOT store",
        "notes:corner",
        "{notes}: corner",
        "^corner",
        "corner*",
        "*",
        "(two",
        "cars:",
        "'; DROP TABLE calls_fts; --",
        "-",
        "+",
        "\u{0}",
        "😀",
        "",
    ] {
        let result = search(&fx.vault, query, 10);
        assert!(result.is_ok(), "{query:?}: {result:?}");
    }
    // Operators are searched as plain words.
    assert_eq!(
        found(&fx.vault, "NEAR(corner store, 2)"),
        Vec::<CallId>::new()
    );
    assert_eq!(found(&fx.vault, "near corner"), [id]);
    assert_eq!(found(&fx.vault, "(two) cars:"), [id]);
    assert_eq!(list(&fx.vault, &CallFilter::default()).unwrap().len(), 1);
}

#[test]
fn edits_keep_the_index_in_step() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("first version mentions a bicycle")).unwrap();
    update(
        &fx.vault,
        id,
        CallUpdate {
            notes: Some("second version mentions a scooter".into()),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    assert!(found(&fx.vault, "bicycle").is_empty());
    assert_eq!(found(&fx.vault, "scooter"), [id]);
    // FTS5 checks the index against the content table (an error if not).
    fx.vault
        .conn()
        .execute(
            "INSERT INTO calls_fts (calls_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

#[test]
fn control_characters_in_a_search_separate_words_and_never_fail() {
    let fx = Fixture::new();
    create(&fx.vault, call("vans near the school")).unwrap();
    for query in [
        "vans\u{0}school",
        "vans\u{1}",
        "\u{0}",
        "\u{7f}vans\u{1b}[2J",
    ] {
        let found = search(&fx.vault, query, 10);
        assert!(found.is_ok(), "{query:?}: {found:?}");
    }
    assert_eq!(search(&fx.vault, "vans\u{0}school", 10).unwrap().len(), 1);
    assert_eq!(fts_query("a\u{0}b").as_deref(), Some("\"a\" \"b\""));
}
