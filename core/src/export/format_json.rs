//! JSON with a versioned schema:
//! `{"schema", "k", "from", "to", "include_synthetic", "tables": [{"name",
//! "dimensions", "rows": [{<dimension>: value, …, "count", "suppressed"}]}]}`.
//! A suppressed row has `"count": null` and `"suppressed": true`; a total
//! over a dimension has the value `"ALL"` for it.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::ExportError;
use super::summary::{Row, Summary, Table};

/// The document, borrowing the summary.
struct Doc<'a>(&'a Summary);
/// One table.
struct TableDoc<'a>(&'a Table);
/// One row, keyed by its table's dimensions.
struct RowDoc<'a>(&'a [String], &'a Row);

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let summary = self.0;
        let mut doc = s.serialize_struct("Summary", 6)?;
        doc.serialize_field("schema", &summary.schema)?;
        doc.serialize_field("k", &summary.k)?;
        doc.serialize_field("from", &summary.from)?;
        doc.serialize_field("to", &summary.to)?;
        doc.serialize_field("include_synthetic", &summary.include_synthetic)?;
        let tables: Vec<TableDoc<'_>> = summary.tables.iter().map(TableDoc).collect();
        doc.serialize_field("tables", &tables)?;
        doc.end()
    }
}

impl Serialize for TableDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let table = self.0;
        let mut doc = s.serialize_struct("Table", 3)?;
        doc.serialize_field("name", &table.name)?;
        doc.serialize_field("dimensions", &table.dimensions)?;
        let rows: Vec<RowDoc<'_>> = table
            .rows
            .iter()
            .map(|r| RowDoc(&table.dimensions, r))
            .collect();
        doc.serialize_field("rows", &rows)?;
        doc.end()
    }
}

impl Serialize for RowDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (dims, row) = (self.0, self.1);
        let mut map = s.serialize_map(Some(dims.len() + 2))?;
        for (dim, value) in dims.iter().zip(&row.values) {
            map.serialize_entry(dim, value)?;
        }
        map.serialize_entry("count", &row.count)?;
        map.serialize_entry("suppressed", &row.suppressed)?;
        map.end()
    }
}

/// Render `summary` as pretty-printed JSON.
pub(crate) fn render(summary: &Summary) -> Result<Vec<u8>, ExportError> {
    let mut bytes =
        serde_json::to_vec_pretty(&Doc(summary)).map_err(|e| ExportError::Render(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}
