//! CSV: one row per published cell (tidy), for spreadsheets.
//!
//! Columns: `table`, then every dimension in the fixed order of
//! [`DIMENSIONS`] (empty where a table does not have it), then `count`
//! (empty when suppressed) and `suppressed` (`true` or `false`).

use super::ExportError;
use super::summary::{DIMENSIONS, Summary};

/// A value as written into a cell: text a spreadsheet would take for a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Render `summary` as CSV.
pub(crate) fn render(summary: &Summary) -> Result<Vec<u8>, ExportError> {
    let fail = |err: csv::Error| ExportError::Render(err.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["table"];
    header.extend(DIMENSIONS);
    header.extend(["count", "suppressed"]);
    writer.write_record(&header).map_err(fail)?;
    for table in &summary.tables {
        let columns: Vec<Option<usize>> = DIMENSIONS
            .iter()
            .map(|d| table.dimensions.iter().position(|x| x == d))
            .collect();
        for row in &table.rows {
            let mut record = Vec::with_capacity(header.len());
            record.push(cell(&table.name));
            for column in &columns {
                record.push(column.map_or_else(String::new, |i| cell(&row.values[i])));
            }
            record.push(row.count.map_or_else(String::new, |n| n.to_string()));
            record.push(row.suppressed.to_string());
            writer.write_record(&record).map_err(fail)?;
        }
    }
    writer
        .into_inner()
        .map_err(|err| ExportError::Render(err.to_string()))
}
