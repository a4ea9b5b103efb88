//! The edit history names editors and fields, never free-text values.

use super::*;
use crate::codes::Verification;

#[test]
fn history_records_editor_and_fields_but_not_text() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    let mut new = call("original secret words about the family");
    new.contact_name = Some("Original Contact".into());
    let id = create(&fx.vault, new).unwrap();

    update(
        &volunteer,
        id,
        CallUpdate {
            notes: Some("edited secret words".into()),
            contact_phone: Some(Some("608-555-0111".into())),
            contact_name: Some(None),
            verification: Some(Verification::Dispatched),
            people_affected: Some(Some(2)),
            salute: Some(Salute {
                size: Some("three cars".into()),
                ..Salute::default()
            }),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    // An update that changes nothing leaves no entry.
    update(
        &volunteer,
        id,
        CallUpdate {
            verification: Some(Verification::Dispatched),
            ..CallUpdate::default()
        },
    )
    .unwrap();

    let entries = history(&fx.vault, id).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].action, HistoryAction::Created);
    assert_eq!(entries[0].editor, COORDINATOR);
    let edit = &entries[1];
    assert_eq!(edit.action, HistoryAction::Edited);
    assert_eq!(edit.editor, VOLUNTEER);
    let fields: Vec<&str> = edit.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "verification",
            "people_affected",
            "notes",
            "contact_name",
            "contact_phone",
            "salute.size"
        ]
    );
    let verification = &edit.fields[0];
    assert_eq!(verification.from.as_deref(), Some("unverified"));
    assert_eq!(verification.to.as_deref(), Some("dispatched"));
    assert_eq!(edit.fields[1].to.as_deref(), Some("2"));
    for text_field in &edit.fields[2..] {
        assert_eq!((&text_field.from, &text_field.to), (&None, &None));
    }

    // Nothing in the stored history holds the texts, old or new.
    let stored: Vec<String> = fx
        .vault
        .conn()
        .prepare("SELECT fields FROM call_history")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let all = stored.join(" ");
    for secret in ["secret", "Original Contact", "608-555-0111", "three cars"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}
