//! Hostile and unusual text: stored exactly, or refused with a clear error.

use super::*;
use crate::calls::text::{self as limits, NOTES_MAX_BYTES, SALUTE_MAX_BYTES};

const HOSTILE: &[&str] = &[
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE calls; --",
    "Robert'); DELETE FROM calls WHERE ('1'='1",
    "\" OR 1=1 -- \\ %s %n {0} ${x}",
    "👩‍👩‍👧‍👦 🇲🇽 🏳️‍🌈 ✊🏽",
    "مرحبا، الشرطة أمام المنزل",
    "שלום \u{200f}עולם\u{200e} mixed עם English",
    "e\u{301} vs é, n\u{303} vs ñ, Z\u{335}\u{31b}\u{318}a\u{337}l\u{334}g\u{336}o",
    "tabs\tand\nnew lines\n\n  indented",
    "\u{feff}BOM and \u{200b}zero width",
    "NULL",
];

#[test]
fn hostile_text_round_trips_exactly_in_every_text_field() {
    let fx = Fixture::new();
    for text in HOSTILE {
        let mut new = call(text);
        new.exact_location = Some((*text).to_owned());
        new.contact_name = Some(text.chars().take(40).collect());
        new.contact_phone = Some("+1 (608) 555-0100 ext. ☎".into());
        new.salute = Salute {
            size: Some((*text).into()),
            activity: Some((*text).into()),
            location: Some((*text).into()),
            uniform: Some((*text).into()),
            time: Some((*text).into()),
            equipment: Some((*text).into()),
        };
        new.followups = vec![NewFollowUp {
            what: (*text).into(),
            due: Utc::now().date_naive(),
            done: false,
        }];
        new.script_path = Some(serde_json::json!({ "note": text }));
        let id = create(&fx.vault, new.clone()).unwrap();
        let stored = get(&fx.vault, id).unwrap();
        assert_eq!(stored.notes, *text);
        assert_eq!(stored.exact_location, new.exact_location);
        assert_eq!(stored.contact_name, new.contact_name);
        assert_eq!(stored.contact_phone, new.contact_phone);
        assert_eq!(stored.salute, new.salute);
        assert_eq!(stored.followups[0].what, *text);
        assert_eq!(stored.script_path, new.script_path);
    }
    // The SQL-looking text did nothing.
    assert_eq!(
        list(&fx.vault, &CallFilter::default()).unwrap().len(),
        HOSTILE.len()
    );
}

#[test]
fn notes_over_64_kib_are_refused_naming_the_field_and_limit() {
    let fx = Fixture::new();
    let exactly = "a".repeat(NOTES_MAX_BYTES);
    create(&fx.vault, call(&exactly)).unwrap();
    let over = format!("{exactly}é");
    let err = create(&fx.vault, call(&over)).unwrap_err();
    assert!(matches!(
        err,
        CallError::TooLong {
            field: "notes",
            limit: NOTES_MAX_BYTES
        }
    ));
    assert_eq!(
        err.to_string(),
        "notes is too long: the limit is 65536 bytes"
    );
    // Updates are held to the same limit and leave the call as it was.
    let id = create(&fx.vault, call("short")).unwrap();
    let err = update(
        &fx.vault,
        id,
        CallUpdate {
            notes: Some(over),
            ..CallUpdate::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, CallError::TooLong { field: "notes", .. }));
    assert_eq!(get(&fx.vault, id).unwrap().notes, "short");
}

#[test]
fn every_other_text_field_has_its_own_limit() {
    let fx = Fixture::new();
    let long = |n: usize| "x".repeat(n + 1);
    let cases: Vec<(&str, NewCall)> = vec![
        ("salute.activity", {
            let mut c = call("a");
            c.salute.activity = Some(long(SALUTE_MAX_BYTES));
            c
        }),
        ("exact_location", {
            let mut c = call("a");
            c.exact_location = Some(long(limits::EXACT_LOCATION_MAX_BYTES));
            c
        }),
        ("contact_name", {
            let mut c = call("a");
            c.contact_name = Some(long(limits::CONTACT_NAME_MAX_BYTES));
            c
        }),
        ("contact_phone", {
            let mut c = call("a");
            c.contact_phone = Some(long(limits::CONTACT_PHONE_MAX_BYTES));
            c
        }),
        ("followups.what", {
            let mut c = call("a");
            c.followups = vec![NewFollowUp {
                what: long(limits::FOLLOWUP_MAX_BYTES),
                due: Utc::now().date_naive(),
                done: false,
            }];
            c
        }),
        ("script_path", {
            let mut c = call("a");
            c.script_path = Some(serde_json::Value::String(long(
                limits::SCRIPT_PATH_MAX_BYTES,
            )));
            c
        }),
    ];
    for (field, new) in cases {
        let err = create(&fx.vault, new).unwrap_err();
        match err {
            CallError::TooLong { field: f, .. } => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let mut many = call("a");
    many.referrals = vec!["legal-aid".into(); limits::MAX_REFERRALS + 1];
    assert!(matches!(
        create(&fx.vault, many),
        Err(CallError::TooMany {
            field: "referrals",
            ..
        })
    ));
    assert!(list(&fx.vault, &CallFilter::default()).unwrap().is_empty());
}

#[test]
fn control_characters_are_refused_and_line_endings_normalised() {
    let fx = Fixture::new();
    let err = create(&fx.vault, call("bell\u{7}")).unwrap_err();
    assert!(matches!(
        err,
        CallError::ControlCharacter { field: "notes" }
    ));
    let mut c = call("ok");
    c.salute.uniform = Some("esc\u{1b}[2J".into());
    assert!(matches!(
        create(&fx.vault, c),
        Err(CallError::ControlCharacter {
            field: "salute.uniform"
        })
    ));
    let id = create(&fx.vault, call("windows\r\nline\rendings")).unwrap();
    assert_eq!(get(&fx.vault, id).unwrap().notes, "windows\nline\nendings");
}

#[test]
fn error_messages_never_quote_the_text() {
    let fx = Fixture::new();
    let secret = "Maria-at-123-Example-St";
    let mut errors = Vec::new();
    errors.push(create(&fx.vault, call(&format!("{secret}\u{0}"))).unwrap_err());
    let mut c = call("a");
    c.area = Some(secret.into());
    errors.push(create(&fx.vault, c).unwrap_err());
    let mut c = call("a");
    c.language = secret.into();
    errors.push(create(&fx.vault, c).unwrap_err());
    let mut c = call("a");
    c.referrals = vec![secret.replace('-', " ")];
    errors.push(create(&fx.vault, c).unwrap_err());
    for err in errors {
        let text = format!("{err} {err:?}");
        assert!(!text.contains("Maria"), "{text}");
    }
}

/// The window counts and checks text with the same limits
/// (`TEXT_LIMITS` in `ui/src/lib/text.ts`), so its counters say what the
/// core will accept.
#[test]
fn the_window_uses_the_core_limits() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ui/src/lib/text.ts"
    ))
    .expect("ui/src/lib/text.ts is readable");
    let start = text
        .find("TEXT_LIMITS = {")
        .expect("text.ts declares TEXT_LIMITS");
    let end = start + text[start..].find("} as const").expect("TEXT_LIMITS ends");
    let declared: Vec<(String, usize)> = text[start + "TEXT_LIMITS = {".len()..end]
        .split(',')
        .filter_map(|entry| {
            let (name, value) = entry.split_once(':')?;
            Some((name.trim().to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    let expected = [
        ("notes", NOTES_MAX_BYTES),
        ("salute", SALUTE_MAX_BYTES),
        ("exact_location", limits::EXACT_LOCATION_MAX_BYTES),
        ("contact_name", limits::CONTACT_NAME_MAX_BYTES),
        ("contact_phone", limits::CONTACT_PHONE_MAX_BYTES),
        ("followup", limits::FOLLOWUP_MAX_BYTES),
    ];
    let expected: Vec<(String, usize)> = expected
        .iter()
        .map(|(name, limit)| ((*name).to_owned(), *limit))
        .collect();
    assert_eq!(declared, expected);
}
