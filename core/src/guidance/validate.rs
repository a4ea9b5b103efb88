//! Rules a whole pack must follow before volunteers see it: unique ids, no
//! broken links, every node reachable and leading to an end, every language
//! complete, every factual node cited, dated volatile facts, a review date.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::Path;

use super::Pack;
use super::date::PackDate;
use super::issue::{IssueKind, ItemKind, ItemRef, PackErrors, PackIssue, Reporter, Severity, item};
use super::model::{
    ALERT_PLACEHOLDERS, Citation, Evidence, Flow, Node, NodeKind, SourceKind, Text,
};

/// Largest pack file [`validate_file`] reads; real packs are far smaller.
pub const MAX_PACK_BYTES: u64 = 4 * 1024 * 1024;

/// At most this many steps may come before a flow's first spoken line
/// (a `say` node), on every path from the flow's entry. A "right now" flow
/// (`urgent = true`) has none: its entry is the spoken line.
pub const MAX_STEPS_BEFORE_SPOKEN_LINE: usize = 2;

/// A volatile fact is stale when its `as_of` is more than this many months
/// older than the pack's `reviewed_on`.
pub const MAX_FACT_AGE_MONTHS: i32 = 6;

/// Check a loaded pack against every rule, as of today (UTC).
pub fn validate(pack: &Pack) -> Vec<PackIssue> {
    validate_as_of(pack, PackDate::today_utc())
}

/// Check a loaded pack against every rule; dates after `today` are "in the future".
pub fn validate_as_of(pack: &Pack, today: PackDate) -> Vec<PackIssue> {
    let mut check = Checker {
        pack,
        today,
        reporter: Reporter::new(pack.file_name(), ""),
    };
    check.review_date();
    check.unique_ids();
    check.languages();
    check.sources();
    check.resources();
    check.flows();
    check.nodes();
    check.graph();
    check.spoken_lines();
    check.glance();
    check.alert();
    check.counsel();
    check.reporter.finish()
}

/// Parse and validate pack text: `Ok` if no problem is an error (warnings
/// are kept in [`Pack::warnings`]); otherwise every problem found, warnings
/// included, in file order.
pub fn check_source(source: &str, file_name: &str) -> Result<Pack, PackErrors> {
    let (data, mut issues) = super::format::read(source, file_name).map_err(PackErrors)?;
    let mut pack = Pack::from_data(file_name, data);
    issues.extend(validate(&pack));
    issues.sort_by_key(|issue| issue.line);
    if issues.iter().any(PackIssue::is_error) {
        Err(PackErrors(issues))
    } else {
        pack.warnings = issues;
        Ok(pack)
    }
}

/// Read, parse and validate a pack file, as a coordinator's import does first.
pub fn validate_file(path: &Path) -> Result<Pack, PackErrors> {
    let file = path.display().to_string();
    let file_problem = |line: usize, message: String| {
        PackErrors(vec![PackIssue {
            file: file.clone(),
            line,
            item: None,
            kind: IssueKind::File,
            message,
            severity: Severity::Error,
        }])
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PACK_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|err| file_problem(1, format!("cannot read the file: {err}")))?;
    if bytes.len() as u64 > MAX_PACK_BYTES {
        return Err(file_problem(
            1,
            format!("the file is larger than {MAX_PACK_BYTES} bytes; is it really a pack?"),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        file_problem(
            line,
            "the file is not UTF-8 text; save it as UTF-8 (plain text)".to_owned(),
        )
    })?;
    check_source(&text, &file)
}

struct Checker<'p> {
    pack: &'p Pack,
    today: PackDate,
    reporter: Reporter,
}

impl Checker<'_> {
    fn push(&mut self, line: usize, it: Option<ItemRef>, kind: IssueKind, message: String) {
        self.reporter.push(line, it, kind, message);
    }

    /// A content rule: an error for the built-in pack, a warning for an
    /// imported one, so that packs written before the rule keep loading.
    fn push_content(&mut self, line: usize, it: Option<ItemRef>, kind: IssueKind, message: String) {
        let severity = if self.pack.is_held_to_builtin_rules() {
            Severity::Error
        } else {
            Severity::Warning
        };
        self.reporter.push_with(severity, line, it, kind, message);
    }

    /// `[pack.counsel]`: an approval names its day and organisation; a day
    /// is not in the future and is not given without an approval.
    fn counsel(&mut self) {
        let Some(counsel) = &self.pack.meta().counsel else {
            return;
        };
        let line = counsel.line;
        let organisation = counsel
            .organisation
            .as_deref()
            .is_some_and(|o| !o.trim().is_empty());
        let mut problems = Vec::new();
        if counsel.approved && counsel.approved_on.is_none() {
            problems.push(
                "an approval needs `approved_on`, the day counsel approved the content".to_owned(),
            );
        }
        if counsel.approved && !organisation {
            problems.push(
                "an approval needs `organisation`, the organisation whose lawyer approved it"
                    .to_owned(),
            );
        }
        if !counsel.approved && counsel.approved_on.is_some() {
            problems.push(
                "`approved_on` is only for an approval: set approved = true, or remove it"
                    .to_owned(),
            );
        }
        if let Some(day) = counsel.approved_on
            && day.is_after(&self.today)
        {
            problems.push(format!(
                "`approved_on` {day} is in the future (today is {})",
                self.today
            ));
        }
        for message in problems {
            self.push(line, None, IssueKind::Counsel, message);
        }
    }

    /// Every flow reaches a spoken line soon: within
    /// [`MAX_STEPS_BEFORE_SPOKEN_LINE`] steps on every path, and at once in
    /// a "right now" flow.
    fn spoken_lines(&mut self) {
        for flow in self.pack.flows() {
            let Some(entry) = self.pack.node(&flow.entry.id) else {
                continue; // reported already
            };
            let it = item(ItemKind::Flow, &flow.id);
            if flow.urgent {
                if entry.kind != NodeKind::Say {
                    self.push(
                        flow.line,
                        it,
                        IssueKind::SpokenLineLate,
                        format!(
                            "a \"right now\" flow (urgent = true) starts with the words to say: its entry \"{}\" must be a say node",
                            entry.id
                        ),
                    );
                }
                continue;
            }
            if let Some(path) = self.late_spoken_line(flow) {
                self.push_content(
                    flow.line,
                    it,
                    IssueKind::SpokenLineLate,
                    format!(
                        "the first words to say come after more than {MAX_STEPS_BEFORE_SPOKEN_LINE} steps on the path {}; put a say node earlier",
                        path.join(" → ")
                    ),
                );
            }
        }
    }

    /// A path from the flow's entry whose first
    /// `MAX_STEPS_BEFORE_SPOKEN_LINE + 1` nodes hold no say node, if any.
    fn late_spoken_line(&self, flow: &Flow) -> Option<Vec<String>> {
        let mut stack = vec![vec![flow.entry.id.as_str()]];
        while let Some(path) = stack.pop() {
            let last = path.last().copied().unwrap_or_default();
            let Some(node) = self.pack.node(last) else {
                continue; // a broken link, reported already
            };
            if node.kind == NodeKind::Say {
                continue;
            }
            if path.len() > MAX_STEPS_BEFORE_SPOKEN_LINE || node.kind == NodeKind::End {
                return Some(path.iter().map(|&id| id.to_owned()).collect());
            }
            for next in next_ids(node) {
                let mut longer = path.clone();
                longer.push(next);
                stack.push(longer);
            }
        }
        None
    }

    fn review_date(&mut self) {
        let meta = self.pack.meta();
        let line = meta.reviewed_on_line;
        match meta.reviewed_on {
            None => self.push(
                line,
                None,
                IssueKind::ReviewDate,
                "`reviewed_on` is missing or not a date; write the day a person last checked the content, e.g. reviewed_on = 2026-11-29".into(),
            ),
            Some(date) if date.is_after(&self.today) => self.push(
                line,
                None,
                IssueKind::ReviewDate,
                format!("`reviewed_on` {date} is in the future (today is {})", self.today),
            ),
            Some(_) => {}
        }
    }

    fn unique_ids(&mut self) {
        let pack = self.pack;
        let rows = pack.glance().map(|g| g.rows.as_slice()).unwrap_or_default();
        let groups: [(ItemKind, Vec<(&str, usize)>); 5] = [
            (
                ItemKind::Source,
                pack.sources()
                    .iter()
                    .map(|s| (s.id.as_str(), s.line))
                    .collect(),
            ),
            (
                ItemKind::Resource,
                pack.resources()
                    .iter()
                    .map(|r| (r.id.as_str(), r.line))
                    .collect(),
            ),
            (
                ItemKind::Flow,
                pack.flows()
                    .iter()
                    .map(|f| (f.id.as_str(), f.line))
                    .collect(),
            ),
            (
                ItemKind::Node,
                pack.nodes()
                    .iter()
                    .map(|n| (n.id.as_str(), n.line))
                    .collect(),
            ),
            (
                ItemKind::GlanceRow,
                rows.iter().map(|r| (r.id.as_str(), r.line)).collect(),
            ),
        ];
        for (kind, ids) in groups {
            let mut first: HashMap<&str, usize> = HashMap::new();
            for (id, line) in ids {
                if let Some(earlier) = first.get(id) {
                    self.push(
                        line,
                        item(kind, id),
                        IssueKind::DuplicateId,
                        format!("the id is already used by the {kind} on line {earlier}"),
                    );
                } else {
                    first.insert(id, line);
                }
            }
        }
    }

    /// Every text in every pack language, and in no other.
    fn languages(&mut self) {
        let pack = self.pack;
        let meta = pack.meta();
        self.text(&meta.title, None, "title");
        if let Some(notice) = &meta.notice {
            self.text(notice, None, "notice");
        }
        for flow in pack.flows() {
            self.text(&flow.title, item(ItemKind::Flow, &flow.id), "title");
        }
        for node in pack.nodes() {
            let it = item(ItemKind::Node, &node.id);
            self.text(&node.text, it.clone(), "text");
            for (i, option) in node.options.iter().enumerate() {
                self.text(
                    &option.label,
                    it.clone(),
                    &format!("label of option {}", i + 1),
                );
            }
        }
        for resource in pack.resources() {
            let it = item(ItemKind::Resource, &resource.id);
            self.text(&resource.name, it.clone(), "name");
            self.text(&resource.description, it.clone(), "description");
            self.text(&resource.hours, it, "hours");
        }
        if let Some(glance) = pack.glance() {
            self.text(&glance.title, None, "card title");
            self.text(&glance.local, None, "card heading `local`");
            self.text(&glance.ice, None, "card heading `ice`");
            for row in &glance.rows {
                let it = item(ItemKind::GlanceRow, &row.id);
                self.text(&row.label, it.clone(), "label");
                self.text(&row.local, it.clone(), "local");
                self.text(&row.ice, it, "ice");
            }
        }
    }

    /// The alert wording: in every language, with only known placeholders,
    /// and naming the area, the time and the expiry.
    fn alert(&mut self) {
        let Some(alert) = self.pack.alert() else {
            return;
        };
        self.text(&alert.text, None, "alert text");
        for t in &alert.text.entries {
            for problem in alert_template_problems(&t.value) {
                self.push(
                    t.line,
                    None,
                    IssueKind::BadValue,
                    format!("alert text in `{}`: {problem}", t.lang),
                );
            }
        }
    }

    fn text(&mut self, text: &Text, it: Option<ItemRef>, what: &str) {
        let languages = &self.pack.meta().languages;
        for lang in languages {
            match text.entries.iter().find(|t| &t.lang == lang) {
                None => self.push(
                    text.line,
                    it.clone(),
                    IssueKind::Language,
                    format!("{what} has no `{lang}` version"),
                ),
                Some(t) if t.value.trim().is_empty() => self.push(
                    t.line,
                    it.clone(),
                    IssueKind::Language,
                    format!("{what} is empty in `{lang}`"),
                ),
                Some(_) => {}
            }
        }
        for t in &text.entries {
            if !languages.contains(&t.lang) {
                self.push(
                    t.line,
                    it.clone(),
                    IssueKind::Language,
                    format!(
                        "{what} is written in `{}`, which is not one of the pack's languages ({})",
                        t.lang,
                        languages.join(", ")
                    ),
                );
            }
        }
    }

    fn sources(&mut self) {
        for source in self.pack.sources() {
            let it = item(ItemKind::Source, &source.id);
            match (source.kind, source.paragraphs) {
                (SourceKind::SeedArticle, None | Some(0)) => self.push(
                    source.line,
                    it,
                    IssueKind::Missing,
                    "the seed article needs `paragraphs`, the number of paragraphs it has".into(),
                ),
                (kind, Some(_)) if kind != SourceKind::SeedArticle => self.push(
                    source.line,
                    it,
                    IssueKind::Paragraph,
                    "`paragraphs` is only for the seed article (kind = \"seed_article\")".into(),
                ),
                _ => {}
            }
        }
    }

    fn resources(&mut self) {
        for resource in self.pack.resources() {
            let it = item(ItemKind::Resource, &resource.id);
            let reachable = [
                &resource.url,
                &resource.phone,
                &resource.email,
                &resource.address,
            ]
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| !c.trim().is_empty()));
            if !reachable {
                self.push(
                    resource.line,
                    it.clone(),
                    IssueKind::Missing,
                    "say how to reach it: `url`, `phone`, `email` or `address`".into(),
                );
            }
            self.citations(&resource.cites, &it);
        }
    }

    fn flows(&mut self) {
        for flow in self.pack.flows() {
            if self.pack.node(&flow.entry.id).is_none() {
                self.push(
                    flow.entry.line,
                    item(ItemKind::Flow, &flow.id),
                    IssueKind::MissingTarget,
                    format!("`entry` is \"{}\", which is not a node", flow.entry.id),
                );
            }
        }
    }

    fn nodes(&mut self) {
        for node in self.pack.nodes() {
            let it = item(ItemKind::Node, &node.id);
            self.structure(node, &it);
            self.links(node, &it);
            let needs_source = matches!(node.kind, NodeKind::Advice | NodeKind::Say);
            self.evidence(&node.evidence, node.line, needs_source, &it);
        }
    }

    fn structure(&mut self, node: &Node, it: &Option<ItemRef>) {
        let (kind, message) = match node.kind {
            NodeKind::Question if node.options.is_empty() => (
                IssueKind::DeadEnd,
                "a question needs at least one option ([[node.option]])",
            ),
            NodeKind::Question if node.next.is_some() => (
                IssueKind::Structure,
                "a question moves on through its options; remove `next`",
            ),
            NodeKind::Advice | NodeKind::Say | NodeKind::Action if !node.options.is_empty() => {
                (IssueKind::Structure, "only question nodes have options")
            }
            NodeKind::Advice | NodeKind::Say | NodeKind::Action if node.next.is_none() => (
                IssueKind::DeadEnd,
                "the script stops here: add `next`, or make this an end node (kind = \"end\")",
            ),
            NodeKind::End if node.next.is_some() || !node.options.is_empty() => (
                IssueKind::Structure,
                "an end node has no `next` and no options",
            ),
            _ => return,
        };
        self.push(node.line, it.clone(), kind, message.into());
    }

    fn links(&mut self, node: &Node, it: &Option<ItemRef>) {
        let targets = node
            .next
            .iter()
            .map(|link| ("`next`".to_owned(), link))
            .chain(
                node.options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (format!("option {}", i + 1), &o.next)),
            );
        for (what, link) in targets {
            if self.pack.node(&link.id).is_none() {
                self.push(
                    link.line,
                    it.clone(),
                    IssueKind::MissingTarget,
                    format!("{what} leads to \"{}\", which is not a node", link.id),
                );
            }
        }
        for link in &node.resources {
            if self.pack.resource(&link.id).is_none() {
                self.push(
                    link.line,
                    it.clone(),
                    IssueKind::MissingTarget,
                    format!("resource \"{}\" is not declared in [[resource]]", link.id),
                );
            }
        }
    }

    fn evidence(
        &mut self,
        evidence: &Evidence,
        line: usize,
        needs_source: bool,
        it: &Option<ItemRef>,
    ) {
        if needs_source && evidence.cites.is_empty() {
            self.push(
                line,
                it.clone(),
                IssueKind::MissingCitation,
                "cite at least one source: cites = [\"source-id\"]".into(),
            );
        }
        self.citations(&evidence.cites, it);
        match (evidence.volatile, evidence.as_of) {
            (true, None) => self.push(
                evidence.line,
                it.clone(),
                IssueKind::VolatileDate,
                "a volatile fact needs `as_of`, the date it was last known true".into(),
            ),
            (false, Some(_)) => self.push(
                evidence.line,
                it.clone(),
                IssueKind::VolatileDate,
                "`as_of` is only for volatile facts: add volatile = true, or remove it".into(),
            ),
            (_, Some(date)) if date.is_after(&self.today) => self.push(
                evidence.line,
                it.clone(),
                IssueKind::VolatileDate,
                format!("`as_of` {date} is in the future (today is {})", self.today),
            ),
            _ => {}
        }
        if evidence.volatile {
            self.current_fact(evidence, it);
        }
    }

    /// A volatile fact is recent next to the review date and rests on a
    /// dated source that can be checked.
    fn current_fact(&mut self, evidence: &Evidence, it: &Option<ItemRef>) {
        if let (Some(as_of), Some(reviewed)) = (evidence.as_of, self.pack.meta().reviewed_on)
            && is_stale(as_of, reviewed)
        {
            self.push_content(
                evidence.line,
                it.clone(),
                IssueKind::StaleFact,
                format!(
                    "`as_of` {as_of} is more than {MAX_FACT_AGE_MONTHS} months before `reviewed_on` {reviewed}; check the fact again and update `as_of`, or write it as a dated event and send the caller to a lawyer"
                ),
            );
        }
        let dated = evidence.cites.iter().any(|cite| {
            self.pack.source(&cite.source).is_some_and(|s| {
                s.date.is_some() && !matches!(s.kind, SourceKind::Guide | SourceKind::Practice)
            })
        });
        if !dated && !evidence.cites.is_empty() {
            self.push_content(
                evidence.line,
                it.clone(),
                IssueKind::UndatedSource,
                "a dated fact needs a dated source that can be checked: cite a news report, law, official page or the seed article with its `date`, not only a general guide".into(),
            );
        }
    }

    fn citations(&mut self, cites: &[Citation], it: &Option<ItemRef>) {
        for cite in cites {
            let Some(source) = self.pack.source(&cite.source) else {
                self.push(
                    cite.line,
                    it.clone(),
                    IssueKind::UnknownSource,
                    format!(
                        "cites \"{}\", which is not declared in [[source]]",
                        cite.source
                    ),
                );
                continue;
            };
            let message = match (source.kind, source.paragraphs) {
                (SourceKind::SeedArticle, _) if cite.paragraphs.is_empty() => Some(format!(
                    "cite paragraph numbers of \"{}\", e.g. \"{}:3\"",
                    source.id, source.id
                )),
                (SourceKind::SeedArticle, Some(count)) => cite
                    .paragraphs
                    .iter()
                    .find(|&&p| p > count)
                    .map(|p| format!("\"{}\" has {count} paragraphs, not {p}", source.id)),
                // Without a paragraph count there is nothing to check against;
                // the source itself is reported.
                (SourceKind::SeedArticle, None) => None,
                (_, _) if !cite.paragraphs.is_empty() => Some(format!(
                    "paragraph numbers are only for the seed article; cite \"{}\" without them",
                    source.id
                )),
                _ => None,
            };
            if let Some(message) = message {
                self.push(cite.line, it.clone(), IssueKind::Paragraph, message);
            }
        }
    }

    /// Reachability from flow entries, dead ends and loops with no way out.
    fn graph(&mut self) {
        let nodes = self.pack.nodes();
        let index: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .rev()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let successors: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| {
                next_ids(n)
                    .filter_map(|id| index.get(id).copied())
                    .collect()
            })
            .collect();
        // Non-end nodes with no way on, or with a link to a missing node:
        // reported already, so nodes leading only to them are not reported again.
        let broken = (0..nodes.len()).filter(|&i| {
            nodes[i].kind != NodeKind::End
                && (successors[i].is_empty() || next_ids(&nodes[i]).count() > successors[i].len())
        });
        let entries = self
            .pack
            .flows()
            .iter()
            .filter_map(|f| index.get(f.entry.id.as_str()).copied());
        let reachable = walk(entries, &successors);
        let predecessors = reverse(&successors);
        let ends = (0..nodes.len()).filter(|&i| nodes[i].kind == NodeKind::End);
        let reaches_end = walk(ends, &predecessors);
        let reaches_broken = walk(broken, &predecessors);
        // The player stops at an end node, so links out of one (an error of
        // their own) cannot make a loop.
        let played: Vec<Vec<usize>> = successors
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if nodes[i].kind == NodeKind::End {
                    Vec::new()
                } else {
                    s.clone()
                }
            })
            .collect();
        let cyclic = on_cycles(&played);
        for (i, node) in nodes.iter().enumerate() {
            if index.get(node.id.as_str()) != Some(&i) {
                continue; // a duplicate id, reported already
            }
            let it = item(ItemKind::Node, &node.id);
            if !reachable.contains(&i) {
                self.push(
                    node.line,
                    it,
                    IssueKind::Unreachable,
                    "no flow leads here; link to it or remove it".into(),
                );
            } else if !reaches_end.contains(&i) && !reaches_broken.contains(&i) {
                self.push(
                    node.line,
                    it,
                    IssueKind::DeadEnd,
                    "every path from here goes round in a loop and never reaches an end node"
                        .into(),
                );
            } else if cyclic[i] {
                self.push_content(
                    node.line,
                    it,
                    IssueKind::Loop,
                    "this node is on a loop: a caller who keeps giving the same answer never reaches an end; give the repeated answer its own way on (Back repeats a step)".into(),
                );
            }
        }
    }

    fn glance(&mut self) {
        let Some(glance) = self.pack.glance() else {
            return;
        };
        for row in &glance.rows {
            let it = item(ItemKind::GlanceRow, &row.id);
            self.evidence(&row.evidence, row.line, true, &it);
        }
    }
}

/// Ids a node links to: `next` and each option's `next`.
fn next_ids(node: &Node) -> impl Iterator<Item = &str> {
    node.next
        .iter()
        .chain(node.options.iter().map(|o| &o.next))
        .map(|link| link.id.as_str())
}

/// All nodes reachable from `start` along `edges`, `start` included.
fn walk(start: impl Iterator<Item = usize>, edges: &[Vec<usize>]) -> HashSet<usize> {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    for s in start {
        if seen.insert(s) {
            queue.push_back(s);
        }
    }
    while let Some(i) = queue.pop_front() {
        for &j in &edges[i] {
            if seen.insert(j) {
                queue.push_back(j);
            }
        }
    }
    seen
}

/// True when `later` comes more than [`MAX_FACT_AGE_MONTHS`] months after
/// `as_of`. A missing month or day of `as_of` counts as the first, the
/// earliest the date can mean, so that `as_of = "2026"` is never taken for
/// more recent than it may be; the same for `later`.
fn is_stale(as_of: PackDate, later: PackDate) -> bool {
    let months =
        i32::from(as_of.year) * 12 + i32::from(as_of.month.unwrap_or(1)) - 1 + MAX_FACT_AGE_MONTHS;
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let (Ok(year), Ok(month)) = (u16::try_from(year), u8::try_from(month)) else {
        return false;
    };
    // The same day of the month, or the month's last day if it is shorter.
    let day = as_of.day.unwrap_or(1);
    let day = (1..=day)
        .rev()
        .find(|&d| PackDate::ymd(year, month, d).is_some())
        .unwrap_or(1);
    (later.year, later.month.unwrap_or(1), later.day.unwrap_or(1)) > (year, month, day)
}

/// For each node, whether it lies on a cycle (a strongly connected
/// component of more than one node, or a node linking to itself).
/// Tarjan's algorithm, iterative so that a long chain cannot overflow the stack.
fn on_cycles(edges: &[Vec<usize>]) -> Vec<bool> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut cyclic = vec![false; n];
    let mut counter = 0;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut work = vec![(root, 0)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 && order[v] == UNSEEN {
                order[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*next) {
                *next += 1;
                if order[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let looped = component.len() > 1 || edges[v].contains(&v);
                for w in component {
                    cyclic[w] = looped;
                }
            }
        }
    }
    cyclic
}

fn reverse(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut reversed = vec![Vec::new(); edges.len()];
    for (i, targets) in edges.iter().enumerate() {
        for &j in targets {
            reversed[j].push(i);
        }
    }
    reversed
}

/// What is wrong with one language's alert template: unknown placeholders,
/// missing required ones (`{area}`, `{time}`, `{expires}`).
pub(crate) fn alert_template_problems(template: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            problems.push("a `{` is never closed".to_owned());
            break;
        };
        let name = &rest[start..start + len + 1];
        if !ALERT_PLACEHOLDERS.contains(&name) {
            problems.push(format!(
                "unknown placeholder `{name}` (use {})",
                ALERT_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[start + len + 1..];
    }
    for needed in ["{area}", "{time}", "{expires}"] {
        if !template.contains(needed) {
            problems.push(format!("`{needed}` is missing"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> PackDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_fact_is_stale_after_six_months_counted_from_its_earliest_day() {
        let reviewed = date("2026-12-01");
        for (as_of, stale) in [
            ("2026-06-01", false), // exactly six months
            ("2026-05-31", true),  // six months and a day
            ("2026-06", false),
            ("2026-05", true),
            ("2026", true), // counts as 2026-01-01
            ("2026-07-02", false),
            ("2025-12-31", true),
        ] {
            assert_eq!(is_stale(date(as_of), reviewed), stale, "{as_of}");
        }
        // The end of a long month lands on the end of a short one.
        assert!(!is_stale(date("2025-08-31"), date("2026-02-28")));
        assert!(is_stale(date("2025-08-31"), date("2026-03-01")));
    }

    #[test]
    fn finds_the_nodes_on_cycles_and_only_those() {
        // 0 → 1 → 2 → 1, 2 → 3; 4 → 4; 5 → 0
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![], vec![4], vec![0]];
        assert_eq!(on_cycles(&edges), [false, true, true, false, true, false]);
        assert_eq!(on_cycles(&[vec![1], vec![2], vec![]]), [false; 3]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (1..n).map(|i| vec![i]).collect();
        edges.push(vec![0]);
        assert!(on_cycles(&edges).iter().all(|&c| c));
    }
}
