//! Reading calls from JSON (the import format of `hotline call add`), with
//! errors that name the field, line and column, and an example call.

use chrono::{DateTime, Duration, Utc};

use super::{
    CallError, CallUpdate, CallerRelation, ChildrenPresent, IdentifiedBy, NewCall, NewFollowUp,
    Salute, Urgency,
};
use crate::codes::{Agency, Category, Verification};

/// Parse call JSON: one call object, or an array of them.
///
/// Errors name the place in the document (such as `[2].followups[0].due`),
/// its line and column, and what is wrong, with any quoted value from the
/// document left out of the message.
pub fn parse_calls(text: &str) -> Result<Vec<NewCall>, CallError> {
    let is_array = text.trim_start().starts_with('[');
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let calls = if is_array {
        serde_path_to_error::deserialize::<_, Vec<NewCall>>(&mut deserializer)
            .map_err(path_error)?
    } else {
        vec![
            serde_path_to_error::deserialize::<_, NewCall>(&mut deserializer)
                .map_err(path_error)?,
        ]
    };
    deserializer
        .end()
        .map_err(|err| json_error(".".to_owned(), &err))?;
    Ok(calls)
}

/// Parse a change to a call as JSON (the input of `hotline call edit`):
/// one object whose keys are the fields to change, `null` clearing an
/// optional one ([`CallUpdate`]). Errors are those of [`parse_calls`].
pub fn parse_update(text: &str) -> Result<CallUpdate, CallError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let update =
        serde_path_to_error::deserialize::<_, CallUpdate>(&mut deserializer).map_err(path_error)?;
    deserializer
        .end()
        .map_err(|err| json_error(".".to_owned(), &err))?;
    Ok(update)
}

fn path_error(err: serde_path_to_error::Error<serde_json::Error>) -> CallError {
    let path = err.path().to_string();
    json_error(path, err.inner())
}

fn json_error(path: String, err: &serde_json::Error) -> CallError {
    CallError::Json {
        path,
        line: err.line(),
        column: err.column(),
        detail: redact(&err.to_string()),
    }
}

/// serde's message without its position suffix and without quoted input
/// values: `invalid value: string "…", expected X` becomes
/// `invalid value, expected X`; `unknown variant `…`, expected one of …`
/// becomes `unknown code, expected one of …`.
fn redact(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    let kinds = [
        ("invalid type", "wrong type"),
        ("invalid value", "invalid value"),
        ("invalid length", "wrong number of entries"),
        ("unknown variant", "unknown code"),
        ("unknown field", "unknown field"),
    ];
    for (prefix, kind) in kinds {
        if message.starts_with(prefix) {
            return match message.find(", expected ") {
                Some(at) => format!("{kind}{}", &message[at..]),
                None => kind.to_owned(),
            };
        }
    }
    if message.starts_with("missing field") || !message.contains(['"', '`']) {
        // "missing field `notes`" names a schema field, not input; syntax
        // errors ("expected `,` or `}`") name only punctuation.
        return message.to_owned();
    }
    // Anything else may quote the input: keep only its first words.
    message
        .split(['"', '`'])
        .next()
        .unwrap_or_default()
        .trim_end_matches([' ', ':', ','])
        .to_owned()
}

/// A complete example call, received at `now` (invented, like every
/// example: no real place or person).
pub fn example(now: DateTime<Utc>) -> NewCall {
    let received = super::store::to_second(now - Duration::minutes(20));
    let due = (now + Duration::days(2)).date_naive();
    NewCall {
        received_at: received,
        duration_seconds: Some(540),
        volunteer: None,
        language: "es".to_owned(),
        caller_relation: CallerRelation::Witness,
        category: Category::IcePublic,
        agency: Agency::Unknown,
        identified_by: IdentifiedBy::Vehicle,
        area: Some("East Side/Far East".to_owned()),
        exact_location: Some("Parking lot behind the example grocery".to_owned()),
        salute: Salute {
            size: Some("2 SUVs, about 4 people".to_owned()),
            activity: Some("Standing by the cars, watching the entrance".to_owned()),
            location: Some("Grocery store parking lot".to_owned()),
            uniform: Some("Plain clothes, one dark vest without readable text".to_owned()),
            time: Some("About 10 minutes before the call".to_owned()),
            equipment: Some("Unmarked dark SUVs, radios".to_owned()),
        },
        verification: Verification::Unverified,
        people_affected: None,
        children_present: ChildrenPresent::Unknown,
        urgency: Urgency::Normal,
        referrals: vec![crate::referrals::BUILTIN[0].to_string()],
        followups: vec![NewFollowUp {
            what: "Call back if the verifier learns more".to_owned(),
            due,
            done: false,
        }],
        notes:
            "Caller saw two unmarked SUVs; no one detained so far. Shared know-your-rights info."
                .to_owned(),
        contact_name: None,
        contact_phone: None,
        possibly_malicious: false,
        script_path: Some(serde_json::json!({ "flow": "who-is-there", "steps": [] })),
        pack_id: Some("madison-dane".to_owned()),
        pack_version: Some("1.0.0".to_owned()),
    }
}

/// [`example`] as pretty-printed JSON.
pub fn example_json(now: DateTime<Utc>) -> String {
    serde_json::to_string_pretty(&example(now)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_back() {
        let now = Utc::now();
        let calls = parse_calls(&example_json(now)).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0], example(now));
        assert_eq!(calls[0].received_at.timestamp_subsec_nanos(), 0);
        let array = format!("[{}, {}]", example_json(now), example_json(now));
        assert_eq!(parse_calls(&array).unwrap().len(), 2);
    }

    fn json_err(text: &str) -> (String, usize, usize, String) {
        match parse_calls(text).unwrap_err() {
            CallError::Json {
                path,
                line,
                column,
                detail,
            } => (path, line, column, detail),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_field_line_and_column_without_the_value() {
        let text = "{\n  \"received_at\": \"2025-01-01T00:00:00Z\",\n  \"language\": \"es\",\n  \"caller_relation\": \"self\",\n  \"category\": \"secret-word-xyz\"\n}";
        let (path, line, _col, detail) = json_err(text);
        assert_eq!(path, "category");
        assert_eq!(line, 5);
        assert!(
            detail.starts_with("unknown code, expected one of"),
            "{detail}"
        );
        assert!(detail.contains("ice_public"));
        assert!(!detail.contains("secret-word-xyz"), "{detail}");

        let text = "[{\"received_at\": \"2025-01-01T00:00:00Z\", \"language\": \"es\",\n\"caller_relation\": \"self\", \"category\": \"other\",\n \"followups\": [{\"what\": \"x\", \"due\": \"tomorrow-secret\"}]}]";
        let (path, line, _, detail) = json_err(text);
        assert_eq!(path, "[0].followups[0].due");
        assert_eq!(line, 3);
        assert!(!detail.contains("tomorrow-secret"), "{detail}");
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let (path, _, _, detail) = json_err("{\"language\": \"es\"}");
        assert_eq!(path, ".");
        assert!(detail.contains("missing field `received_at`"), "{detail}");

        let text = "{\"received_at\": \"2025-01-01T00:00:00Z\", \"language\": \"es\", \"caller_relation\": \"self\", \"category\": \"other\", \"immigration_status\": \"x\"}";
        let (path, _, _, detail) = json_err(text);
        assert_eq!(path, "immigration_status");
        assert!(detail.starts_with("unknown field"), "{detail}");
    }

    #[test]
    fn syntax_errors_and_trailing_text_are_reported() {
        let (_, line, column, detail) = json_err("{\n  \"language\": \"es\",,\n}");
        assert_eq!((line, column), (2, 20));
        assert!(!detail.is_empty());
        let ok = example_json(Utc::now());
        let (_, _, _, detail) = json_err(&format!("{ok} trailing"));
        assert!(detail.contains("trailing"), "{detail}");
    }
}
