//! A summary as the window previews it before it is written: the weekly
//! chart and one table per dimension, the way a person reads the HTML
//! report, instead of the file's text (a CSV of thousands of zero cells).
//! It shows exactly the published counts of the [`Summary`], nothing more.

use chrono::NaiveDate;
use serde::Serialize;

use super::chart::{self, Chart};
use super::dashboard::DashboardCount;
use super::summary::{ALL, Summary, Table};

/// The readable preview of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryView {
    /// First day covered (a Monday).
    pub from: NaiveDate,
    /// Last day covered (a Sunday).
    pub to: NaiveDate,
    /// The threshold applied.
    pub k: u32,
    /// Whether synthetic calls are counted.
    pub include_synthetic: bool,
    /// All calls of the period, as published (`None` when suppressed).
    pub total: Option<u64>,
    /// Published calls per ISO week, as a chart.
    pub week_chart: Chart,
    /// One table per dimension: category, area, agency, verification,
    /// language, caller relation.
    pub tables: Vec<PreviewTable>,
    /// Rows of the file (every cell and total of every table, zeros
    /// included), so the preview can say how much the file holds.
    pub file_rows: usize,
}

/// The published counts of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviewTable {
    /// The dimension (`category`, `area`, `agency`, `verification`,
    /// `language`, `caller_relation`).
    pub dimension: String,
    /// One count per value, in the summary's order (`None` when suppressed).
    pub rows: Vec<DashboardCount>,
}

/// The count of the row of `table` whose values are `values`.
fn count_of(table: &Table, values: &[&str]) -> Option<u64> {
    table.row(values).and_then(|r| r.count)
}

/// The margin of dimension `d` of the week × category × area table.
fn cube_margin(cube: &Table, d: usize) -> PreviewTable {
    let rows = cube
        .values_of(d)
        .into_iter()
        .map(|value| {
            let mut key = [ALL, ALL, ALL];
            key[d] = value;
            DashboardCount {
                key: value.to_owned(),
                count: count_of(cube, &key),
            }
        })
        .collect();
    PreviewTable {
        dimension: cube.dimensions[d].clone(),
        rows,
    }
}

/// The readable preview of `summary`.
pub fn preview(summary: &Summary) -> SummaryView {
    let mut tables = Vec::new();
    let mut weeks = Vec::new();
    let mut total = None;
    if let Some(cube) = summary.table("calls_by_week_category_area") {
        weeks = cube
            .values_of(0)
            .into_iter()
            .map(|w| (w.to_owned(), count_of(cube, &[w, ALL, ALL])))
            .collect();
        total = count_of(cube, &[ALL, ALL, ALL]);
        tables.push(cube_margin(cube, 1));
        tables.push(cube_margin(cube, 2));
    }
    for name in [
        "calls_by_agency",
        "calls_by_verification",
        "calls_by_language",
        "calls_by_caller_relation",
    ] {
        let Some(table) = summary.table(name) else {
            continue;
        };
        let rows = table
            .values_of(0)
            .into_iter()
            .map(|value| DashboardCount {
                key: value.to_owned(),
                count: count_of(table, &[value]),
            })
            .collect();
        tables.push(PreviewTable {
            dimension: table.dimensions.first().cloned().unwrap_or_default(),
            rows,
        });
    }
    SummaryView {
        from: summary.from,
        to: summary.to,
        k: summary.k,
        include_synthetic: summary.include_synthetic,
        total,
        week_chart: chart::week_chart(&weeks),
        tables,
        file_rows: summary.tables.iter().map(|t| t.rows.len()).sum(),
    }
}
