//! Problems found in a pack file, each pointing at a file, a line and the
//! item (node, flow, source, …) concerned.

use std::fmt;

/// Which rule a problem breaks. The UI may branch on this; it never needs to
/// read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// The file cannot be read, is too large or is not UTF-8 text.
    File,
    /// Not valid TOML, a value of the wrong type, or a misspelt or missing field.
    Syntax,
    /// A value of the right type but the wrong form (a date, an id, a citation).
    BadValue,
    /// A category, agency or verification value that is not a known code.
    UnknownCode,
    /// A required detail is missing (a resource's contact, the article's paragraph count).
    Missing,
    /// Two items of the same kind share an id.
    DuplicateId,
    /// A link to a node or resource that does not exist.
    MissingTarget,
    /// A node that no flow's entry leads to.
    Unreachable,
    /// A node where the script stops although it is not an end node, or from
    /// which no end node can be reached.
    DeadEnd,
    /// Options, or a `next` link, on a kind of node that cannot have them.
    Structure,
    /// A text missing in one of the pack's languages, or in a language the pack does not declare.
    Language,
    /// A factual node or card row that cites no source.
    MissingCitation,
    /// A citation of an undeclared source.
    UnknownSource,
    /// Paragraph numbers missing, out of range, or given for a source that has none.
    Paragraph,
    /// A volatile fact without its date, or a date in the future.
    VolatileDate,
    /// `reviewed_on` missing or in the future.
    ReviewDate,
    /// A volatile fact whose `as_of` is more than six months older than `reviewed_on`.
    StaleFact,
    /// A volatile fact that cites no dated source of news, law or an official page.
    UndatedSource,
    /// A flow whose first spoken line comes too late on some path.
    SpokenLineLate,
    /// A node on a loop: a caller who keeps giving the same answers goes round for ever.
    Loop,
    /// A referral kind that is not in [`super::REFERRAL_KINDS`].
    UnknownReferral,
    /// The counsel approval record is incomplete or contradicts itself.
    Counsel,
}

/// How serious a problem is.
///
/// Errors stop a pack from loading. Warnings are shown to the coordinator
/// but let an imported pack load: they are the content rules added after
/// packs were first written (see [`IssueKind::is_content_rule`]), which the
/// built-in pack must meet and an imported pack is only warned about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Severity {
    /// The pack is refused.
    #[default]
    Error,
    /// The pack loads; the coordinator should fix this.
    Warning,
}

impl IssueKind {
    /// True for the rules that are errors in the built-in pack and warnings
    /// in an imported one: stale or undated volatile facts, a late spoken
    /// line, and loops that have a way out.
    pub fn is_content_rule(self) -> bool {
        matches!(
            self,
            IssueKind::StaleFact
                | IssueKind::UndatedSource
                | IssueKind::SpokenLineLate
                | IssueKind::Loop
        )
    }
}

/// The kind of item a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A script node.
    Node,
    /// A flow.
    Flow,
    /// A source.
    Source,
    /// A resource.
    Resource,
    /// A row of the at-a-glance card.
    GlanceRow,
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemKind::Node => "node",
            ItemKind::Flow => "flow",
            ItemKind::Source => "source",
            ItemKind::Resource => "resource",
            ItemKind::GlanceRow => "card row",
        })
    }
}

/// The item a problem is about: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemRef {
    /// Node, flow, source, resource or card row.
    pub kind: ItemKind,
    /// Its id as written in the file.
    pub id: String,
}

/// One problem in a pack file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackIssue {
    /// File name as given to the parser (a path or `madison-dane.toml`).
    pub file: String,
    /// 1-based line the problem is on; 1 for problems with the whole file.
    pub line: usize,
    /// The item concerned, when there is one.
    pub item: Option<ItemRef>,
    /// Which rule is broken.
    pub kind: IssueKind,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
    /// Whether the problem refuses the pack or only warns.
    pub severity: Severity,
}

impl PackIssue {
    /// True when the problem refuses the pack.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The id of the node concerned, if the problem is about a node.
    pub fn node_id(&self) -> Option<&str> {
        self.item
            .as_ref()
            .filter(|item| item.kind == ItemKind::Node)
            .map(|item| item.id.as_str())
    }
}

impl fmt::Display for PackIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if let Some(item) = &self.item {
            write!(f, "{} \"{}\": ", item.kind, item.id)?;
        }
        f.write_str(&self.message)
    }
}

/// All the problems that stopped a pack from loading, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackErrors(pub Vec<PackIssue>);

impl PackErrors {
    /// The problems, in file order.
    pub fn issues(&self) -> &[PackIssue] {
        &self.0
    }
}

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackErrors {}

/// Builds issues for one file, turning byte offsets into line numbers.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    file: String,
    line_starts: Vec<usize>,
    issues: Vec<PackIssue>,
}

impl Reporter {
    /// A reporter for `file`, whose text is `source`.
    pub(crate) fn new(file: &str, source: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file: file.to_owned(),
            line_starts,
            issues: Vec::new(),
        }
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .max(1)
    }

    /// Record a problem on `line`.
    pub(crate) fn push(
        &mut self,
        line: usize,
        item: Option<ItemRef>,
        kind: IssueKind,
        message: impl Into<String>,
    ) {
        self.issues.push(PackIssue {
            file: self.file.clone(),
            line,
            item,
            kind,
            message: message.into(),
            severity: Severity::Error,
        });
    }

    /// Record a problem of the given severity on `line`.
    pub(crate) fn push_with(
        &mut self,
        severity: Severity,
        line: usize,
        item: Option<ItemRef>,
        kind: IssueKind,
        message: impl Into<String>,
    ) {
        self.push(line, item, kind, message);
        if let Some(last) = self.issues.last_mut() {
            last.severity = severity;
        }
    }

    /// The problems recorded so far, sorted by line.
    pub(crate) fn finish(mut self) -> Vec<PackIssue> {
        self.issues.sort_by_key(|issue| issue.line);
        self.issues
    }
}

/// Shorthand for an [`ItemRef`].
pub(crate) fn item(kind: ItemKind, id: &str) -> Option<ItemRef> {
    Some(ItemRef {
        kind,
        id: id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_to_lines() {
        let reporter = Reporter::new("f", "a\nbc\n\nd");
        let lines: Vec<usize> = (0..7).map(|i| reporter.line(i)).collect();
        assert_eq!(lines, [1, 1, 2, 2, 2, 3, 4]);
        assert_eq!(reporter.line(999), 4);
    }

    #[test]
    fn displays_file_line_item_and_message() {
        let mut reporter = Reporter::new("pack.toml", "");
        reporter.push(
            7,
            item(ItemKind::Node, "door"),
            IssueKind::DeadEnd,
            "stops here",
        );
        reporter.push(2, None, IssueKind::Syntax, "bad");
        let issues = reporter.finish();
        assert_eq!(issues[0].to_string(), "pack.toml:2: bad");
        assert_eq!(
            issues[1].to_string(),
            "pack.toml:7: node \"door\": stops here"
        );
        assert_eq!(issues[1].node_id(), Some("door"));
        assert_eq!(issues[0].node_id(), None);
    }
}
