//! Black-box tests of the call-log commands: the real `hotline` binary, run
//! as a process with the passphrase in the environment, on temporary
//! directories.

mod common;

use std::path::Path;

use common::{HANDLE, add_volunteer, hotline, hotline_as};
use serde_json::Value;

/// A new data directory with a vault whose first coordinator is `HANDLE`.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    hotline(dir.path(), &["init"]).ok();
    dir
}

fn listed(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["call", "list", "--json", "--limit", "1000"];
    args.extend_from_slice(extra);
    hotline(dir, &args)
        .ok()
        .json()
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn example_add_list_search_show_and_purge() {
    let dir = vault();
    let d = dir.path();
    let example = hotline(d, &["call", "example"]).ok().stdout;
    let added = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], &example).ok();
    let id = added.stdout.trim().to_owned();
    assert_eq!(id.len(), 36, "{}", added.stdout);

    let calls = listed(d, &[]);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["id"], id.as_str());
    assert_eq!(calls[0]["category"], "ice_public");
    assert_eq!(calls[0]["volunteer"], HANDLE);
    // Lists never carry free text.
    assert!(calls[0].get("notes").is_none());
    assert_eq!(listed(d, &["--status", "unverified"]).len(), 1);
    assert_eq!(listed(d, &["--status", "confirmed"]).len(), 0);
    assert_eq!(listed(d, &["--area", "East Side/Far East"]).len(), 1);
    assert_eq!(listed(d, &["--category", "courthouse"]).len(), 0);
    hotline(d, &["call", "list", "--status", "nonsense"]).failed();

    let found = hotline(d, &["call", "search", "unmarked SUVs", "--json"])
        .ok()
        .json();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let none = hotline(d, &["call", "search", "helicopter", "--json"])
        .ok()
        .json();
    assert!(none.as_array().unwrap().is_empty());
    for hostile in ["\"", "NEAR(", "a OR", "'; DROP TABLE calls; --"] {
        hotline(d, &["call", "search", hostile]).ok();
    }
    let table = hotline(d, &["call", "search", "grocery"]).ok().stdout;
    assert!(table.contains(&id), "{table}");

    let shown = hotline(d, &["call", "show", &id, "--history"]).ok().json();
    assert!(shown["notes"].as_str().unwrap().contains("unmarked SUVs"));
    assert_eq!(shown["history"][0]["action"], "created");
    assert!(shown["shred_at"].is_string());

    let dry = hotline(d, &["purge", "--dry-run"]).ok().stdout;
    assert!(
        dry.contains("would shred the free text of 0 call(s)"),
        "{dry}"
    );
    let report = hotline(d, &["purge", "--json"]).ok().json();
    assert_eq!(report["calls_shredded"], 0);
    assert_eq!(listed(d, &[]).len(), 1);
}

#[test]
fn demo_data_then_list() {
    let dir = vault();
    let d = dir.path();
    let out = hotline(d, &["demo-data", "--calls", "200", "--seed", "1"])
        .ok()
        .stdout;
    assert!(out.contains("inserted 200 synthetic call(s)"), "{out}");
    let calls = listed(d, &[]);
    assert_eq!(calls.len(), 200);
    assert!(calls.iter().all(|c| c["synthetic"] == true));
    // Newest first.
    let times: Vec<&str> = calls
        .iter()
        .map(|c| c["received_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    // Retention ran on the next unlock: demo calls older than 90 days
    // have no free text left, and say so.
    assert!(calls.iter().any(|c| c["shredded"] == true));
    assert!(calls.iter().any(|c| c["shredded"] == false));
    let limited = hotline(d, &["call", "list", "--limit", "5"]).ok().stdout;
    assert_eq!(limited.lines().count(), 5);
}

#[test]
fn malformed_json_names_the_field_and_line() {
    let dir = vault();
    let d = dir.path();
    let bad_code = "{\n  \"received_at\": \"2025-01-01T10:00:00Z\",\n  \"language\": \"es\",\n  \"caller_relation\": \"self\",\n  \"category\": \"secret-words-here\"\n}\n";
    let run = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], bad_code).failed();
    assert!(run.stderr.contains("line 5"), "{}", run.stderr);
    assert!(run.stderr.contains("`category`"), "{}", run.stderr);
    assert!(run.stderr.contains("expected one of"), "{}", run.stderr);
    assert!(!run.stderr.contains("secret-words-here"), "{}", run.stderr);

    let file = d.join("broken.json");
    std::fs::write(
        &file,
        "[\n  {\"received_at\": \"2025-01-01T10:00:00Z\", \"language\": \"es\",\n   \"caller_relation\": \"self\", \"category\": \"other\",\n   \"people_affected\": -2}\n]\n",
    )
    .unwrap();
    let run = hotline(d, &["call", "add", "--file", file.to_str().unwrap()]).failed();
    assert!(run.stderr.contains("broken.json"), "{}", run.stderr);
    assert!(run.stderr.contains("line 4"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`[0].people_affected`"),
        "{}",
        run.stderr
    );

    let run = hotline_as(
        d,
        HANDLE,
        &["call", "add", "--file", "-"],
        "{\n\"language\": ,\n}",
    )
    .failed();
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    assert!(listed(d, &[]).is_empty());
}

#[test]
fn over_long_notes_are_refused() {
    let dir = vault();
    let d = dir.path();
    let mut call: Value =
        serde_json::from_str(&hotline(d, &["call", "example"]).ok().stdout).unwrap();
    call["notes"] = Value::String("n".repeat(64 * 1024 + 1));
    let run = hotline_as(
        d,
        HANDLE,
        &["call", "add", "--file", "-"],
        &call.to_string(),
    )
    .failed();
    assert!(
        run.stderr
            .contains("notes is too long: the limit is 65536 bytes"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("nnnn"));
    assert!(listed(d, &[]).is_empty());
}

#[test]
fn retention_holds_and_areas_are_for_coordinators() {
    let dir = vault();
    let d = dir.path();
    add_volunteer(d, "bo-3");

    let example = hotline(d, &["call", "example"]).ok().stdout;
    let id = hotline_as(d, "bo-3", &["call", "add", "--file", "-"], &example)
        .ok()
        .stdout
        .trim()
        .to_owned();

    let run = hotline_as(d, "bo-3", &["retention", "set", "30"], "").failed();
    assert!(run.stderr.contains("only a coordinator"), "{}", run.stderr);
    hotline_as(d, "bo-3", &["hold", &id, "on"], "").failed();
    hotline_as(d, "bo-3", &["area", "add", "Maple Bluff"], "").failed();

    hotline(d, &["retention", "set", "30"]).ok();
    assert_eq!(hotline(d, &["retention", "show"]).ok().stdout.trim(), "30");
    let run = hotline(d, &["retention", "set", "3"]).failed();
    assert!(run.stderr.contains("7 to 365"), "{}", run.stderr);
    assert_eq!(
        hotline(d, &["hold", "--list", "--json"]).ok().stdout.trim(),
        "[]"
    );
    hotline(d, &["hold", &id, "on"]).ok();
    assert_eq!(listed(d, &[])[0]["legal_hold"], true);
    let held: serde_json::Value = serde_json::from_str(
        &hotline_as(d, "bo-3", &["hold", "--list", "--json"], "")
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(held.as_array().unwrap().len(), 1);
    assert_eq!(held[0]["id"], id.as_str());
    assert!(hotline(d, &["hold", "--list"]).ok().stdout.contains(&id));
    hotline(d, &["hold", &id]).failed();
    hotline(d, &["area", "add", "Maple Bluff"]).ok();
    let areas = hotline(d, &["area", "list"]).ok().stdout;
    assert!(areas.lines().any(|l| l == "Maple Bluff"));
    hotline_as(d, "bo-3", &["area", "rename", "Maple Bluff", "Bluff"], "").failed();
    let run = hotline(d, &["area", "rename", "Maple Bluff", "Verona"]).failed();
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    let run = hotline(
        d,
        &["area", "rename", "Maple Bluff", "Village of Maple Bluff"],
    )
    .ok();
    assert!(
        run.stdout
            .contains("area renamed: Maple Bluff -> Village of Maple Bluff"),
        "{}",
        run.stdout
    );
    let areas = hotline(d, &["area", "list"]).ok().stdout;
    assert!(areas.lines().any(|l| l == "Village of Maple Bluff"));
    assert!(!areas.lines().any(|l| l == "Maple Bluff"));
    hotline(d, &["area", "deactivate", "Village of Maple Bluff"]).ok();
    let areas = hotline(d, &["area", "list"]).ok().stdout;
    assert!(!areas.contains("Maple Bluff"));
}

/// A call in `verification` with a canary in every free-text and contact field.
fn canary_call(verification: &str) -> String {
    serde_json::json!({
        "received_at": chrono::Utc::now() - chrono::Duration::minutes(20),
        "language": "es",
        "caller_relation": "witness",
        "category": "ice_public",
        "agency": "cbp",
        "area": "Verona",
        "exact_location": "CANARY exact",
        "salute": {
            "size": "CANARY size", "activity": "CANARY activity", "location": "CANARY location",
            "uniform": "CANARY uniform", "time": "CANARY time", "equipment": "CANARY equipment"
        },
        "verification": verification,
        "notes": "CANARY notes",
        "contact_name": "CANARY name",
        "contact_phone": "+1 608 555 0142",
    })
    .to_string()
}

#[test]
fn alert_prints_a_confirmed_sighting_without_caller_data() {
    let dir = vault();
    let d = dir.path();
    let add = |verification: &str| {
        let call = canary_call(verification);
        let added = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], &call).ok();
        added.stdout.trim().to_owned()
    };
    let open = add("unverified");
    let refused = hotline(d, &["call", "alert", &open]).failed();
    assert!(
        refused.stderr.contains("verification is not confirmed"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);

    let confirmed = add("confirmed");
    let both = hotline(d, &["call", "alert", &confirmed]).ok().stdout;
    assert!(
        both.contains("CBP (Border Patrol) seen in the Verona area"),
        "{both}"
    );
    assert!(
        both.contains("CBP (Patrulla Fronteriza) en la zona de Verona"),
        "{both}"
    );
    assert!(both.contains(":00 (UTC"), "{both}");
    assert!(!both.contains("CANARY") && !both.contains("555"), "{both}");
    let spanish = hotline(d, &["call", "alert", &confirmed, "--lang", "es"])
        .ok()
        .stdout;
    assert!(spanish.starts_with("CONFIRMADO"), "{spanish}");
    assert!(!spanish.contains("CONFIRMED by"), "{spanish}");
    hotline(d, &["call", "alert", &confirmed, "--lang", "fr"]).failed();
}

/// The example call with these notes, as call JSON.
fn example_with_notes(dir: &Path, notes: &str) -> String {
    let example = hotline(dir, &["call", "example"]).ok().stdout;
    let mut call: Value = serde_json::from_str(&example).expect("the example is JSON");
    call["notes"] = Value::from(notes);
    call.to_string()
}

#[test]
fn flagged_notes_are_warned_of_and_need_yes_notes_ok() {
    let dir = vault();
    let d = dir.path();
    let flagged = example_with_notes(d, "Two cars.\nHer number is A# 123-456-789");
    let refused = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], &flagged).failed();
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("warning: the call's notes, line 2: an A-number"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--yes-notes-ok"),
        "{}",
        refused.stderr
    );
    // Neither the number nor anything else of the notes is printed.
    assert!(!refused.stderr.contains("456"), "{}", refused.stderr);
    assert!(listed(d, &[]).is_empty());

    let stored = hotline_as(
        d,
        HANDLE,
        &["call", "add", "--file", "-", "--yes-notes-ok"],
        &flagged,
    )
    .ok();
    assert!(stored.stderr.contains("an A-number"), "{}", stored.stderr);
    assert_eq!(listed(d, &[]).len(), 1);
}

#[test]
fn call_edit_changes_fields_records_history_and_checks_notes() {
    let dir = vault();
    let d = dir.path();
    let clean = example_with_notes(d, "Two cars on Park St");
    let id = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], &clean)
        .ok()
        .stdout
        .trim()
        .to_owned();

    let change = r#"{"category": "courthouse", "notes": "Two cars, verifier on the way"}"#;
    let edited = hotline_as(
        d,
        HANDLE,
        &["call", "edit", &id, "--file", "-", "--json"],
        change,
    )
    .ok()
    .json();
    assert_eq!(
        edited,
        serde_json::json!([
            {"field": "category", "from": "ice_public", "to": "courthouse"},
            {"field": "notes"}
        ])
    );
    let shown = hotline(d, &["call", "show", &id, "--history"]).ok().json();
    assert_eq!(shown["category"], "courthouse");
    assert_eq!(shown["notes"], "Two cars, verifier on the way");
    let history = shown["history"].as_array().expect("a history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["action"], "edited");

    // Flagged notes: warned of, refused, nothing changed; stored with the option.
    let flagged = r#"{"notes": "mi esposo es de Honduras"}"#;
    let refused = hotline_as(d, HANDLE, &["call", "edit", &id, "--file", "-"], flagged).failed();
    assert!(
        refused.stderr.contains("a birth country next to a person"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("Honduras"), "{}", refused.stderr);
    let shown = hotline(d, &["call", "show", &id]).ok().json();
    assert_eq!(shown["notes"], "Two cars, verifier on the way");
    let stored = hotline_as(
        d,
        HANDLE,
        &["call", "edit", &id, "--file", "-", "--yes-notes-ok"],
        flagged,
    )
    .ok();
    assert_eq!(stored.stdout.trim(), format!("{id}: changed notes"));

    // A change that changes nothing says so; a bad field is named.
    let same = hotline_as(
        d,
        HANDLE,
        &["call", "edit", &id, "--file", "-"],
        r#"{"category": "courthouse"}"#,
    )
    .ok();
    assert_eq!(same.stdout.trim(), format!("{id}: nothing changed"));
    let bad = hotline_as(
        d,
        HANDLE,
        &["call", "edit", &id, "--file", "-"],
        r#"{"colour": "red"}"#,
    )
    .failed();
    assert!(bad.stderr.contains("unknown field"), "{}", bad.stderr);
}

#[test]
fn a_case_is_closed_and_reopened_and_not_closed_with_open_follow_ups() {
    let dir = vault();
    let d = dir.path();
    let example = hotline(d, &["call", "example"]).ok().stdout;
    let pending = hotline_as(d, HANDLE, &["call", "add", "--file", "-"], &example)
        .ok()
        .stdout
        .trim()
        .to_owned();
    let run = hotline(d, &["call", "close", &pending]).failed();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("the case cannot be closed: 1 follow-up task(s) are not done yet"),
        "{}",
        run.stderr
    );
    let shown = hotline(d, &["call", "show", &pending]).ok().json();
    assert_eq!(shown["case_state"], "open");

    let mut plain: serde_json::Value = serde_json::from_str(&example).unwrap();
    plain["followups"] = serde_json::json!([]);
    let id = hotline_as(
        d,
        HANDLE,
        &["call", "add", "--file", "-"],
        &plain.to_string(),
    )
    .ok()
    .stdout
    .trim()
    .to_owned();
    let run = hotline(d, &["call", "close", &id]).ok();
    assert_eq!(run.stdout.trim(), format!("case {id} closed"));
    assert_eq!(
        hotline(d, &["call", "show", &id]).ok().json()["case_state"],
        "closed"
    );
    hotline(d, &["call", "reopen", &id]).ok();
    let shown = hotline(d, &["call", "show", &id, "--history"]).ok().json();
    assert_eq!(shown["case_state"], "open");
    let actions: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "case_closed", "case_reopened"]);
}
