//! Full-text search over calls' free text (notes, exact location, contact,
//! SALUTE texts) with SQLite FTS5, inside the encrypted database.
//!
//! The index `calls_fts` is an external-content FTS5 table over `calls`,
//! kept in sync by triggers (so every writer, including retention, keeps
//! it right) and created with FTS5's `secure-delete` option, so removed
//! text leaves no terms behind in the index. Diacritics are folded
//! (`detencion` finds `detención`).
//!
//! What users type is never FTS5 syntax: [`fts_query`] turns it into
//! quoted string literals, so `"`, `NEAR(`, `AND`, `*` or `:` can never
//! cause a syntax error or a column filter.

use super::store::{SUMMARY_COLUMNS, summary_from_row};
use super::{CallError, CallSummary, MAX_LIST_LIMIT};
use crate::vault::{Reader, Vault};

/// Turn what a user typed into an FTS5 query, or `None` when it has
/// nothing to search for.
///
/// - words separated by spaces must all appear (in any text field);
/// - `"several words"` in double quotes must appear together, in order
///   (an unclosed quote runs to the end);
/// - a word ending in `*` matches any word starting with it (`detain*`);
/// - control characters (a NUL, an escape) separate words like spaces: no
///   stored text holds them, and FTS5 would misread them.
///
/// Each part becomes an FTS5 string literal (`"…"`, inner quotes
/// doubled), so nothing typed is read as an operator.
pub fn fts_query(input: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut chars = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|&c| c != '"').collect();
            push_literal(&mut parts, &phrase, false);
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            let prefix = word.ends_with('*');
            push_literal(&mut parts, word.trim_end_matches('*'), prefix);
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    }
}

/// Add `text` as a string literal, if it has anything FTS5 would index.
fn push_literal(parts: &mut Vec<String>, text: &str, prefix: bool) {
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    let mut literal = String::with_capacity(text.len() + 4);
    literal.push('"');
    literal.push_str(&text.replace('"', "\"\""));
    literal.push('"');
    if prefix {
        literal.push_str(" *");
    }
    parts.push(literal);
}

/// Calls whose free text matches `query` (see [`fts_query`]), most
/// recently logged first, at most `limit` (capped at 10 000). A query with
/// nothing to search for finds nothing.
pub fn search(vault: &Vault, query: &str, limit: u32) -> Result<Vec<CallSummary>, CallError> {
    search_in(vault.read(), query, limit)
}

pub(crate) fn search_in(
    conn: Reader<'_>,
    query: &str,
    limit: u32,
) -> Result<Vec<CallSummary>, CallError> {
    let Some(fts) = fts_query(query) else {
        return Ok(Vec::new());
    };
    // FTS5 walks its matches in descending rowid order and stops at the
    // limit, so even a word in every call is found quickly.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM calls c
         JOIN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?1
               ORDER BY rowid DESC LIMIT ?2) f ON f.rowid = c.id
         LEFT JOIN areas a ON a.id = c.area_id
         ORDER BY c.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map((fts, limit.min(MAX_LIST_LIMIT)), summary_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_prefixes_become_literals() {
        assert_eq!(fts_query("van school").unwrap(), "\"van\" \"school\"");
        assert_eq!(
            fts_query("  \"white van\"  door ").unwrap(),
            "\"white van\" \"door\""
        );
        assert_eq!(fts_query("detain*").unwrap(), "\"detain\" *");
        assert_eq!(
            fts_query("\"unclosed phrase").unwrap(),
            "\"unclosed phrase\""
        );
    }

    #[test]
    fn operators_are_only_words() {
        assert_eq!(fts_query("NEAR(a b)").unwrap(), "\"NEAR(a\" \"b)\"");
        assert_eq!(fts_query("a OR b").unwrap(), "\"a\" \"OR\" \"b\"");
        assert_eq!(fts_query("notes:x").unwrap(), "\"notes:x\"");
        assert_eq!(fts_query("it's").unwrap(), "\"it's\"");
    }

    #[test]
    fn nothing_to_search_for() {
        for input in ["", "   ", "\"", "\"\"", "*", "( ) - ^", "🙂"] {
            assert_eq!(fts_query(input), None, "{input:?}");
        }
    }
}
