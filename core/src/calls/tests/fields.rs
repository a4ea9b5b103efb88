//! The field table ([`CALL_FIELDS`]) agrees with the live schema: every
//! column of `calls` is classified, and no free-text column escapes the
//! shred, the search index or the statements that read and write a call.

use rusqlite::Connection;

use super::*;
use crate::calls::fields::SHRED_SQL;
use crate::calls::store::{CALL_COLUMNS, INSERT_SQL, UPDATE_SQL};

/// `(name, declared type)` of each column of `table`, in table order.
fn columns(conn: &Connection, table: &str) -> Vec<(String, String)> {
    conn.prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The SQL text of the schema object `name`.
fn schema_sql(conn: &Connection, name: &str) -> String {
    conn.query_row(
        "SELECT sql FROM sqlite_master WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

/// Whether the word `column` stands in `sql` (not merely inside a longer name).
fn names(sql: &str, column: &str) -> bool {
    sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == column)
}

/// The columns the shred statement assigns.
fn shred_assigned() -> Vec<&'static str> {
    let set = SHRED_SQL
        .split_once(" SET ")
        .and_then(|(_, rest)| rest.split_once(" WHERE "))
        .map(|(set, _)| set)
        .expect("UPDATE … SET … WHERE");
    set.split(',')
        .filter_map(|a| a.split('=').next())
        .map(str::trim)
        .collect()
}

fn no_space(sql: &str) -> String {
    sql.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

#[test]
fn every_column_of_calls_is_in_the_table_in_order() {
    let fx = Fixture::new();
    let live: Vec<String> = columns(fx.vault.conn(), "calls")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let declared: Vec<&str> = CALL_FIELDS.iter().map(|f| f.column).collect();
    assert_eq!(live, declared, "calls columns and CALL_FIELDS differ");
}

#[test]
fn every_text_column_is_classified_and_every_free_text_one_is_shredded_and_indexed() {
    let fx = Fixture::new();
    let conn = fx.vault.conn();
    let indexed: Vec<String> = columns(conn, "calls_fts")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for (column, _) in columns(conn, "calls") {
        let field = CALL_FIELDS
            .iter()
            .find(|f| f.column == column)
            .unwrap_or_else(|| panic!("column `{column}` is not in CALL_FIELDS"));
        let text = field.kind.is_text();
        assert_eq!(
            indexed.contains(&column),
            text,
            "`{column}`: in the search index exactly when it is free text"
        );
        let shredded = shred_assigned().contains(&column.as_str());
        let bookkeeping = ["shredded_at", "updated_at"].contains(&column.as_str());
        assert_eq!(
            shredded,
            text || bookkeeping,
            "`{column}`: shredded exactly when it is free text"
        );
        if text {
            for (what, sql) in [
                ("INSERT", INSERT_SQL),
                ("UPDATE", UPDATE_SQL),
                ("SELECT", CALL_COLUMNS),
            ] {
                assert!(names(sql, &column), "`{column}` missing from the {what}");
            }
            for trigger in ["calls_fts_insert", "calls_fts_delete", "calls_fts_update"] {
                assert!(
                    names(&schema_sql(conn, trigger), &column),
                    "`{column}` missing from trigger {trigger}"
                );
            }
        }
    }
}

#[test]
fn the_generated_index_schema_is_the_live_one() {
    let fx = Fixture::new();
    let conn = fx.vault.conn();
    let live: String = [
        "calls_fts",
        "calls_fts_insert",
        "calls_fts_delete",
        "calls_fts_update",
    ]
    .iter()
    .map(|name| format!("{};", schema_sql(conn, name)))
    .collect();
    assert_eq!(no_space(&fts_schema_sql()), no_space(&live));
}

#[test]
fn the_generated_index_schema_rebuilds_a_working_index() {
    let fx = Fixture::new();
    let mut call = call_with("vests near the library", Duration::hours(1));
    call.salute.uniform = Some("green jackets".into());
    create(&fx.vault, call).unwrap();
    let conn = fx.vault.conn();
    conn.execute_batch(&format!(
        "DROP TRIGGER calls_fts_insert; DROP TRIGGER calls_fts_delete;
         DROP TRIGGER calls_fts_update; DROP TABLE calls_fts;
         {} INSERT INTO calls_fts (calls_fts) VALUES ('rebuild');",
        fts_schema_sql()
    ))
    .unwrap();
    assert_eq!(search(&fx.vault, "jackets", 10).unwrap().len(), 1);
    assert_eq!(search(&fx.vault, "library", 10).unwrap().len(), 1);
}

#[test]
fn a_shred_clears_every_text_field_of_the_table() {
    let fx = Fixture::new();
    let mut call = call_with("canary-notes", Duration::days(400));
    call.exact_location = Some("canary".into());
    call.contact_name = Some("canary".into());
    call.contact_phone = Some("canary".into());
    call.salute = Salute {
        size: Some("canary".into()),
        activity: Some("canary".into()),
        location: Some("canary".into()),
        uniform: Some("canary".into()),
        time: Some("canary".into()),
        equipment: Some("canary".into()),
    };
    let id = create_old(&fx.vault, call);
    purge_expired(&fx.vault, Utc::now()).unwrap();
    let conn = fx.vault.conn();
    for field in CALL_FIELDS.iter().filter(|f| f.kind.is_text()) {
        let value: Option<String> = conn
            .query_row(
                &format!("SELECT {} FROM calls WHERE uid = ?1", field.column),
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            value.as_deref().unwrap_or_default().is_empty(),
            "{} kept its text",
            field.column
        );
    }
}

#[test]
fn docs_calls_lists_every_free_text_field() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/CALLS.md"))
        .expect("docs/CALLS.md is readable");
    let section = doc
        .split("### Free text and its limits")
        .nth(1)
        .and_then(|rest| rest.split("\nLimits are").next())
        .expect("docs/CALLS.md has its free-text section");
    let listed: Vec<&str> = section.split('`').skip(1).step_by(2).collect();
    for field in CALL_FIELDS {
        assert_eq!(
            listed.contains(&field.name),
            field.kind.is_text(),
            "docs/CALLS.md and CALL_FIELDS disagree on `{}`",
            field.name
        );
    }
}
