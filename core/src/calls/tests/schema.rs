//! The documented schema matches the code, and no field records anyone's
//! immigration situation.

use serde_json::Value;

use super::*;

/// Words no column or JSON field name may contain. The record says what
/// happened, never who someone is or what papers they have.
const FORBIDDEN: &[&str] = &[
    "status",
    "immigra",
    "citizen",
    "visa",
    "alien",
    "nationality",
    "birth",
    "documented",
    "papers",
    "passport",
    "asylum",
    "a_number",
    "ssn",
];

fn check_name(name: &str, place: &str) {
    let lower = name.to_lowercase();
    for word in FORBIDDEN {
        assert!(!lower.contains(word), "{place} `{name}` contains `{word}`");
    }
}

/// Every object key in `value`, recursively.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn the_documented_schema_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/call.schema.json");
    let documented = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        documented == call_schema_text(),
        "docs/call.schema.json is out of date: regenerate it with `hotline call schema > docs/call.schema.json`"
    );
}

#[test]
fn the_example_validates_against_the_schema_fields() {
    let schema = call_schema();
    let properties = schema["properties"].as_object().unwrap();
    let example = serde_json::to_value(example(Utc::now())).unwrap();
    for key in example.as_object().unwrap().keys() {
        assert!(properties.contains_key(key), "{key} not in the schema");
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        required,
        ["received_at", "language", "caller_relation", "category"]
    );
}

#[test]
fn no_field_records_a_persons_immigration_situation() {
    let fx = Fixture::new();
    // Database columns, in every table.
    let conn = fx.vault.conn();
    let tables = table_names(conn);
    for table in &tables {
        check_name(table, "table");
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!columns.is_empty() || table.starts_with("calls_fts"));
        for column in columns {
            check_name(&column, &format!("column of {table}"));
        }
    }
    // The import schema and the JSON of a stored call.
    let mut names = Vec::new();
    keys(&call_schema()["properties"], &mut names);
    let id = create(&fx.vault, example(Utc::now())).unwrap();
    keys(
        &serde_json::to_value(get(&fx.vault, id).unwrap()).unwrap(),
        &mut names,
    );
    keys(
        &serde_json::to_value(list(&fx.vault, &CallFilter::default()).unwrap()).unwrap(),
        &mut names,
    );
    for name in names {
        check_name(&name, "JSON field");
    }
}

#[test]
fn migrated_areas_are_the_seed_list() {
    let fx = Fixture::new();
    let names: Vec<String> = list_areas(&fx.vault, true)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, SEED_AREAS);
}
