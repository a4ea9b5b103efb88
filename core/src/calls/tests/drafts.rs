//! Drafts: one per user, inside the encrypted database, across locks.

use super::*;
use crate::calls::text::DRAFT_MAX_BYTES;

#[test]
fn a_draft_survives_lock_and_unlock() {
    let fx = Fixture::new();
    assert!(load_draft(&fx.vault).unwrap().is_none());
    let body = serde_json::json!({
        "notes": "half-typed note 👩‍👧 مرحبا",
        "category": "ice_public",
        "timer_started": "2025-03-01T14:05:00Z",
    });
    save_draft(&fx.vault, &body).unwrap();
    let fx = fx.relock(COORDINATOR);
    let draft = load_draft(&fx.vault).unwrap().unwrap();
    assert_eq!(draft.body, body);
    assert!(draft.saved_at <= Utc::now());

    // Saving again replaces it; clearing removes it.
    save_draft(&fx.vault, &serde_json::json!({ "notes": "v2" })).unwrap();
    assert_eq!(load_draft(&fx.vault).unwrap().unwrap().body["notes"], "v2");
    clear_draft(&fx.vault).unwrap();
    assert!(load_draft(&fx.vault).unwrap().is_none());
}

#[test]
fn drafts_are_per_user_and_removed_with_the_user() {
    let mut fx = Fixture::new();
    let volunteer = fx.volunteer();
    save_draft(&fx.vault, &serde_json::json!({ "who": "coordinator" })).unwrap();
    save_draft(&volunteer, &serde_json::json!({ "who": "volunteer" })).unwrap();
    assert_eq!(
        load_draft(&fx.vault).unwrap().unwrap().body["who"],
        "coordinator"
    );
    assert_eq!(
        load_draft(&volunteer).unwrap().unwrap().body["who"],
        "volunteer"
    );
    volunteer.lock().unwrap();
    fx.vault
        .coordinator()
        .unwrap()
        .remove_user(VOLUNTEER)
        .unwrap();
    let left: i64 = fx
        .vault
        .conn()
        .query_row("SELECT count(*) FROM call_drafts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 1);
}

#[test]
fn an_oversized_draft_is_refused() {
    let fx = Fixture::new();
    let body = serde_json::json!({ "notes": "x".repeat(DRAFT_MAX_BYTES) });
    assert!(matches!(
        save_draft(&fx.vault, &body),
        Err(CallError::TooLong { field: "draft", .. })
    ));
}
