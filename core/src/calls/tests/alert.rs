//! The alert text on a real vault: only confirmed calls have one, no free
//! text or contact ever reaches it, and copying it is audited without it.

use chrono::FixedOffset;
use serde_json::Value;

use super::*;
use crate::codes::{Agency, Verification};
use crate::export::Lang;
use crate::vault::audit;

const CANARY: &str = "CANARY-7f3a";

/// A call with every free-text and contact field holding the canary.
fn canary_call() -> NewCall {
    let text = |field: &str| Some(format!("{CANARY} {field}"));
    NewCall {
        agency: Agency::Hsi,
        exact_location: text("exact_location"),
        salute: Salute {
            size: text("size"),
            activity: text("activity"),
            location: text("location"),
            uniform: text("uniform"),
            time: text("time"),
            equipment: text("equipment"),
        },
        contact_name: text("contact_name"),
        contact_phone: Some("+1 608 555 0199".into()),
        followups: vec![NewFollowUp {
            what: format!("{CANARY} followup"),
            due: Utc::now().date_naive(),
            done: false,
        }],
        ..call(&format!("{CANARY} notes"))
    }
}

fn offset() -> FixedOffset {
    FixedOffset::west_opt(6 * 3600).unwrap()
}

fn assert_clean(text: &AlertText) {
    for body in [&text.en, &text.es] {
        assert!(!body.contains(CANARY), "{body}");
        assert!(!body.contains("555"), "{body}");
        assert!(!body.contains(COORDINATOR), "{body}");
        assert!(body.contains("South Madison"), "{body}");
        assert!(body.contains("HSI"), "{body}");
    }
}

#[test]
fn no_free_text_or_contact_reaches_the_alert() {
    let fx = Fixture::new();
    let template = AlertTemplate::builtin();
    // Confirmed at once, and confirmed later by an edit.
    let direct = create(
        &fx.vault,
        NewCall {
            verification: Verification::Confirmed,
            ..canary_call()
        },
    )
    .unwrap();
    let edited = create(&fx.vault, canary_call()).unwrap();
    let before = alert_text(&fx.vault, edited, &template, offset()).unwrap_err();
    assert!(matches!(before, CallError::NotConfirmed));
    update(
        &fx.vault,
        edited,
        CallUpdate {
            verification: Some(Verification::Confirmed),
            ..CallUpdate::default()
        },
    )
    .unwrap();
    let packed = AlertTemplate::of_pack(&crate::guidance::load_active_pack(&fx.vault).pack);
    assert_ne!(packed, template, "the built-in pack has its own wording");
    for id in [direct, edited] {
        for template in [&template, &packed] {
            assert_clean(&alert_text(&fx.vault, id, template, offset()).unwrap());
        }
    }
}

#[test]
fn copying_is_audited_with_the_call_and_language_only() {
    let fx = Fixture::new();
    let open = create(&fx.vault, canary_call()).unwrap();
    let refused = record_alert_copied(&fx.vault, open, Lang::Es).unwrap_err();
    assert!(matches!(refused, CallError::NotConfirmed));
    let id = create(
        &fx.vault,
        NewCall {
            verification: Verification::Confirmed,
            ..canary_call()
        },
    )
    .unwrap();
    record_alert_copied(&fx.vault, id, Lang::Es).unwrap();
    let copied: Vec<_> = audit::entries(fx.vault.conn())
        .into_iter()
        .filter(|e| e.action == "alert_copied")
        .collect();
    assert_eq!(copied.len(), 1);
    let params: Value = serde_json::from_str(&copied[0].params).unwrap();
    assert_eq!(
        params,
        serde_json::json!({ "call": id.to_string(), "lang": "es" })
    );
    assert_eq!(copied[0].actor, COORDINATOR);
}
