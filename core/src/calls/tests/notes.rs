//! The notes check on create and update: flagged notes are refused unless
//! confirmed, and nothing is stored when they are refused.

use super::*;
use crate::errors::{Coded, ErrorCode};

const FLAGGED: &str = "Her A-number is A123456789 and she is undocumented";

#[test]
fn create_refuses_flagged_notes_unless_confirmed() {
    let fx = Fixture::new();
    let err = create(&fx.vault, call(FLAGGED)).unwrap_err();
    assert!(
        matches!(err, CallError::NotesFlagged { count: 2 }),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::NotesFlagged);
    assert_eq!(err.field(), Some("notes"));
    // The message names neither the number nor the words.
    let message = err.to_string();
    assert!(!message.contains("123456789") && !message.contains("undocumented"));
    assert!(list(&fx.vault, &CallFilter::default()).unwrap().is_empty());

    let id = create_with(&fx.vault, call(FLAGGED), FlaggedNotes::Accept).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().notes, FLAGGED);
}

#[test]
fn create_many_names_the_call_with_flagged_notes() {
    let fx = Fixture::new();
    let err = create_many(
        &fx.vault,
        vec![call("two cars"), call("sin papeles")],
        OldCalls::Refuse,
    )
    .unwrap_err();
    assert!(
        matches!(&err, CallError::InBatch { number: 2, source, .. }
            if matches!(**source, CallError::NotesFlagged { count: 1 })),
        "{err:?}"
    );
    assert!(list(&fx.vault, &CallFilter::default()).unwrap().is_empty());
    let ids = create_many_with(
        &fx.vault,
        vec![call("two cars"), call("sin papeles")],
        OldCalls::Refuse,
        FlaggedNotes::Accept,
    )
    .unwrap();
    assert_eq!(ids.len(), 2);
}

#[test]
fn update_checks_changed_notes_only() {
    let fx = Fixture::new();
    let id = create(&fx.vault, call("two cars on Park St")).unwrap();
    let flagged = || CallUpdate {
        notes: Some("my husband is from Honduras".into()),
        ..CallUpdate::default()
    };
    let err = update(&fx.vault, id, flagged()).unwrap_err();
    assert!(
        matches!(err, CallError::NotesFlagged { count: 1 }),
        "{err:?}"
    );
    assert_eq!(get(&fx.vault, id).unwrap().notes, "two cars on Park St");
    assert_eq!(history(&fx.vault, id).unwrap().len(), 1);

    let fields = update_with(&fx.vault, id, flagged(), FlaggedNotes::Accept).unwrap();
    assert_eq!(fields, [FieldChange::text("notes")]);
    // Notes kept as they are do not raise the warning again.
    let fields = update_with(
        &fx.vault,
        id,
        CallUpdate {
            category: Some(Category::ArrestOrDetention),
            notes: Some("my husband is from Honduras".into()),
            ..CallUpdate::default()
        },
        FlaggedNotes::Refuse,
    )
    .unwrap();
    assert_eq!(
        fields,
        [FieldChange::values(
            "category",
            Some("ice_public".into()),
            Some("arrest_or_detention".into())
        )]
    );
}
