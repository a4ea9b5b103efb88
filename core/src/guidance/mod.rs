//! Guidance packs: the bilingual scripts volunteers follow during a call.
//!
//! A pack is a TOML file (format in `docs/PACKS.md`) with metadata, cited
//! sources, referral resources, flows of nodes, and a "Police vs ICE at a
//! glance" card. One pack is built into the binary ([`Pack::builtin`]);
//! coordinators may import others after [`validate_file`] accepts them.
//!
//! - [`Pack::parse`] reads a file's text; problems of form are errors.
//! - [`validate`] checks the rules that need the whole pack.
//! - [`check_source`] and [`validate_file`] do both and report everything.
//! - [`PlayerPath`] follows a flow through a pack, one choice at a time.
//! - [`import_pack`], [`list_packs`], [`use_pack`], [`remove_pack`] and
//!   [`load_active_pack`] keep imported packs in the encrypted vault;
//!   [`attach_source_text`] and [`cited_paragraphs`] do the same for the
//!   seed article's text.

mod builtin;
mod date;
mod format;
mod issue;
mod library;
mod model;
mod player;
mod validate;

use std::collections::HashMap;

pub use builtin::{BUILTIN_FILE_NAME, BUILTIN_SOURCE};
pub use date::{BadDate, PackDate};
pub use issue::{IssueKind, ItemKind, ItemRef, PackErrors, PackIssue, Severity};
pub use library::{
    ActivePack, BUILTIN_ALIAS, CitedParagraph, ImportOutcome, MAX_IMPORT_BYTES,
    MAX_SOURCE_TEXT_BYTES, PackEntry, PackLibraryError, SeedSourceEntry, attach_source_text,
    attach_source_text_file, cited_paragraphs, import_pack, import_pack_file, is_builtin_id,
    list_packs, load_active_pack, remove_pack, split_paragraphs, use_pack,
};
pub(crate) use library::{
    SignedPack, pack_refusals, pack_source, sign_current_pack, store_team_pack,
};
pub use model::{
    ALERT_PLACEHOLDERS, AlertWording, Citation, Counsel, DEFAULT_ALERT_HOURS, Evidence, Flow,
    Glance, GlanceRow, Link, MAX_ALERT_HOURS, Node, NodeKind, NodeOption, PackCounts, PackMeta,
    REFERRAL_KINDS, ResolvedCitation, Resource, Source, SourceKind, Text, Translation,
};
pub use player::{PlayerError, PlayerPath, Step};
#[cfg(test)]
pub(crate) use validate::alert_template_problems;
pub use validate::{
    MAX_FACT_AGE_MONTHS, MAX_PACK_BYTES, MAX_STEPS_BEFORE_SPOKEN_LINE, check_source, validate,
    validate_as_of, validate_file,
};

use format::PackData;

/// A loaded guidance pack. Read-only; look items up by id.
#[derive(Debug, Clone)]
pub struct Pack {
    file_name: String,
    data: PackData,
    nodes: HashMap<String, usize>,
    flows: HashMap<String, usize>,
    sources: HashMap<String, usize>,
    resources: HashMap<String, usize>,
    warnings: Vec<PackIssue>,
}

impl Pack {
    /// Parse pack text. `file_name` is only used in problem reports.
    ///
    /// Fails on anything that is not well-formed: TOML syntax, unknown or
    /// missing fields, malformed ids, dates, citations or codes. Whole-pack
    /// rules are checked separately by [`validate`].
    pub fn parse(source: &str, file_name: &str) -> Result<Pack, PackErrors> {
        let (data, issues) = format::read(source, file_name).map_err(PackErrors)?;
        if issues.is_empty() {
            Ok(Self::from_data(file_name, data))
        } else {
            Err(PackErrors(issues))
        }
    }

    fn from_data(file_name: &str, data: PackData) -> Self {
        Self {
            file_name: file_name.to_owned(),
            nodes: index(&data.nodes, |n| &n.id),
            flows: index(&data.flows, |f| &f.id),
            sources: index(&data.sources, |s| &s.id),
            resources: index(&data.resources, |r| &r.id),
            warnings: Vec::new(),
            data,
        }
    }

    /// The file name given when the pack was parsed.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Problems that did not stop the pack from loading, as found by
    /// [`check_source`] or [`validate_file`]; empty for a pack from [`Pack::parse`].
    pub fn warnings(&self) -> &[PackIssue] {
        &self.warnings
    }

    /// True when the content rules are errors for this pack rather than
    /// warnings: the built-in pack's id (imports of that id are refused).
    pub fn is_held_to_builtin_rules(&self) -> bool {
        library::is_builtin_id(&self.data.meta.id)
    }

    /// Id, title, languages, version and review details.
    pub fn meta(&self) -> &PackMeta {
        &self.data.meta
    }

    /// All flows, in file order.
    pub fn flows(&self) -> &[Flow] {
        &self.data.flows
    }

    /// The flow with this id.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.get(id).map(|&i| &self.data.flows[i])
    }

    /// All nodes, in file order.
    pub fn nodes(&self) -> &[Node] {
        &self.data.nodes
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id).map(|&i| &self.data.nodes[i])
    }

    /// All sources, in file order.
    pub fn sources(&self) -> &[Source] {
        &self.data.sources
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id).map(|&i| &self.data.sources[i])
    }

    /// All referral resources, in file order (what "referrals made" picks from).
    pub fn resources(&self) -> &[Resource] {
        &self.data.resources
    }

    /// The resource with this id.
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.get(id).map(|&i| &self.data.resources[i])
    }

    /// The wording of alerts for confirmed sightings, if the pack has one.
    pub fn alert(&self) -> Option<&AlertWording> {
        self.data.alert.as_ref()
    }

    /// The "Police vs ICE at a glance" card, if the pack has one.
    pub fn glance(&self) -> Option<&Glance> {
        self.data.glance.as_ref()
    }

    /// The source a citation names, with its paragraph numbers (seed article).
    pub fn resolve<'a>(&'a self, citation: &'a Citation) -> Option<ResolvedCitation<'a>> {
        self.source(&citation.source)
            .map(|source| ResolvedCitation {
                source,
                paragraphs: &citation.paragraphs,
            })
    }

    /// How many flows, nodes, sources and resources the pack holds.
    pub fn counts(&self) -> PackCounts {
        PackCounts {
            flows: self.data.flows.len(),
            nodes: self.data.nodes.len(),
            sources: self.data.sources.len(),
            resources: self.data.resources.len(),
        }
    }
}

/// Id → position, keeping the first of duplicate ids.
fn index<T>(items: &[T], id: impl Fn(&T) -> &String) -> HashMap<String, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        map.entry(id(it).clone()).or_insert(i);
    }
    map
}

#[cfg(test)]
mod library_tests;
#[cfg(test)]
mod tests;
