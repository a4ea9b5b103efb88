//! Guidance commands: the active pack's flows and card, and the script
//! player. The player's state (the path through a flow) lives in the shell
//! and every move goes through `hotline_core::guidance::PlayerPath`, so the
//! rules of the script stay in the core.

use std::collections::BTreeMap;

use hotline_core::codes::CallFields;
use hotline_core::guidance::{
    Citation, Evidence, Glance, Node, NodeKind, Pack, PlayerError, PlayerPath, Resource, Text,
};
use serde::Serialize;
use tauri::State;

use crate::error::{ErrorCode, UiError};
use crate::state::AppState;

/// Text in every pack language, keyed by language code.
pub type TextDto = BTreeMap<String, String>;

fn text(value: &Text) -> TextDto {
    value
        .entries
        .iter()
        .map(|t| (t.lang.clone(), t.value.clone()))
        .collect()
}

/// A citation resolved to its source.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Citation"))]
pub struct CitationDto {
    /// Source id.
    pub source: String,
    /// Source title.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Publication date as written in the pack (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub date: Option<String>,
    /// Web address, if any.
    pub link: Option<String>,
    /// Cited paragraphs (seed article only).
    pub paragraphs: Vec<u32>,
}

/// Citations and the volatility flag of a statement.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Evidence"))]
pub struct EvidenceDto {
    /// Resolved citations.
    pub cites: Vec<CitationDto>,
    /// Whether the fact changes over time.
    pub volatile: bool,
    /// When a volatile fact was last known true.
    pub as_of: Option<String>,
}

/// A referral resource.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ResourceInfo"))]
pub struct ResourceDto {
    /// Resource id (what "referrals made" stores).
    pub id: String,
    /// Name per language.
    pub name: TextDto,
    /// What it does, per language.
    pub description: TextDto,
    /// Web address.
    pub url: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Languages served.
    pub languages: Vec<String>,
    /// Hours, per language.
    pub hours: TextDto,
}

/// One option of the current node.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PlayerOption"))]
pub struct OptionDto {
    /// Label per language.
    pub label: TextDto,
}

/// The node the player is on.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PlayerNode"))]
pub struct NodeDto {
    /// Node id.
    pub id: String,
    /// `question`, `advice`, `say`, `action` or `end`.
    pub kind: NodeKind,
    /// Text per language.
    pub text: TextDto,
    /// Answers (question nodes only).
    pub options: Vec<OptionDto>,
    /// Whether a "continue" leads on (advice, say and action nodes).
    pub has_next: bool,
    /// Sources and volatility.
    pub evidence: EvidenceDto,
    /// Resources the node points to.
    pub resources: Vec<ResourceDto>,
    /// Kinds of resource to refer the caller to (`legal-aid`, `crisis`, …).
    pub refer: Vec<String>,
}

/// What the player shows: where the volunteer is and what the script has set.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PlayerView"))]
pub struct PlayerViewDto {
    /// Flow id.
    pub flow: String,
    /// Flow title per language.
    pub flow_title: TextDto,
    /// The current node.
    pub node: NodeDto,
    /// Whether "back" is possible.
    pub can_back: bool,
    /// Call fields set by the options chosen so far.
    pub call_fields: CallFields,
    /// The path, to be saved on the call.
    pub path: PlayerPath,
}

/// A flow in the flow list.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Flow"))]
pub struct FlowDto {
    /// Flow id.
    pub id: String,
    /// Title per language.
    pub title: TextDto,
    /// A "right now" flow, whose first screen is the words to say.
    pub urgent: bool,
}

/// The pack's legal standing: whether counsel approved it, when, and who.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Counsel"))]
pub struct CounselDto {
    /// True only when the pack records an approval by counsel.
    pub approved: bool,
    /// The day of the approval.
    pub approved_on: Option<String>,
    /// The organisation whose lawyer approved it.
    pub organisation: Option<String>,
}

/// A row of the at-a-glance card.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "GlanceRow"))]
pub struct GlanceRowDto {
    /// Row label per language.
    pub label: TextDto,
    /// Local police column per language.
    pub local: TextDto,
    /// ICE column per language.
    pub ice: TextDto,
    /// Sources and volatility.
    pub evidence: EvidenceDto,
}

/// The "Police vs ICE at a glance" card.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Glance"))]
pub struct GlanceDto {
    /// Card title per language.
    pub title: TextDto,
    /// Local police column heading.
    pub local: TextDto,
    /// ICE column heading.
    pub ice: TextDto,
    /// Rows.
    pub rows: Vec<GlanceRowDto>,
}

/// The active pack: metadata, flows, card and resources.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Guidance"))]
pub struct GuidanceDto {
    /// Pack id.
    pub id: String,
    /// Title per language.
    pub title: TextDto,
    /// Pack version.
    pub version: String,
    /// Review date.
    pub reviewed_on: Option<String>,
    /// Legal-information notice per language.
    pub notice: TextDto,
    /// Legal standing; a pack that does not say counts as not approved.
    pub counsel: CounselDto,
    /// Pack languages.
    pub languages: Vec<String>,
    /// Flows, in pack order.
    pub flows: Vec<FlowDto>,
    /// The at-a-glance card.
    pub glance: Option<GlanceDto>,
    /// All referral resources.
    pub resources: Vec<ResourceDto>,
    /// Whether the built-in pack stands in for a chosen pack that could not
    /// be loaded (the Script packs card says why).
    pub fallback: bool,
}

fn citation(pack: &Pack, cite: &Citation) -> CitationDto {
    let source = pack.source(&cite.source);
    CitationDto {
        source: cite.source.clone(),
        title: source.map(|s| s.title.clone()).unwrap_or_default(),
        publisher: source.map(|s| s.publisher.clone()).unwrap_or_default(),
        date: source.and_then(|s| s.date.map(|d| d.to_string())),
        link: source.and_then(|s| s.link.clone()),
        paragraphs: cite.paragraphs.clone(),
    }
}

fn evidence(pack: &Pack, value: &Evidence) -> EvidenceDto {
    EvidenceDto {
        cites: value.cites.iter().map(|c| citation(pack, c)).collect(),
        volatile: value.volatile,
        as_of: value.as_of.map(|d| d.to_string()),
    }
}

fn resource(value: &Resource) -> ResourceDto {
    ResourceDto {
        id: value.id.clone(),
        name: text(&value.name),
        description: text(&value.description),
        url: value.url.clone(),
        phone: value.phone.clone(),
        languages: value.languages.clone(),
        hours: text(&value.hours),
    }
}

fn node(pack: &Pack, value: &Node) -> NodeDto {
    NodeDto {
        id: value.id.clone(),
        kind: value.kind,
        text: text(&value.text),
        options: value
            .options
            .iter()
            .map(|o| OptionDto {
                label: text(&o.label),
            })
            .collect(),
        has_next: value.next.is_some(),
        evidence: evidence(pack, &value.evidence),
        resources: value
            .resources
            .iter()
            .filter_map(|link| pack.resource(&link.id))
            .map(resource)
            .collect(),
        refer: value.refer().to_vec(),
    }
}

fn glance(pack: &Pack, value: &Glance) -> GlanceDto {
    GlanceDto {
        title: text(&value.title),
        local: text(&value.local),
        ice: text(&value.ice),
        rows: value
            .rows
            .iter()
            .map(|row| GlanceRowDto {
                label: text(&row.label),
                local: text(&row.local),
                ice: text(&row.ice),
                evidence: evidence(pack, &row.evidence),
            })
            .collect(),
    }
}

fn view(pack: &Pack, path: &PlayerPath) -> Result<PlayerViewDto, UiError> {
    let current = pack
        .node(path.current())
        .ok_or_else(|| UiError::from(PlayerError::UnknownNode(path.current().to_owned())))?;
    let flow_title = pack.flow(&path.flow).map(|f| text(&f.title));
    Ok(PlayerViewDto {
        flow: path.flow.clone(),
        flow_title: flow_title.unwrap_or_default(),
        node: node(pack, current),
        can_back: path.steps().len() > 1,
        call_fields: path.call_fields(),
        path: path.clone(),
    })
}

/// The active pack: metadata, flows, the at-a-glance card and resources.
#[tauri::command]
pub fn guidance_pack(state: State<'_, AppState>) -> GuidanceDto {
    let pack = state.pack();
    let fallback = state
        .slot()
        .as_ref()
        .is_some_and(|session| session.pack_fallback.is_some());
    let pack = pack.as_ref();
    let meta = pack.meta();
    GuidanceDto {
        id: meta.id.clone(),
        title: text(&meta.title),
        version: meta.version.clone(),
        reviewed_on: meta.reviewed_on.map(|d| d.to_string()),
        notice: meta.notice.as_ref().map(text).unwrap_or_default(),
        counsel: CounselDto {
            approved: meta.approved_by_counsel(),
            approved_on: meta
                .counsel
                .as_ref()
                .and_then(|c| c.approved_on.map(|d| d.to_string())),
            organisation: meta.counsel.as_ref().and_then(|c| c.organisation.clone()),
        },
        languages: meta.languages.clone(),
        flows: pack
            .flows()
            .iter()
            .map(|f| FlowDto {
                id: f.id.clone(),
                title: text(&f.title),
                urgent: f.urgent,
            })
            .collect(),
        glance: pack.glance().map(|g| glance(pack, g)),
        resources: pack.resources().iter().map(resource).collect(),
        fallback,
    }
}

/// Start a flow at its entry node.
#[tauri::command]
pub fn player_start(state: State<'_, AppState>, flow: String) -> Result<PlayerViewDto, UiError> {
    let pack = state.pack();
    let path = PlayerPath::start(&pack, &flow).map_err(UiError::from)?;
    let dto = view(&pack, &path)?;
    *state.player() = Some(path);
    Ok(dto)
}

/// Apply `f` to the player's path and show where it leads.
fn move_player(
    state: &AppState,
    f: impl FnOnce(&Pack, &mut PlayerPath) -> Result<(), PlayerError>,
) -> Result<PlayerViewDto, UiError> {
    let pack = state.pack();
    let mut player = state.player();
    // A path through another pack (the active pack changed) is dropped.
    if player
        .as_ref()
        .is_some_and(|path| path.pack != pack.meta().id || path.pack_version != pack.meta().version)
    {
        *player = None;
    }
    let path = player
        .as_mut()
        .ok_or_else(|| UiError::new(ErrorCode::InvalidInput, "no script is running"))?;
    f(&pack, path).map_err(UiError::from)?;
    view(&pack, path)
}

/// Take option `option` of the current node (0 = continue).
#[tauri::command]
pub fn player_choose(state: State<'_, AppState>, option: usize) -> Result<PlayerViewDto, UiError> {
    move_player(&state, |pack, path| path.choose(pack, option))
}

/// Go back one step.
#[tauri::command]
pub fn player_back(state: State<'_, AppState>) -> Result<PlayerViewDto, UiError> {
    move_player(&state, |_, path| {
        path.back();
        Ok(())
    })
}

/// Go back to the flow's first node.
#[tauri::command]
pub fn player_restart(state: State<'_, AppState>) -> Result<PlayerViewDto, UiError> {
    move_player(&state, |_, path| {
        path.restart();
        Ok(())
    })
}
