//! Script-pack commands: list the packs, import one, choose the active one,
//! remove one, attach the seed article's text, and read the cited
//! paragraphs of an attached text. Every rule lives in
//! `hotline_core::guidance`; these only move data across.
//!
//! Whenever the active pack may have changed, the session reloads it and the
//! script player is reset, so the player never walks a pack that is no
//! longer active.

use hotline_core::guidance::{self, PackEntry};
use serde::Serialize;
use tauri::State;

use crate::error::{PackIssueDto, UiError, issue_dtos};
use crate::state::{AppState, Session};

/// The packs, and why the built-in pack stands in for the chosen one, if it does.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Packs"))]
pub struct PacksDto {
    /// The built-in pack first, then imported packs by id.
    pub packs: Vec<PackEntry>,
    /// Set when the chosen pack could not be loaded at unlock.
    pub fallback: Option<String>,
}

/// What an import did.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PackImport"))]
pub struct ImportDto {
    /// Pack id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The version it replaced, if any.
    pub replaced_version: Option<String>,
    /// Whether it is the active pack.
    pub active: bool,
    /// Problems that did not refuse the pack, for the coordinator to fix.
    pub warnings: Vec<PackIssueDto>,
}

/// One cited paragraph of the attached article text.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Paragraph"))]
pub struct ParagraphDto {
    /// 1-based paragraph number.
    pub number: u32,
    /// Its text.
    pub text: String,
}

/// The cited paragraphs' text, or `attached: false` when no text is attached.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CitationText"))]
pub struct CitationTextDto {
    /// Whether the source's text is attached.
    pub attached: bool,
    /// The cited paragraphs (empty when not attached).
    pub paragraphs: Vec<ParagraphDto>,
}

fn packs_dto(session: &Session) -> Result<PacksDto, UiError> {
    Ok(PacksDto {
        packs: guidance::list_packs(&session.vault)?,
        fallback: session.pack_fallback.clone(),
    })
}

/// Reload the session's active pack; reset the player if it changed.
fn refresh_pack(state: &AppState, session: &mut Session) {
    if session.reload_pack() {
        state.reset_player();
    }
}

/// Every pack and which one is active.
#[tauri::command]
pub fn packs_list(state: State<'_, AppState>) -> Result<PacksDto, UiError> {
    state.with_session(|session| packs_dto(session))
}

/// Import a pack's text (coordinator only). A refused pack comes back as
/// `invalid_pack` with every problem in `issues`.
#[tauri::command]
pub fn pack_import(
    state: State<'_, AppState>,
    text: String,
    file_name: String,
) -> Result<ImportDto, UiError> {
    state.with_session(|session| {
        let outcome = guidance::import_pack(&session.vault.coordinator()?, &text, &file_name)?;
        refresh_pack(&state, session);
        Ok(ImportDto {
            id: outcome.pack.meta().id.clone(),
            version: outcome.pack.meta().version.clone(),
            warnings: issue_dtos(outcome.pack.warnings()),
            replaced_version: outcome.replaced_version,
            active: outcome.active,
        })
    })
}

/// Make a pack active (coordinator only); `builtin` or the built-in pack's
/// id choose the built-in pack.
#[tauri::command]
pub fn pack_use(state: State<'_, AppState>, id: String) -> Result<PacksDto, UiError> {
    state.with_session(|session| {
        guidance::use_pack(&session.vault.coordinator()?, &id)?;
        refresh_pack(&state, session);
        packs_dto(session)
    })
}

/// Remove an imported pack (coordinator only); the built-in pack becomes
/// active if it was.
#[tauri::command]
pub fn pack_remove(state: State<'_, AppState>, id: String) -> Result<PacksDto, UiError> {
    state.with_session(|session| {
        guidance::remove_pack(&session.vault.coordinator()?, &id)?;
        refresh_pack(&state, session);
        packs_dto(session)
    })
}

/// Attach the text of a pack's seed article (coordinator only).
#[tauri::command]
pub fn pack_attach_text(
    state: State<'_, AppState>,
    pack: String,
    source: String,
    text: String,
) -> Result<PacksDto, UiError> {
    state.with_session(|session| {
        guidance::attach_source_text(&session.vault.coordinator()?, &pack, &source, &text)?;
        packs_dto(session)
    })
}

/// The text of the cited paragraphs of `source` in the active pack.
#[tauri::command]
pub fn citation_text(
    state: State<'_, AppState>,
    source: String,
    paragraphs: Vec<u32>,
) -> Result<CitationTextDto, UiError> {
    state.with_session(|session| {
        let cited =
            guidance::cited_paragraphs(&session.vault, &session.pack, &source, &paragraphs)?;
        Ok(match cited {
            Some(list) => CitationTextDto {
                attached: true,
                paragraphs: list
                    .into_iter()
                    .map(|p| ParagraphDto {
                        number: p.number,
                        text: p.text,
                    })
                    .collect(),
            },
            None => CitationTextDto {
                attached: false,
                paragraphs: Vec::new(),
            },
        })
    })
}
