//! The columns of the `calls` table, declared once with what each is.
//!
//! Privacy depends on treating every column by its kind: free text and
//! contact details are searched and shredded by retention, structured
//! fields are counted and kept, record fields say who wrote what when. The
//! shred statement, the search index (its columns and the triggers that keep
//! it), the edit history's free-text comparison and "does this call hold
//! any text" all derive from [`CALL_FIELDS`]. A test reads the live schema
//! and fails if a column of `calls` is missing here, or if a free-text
//! column escapes the shred, the index, or the statements that read and
//! write a call.
//!
//! Adding a free-text field: a row here, a migration (the column, then
//! [`fts_schema_sql`] to rebuild the index with it), the struct fields and
//! their reads and writes in `store.rs` (checked by the schema test), and
//! the form.

use std::sync::LazyLock;

use super::NewCall;
use FieldKind::{FreeText, Sensitive};

/// What a column of `calls` holds, and so how it is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Bookkeeping: row id and stable id, times, who wrote the row, the
    /// retention state. Kept; never a caller's words.
    Record,
    /// A code, number, flag or reference chosen from a list: kept and
    /// counted in summaries.
    Structured,
    /// Words a volunteer typed about what happened: searched, and shredded
    /// by retention.
    FreeText,
    /// Contact details for a call-back: searched, shredded by retention,
    /// never exported.
    Sensitive,
}

impl FieldKind {
    /// Whether retention shreds columns of this kind and search indexes them.
    pub fn is_text(self) -> bool {
        matches!(self, Self::FreeText | Self::Sensitive)
    }
}

/// The text a free-text column holds for a call being written (`None` for
/// an empty note).
type TextOf = fn(&NewCall) -> Option<&str>;

/// One column of the `calls` table.
#[derive(Debug, Clone, Copy)]
pub struct CallField {
    /// The SQL column.
    pub column: &'static str,
    /// The field's name in call JSON and in the edit history (`salute.size`).
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// For text kinds: the column's value once shredded (`''` or `NULL`).
    shredded: &'static str,
    /// For text kinds: the call's text in this field.
    text: Option<TextOf>,
}

const fn record(column: &'static str) -> CallField {
    CallField {
        column,
        name: column,
        kind: FieldKind::Record,
        shredded: "",
        text: None,
    }
}

const fn structured(column: &'static str, name: &'static str) -> CallField {
    CallField {
        column,
        name,
        kind: FieldKind::Structured,
        shredded: "",
        text: None,
    }
}

const fn text(
    column: &'static str,
    name: &'static str,
    kind: FieldKind,
    shredded: &'static str,
    text: TextOf,
) -> CallField {
    CallField {
        column,
        name,
        kind,
        shredded,
        text: Some(text),
    }
}

/// Every column of `calls`, in table order.
pub const CALL_FIELDS: &[CallField] = &[
    record("id"),
    record("uid"),
    structured("received_at", "received_at"),
    structured("duration_seconds", "duration_seconds"),
    structured("volunteer", "volunteer"),
    structured("language", "language"),
    structured("caller_relation", "caller_relation"),
    structured("category", "category"),
    structured("agency", "agency"),
    structured("identified_by", "identified_by"),
    structured("area_id", "area"),
    structured("verification", "verification"),
    structured("people_affected", "people_affected"),
    structured("children_present", "children_present"),
    structured("urgency", "urgency"),
    structured("possibly_malicious", "possibly_malicious"),
    structured("referrals", "referrals"),
    structured("pack_id", "pack_id"),
    structured("pack_version", "pack_version"),
    // The path through the script: node ids of the pack, never typed text.
    structured("script_path", "script_path"),
    record("legal_hold"),
    record("synthetic"),
    record("created_at"),
    record("created_by"),
    record("updated_at"),
    record("shredded_at"),
    text("notes", "notes", FreeText, "''", |c| {
        Some(c.notes.as_str()).filter(|n| !n.is_empty())
    }),
    text("exact_location", "exact_location", Sensitive, "NULL", |c| {
        c.exact_location.as_deref()
    }),
    text("contact_name", "contact_name", Sensitive, "NULL", |c| {
        c.contact_name.as_deref()
    }),
    text("contact_phone", "contact_phone", Sensitive, "NULL", |c| {
        c.contact_phone.as_deref()
    }),
    text("salute_size", "salute.size", FreeText, "NULL", |c| {
        c.salute.size.as_deref()
    }),
    text(
        "salute_activity",
        "salute.activity",
        FreeText,
        "NULL",
        |c| c.salute.activity.as_deref(),
    ),
    text(
        "salute_location",
        "salute.location",
        FreeText,
        "NULL",
        |c| c.salute.location.as_deref(),
    ),
    text("salute_uniform", "salute.uniform", FreeText, "NULL", |c| {
        c.salute.uniform.as_deref()
    }),
    text("salute_time", "salute.time", FreeText, "NULL", |c| {
        c.salute.time.as_deref()
    }),
    text(
        "salute_equipment",
        "salute.equipment",
        FreeText,
        "NULL",
        |c| c.salute.equipment.as_deref(),
    ),
    // Open or closed (`cases.rs`): a volunteer's decision, kept.
    structured("case_state", "case_state"),
    // The laptop the call was logged on (NULL: this one); a handed-in
    // call is never counted here.
    record("origin_laptop"),
    // "Share with the next shift": whether notes and SALUTE texts travel
    // with a handoff (`handoff.rs`).
    structured("share_text", "share_text"),
    // For a handed-in call, when its origin shreds it: shredded here then.
    record("shred_due_at"),
];

/// The columns retention shreds and search indexes, in table order.
pub fn text_fields() -> impl Iterator<Item = &'static CallField> {
    CALL_FIELDS.iter().filter(|f| f.kind.is_text())
}

/// Each free-text field of the edit history with whether it differs
/// between `old` and `new`.
pub(crate) fn text_changes(old: &NewCall, new: &NewCall) -> Vec<(&'static str, bool)> {
    text_fields()
        .filter_map(|f| f.text.map(|text| (f.name, text(old) != text(new))))
        .collect()
}

/// Whether `call` holds any free text or contact detail.
pub(crate) fn has_text(call: &NewCall) -> bool {
    text_fields().any(|f| f.text.is_some_and(|text| text(call).is_some()))
}

/// The statement that shreds one call (`?1` its row id, `?2` the time):
/// every text column set to its shredded value.
pub(crate) static SHRED_SQL: LazyLock<String> = LazyLock::new(|| {
    let assignments: Vec<String> = text_fields()
        .map(|f| format!("{} = {}", f.column, f.shredded))
        .collect();
    format!(
        "UPDATE calls SET {}, shredded_at = ?2, updated_at = ?2 WHERE id = ?1",
        assignments.join(", ")
    )
});

/// The search index over the text columns and the three triggers that keep
/// it in step with `calls`, as SQL a migration runs (after dropping the old
/// index and triggers, then `INSERT INTO calls_fts (calls_fts) VALUES
/// ('rebuild')`). Migration 3 created exactly this schema by hand; a test
/// holds the two equal.
pub fn fts_schema_sql() -> String {
    let columns: Vec<&str> = text_fields().map(|f| f.column).collect();
    let list = columns.join(", ");
    let with = |prefix: &str| {
        columns
            .iter()
            .map(|c| format!("{prefix}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let changed = columns
        .iter()
        .map(|c| format!("old.{c} IS NOT new.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let insert_new = format!(
        "INSERT INTO calls_fts (rowid, {list}) VALUES (new.id, {});",
        with("new")
    );
    let delete_old = format!(
        "INSERT INTO calls_fts (calls_fts, rowid, {list}) VALUES ('delete', old.id, {});",
        with("old")
    );
    format!(
        "CREATE VIRTUAL TABLE calls_fts USING fts5 ({list}, content = 'calls', \
         content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');\n\
         CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN {insert_new} END;\n\
         CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN {delete_old} END;\n\
         CREATE TRIGGER calls_fts_update AFTER UPDATE OF {list} ON calls WHEN {changed} \
         BEGIN {delete_old} {insert_new} END;\n"
    )
}
