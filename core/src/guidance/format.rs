//! Reading a pack file: TOML text → checked values with line numbers.
//!
//! Two stages. First the TOML is parsed, recovering past syntax errors so all
//! of them are reported, and matched against the expected shape (unknown or
//! missing fields stop here, with their line). Then each value is turned into
//! the model, collecting every problem of form — ids, dates, citations,
//! language codes, call-field codes — instead of stopping at the first.
//! Rules that need the whole pack (links, reachability, …) live in
//! [`super::validate`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

use super::date::PackDate;
use super::issue::{IssueKind, ItemKind, ItemRef, PackIssue, Reporter, item};
use super::model::{
    AlertWording, Citation, Counsel, DEFAULT_ALERT_HOURS, Evidence, Flow, Glance, GlanceRow, Link,
    MAX_ALERT_HOURS, Node, NodeKind, NodeOption, PackMeta, REFERRAL_KINDS, Resource, Source,
    SourceKind, Text, Translation,
};
use crate::codes::{Agency, CallFields, Category, Verification};

/// At most this many syntax errors are listed; the rest are counted.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Longest paragraph range a citation may name (`article:1-40`).
const MAX_PARAGRAPH_RANGE: u32 = 1000;

type RawText = Spanned<BTreeMap<String, Spanned<String>>>;
type RawList = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: Spanned<RawMeta>,
    #[serde(default)]
    source: Vec<RawSource>,
    #[serde(default)]
    resource: Vec<RawResource>,
    #[serde(default)]
    flow: Vec<RawFlow>,
    #[serde(default)]
    node: Vec<RawNode>,
    #[serde(default)]
    glance: Option<Spanned<RawGlance>>,
    #[serde(default)]
    alert: Option<Spanned<RawAlert>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    text: RawText,
    expires_after_hours: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Spanned<String>,
    title: RawText,
    jurisdiction: String,
    version: String,
    languages: RawList,
    reviewed_on: Option<Spanned<toml::Value>>,
    reviewer: String,
    notice: Option<RawText>,
    counsel: Option<Spanned<RawCounsel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounsel {
    approved: bool,
    approved_on: Option<Spanned<toml::Value>>,
    organisation: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    kind: SourceKind,
    title: String,
    publisher: String,
    date: Option<Spanned<toml::Value>>,
    link: Option<String>,
    paragraphs: Option<u32>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    id: Spanned<String>,
    name: RawText,
    description: RawText,
    url: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    languages: RawList,
    hours: RawText,
    #[serde(default)]
    cites: RawList,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    id: Spanned<String>,
    title: RawText,
    entry: Spanned<String>,
    #[serde(default)]
    urgent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Spanned<String>,
    kind: NodeKind,
    text: RawText,
    #[serde(default)]
    cites: RawList,
    volatile: Option<Spanned<bool>>,
    as_of: Option<Spanned<toml::Value>>,
    #[serde(default)]
    resources: RawList,
    #[serde(default)]
    refer: RawList,
    next: Option<Spanned<String>>,
    #[serde(default)]
    option: Vec<Spanned<RawOption>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    label: RawText,
    next: Spanned<String>,
    #[serde(default)]
    set: RawSet,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSet {
    category: Option<Spanned<String>>,
    agency: Option<Spanned<String>>,
    verification: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlance {
    title: RawText,
    local: RawText,
    ice: RawText,
    #[serde(default)]
    row: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    id: Spanned<String>,
    label: RawText,
    local: RawText,
    ice: RawText,
    #[serde(default)]
    cites: RawList,
    volatile: Option<Spanned<bool>>,
    as_of: Option<Spanned<toml::Value>>,
}

/// Everything read from a pack file, before the whole-pack rules are checked.
#[derive(Debug, Clone)]
pub(crate) struct PackData {
    pub(crate) meta: PackMeta,
    pub(crate) sources: Vec<Source>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) flows: Vec<Flow>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) glance: Option<Glance>,
    pub(crate) alert: Option<AlertWording>,
}

/// Read `source`. `Err` when the file is not a pack at all (syntax, shape);
/// otherwise the data and any problems of form found on the way.
pub(crate) fn read(source: &str, file: &str) -> Result<(PackData, Vec<PackIssue>), Vec<PackIssue>> {
    let mut reporter = Reporter::new(file, source);
    let (doc, errors) = DeTable::parse_recoverable(source);
    let markers = item_markers(doc.get_ref());
    if !errors.is_empty() {
        report_syntax(&mut reporter, &markers, &errors);
        return Err(reporter.finish());
    }
    match RawPack::deserialize(Deserializer::from(doc)) {
        Ok(raw) => {
            let data = Lowerer {
                reporter: &mut reporter,
            }
            .pack(raw);
            Ok((data, reporter.finish()))
        }
        Err(error) => {
            report_syntax(&mut reporter, &markers, std::slice::from_ref(&error));
            Err(reporter.finish())
        }
    }
}

/// Where each item's table starts, to name the item a syntax error is in.
fn item_markers(doc: &DeTable<'_>) -> Vec<(usize, Option<ItemRef>)> {
    let mut markers = Vec::new();
    for (key, kind) in [
        ("source", ItemKind::Source),
        ("resource", ItemKind::Resource),
        ("flow", ItemKind::Flow),
        ("node", ItemKind::Node),
    ] {
        if let Some(value) = doc.get(key) {
            push_array_markers(&mut markers, value, kind);
        }
    }
    for key in ["pack", "glance"] {
        if let Some(value) = doc.get(key) {
            markers.push((value.span().start, None));
            if let Some(rows) = value.get_ref().get("row") {
                push_array_markers(&mut markers, rows, ItemKind::GlanceRow);
            }
        }
    }
    markers.sort_by_key(|(start, _)| *start);
    markers
}

fn push_array_markers(
    markers: &mut Vec<(usize, Option<ItemRef>)>,
    value: &Spanned<DeValue<'_>>,
    kind: ItemKind,
) {
    let DeValue::Array(elements) = value.get_ref() else {
        return;
    };
    for element in elements.iter() {
        let id = element
            .get_ref()
            .get("id")
            .and_then(|id| id.get_ref().as_str());
        markers.push((element.span().start, id.and_then(|id| item(kind, id))));
    }
}

fn report_syntax(
    reporter: &mut Reporter,
    markers: &[(usize, Option<ItemRef>)],
    errors: &[toml::de::Error],
) {
    for error in errors.iter().take(MAX_SYNTAX_ERRORS) {
        let offset = error.span().map_or(0, |span| span.start);
        let enclosing = markers
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .and_then(|(_, item)| item.clone());
        let line = reporter.line(offset);
        reporter.push(line, enclosing, IssueKind::Syntax, explain(error.message()));
    }
    if errors.len() > MAX_SYNTAX_ERRORS {
        let more = errors.len() - MAX_SYNTAX_ERRORS;
        let line = reporter.line(usize::MAX);
        reporter.push(
            line,
            None,
            IssueKind::Syntax,
            format!("{more} more syntax errors not shown"),
        );
    }
}

/// The parser's message, with a hint for mistakes non-programmers often make.
fn explain(message: &str) -> String {
    let message = message.trim();
    if message.contains("expected a map") || message.contains("expected struct") {
        format!(
            "{message}; texts are written once per language, e.g. text.en = \"…\" and text.es = \"…\""
        )
    } else {
        message.to_owned()
    }
}

/// Turns raw values into the model, reporting every problem of form.
struct Lowerer<'r> {
    reporter: &'r mut Reporter,
}

impl Lowerer<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.reporter.line(span.start)
    }

    fn pack(&mut self, raw: RawPack) -> PackData {
        PackData {
            meta: self.meta(raw.pack),
            sources: raw.source.into_iter().map(|s| self.source(s)).collect(),
            resources: raw.resource.into_iter().map(|r| self.resource(r)).collect(),
            flows: raw.flow.into_iter().map(|f| self.flow(f)).collect(),
            nodes: raw.node.into_iter().map(|n| self.node(n)).collect(),
            glance: raw.glance.map(|g| self.glance(g)),
            alert: raw.alert.map(|a| self.alert(a)),
        }
    }

    fn meta(&mut self, raw: Spanned<RawMeta>) -> PackMeta {
        let line = self.line(raw.span());
        let raw = raw.into_inner();
        let id = self.id(&raw.id, None);
        let languages = self.languages(&raw.languages, None);
        if languages.is_empty() {
            self.reporter.push(
                line,
                None,
                IssueKind::BadValue,
                "`languages` is empty; list at least one, e.g. [\"en\", \"es\"]",
            );
        }
        let reviewed_on_line = raw
            .reviewed_on
            .as_ref()
            .map_or(line, |d| self.line(d.span()));
        let reviewed_on = raw
            .reviewed_on
            .and_then(|d| self.date(&d, None, "reviewed_on"));
        if reviewed_on.is_some_and(|d| !d.is_full()) {
            self.reporter.push(
                reviewed_on_line,
                None,
                IssueKind::ReviewDate,
                "`reviewed_on` must be a full date (YYYY-MM-DD)",
            );
        }
        PackMeta {
            id,
            title: self.text(raw.title),
            jurisdiction: raw.jurisdiction,
            version: raw.version,
            languages,
            reviewed_on,
            reviewer: raw.reviewer,
            notice: raw.notice.map(|t| self.text(t)),
            counsel: raw.counsel.map(|c| self.counsel(c)),
            line,
            reviewed_on_line,
        }
    }

    fn counsel(&mut self, raw: Spanned<RawCounsel>) -> Counsel {
        let line = self.line(raw.span());
        let raw = raw.into_inner();
        Counsel {
            approved: raw.approved,
            approved_on: raw
                .approved_on
                .and_then(|d| self.date(&d, None, "counsel.approved_on")),
            organisation: raw.organisation,
            note: raw.note,
            line,
        }
    }

    fn source(&mut self, raw: RawSource) -> Source {
        let line = self.line(raw.id.span());
        let id = self.id(&raw.id, Some(ItemKind::Source));
        let date = raw
            .date
            .and_then(|d| self.date(&d, item(ItemKind::Source, &id), "date"));
        Source {
            kind: raw.kind,
            title: raw.title,
            publisher: raw.publisher,
            date,
            link: raw.link,
            paragraphs: raw.paragraphs,
            note: raw.note,
            line,
            id,
        }
    }

    fn resource(&mut self, raw: RawResource) -> Resource {
        let line = self.line(raw.id.span());
        let id = self.id(&raw.id, Some(ItemKind::Resource));
        let it = item(ItemKind::Resource, &id);
        Resource {
            name: self.text(raw.name),
            description: self.text(raw.description),
            url: raw.url,
            phone: raw.phone,
            email: raw.email,
            address: raw.address,
            languages: self.languages(&raw.languages, it.clone()),
            hours: self.text(raw.hours),
            cites: self.citations(raw.cites, &it),
            line,
            id,
        }
    }

    fn flow(&mut self, raw: RawFlow) -> Flow {
        let line = self.line(raw.id.span());
        Flow {
            id: self.id(&raw.id, Some(ItemKind::Flow)),
            title: self.text(raw.title),
            entry: self.link(raw.entry),
            urgent: raw.urgent,
            line,
        }
    }

    fn node(&mut self, raw: RawNode) -> Node {
        let line = self.line(raw.id.span());
        let id = self.id(&raw.id, Some(ItemKind::Node));
        let it = item(ItemKind::Node, &id);
        let evidence = self.evidence(raw.cites, raw.volatile, raw.as_of, line, &it);
        let options = raw
            .option
            .into_iter()
            .map(|o| self.option(o, &it))
            .collect();
        Node {
            kind: raw.kind,
            text: self.text(raw.text),
            evidence,
            resources: raw.resources.into_iter().map(|r| self.link(r)).collect(),
            refer: self.referral_kinds(raw.refer, &it),
            next: raw.next.map(|n| self.link(n)),
            options,
            line,
            id,
        }
    }

    fn option(&mut self, raw: Spanned<RawOption>, it: &Option<ItemRef>) -> NodeOption {
        let line = self.line(raw.span());
        let raw = raw.into_inner();
        NodeOption {
            label: self.text(raw.label),
            next: self.link(raw.next),
            set: self.call_fields(raw.set, it),
            line,
        }
    }

    fn glance(&mut self, raw: Spanned<RawGlance>) -> Glance {
        let line = self.line(raw.span());
        let raw = raw.into_inner();
        Glance {
            title: self.text(raw.title),
            local: self.text(raw.local),
            ice: self.text(raw.ice),
            rows: raw.row.into_iter().map(|r| self.row(r)).collect(),
            line,
        }
    }

    fn alert(&mut self, raw: Spanned<RawAlert>) -> AlertWording {
        let line = self.line(raw.span());
        let raw = raw.into_inner();
        let hours = match raw.expires_after_hours {
            None => DEFAULT_ALERT_HOURS,
            Some(value) => {
                let at = self.line(value.span());
                match u8::try_from(*value.get_ref()) {
                    Ok(h) if (1..=MAX_ALERT_HOURS).contains(&h) => h,
                    _ => {
                        self.reporter.push(
                            at,
                            None,
                            IssueKind::BadValue,
                            format!(
                                "alert `expires_after_hours` must be 1 to {MAX_ALERT_HOURS} hours"
                            ),
                        );
                        DEFAULT_ALERT_HOURS
                    }
                }
            }
        };
        AlertWording {
            text: self.text(raw.text),
            expires_after_hours: hours,
            line,
        }
    }

    fn row(&mut self, raw: RawRow) -> GlanceRow {
        let line = self.line(raw.id.span());
        let id = self.id(&raw.id, Some(ItemKind::GlanceRow));
        let it = item(ItemKind::GlanceRow, &id);
        GlanceRow {
            label: self.text(raw.label),
            local: self.text(raw.local),
            ice: self.text(raw.ice),
            evidence: self.evidence(raw.cites, raw.volatile, raw.as_of, line, &it),
            line,
            id,
        }
    }

    /// An id: ASCII letters, digits, `-` and `_`, so citations can use `:` and `,`.
    fn id(&mut self, raw: &Spanned<String>, kind: Option<ItemKind>) -> String {
        let id = raw.get_ref().clone();
        let ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            let line = self.line(raw.span());
            self.reporter.push(
                line,
                kind.and_then(|k| item(k, &id)),
                IssueKind::BadValue,
                format!("id `{id}` may use only letters a–z, digits, `-` and `_`"),
            );
        }
        id
    }

    fn link(&mut self, raw: Spanned<String>) -> Link {
        Link {
            line: self.line(raw.span()),
            id: raw.into_inner(),
        }
    }

    fn text(&mut self, raw: RawText) -> Text {
        let line = self.line(raw.span());
        let entries = raw
            .into_inner()
            .into_iter()
            .map(|(lang, value)| Translation {
                lang,
                line: self.line(value.span()),
                value: value.into_inner(),
            })
            .collect();
        Text { entries, line }
    }

    /// Referral kinds a node points to; each must be one of [`REFERRAL_KINDS`].
    fn referral_kinds(&mut self, raw: RawList, it: &Option<ItemRef>) -> Vec<String> {
        let mut kinds = Vec::new();
        for kind in raw {
            let line = self.line(kind.span());
            let kind = kind.into_inner();
            if !REFERRAL_KINDS.contains(&kind.as_str()) {
                self.reporter.push(
                    line,
                    it.clone(),
                    IssueKind::UnknownReferral,
                    format!(
                        "`refer` names \"{kind}\", which is not a referral kind; use one of: {}",
                        REFERRAL_KINDS.join(", ")
                    ),
                );
            } else if kinds.contains(&kind) {
                self.reporter.push(
                    line,
                    it.clone(),
                    IssueKind::UnknownReferral,
                    format!("`refer` lists \"{kind}\" twice"),
                );
            } else {
                kinds.push(kind);
            }
        }
        kinds
    }

    fn languages(&mut self, raw: &RawList, it: Option<ItemRef>) -> Vec<String> {
        let mut seen = Vec::new();
        for lang in raw {
            let code = lang.get_ref();
            let line = self.line(lang.span());
            if !is_language_code(code) {
                self.reporter.push(
                    line,
                    it.clone(),
                    IssueKind::BadValue,
                    format!("`{code}` is not a language code such as `en` or `es`"),
                );
            } else if seen.contains(code) {
                self.reporter.push(
                    line,
                    it.clone(),
                    IssueKind::BadValue,
                    format!("language `{code}` is listed twice"),
                );
            } else {
                seen.push(code.clone());
            }
        }
        seen
    }

    /// A date written as a TOML date (`2026-11-29`) or a string (`"2019-06"`).
    fn date(
        &mut self,
        raw: &Spanned<toml::Value>,
        it: Option<ItemRef>,
        field: &str,
    ) -> Option<PackDate> {
        let parsed = match raw.get_ref() {
            toml::Value::String(text) => text.parse::<PackDate>().ok(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| PackDate::ymd(d.year, d.month, d.day))
            }
            _ => None,
        };
        if parsed.is_none() {
            let line = self.line(raw.span());
            self.reporter.push(
                line,
                it,
                IssueKind::BadValue,
                format!("`{field}` must be a date: YYYY-MM-DD, or \"YYYY-MM\" or \"YYYY\""),
            );
        }
        parsed
    }

    fn evidence(
        &mut self,
        cites: RawList,
        volatile: Option<Spanned<bool>>,
        as_of: Option<Spanned<toml::Value>>,
        item_line: usize,
        it: &Option<ItemRef>,
    ) -> Evidence {
        let line = volatile
            .as_ref()
            .map(|v| self.line(v.span()))
            .or_else(|| as_of.as_ref().map(|d| self.line(d.span())))
            .unwrap_or(item_line);
        Evidence {
            cites: self.citations(cites, it),
            volatile: volatile.is_some_and(|v| *v.get_ref()),
            as_of: as_of.and_then(|d| self.date(&d, it.clone(), "as_of")),
            line,
        }
    }

    fn citations(&mut self, raw: RawList, it: &Option<ItemRef>) -> Vec<Citation> {
        let mut cites = Vec::new();
        for text in raw {
            let line = self.line(text.span());
            match parse_citation(text.get_ref()) {
                Ok((source, paragraphs)) => cites.push(Citation {
                    source,
                    paragraphs,
                    line,
                }),
                Err(why) => self
                    .reporter
                    .push(line, it.clone(), IssueKind::BadValue, why),
            }
        }
        cites
    }

    fn call_fields(&mut self, raw: RawSet, it: &Option<ItemRef>) -> CallFields {
        CallFields {
            category: raw.category.and_then(|c| self.code::<Category>(c, it)),
            agency: raw.agency.and_then(|c| self.code::<Agency>(c, it)),
            verification: raw
                .verification
                .and_then(|c| self.code::<Verification>(c, it)),
        }
    }

    fn code<T>(&mut self, raw: Spanned<String>, it: &Option<ItemRef>) -> Option<T>
    where
        T: std::str::FromStr<Err = crate::codes::UnknownCode>,
    {
        match raw.get_ref().parse::<T>() {
            Ok(code) => Some(code),
            Err(err) => {
                let line = self.line(raw.span());
                self.reporter
                    .push(line, it.clone(), IssueKind::UnknownCode, err.to_string());
                None
            }
        }
    }
}

/// A language code: two or three lowercase letters, optionally followed by
/// `-` and a region or script (`en`, `es`, `es-MX`).
fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A citation: `source` or `source:paragraphs`, paragraphs being numbers and
/// ranges separated by commas (`article:3`, `article:6-7`, `article:4,8`).
pub(crate) fn parse_citation(text: &str) -> Result<(String, Vec<u32>), String> {
    let bad = || {
        format!(
            "citation `{text}` should be a source id, optionally with paragraphs: `article:3`, `article:6-7`, `article:4,8`"
        )
    };
    let (source, paragraphs) = match text.split_once(':') {
        Some((source, list)) => (source.trim(), parse_paragraphs(list).ok_or_else(bad)?),
        None => (text.trim(), Vec::new()),
    };
    let source_ok = !source.is_empty()
        && source
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !source_ok {
        return Err(bad());
    }
    Ok((source.to_owned(), paragraphs))
}

fn parse_paragraphs(list: &str) -> Option<Vec<u32>> {
    let mut numbers = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?),
            None => {
                let n = part.parse::<u32>().ok()?;
                (n, n)
            }
        };
        if first == 0 || last < first || last - first >= MAX_PARAGRAPH_RANGE {
            return None;
        }
        numbers.extend(first..=last);
    }
    Some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_citations() {
        let check = |text: &str, source: &str, paragraphs: &[u32]| {
            let (s, p) = parse_citation(text).unwrap();
            assert_eq!((s.as_str(), p.as_slice()), (source, paragraphs), "{text}");
        };
        check("kyr", "kyr", &[]);
        check("article:3", "article", &[3]);
        check("article:6-7", "article", &[6, 7]);
        check("article: 4, 8-9", "article", &[4, 8, 9]);
        for bad in [
            "",
            ":3",
            "article:",
            "article:0",
            "article:7-6",
            "article:x",
            "a b",
            "article:1-99999",
        ] {
            assert!(parse_citation(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn knows_language_codes() {
        for ok in ["en", "es", "hmn", "es-MX", "zh-Hans"] {
            assert!(is_language_code(ok), "{ok}");
        }
        for bad in ["", "e", "EN", "english", "es_MX", "es-", "en-toolongregion"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
