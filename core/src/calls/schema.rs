//! The JSON schema of the call import format (`docs/call.schema.json`),
//! generated from [`NewCall`] so the document cannot drift from the code.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::NewCall;
use crate::codes::{Agency, Category, Verification};

/// A string schema whose values are `codes`, described by `description`.
fn code_schema(description: &str, codes: impl Iterator<Item = &'static str>) -> Schema {
    let mut map = Map::new();
    map.insert("description".into(), json!(description));
    map.insert("type".into(), json!("string"));
    map.insert(
        "enum".into(),
        Value::Array(codes.map(Value::from).collect()),
    );
    Schema::from(map)
}

impl JsonSchema for Category {
    fn schema_name() -> Cow<'static, str> {
        "Category".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        code_schema(
            "What the call is about (see docs/CALLS.md).",
            Category::ALL.iter().map(|c| c.as_str()),
        )
    }
}

impl JsonSchema for Agency {
    fn schema_name() -> Cow<'static, str> {
        "Agency".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        code_schema(
            "Which agency was reported (see docs/CALLS.md).",
            Agency::ALL.iter().map(|c| c.as_str()),
        )
    }
}

impl JsonSchema for Verification {
    fn schema_name() -> Cow<'static, str> {
        "Verification".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        code_schema(
            "How far the report has been verified (see docs/CALLS.md).",
            Verification::ALL.iter().map(|c| c.as_str()),
        )
    }
}

/// The JSON schema of one call in the import format ([`NewCall`]), with
/// object keys in sorted order.
pub fn call_schema() -> Value {
    crate::output::sorted(schemars::schema_for!(NewCall).to_value())
}

/// [`call_schema`] as the text of `docs/call.schema.json` (pretty-printed,
/// ending in a newline).
pub fn call_schema_text() -> String {
    crate::output::json_text(call_schema())
}
