//! Dashboard counts for the app: exact for coordinators and volunteers on
//! screen, or "shareable" with the same suppression as a summary.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::chart::{self, Chart};
use super::summary::{self, code_index, text, week_label};
use super::suppress::{Linked, suppress};
use super::{ExportError, check_k};
use crate::codes::{Agency, Category, Verification};
use crate::vault::Vault;

/// One count of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DashboardCount {
    /// What is counted: a week (`YYYY-Www`), a category, `ice`,
    /// `local_police` or `other`, or a verification code.
    pub key: String,
    /// The count; `None` when suppressed (shareable dashboards only).
    pub count: Option<u64>,
}

/// Counts for the dashboard over whole ISO weeks (UTC), synthetic calls
/// included.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dashboard {
    /// First day covered (a Monday).
    pub from: NaiveDate,
    /// Last day covered (a Sunday).
    pub to: NaiveDate,
    /// Whether this is the suppressed, shareable version.
    pub shareable: bool,
    /// The threshold applied (shareable only).
    pub k: Option<u32>,
    /// All calls of the period.
    pub total: Option<u64>,
    /// Calls per ISO week, every week of the period.
    pub weeks: Vec<DashboardCount>,
    /// Calls per category, every category.
    pub categories: Vec<DashboardCount>,
    /// `ice` (ice_ero, hsi, cbp), `local_police` (local_police,
    /// county_sheriff, state_patrol) and `other` (unknown,
    /// possible_impersonator).
    pub agencies: Vec<DashboardCount>,
    /// Calls per verification outcome, every outcome.
    pub verification: Vec<DashboardCount>,
    /// Follow-up tasks not done yet, on calls of the period.
    pub open_followups: Option<u64>,
    /// The weekly counts as a chart, the same model the HTML report draws.
    pub week_chart: Chart,
}

/// The chart of `weeks`.
fn chart_of(weeks: &[DashboardCount]) -> Chart {
    let counts: Vec<(String, Option<u64>)> =
        weeks.iter().map(|w| (w.key.clone(), w.count)).collect();
    chart::week_chart(&counts)
}

/// The agency groups of the dashboard.
const AGENCY_GROUPS: [&str; 3] = ["ice", "local_police", "other"];

fn agency_group(agency: Agency) -> usize {
    match agency {
        Agency::IceEro | Agency::Hsi | Agency::Cbp => 0,
        Agency::LocalPolice | Agency::CountySheriff | Agency::StatePatrol => 1,
        Agency::Unknown | Agency::PossibleImpersonator => 2,
    }
}

/// Exact counts, in the order of the dashboard's lists.
struct Exact {
    from: NaiveDate,
    to: NaiveDate,
    weeks: Vec<u64>,
    categories: Vec<u64>,
    agencies: Vec<u64>,
    verification: Vec<u64>,
    open_followups: u64,
}

fn exact(vault: &Vault, from: NaiveDate, to: NaiveDate) -> Result<Exact, ExportError> {
    if from > to {
        return Err(ExportError::InvalidRange {
            reason: "the first day is after the last day",
        });
    }
    let (from, to) = (summary::monday(from), summary::sunday(to));
    let nweeks = usize::try_from((to - from).num_days() / 7 + 1).unwrap_or(usize::MAX);
    if nweeks > summary::MAX_WEEKS {
        return Err(ExportError::InvalidRange {
            reason: "a dashboard covers at most five years (261 weeks)",
        });
    }
    let start = from.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let end = (to + Days::new(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp();
    let conn = vault.read();
    let mut out = Exact {
        from,
        to,
        weeks: vec![0; nweeks],
        categories: vec![0; Category::ALL.len()],
        agencies: vec![0; AGENCY_GROUPS.len()],
        verification: vec![0; Verification::ALL.len()],
        open_followups: 0,
    };
    // One range scan of the covering index `calls_stats`, counted here.
    let mut stmt = conn.prepare(
        "SELECT received_at, category, agency, verification FROM calls
         WHERE received_at >= ?1 AND received_at < ?2",
    )?;
    let mut rows = stmt.query((start, end))?;
    while let Some(row) = rows.next()? {
        let week = usize::try_from((row.get::<_, i64>(0)? - start) / 604_800).unwrap_or(0);
        let category = code_index(Category::ALL, |c| c.as_str(), text(row, 1)?)?;
        let agency = code_index(Agency::ALL, |c| c.as_str(), text(row, 2)?)?;
        let verification = code_index(Verification::ALL, |c| c.as_str(), text(row, 3)?)?;
        if let Some(slot) = out.weeks.get_mut(week) {
            *slot += 1;
        }
        out.categories[category] += 1;
        out.agencies[agency_group(Agency::ALL[agency])] += 1;
        out.verification[verification] += 1;
    }
    let open: i64 = conn.query_row(
        "SELECT count(*) FROM call_followups f JOIN calls c ON c.id = f.call_id
         WHERE f.done = 0 AND c.received_at >= ?1 AND c.received_at < ?2",
        (start, end),
        |r| r.get(0),
    )?;
    out.open_followups = u64::try_from(open).unwrap_or(0);
    Ok(out)
}

/// Labels of the dashboard's four lists.
fn labels(from: NaiveDate, nweeks: usize) -> [Vec<String>; 4] {
    [
        (0..nweeks)
            .map(|w| week_label(from + Days::new(7 * w as u64)))
            .collect(),
        Category::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        AGENCY_GROUPS.iter().map(|s| (*s).to_owned()).collect(),
        Verification::ALL
            .iter()
            .map(|v| v.as_str().to_owned())
            .collect(),
    ]
}

fn zip(labels: Vec<String>, counts: impl Iterator<Item = Option<u64>>) -> Vec<DashboardCount> {
    labels
        .into_iter()
        .zip(counts)
        .map(|(key, count)| DashboardCount { key, count })
        .collect()
}

/// Exact dashboard counts of calls received from `from` through `to`
/// (inclusive, widened to whole ISO weeks): for the app's screen only,
/// never for export. Any user.
pub fn dashboard(vault: &Vault, from: NaiveDate, to: NaiveDate) -> Result<Dashboard, ExportError> {
    let e = exact(vault, from, to)?;
    let [weeks, categories, agencies, verification] = labels(e.from, e.weeks.len());
    let weeks = zip(weeks, e.weeks.iter().map(|n| Some(*n)));
    Ok(Dashboard {
        week_chart: chart_of(&weeks),
        from: e.from,
        to: e.to,
        shareable: false,
        k: None,
        total: Some(e.categories.iter().sum()),
        weeks,
        categories: zip(categories, e.categories.iter().map(|n| Some(*n))),
        agencies: zip(agencies, e.agencies.iter().map(|n| Some(*n))),
        verification: zip(verification, e.verification.iter().map(|n| Some(*n))),
        open_followups: Some(e.open_followups),
    })
}

/// The dashboard as it may be shown to others: every count 0 or at least
/// `k` (at least 3), with the complementary suppression of summaries over
/// the four lists and their shared total. Any user.
pub fn dashboard_shareable(
    vault: &Vault,
    from: NaiveDate,
    to: NaiveDate,
    k: u32,
) -> Result<Dashboard, ExportError> {
    check_k(k)?;
    let e = exact(vault, from, to)?;
    let mut linked = Linked::new();
    let mismatch = |_| ExportError::InvalidData {
        reason: "the dashboard's lists do not add up to the same total",
    };
    let lists = [&e.weeks, &e.categories, &e.agencies, &e.verification];
    for list in lists {
        linked.add_cube(&[list.len()], list).map_err(mismatch)?;
    }
    let hidden = suppress(&linked, u64::from(k));
    let values = linked.values();
    let published = |var: usize| (!hidden[var]).then_some(values[var]);
    let cube_counts = |i: usize| {
        let cube = &linked.cubes()[i];
        (0..cube.size(0))
            .map(|c| published(cube.var(&[c])))
            .collect::<Vec<_>>()
    };
    let [weeks, categories, agencies, verification] = labels(e.from, e.weeks.len());
    let open = e.open_followups;
    let weeks = zip(weeks, cube_counts(0).into_iter());
    Ok(Dashboard {
        week_chart: chart_of(&weeks),
        from: e.from,
        to: e.to,
        shareable: true,
        k: Some(k),
        total: published(linked.grand()),
        weeks,
        categories: zip(categories, cube_counts(1).into_iter()),
        agencies: zip(agencies, cube_counts(2).into_iter()),
        verification: zip(verification, cube_counts(3).into_iter()),
        open_followups: (open == 0 || open >= u64::from(k)).then_some(open),
    })
}
