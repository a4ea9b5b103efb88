//! The coordinator's summary: exact counts aggregated in SQL, then
//! published with disclosure control.
//!
//! Only these call fields are ever read: `received_at` (reduced to its ISO
//! week at once), `category`, `area_id`, `agency`, `verification`,
//! `language`, `caller_relation` and `synthetic`.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::suppress::{Linked, suppress};
use super::{ExportError, check_k};
use crate::calls::CallerRelation;
use crate::codes::{Agency, Category, Verification};
use crate::vault::{Coordinator, Reader};

/// Schema id of a published summary (JSON `schema`).
pub const SUMMARY_SCHEMA: &str = "hotline-desk/summary/v1";

/// The value written for a total over a dimension.
pub const ALL: &str = "ALL";

/// The area of calls logged without one (or, in a merge, with an area not
/// in the coordinator's list).
pub const UNSPECIFIED_AREA: &str = "(unspecified)";

/// The language of calls whose language was used fewer than `k` times.
pub const OTHER_LANGUAGE: &str = "other";

/// The longest period one summary covers, in weeks (five years).
pub const MAX_WEEKS: usize = 261;

/// Dimension names, in the fixed column order of CSV exports.
pub const DIMENSIONS: [&str; 7] = [
    "week",
    "category",
    "area",
    "agency",
    "verification",
    "language",
    "caller_relation",
];

/// What to summarise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryOptions {
    /// First day (UTC); widened to the Monday of its ISO week. Default:
    /// the day of the first matching call (today when there is none).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (UTC); widened to the Sunday of its ISO week.
    /// Default: the Sunday before this week (the last complete week).
    pub to: Option<NaiveDate>,
    /// Threshold: published counts are 0 or at least `k` (at least 3).
    pub k: u32,
    /// Count synthetic (demo) calls too (default false: demo calls stay out
    /// of real reports unless someone asks for them).
    pub include_synthetic: bool,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            k: super::DEFAULT_K,
            include_synthetic: false,
        }
    }
}

/// A published summary: every table with its margins, after suppression.
/// Holds no call, handle, text or time finer than an ISO week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// [`SUMMARY_SCHEMA`].
    pub schema: String,
    /// The threshold applied.
    pub k: u32,
    /// First day covered (a Monday).
    pub from: NaiveDate,
    /// Last day covered (a Sunday).
    pub to: NaiveDate,
    /// Whether synthetic calls are counted.
    pub include_synthetic: bool,
    /// The tables, in a fixed order.
    pub tables: Vec<Table>,
}

/// One published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Its name, such as `calls_by_agency`.
    pub name: String,
    /// Its dimensions, from [`DIMENSIONS`].
    pub dimensions: Vec<String>,
    /// One row per cell and per total (`ALL`), margins included.
    pub rows: Vec<Row>,
}

/// One published cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// One value per dimension, in the table's order (`ALL` for a total).
    pub values: Vec<String>,
    /// The count, or `None` when suppressed.
    pub count: Option<u64>,
    /// Whether the count is suppressed.
    pub suppressed: bool,
}

impl Summary {
    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl Table {
    /// The ordinary values (not [`ALL`]) of dimension `d`, in the order
    /// the rows first give them.
    pub fn values_of(&self, d: usize) -> Vec<&str> {
        let mut seen = Vec::new();
        for row in &self.rows {
            let v = row.values[d].as_str();
            if v != ALL && !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen
    }

    /// The row with these dimension values.
    pub fn row(&self, values: &[&str]) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.values
                .iter()
                .map(String::as_str)
                .eq(values.iter().copied())
        })
    }
}

/// Exact counts: the input of publishing, and the content of a bundle.
/// Never published as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    /// First day (a Monday).
    pub(crate) from: NaiveDate,
    /// Last day (a Sunday).
    pub(crate) to: NaiveDate,
    /// Whether synthetic calls are counted.
    pub(crate) include_synthetic: bool,
    /// Calls by (Monday of the ISO week, category, area name).
    pub(crate) cells: BTreeMap<(NaiveDate, Category, String), u64>,
    /// Calls by agency.
    pub(crate) agency: BTreeMap<Agency, u64>,
    /// Calls by verification.
    pub(crate) verification: BTreeMap<Verification, u64>,
    /// Calls by language (primary subtag, lower case).
    pub(crate) language: BTreeMap<String, u64>,
    /// Calls by caller relation code.
    pub(crate) caller_relation: BTreeMap<String, u64>,
}

impl Counts {
    /// Total calls counted in the cells.
    pub(crate) fn total(&self) -> u64 {
        sum(self.cells.values())
    }

    /// Whether every 1-D count adds up to the cells' total.
    pub(crate) fn consistent(&self) -> bool {
        let total = self.total();
        sum(self.agency.values()) == total
            && sum(self.verification.values()) == total
            && sum(self.language.values()) == total
            && sum(self.caller_relation.values()) == total
    }

    /// Add `other`'s counts (exactly) and widen the period to cover both.
    pub(crate) fn add(&mut self, other: &Counts) {
        self.from = self.from.min(other.from);
        self.to = self.to.max(other.to);
        self.include_synthetic &= other.include_synthetic;
        fn add_to<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
            for (key, n) in from {
                let slot = into.entry(key.clone()).or_default();
                *slot = slot.saturating_add(*n);
            }
        }
        add_to(&mut self.cells, &other.cells);
        add_to(&mut self.agency, &other.agency);
        add_to(&mut self.verification, &other.verification);
        add_to(&mut self.language, &other.language);
        add_to(&mut self.caller_relation, &other.caller_relation);
    }
}

/// The sum of `counts`, saturating instead of overflowing.
fn sum<'a>(counts: impl Iterator<Item = &'a u64>) -> u64 {
    counts.fold(0, |acc, n| acc.saturating_add(*n))
}

/// `YYYY-Www`, the ISO week of `day`.
pub fn week_label(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The Monday of the ISO week written `YYYY-Www`.
pub(crate) fn parse_week(label: &str) -> Option<NaiveDate> {
    let (year, week) = label.split_once("-W")?;
    if week.len() != 2 {
        return None;
    }
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
}

/// The Monday of `day`'s ISO week.
pub(crate) fn monday(day: NaiveDate) -> NaiveDate {
    day.week(Weekday::Mon).first_day()
}

/// The Sunday of `day`'s ISO week.
pub(crate) fn sunday(day: NaiveDate) -> NaiveDate {
    day.week(Weekday::Mon).last_day()
}

/// A language tag as counted: its primary subtag in lower case.
pub(crate) fn language_key(tag: &str) -> String {
    tag.split('-').next().unwrap_or(tag).to_ascii_lowercase()
}

/// Seconds since 1970 at the start of `day` (UTC).
fn day_start(day: NaiveDate) -> i64 {
    day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// Resolve the period: defaults, then whole ISO weeks.
pub(crate) fn period(
    conn: Reader<'_>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    include_synthetic: bool,
) -> Result<(NaiveDate, NaiveDate), ExportError> {
    let today = Utc::now().date_naive();
    // By default the last complete week: a summary of a week still under
    // way, subtracted from a later one, would give away part of a week.
    let to = to.unwrap_or_else(|| monday(today) - Days::new(1));
    let from = match from {
        Some(day) => day,
        None => {
            // In index order, stopping at the first match.
            let first: Option<i64> = conn
                .query_row(
                    "SELECT received_at FROM calls WHERE ?1 OR synthetic = 0
                     ORDER BY received_at LIMIT 1",
                    [include_synthetic],
                    |r| r.get(0),
                )
                .optional()?;
            first
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map_or(to, |t| t.date_naive().min(to))
        }
    };
    if from > to {
        return Err(ExportError::InvalidRange {
            reason: "the first day is after the last day",
        });
    }
    let (from, to) = (monday(from), sunday(to));
    let weeks = usize::try_from((to - from).num_days() / 7 + 1).unwrap_or(usize::MAX);
    if weeks > MAX_WEEKS {
        return Err(ExportError::InvalidRange {
            reason: "a summary covers at most five years (261 weeks)",
        });
    }
    Ok((from, to))
}

/// Seconds from the start of 1970-01-01 (a Thursday) back to the start of
/// the Monday of its ISO week (1969-12-29).
const EPOCH_TO_MONDAY: i64 = 259_200;

/// Seconds in a week.
const WEEK_SECONDS: i64 = 604_800;

/// The week number kept in `call_counts.week` for the ISO week holding
/// `day`: whole weeks since Monday 1969-12-29 (the same floor division as
/// the triggers of that table).
fn week_number(day: NaiveDate) -> i64 {
    (day_start(day) + EPOCH_TO_MONDAY).div_euclid(WEEK_SECONDS)
}

/// What a row of `call_counts` counts (its `dim` column).
const DIM_CATEGORY_AREA: i64 = 0;
const DIM_AGENCY: i64 = 1;
const DIM_VERIFICATION: i64 = 2;
const DIM_LANGUAGE: i64 = 3;
const DIM_CALLER_RELATION: i64 = 4;

/// Aggregate the exact counts of calls received from `from` (a Monday)
/// through `to` (a Sunday).
///
/// Reads the counts that triggers keep in the table `call_counts` (see its
/// schema migration) for the weeks of the period: a few hundred rows a week at most,
/// whatever the number of calls. [`recount`] computes the same from the
/// calls themselves; tests hold the two equal.
pub(crate) fn count(
    conn: Reader<'_>,
    from: NaiveDate,
    to: NaiveDate,
    include_synthetic: bool,
) -> Result<Counts, ExportError> {
    let areas = area_ids(conn)?;
    let first = week_number(from);
    let mut counts = Counts {
        from,
        to,
        include_synthetic,
        ..Counts::default()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT week, dim, code, area, n FROM call_counts
         WHERE week BETWEEN ?1 AND ?2 AND (?3 OR synthetic = 0)",
    )?;
    let mut rows = stmt.query((first, week_number(to), include_synthetic))?;
    let invalid = || ExportError::InvalidData {
        reason: "a stored count is not valid",
    };
    while let Some(row) = rows.next()? {
        let week: i64 = row.get(0)?;
        let dim: i64 = row.get(1)?;
        let code = text(row, 2)?;
        let n = u64::try_from(row.get::<_, i64>(4)?).map_err(|_| invalid())?;
        if n == 0 {
            continue;
        }
        match dim {
            DIM_CATEGORY_AREA => {
                let offset = u64::try_from(week - first).map_err(|_| invalid())?;
                let monday = from
                    .checked_add_days(Days::new(offset * 7))
                    .ok_or_else(invalid)?;
                let category = Category::ALL[code_index(Category::ALL, |c| c.as_str(), code)?];
                let area = areas
                    .get(&row.get::<_, i64>(3)?)
                    .cloned()
                    .unwrap_or_else(|| UNSPECIFIED_AREA.to_owned());
                *counts.cells.entry((monday, category, area)).or_default() += n;
            }
            DIM_AGENCY => {
                let agency = Agency::ALL[code_index(Agency::ALL, |c| c.as_str(), code)?];
                *counts.agency.entry(agency).or_default() += n;
            }
            DIM_VERIFICATION => {
                let verification =
                    Verification::ALL[code_index(Verification::ALL, |c| c.as_str(), code)?];
                *counts.verification.entry(verification).or_default() += n;
            }
            DIM_LANGUAGE => {
                *counts.language.entry(language_key(code)).or_default() += n;
            }
            DIM_CALLER_RELATION => {
                let relation =
                    CallerRelation::ALL[code_index(CallerRelation::ALL, |c| c.as_str(), code)?];
                *counts
                    .caller_relation
                    .entry(relation.as_str().to_owned())
                    .or_default() += n;
            }
            _ => return Err(invalid()),
        }
    }
    Ok(counts)
}

/// Area names by row id (active or not).
fn area_ids(conn: Reader<'_>) -> Result<BTreeMap<i64, String>, ExportError> {
    let mut areas = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT id, name FROM areas")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for row in rows {
        let (id, name) = row?;
        areas.insert(id, name);
    }
    Ok(areas)
}

/// The straightforward recount [`count`] must equal: one pass over the
/// calls of the period themselves (through the covering index
/// `calls_stats`). Tests compare the two after random changes.
#[cfg(test)]
pub(crate) fn recount(
    conn: Reader<'_>,
    from: NaiveDate,
    to: NaiveDate,
    include_synthetic: bool,
) -> Result<Counts, ExportError> {
    let start = day_start(from);
    let end = day_start(to + Days::new(1));
    let areas = area_ids(conn)?;
    let mut counts = Counts {
        from,
        to,
        include_synthetic,
        ..Counts::default()
    };
    // One range scan of the covering index `calls_stats`, aggregated here:
    // cheaper than GROUP BY, which would sort every row in a temporary
    // b-tree. The time is reduced to a week at once.
    let mut stmt = conn.prepare(
        "SELECT received_at, category, area_id, agency, verification, language, caller_relation
         FROM calls WHERE received_at >= ?1 AND received_at < ?2 AND (?3 OR synthetic = 0)
             AND origin_laptop IS NULL",
    )?;
    let mut cells: std::collections::HashMap<(i64, usize, Option<i64>), u64> =
        std::collections::HashMap::new();
    let mut agency = vec![0u64; Agency::ALL.len()];
    let mut verification = vec![0u64; Verification::ALL.len()];
    let mut relation = vec![0u64; CallerRelation::ALL.len()];
    let mut language: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut rows = stmt.query((start, end, include_synthetic))?;
    while let Some(row) = rows.next()? {
        let week = (row.get::<_, i64>(0)? - start) / 604_800;
        let category = code_index(Category::ALL, |c| c.as_str(), text(row, 1)?)?;
        let area: Option<i64> = row.get(2)?;
        *cells.entry((week, category, area)).or_default() += 1;
        agency[code_index(Agency::ALL, |c| c.as_str(), text(row, 3)?)?] += 1;
        verification[code_index(Verification::ALL, |c| c.as_str(), text(row, 4)?)?] += 1;
        let tag = text(row, 5)?;
        match language.get_mut(tag) {
            Some(n) => *n += 1,
            None => {
                language.insert(tag.to_owned(), 1);
            }
        }
        relation[code_index(CallerRelation::ALL, |c| c.as_str(), text(row, 6)?)?] += 1;
    }
    for ((week, category, area), n) in cells {
        let week = from + Days::new(u64::try_from(week).unwrap_or(0) * 7);
        let area = area
            .and_then(|id| areas.get(&id).cloned())
            .unwrap_or_else(|| UNSPECIFIED_AREA.to_owned());
        *counts
            .cells
            .entry((week, Category::ALL[category], area))
            .or_default() += n;
    }
    for (tag, n) in language {
        *counts.language.entry(language_key(&tag)).or_default() += n;
    }
    let nonzero = |(i, n): (usize, &u64)| (*n > 0).then_some((i, *n));
    counts.agency = agency
        .iter()
        .enumerate()
        .filter_map(nonzero)
        .map(|(i, n)| (Agency::ALL[i], n))
        .collect();
    counts.verification = verification
        .iter()
        .enumerate()
        .filter_map(nonzero)
        .map(|(i, n)| (Verification::ALL[i], n))
        .collect();
    counts.caller_relation = relation
        .iter()
        .enumerate()
        .filter_map(nonzero)
        .map(|(i, n)| (CallerRelation::ALL[i].as_str().to_owned(), n))
        .collect();
    Ok(counts)
}

/// Column `i` of `row` as text, without copying it.
pub(crate) fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, ExportError> {
    row.get_ref(i)?
        .as_str()
        .map_err(|_| ExportError::InvalidData {
            reason: "a stored code is not text",
        })
}

/// The position of the code spelled `text` in `all`.
pub(crate) fn code_index<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    text: &str,
) -> Result<usize, ExportError> {
    all.iter()
        .position(|c| name(*c) == text)
        .ok_or(ExportError::InvalidData {
            reason: "a stored code is not known to this version",
        })
}

/// The summary of the calls in the vault (coordinators only). Nothing is
/// written or audited: see [`super::write_summary`].
pub fn summary(vault: &Coordinator<'_>, options: &SummaryOptions) -> Result<Summary, ExportError> {
    check_k(options.k)?;
    let (from, to) = period(
        vault.read(),
        options.from,
        options.to,
        options.include_synthetic,
    )?;
    let counts = count(vault.read(), from, to, options.include_synthetic)?;
    let areas = area_names(vault.read())?;
    publish(&counts, &areas, options.k)
}

/// Every area name in the coordinator's list (active or not), in list order.
pub(crate) fn area_names(conn: Reader<'_>) -> Result<Vec<String>, ExportError> {
    let mut stmt = conn.prepare("SELECT name FROM areas ORDER BY id")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}

/// The label an area is published under (`ALL` is reserved for totals).
fn area_label(name: &str) -> String {
    if name.eq_ignore_ascii_case(ALL) {
        format!("{name} (area)")
    } else {
        name.to_owned()
    }
}

/// One published dimension: its name and its values' labels.
pub(crate) struct Dim {
    name: &'static str,
    labels: Vec<String>,
}

/// Suppress and lay out `counts` as published tables, with `areas` (the
/// coordinator's list) as the only area labels: counts for any other area
/// name go to [`UNSPECIFIED_AREA`]. Languages used fewer than `k` times in
/// the period are counted together as [`OTHER_LANGUAGE`].
pub(crate) fn publish(counts: &Counts, areas: &[String], k: u32) -> Result<Summary, ExportError> {
    let (linked, layout) = build(counts, areas, k)?;
    let hidden = suppress(&linked, u64::from(k));
    Ok(lay_out(counts, k, &linked, layout, &hidden))
}

/// The names and dimensions of the published tables, in order.
pub(crate) type Layout = Vec<(&'static str, Vec<Dim>)>;

/// The linked tables of `counts` (see [`publish`]), before suppression.
pub(crate) fn build(
    counts: &Counts,
    areas: &[String],
    k: u32,
) -> Result<(Linked, Layout), ExportError> {
    check_k(k)?;
    if !counts.consistent() {
        return Err(ExportError::InvalidData {
            reason: "the counts of the tables do not add up to the same total",
        });
    }
    let k64 = u64::from(k);
    // Weeks: every week of the period, even without calls.
    let mut weeks = Vec::new();
    let mut day = counts.from;
    while day <= counts.to {
        weeks.push(day);
        day = day + Days::new(7);
    }
    let week_index: BTreeMap<NaiveDate, usize> =
        weeks.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    // Areas: the list, then unspecified; matched without regard to case.
    let mut area_labels: Vec<String> = Vec::new();
    let mut area_index: BTreeMap<String, usize> = BTreeMap::new();
    for name in areas.iter().map(String::as_str).chain([UNSPECIFIED_AREA]) {
        let key = name.to_lowercase();
        if let std::collections::btree_map::Entry::Vacant(slot) = area_index.entry(key) {
            slot.insert(area_labels.len());
            area_labels.push(area_label(name));
        }
    }
    let unspecified = area_index[&UNSPECIFIED_AREA.to_lowercase()];
    let (nw, nc, na) = (weeks.len(), Category::ALL.len(), area_labels.len());
    let mut cells = vec![0u64; nw * nc * na];
    for ((week, category, area), n) in &counts.cells {
        let Some(&w) = week_index.get(week) else {
            return Err(ExportError::InvalidData {
                reason: "a count lies outside the period",
            });
        };
        let c = Category::ALL
            .iter()
            .position(|x| x == category)
            .unwrap_or_default();
        let a = area_index
            .get(&area.to_lowercase())
            .copied()
            .unwrap_or(unspecified);
        cells[(w * nc + c) * na + a] += n;
    }
    // Languages: named when used at least k times, the rest as "other".
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    let mut other = 0;
    for (tag, &n) in &counts.language {
        if n >= k64 && tag != OTHER_LANGUAGE {
            languages.insert(tag.clone(), n);
        } else {
            other += n;
        }
    }
    let mut language_labels: Vec<String> = languages.keys().cloned().collect();
    let mut language_counts: Vec<u64> = languages.values().copied().collect();
    language_labels.push(OTHER_LANGUAGE.to_owned());
    language_counts.push(other);

    let one_d = |labels: Vec<String>, counts: Vec<u64>| (labels, counts);
    let agency = one_d(
        Agency::ALL.iter().map(|a| a.as_str().to_owned()).collect(),
        Agency::ALL
            .iter()
            .map(|a| counts.agency.get(a).copied().unwrap_or(0))
            .collect(),
    );
    let verification = one_d(
        Verification::ALL
            .iter()
            .map(|v| v.as_str().to_owned())
            .collect(),
        Verification::ALL
            .iter()
            .map(|v| counts.verification.get(v).copied().unwrap_or(0))
            .collect(),
    );
    let relation = one_d(
        CallerRelation::ALL
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        CallerRelation::ALL
            .iter()
            .map(|r| counts.caller_relation.get(r.as_str()).copied().unwrap_or(0))
            .collect(),
    );
    if counts
        .caller_relation
        .keys()
        .any(|key| key.parse::<CallerRelation>().is_err())
    {
        return Err(ExportError::InvalidData {
            reason: "a caller relation is not known to this version",
        });
    }

    let mut linked = Linked::new();
    let mismatch = |_| ExportError::InvalidData {
        reason: "the counts of the tables do not add up to the same total",
    };
    let cube_dims = vec![
        Dim {
            name: "week",
            labels: weeks.iter().map(|d| week_label(*d)).collect(),
        },
        Dim {
            name: "category",
            labels: Category::ALL
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        },
        Dim {
            name: "area",
            labels: area_labels,
        },
    ];
    let mut layout: Layout = Vec::new();
    linked.add_cube(&[nw, nc, na], &cells).map_err(mismatch)?;
    layout.push(("calls_by_week_category_area", cube_dims));
    for (name, dim, (labels, values)) in [
        ("calls_by_agency", "agency", agency),
        ("calls_by_verification", "verification", verification),
        (
            "calls_by_language",
            "language",
            (language_labels, language_counts),
        ),
        ("calls_by_caller_relation", "caller_relation", relation),
    ] {
        linked
            .add_cube(&[labels.len()], &values)
            .map_err(mismatch)?;
        layout.push((name, vec![Dim { name: dim, labels }]));
    }
    Ok((linked, layout))
}

/// The published tables of `linked`, with the `hidden` values suppressed.
fn lay_out(counts: &Counts, k: u32, linked: &Linked, layout: Layout, hidden: &[bool]) -> Summary {
    let values = linked.values();
    let tables = layout
        .into_iter()
        .zip(linked.cubes())
        .map(|((name, dims), cube)| {
            let rows = (0..cube.len())
                .map(|index| {
                    let coords = cube.coords(index);
                    let var = cube.var(&coords);
                    let labels = coords
                        .iter()
                        .zip(&dims)
                        .map(|(&c, dim)| {
                            dim.labels.get(c).cloned().unwrap_or_else(|| ALL.to_owned())
                        })
                        .collect();
                    Row {
                        values: labels,
                        count: (!hidden[var]).then_some(values[var]),
                        suppressed: hidden[var],
                    }
                })
                .collect();
            Table {
                name: name.to_owned(),
                dimensions: dims.iter().map(|d| d.name.to_owned()).collect(),
                rows,
            }
        })
        .collect();
    Summary {
        schema: SUMMARY_SCHEMA.to_owned(),
        k,
        from: counts.from,
        to: counts.to,
        include_synthetic: counts.include_synthetic,
        tables,
    }
}
