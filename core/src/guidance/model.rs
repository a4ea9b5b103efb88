//! What a loaded pack holds: metadata, sources, resources, flows, nodes and
//! the at-a-glance card. Read-only data; [`super::Pack`] owns it.
//!
//! Every item keeps the 1-based `line` it was written on, so problems and
//! editors can point back into the file.

use super::date::PackDate;
use crate::codes::CallFields;

/// A text written once per pack language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The translations, in the order of their language codes.
    pub entries: Vec<Translation>,
    /// Line of the text in the file.
    pub line: usize,
}

/// One language's version of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// Language code, such as `en` or `es`.
    pub lang: String,
    /// The text itself.
    pub value: String,
    /// Line of this translation in the file.
    pub line: usize,
}

impl Text {
    /// The text in `lang`, if the pack has it.
    pub fn get(&self, lang: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|t| t.lang == lang)
            .map(|t| t.value.as_str())
    }
}

/// The placeholders an alert template may use (`[alert]`), each replaced
/// by a structured field of the confirmed call.
pub const ALERT_PLACEHOLDERS: &[&str] = &["{agency}", "{area}", "{time}", "{expires}"];

/// Hours from a sighting's hour to an alert's expiry when the pack does not say.
pub const DEFAULT_ALERT_HOURS: u8 = 3;

/// Most hours an alert may stay current.
pub const MAX_ALERT_HOURS: u8 = 12;

/// The wording of a confirmed sighting's alert (`[alert]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWording {
    /// The template, per language, with [`ALERT_PLACEHOLDERS`].
    pub text: Text,
    /// Hours from the sighting's hour to the stated expiry time.
    pub expires_after_hours: u8,
    /// Line of the `[alert]` table.
    pub line: usize,
}

/// A link to another item by id (a node, a resource), where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The id linked to.
    pub id: String,
    /// Line of the link in the file.
    pub line: usize,
}

/// Who made the pack, for where, and when it was last checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackMeta {
    /// Stable id, such as `madison-dane`.
    pub id: String,
    /// Name shown to volunteers.
    pub title: Text,
    /// The place the guidance is written for.
    pub jurisdiction: String,
    /// The pack's own version, such as `1.0.0`.
    pub version: String,
    /// Languages every text is written in, such as `["en", "es"]`.
    pub languages: Vec<String>,
    /// When a person last reviewed the content. Always present in a pack that validates.
    pub reviewed_on: Option<PackDate>,
    /// Who reviewed it.
    pub reviewer: String,
    /// A notice to show with the guidance ("legal information, not legal advice").
    pub notice: Option<Text>,
    /// Whether counsel approved the content; `None` when the pack does not say
    /// (then it counts as not approved).
    pub counsel: Option<Counsel>,
    /// Line of the `[pack]` table.
    pub line: usize,
    /// Line of `reviewed_on`, or of `[pack]` when it is missing.
    pub reviewed_on_line: usize,
}

impl PackMeta {
    /// True only when the pack records an approval by counsel.
    pub fn approved_by_counsel(&self) -> bool {
        self.counsel.as_ref().is_some_and(|c| c.approved)
    }
}

/// The pack's legal standing: whether, when and by which organisation a
/// lawyer approved its content (`[pack.counsel]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counsel {
    /// True once counsel approved the content as it stands.
    pub approved: bool,
    /// The day of the approval; required when `approved` is true.
    pub approved_on: Option<PackDate>,
    /// The organisation whose lawyer approved it; required when `approved` is true.
    pub organisation: Option<String>,
    /// A remark, such as what is still waiting for review.
    pub note: Option<String>,
    /// Line of the `[pack.counsel]` table.
    pub line: usize,
}

/// The kinds of resource a node may refer a caller to (`refer = [...]`).
///
/// Packs name kinds, not one hotline's entries: each hotline keeps its own
/// directory of organisations, tagged with these kinds.
pub const REFERRAL_KINDS: &[&str] = &[
    "legal-aid",
    "immigration-court",
    "detainee-locator",
    "ice-field-office",
    "criminal-defence",
    "bond",
    "crisis",
    "emergency",
    "domestic-violence",
    "victim-services",
    "youth",
    "family-preparedness",
    "workers-rights",
    "rapid-response",
];

/// What kind of publication a source is; the UI may label secondary sources as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The pack's seed news article, cited by paragraph number.
    SeedArticle,
    /// A news report (a secondary source).
    News,
    /// A statute or regulation.
    Law,
    /// A know-your-rights guide or similar public guide.
    Guide,
    /// An official page of a government agency.
    Official,
    /// Common practice of rapid-response hotlines.
    Practice,
}

/// A publication the pack cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Id used in citations, such as `article` or `wis-968-24`.
    pub id: String,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// Its title.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// When it was published (year, month or day precision).
    pub date: Option<PackDate>,
    /// Where to read it, when it is online.
    pub link: Option<String>,
    /// For the seed article: how many paragraphs it has (blank lines separate them).
    pub paragraphs: Option<u32>,
    /// A remark for reviewers, such as how the date was worked out.
    pub note: Option<String>,
    /// Line of its id.
    pub line: usize,
}

/// A citation: a source id and, for the seed article, paragraph numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Id of the cited source.
    pub source: String,
    /// 1-based paragraph numbers, in the order written (seed article only).
    pub paragraphs: Vec<u32>,
    /// Line of the citation.
    pub line: usize,
}

/// A citation joined to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedCitation<'a> {
    /// The cited source.
    pub source: &'a Source,
    /// Paragraph numbers of the seed article; empty for other sources.
    pub paragraphs: &'a [u32],
}

/// What backs a node's or card row's statements: citations, and whether the
/// fact changes often (then it carries the date it was last known true).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    /// Sources for the statements.
    pub cites: Vec<Citation>,
    /// True when the fact changed recently or may change; show it with `as_of`.
    pub volatile: bool,
    /// When the volatile fact was last known true.
    pub as_of: Option<PackDate>,
    /// Line of `volatile` or `as_of`, or of the item when neither is written.
    pub line: usize,
}

/// An organization or service a volunteer can refer a caller to (the core
/// fields of the Open Referral HSDS: name, description, contact, languages, hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Id used by nodes and by the call's "referrals made".
    pub id: String,
    /// Name of the organization or service.
    pub name: Text,
    /// What it does.
    pub description: Text,
    /// Web address.
    pub url: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Languages it serves in, as language codes.
    pub languages: Vec<String>,
    /// When it can be reached.
    pub hours: Text,
    /// Sources for these details.
    pub cites: Vec<Citation>,
    /// Line of its id.
    pub line: usize,
}

/// A script for one kind of call, starting at its entry node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Stable id, such as `door`.
    pub id: String,
    /// Title shown in the list of scripts.
    pub title: Text,
    /// The first node.
    pub entry: Link,
    /// A "right now" flow (someone is at the door, agents are here): its
    /// first node must be the words to say.
    pub urgent: bool,
    /// Line of its id.
    pub line: usize,
}

/// What a node is for, which decides how the player shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NodeKind {
    /// A question to ask the caller; the options are the answers.
    Question,
    /// Background for the volunteer, with its sources.
    Advice,
    /// Words to read to the caller, addressed to the caller.
    Say,
    /// A step for the volunteer to take (dispatch a verifier, note a referral).
    Action,
    /// The end of the script.
    End,
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Stable id, unique in the pack.
    pub id: String,
    /// What the node is for.
    pub kind: NodeKind,
    /// The node's text in each language.
    pub text: Text,
    /// Sources and volatility of its statements.
    pub evidence: Evidence,
    /// Resources the node points to.
    pub resources: Vec<Link>,
    /// Kinds of resource to refer the caller to, each one of [`REFERRAL_KINDS`].
    pub refer: Vec<String>,
    /// The following node, for advice, say and action nodes.
    pub next: Option<Link>,
    /// The answers, for question nodes.
    pub options: Vec<NodeOption>,
    /// Line of its id.
    pub line: usize,
}

impl Node {
    /// Kinds of resource to refer the caller to, each one of [`REFERRAL_KINDS`].
    pub fn refer(&self) -> &[String] {
        &self.refer
    }
}

/// An answer to a question node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeOption {
    /// The answer's label in each language.
    pub label: Text,
    /// The node this answer leads to.
    pub next: Link,
    /// Call fields this answer sets.
    pub set: CallFields,
    /// Line of the option.
    pub line: usize,
}

/// The one-screen "Police vs ICE at a glance" card: two columns, cited rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    /// Card title.
    pub title: Text,
    /// Heading of the local-police column.
    pub local: Text,
    /// Heading of the ICE column.
    pub ice: Text,
    /// The rows, top to bottom.
    pub rows: Vec<GlanceRow>,
    /// Line of the `[glance]` table.
    pub line: usize,
}

/// One row of the at-a-glance card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlanceRow {
    /// Stable id, unique among rows.
    pub id: String,
    /// What the row compares ("What they enforce").
    pub label: Text,
    /// The local-police cell.
    pub local: Text,
    /// The ICE cell.
    pub ice: Text,
    /// Sources and volatility of the row.
    pub evidence: Evidence,
    /// Line of its id.
    pub line: usize,
}

/// How many items a pack holds, for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackCounts {
    /// Number of flows.
    pub flows: usize,
    /// Number of nodes.
    pub nodes: usize,
    /// Number of sources.
    pub sources: usize,
    /// Number of resources.
    pub resources: usize,
}
