//! Call commands: drafts, create, update, list, search, follow-ups, history,
//! retention. Calls cross the boundary in the documented call JSON
//! (`docs/CALLS.md`, `docs/call.schema.json`), the same shape the CLI imports.

use chrono::{DateTime, Local, NaiveDate, Offset, Utc};
use hotline_core::calls::{
    self, AlertTemplate, AlertText, Area, Call, CallFilter, CallId, CallSummary, CallUpdate,
    FlaggedNotes, FollowUpDue, FollowUpId, HistoryEntry, NewCall, NewFollowUp, NotesFinding,
};
use hotline_core::codes::{Category, Verification};
use hotline_core::errors::ErrorCode;
use hotline_core::export::Lang;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::clipboard;
use crate::error::UiError;
use crate::state::AppState;

/// Filters of the call list, as the UI sends them.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(
    test,
    derive(ts_rs::TS),
    ts(rename = "CallListFilter", optional_fields)
)]
pub struct FilterDto {
    /// Verification status.
    pub verification: Option<Verification>,
    /// Category.
    pub category: Option<Category>,
    /// Area name.
    pub area: Option<String>,
    /// First day (inclusive, local date).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive, local date).
    pub to: Option<NaiveDate>,
    /// How many to return (default 100).
    pub limit: Option<u32>,
}

/// One call with what the call view needs besides the record.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CallDetail"))]
pub struct CallDetailDto {
    /// The record.
    pub call: Call,
    /// When its free text will be shredded (none under legal hold or once shredded).
    pub shred_at: Option<DateTime<Utc>>,
    /// Who changed what, when (never the text itself).
    pub history: Vec<HistoryEntry>,
}

/// A saved draft.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Draft"))]
pub struct DraftDto {
    /// The form as the UI left it.
    pub body: serde_json::Value,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
}

fn parse_id(id: &str) -> Result<CallId, UiError> {
    id.parse::<CallId>().map_err(UiError::from)
}

/// Start of a local day in UTC.
fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(Local).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// Save the intake form as the signed-in user's draft (inside the vault).
#[tauri::command]
pub fn draft_save(state: State<'_, AppState>, body: serde_json::Value) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::save_draft(&s.vault, &body)?))
}

/// The signed-in user's draft, if any.
#[tauri::command]
pub fn draft_load(state: State<'_, AppState>) -> Result<Option<DraftDto>, UiError> {
    state.with_session(|s| {
        Ok(calls::load_draft(&s.vault)?.map(|d| DraftDto {
            body: d.body,
            saved_at: d.saved_at,
        }))
    })
}

/// Delete the signed-in user's draft.
#[tauri::command]
pub fn draft_clear(state: State<'_, AppState>) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::clear_draft(&s.vault)?))
}

/// Whether the volunteer confirmed notes the notes check flags.
fn flagged(notes_ok: bool) -> FlaggedNotes {
    if notes_ok {
        FlaggedNotes::Accept
    } else {
        FlaggedNotes::Refuse
    }
}

/// What the notes check finds in `notes` (nothing is stored).
#[tauri::command]
pub fn notes_check(notes: String) -> Vec<NotesFinding> {
    calls::check_notes(&notes)
}

/// Save a new call; returns its id. Notes the notes check flags are
/// refused unless `notes_ok` says the volunteer confirmed them.
#[tauri::command]
pub fn call_create(
    state: State<'_, AppState>,
    call: NewCall,
    notes_ok: bool,
) -> Result<String, UiError> {
    state.with_session(|s| Ok(calls::create_with(&s.vault, call, flagged(notes_ok))?.to_string()))
}

/// Change fields of a saved call (changed notes are checked as in
/// [`call_create`]).
#[tauri::command]
pub fn call_update(
    state: State<'_, AppState>,
    id: String,
    update: CallUpdate,
    notes_ok: bool,
) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| {
        calls::update_with(&s.vault, id, update, flagged(notes_ok))?;
        Ok(())
    })
}

/// One call, when its text will be shredded, and its edit history.
#[tauri::command]
pub fn call_get(state: State<'_, AppState>, id: String) -> Result<CallDetailDto, UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| {
        let call = calls::get(&s.vault, id)?;
        Ok(CallDetailDto {
            shred_at: calls::shred_at(&s.vault, &call)?,
            history: calls::history(&s.vault, id)?,
            call,
        })
    })
}

/// The newest calls matching the filters.
#[tauri::command]
pub fn calls_list(
    state: State<'_, AppState>,
    filter: FilterDto,
) -> Result<Vec<CallSummary>, UiError> {
    let filter = CallFilter {
        verification: filter.verification,
        category: filter.category,
        area: filter.area.filter(|a| !a.is_empty()),
        from: filter.from.and_then(day_start),
        to: filter.to.and_then(|d| d.succ_opt()).and_then(day_start),
        limit: filter.limit.unwrap_or(100),
        offset: 0,
    };
    state.with_session(|s| Ok(calls::list(&s.vault, &filter)?))
}

/// Full-text search over notes and fields.
#[tauri::command]
pub fn calls_search(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<CallSummary>, UiError> {
    state.with_session(|s| Ok(calls::search(&s.vault, &query, 100)?))
}

/// Follow-ups due today or overdue, and not done.
#[tauri::command]
pub fn followups_due(state: State<'_, AppState>) -> Result<Vec<FollowUpDue>, UiError> {
    state.with_session(|s| Ok(calls::followups(&s.vault, &Local::now())?))
}

/// Add a follow-up task to a saved call.
#[tauri::command]
pub fn followup_add(
    state: State<'_, AppState>,
    id: String,
    task: NewFollowUp,
) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| {
        calls::add_followup(&s.vault, id, task)?;
        Ok(())
    })
}

/// Mark a follow-up done or not done.
#[tauri::command]
pub fn followup_done(state: State<'_, AppState>, id: i64, done: bool) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::set_followup_done(&s.vault, FollowUpId(id), done)?))
}

/// Areas offered for new calls.
#[tauri::command]
pub fn areas_list(state: State<'_, AppState>) -> Result<Vec<Area>, UiError> {
    state.with_session(|s| Ok(calls::list_areas(&s.vault, false)?))
}

/// The alert text of a confirmed sighting, in English and Spanish, worded
/// by the active pack (times in the laptop's local zone).
#[tauri::command]
pub fn call_alert(state: State<'_, AppState>, id: String) -> Result<AlertText, UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| {
        let template = AlertTemplate::of_pack(&s.pack);
        Ok(calls::alert_text(
            &s.vault,
            id,
            &template,
            Local::now().offset().fix(),
        )?)
    })
}

/// Copy the alert text of a call in `lang` to the clipboard and audit the
/// copy (never the text itself); returns the seconds until the clipboard
/// is cleared (if it still holds the text then).
#[tauri::command]
pub fn call_alert_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    lang: Lang,
) -> Result<u64, UiError> {
    let id = parse_id(&id)?;
    let text = state.with_session(|s| {
        let template = AlertTemplate::of_pack(&s.pack);
        let alert = calls::alert_text(&s.vault, id, &template, Local::now().offset().fix())?;
        calls::record_alert_copied(&s.vault, id, lang)?;
        Ok(alert.get(lang).to_owned())
    })?;
    clipboard::copy_then_clear(&app, text)
        .map_err(|_| UiError::new(ErrorCode::Internal, "the clipboard could not be written"))?;
    Ok(clipboard::CLEAR_AFTER.as_secs())
}

/// Put a legal hold on a call, or lift it (coordinator only).
#[tauri::command]
pub fn call_hold(state: State<'_, AppState>, id: String, hold: bool) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| Ok(calls::set_legal_hold(&s.vault.coordinator()?, id, hold)?))
}

/// Close a call's case (refused while a follow-up task is open).
#[tauri::command]
pub fn call_close(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| Ok(calls::close_case(&s.vault, id)?))
}

/// Open a call's closed case again.
#[tauri::command]
pub fn call_reopen(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| Ok(calls::reopen_case(&s.vault, id)?))
}

/// Mark a call "share with the next shift" (its notes and SALUTE texts
/// travel with its handoff), or take the mark off.
#[tauri::command]
pub fn call_share(state: State<'_, AppState>, id: String, share: bool) -> Result<(), UiError> {
    let id = parse_id(&id)?;
    state.with_session(|s| Ok(calls::set_share_text(&s.vault, id, share)?))
}

/// Days free text is kept.
#[tauri::command]
pub fn retention_get(state: State<'_, AppState>) -> Result<u32, UiError> {
    state.with_session(|s| Ok(calls::retention_days(&s.vault)?))
}

/// Set the days free text is kept (coordinator only).
#[tauri::command]
pub fn retention_set(state: State<'_, AppState>, days: u32) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::set_retention_days(&s.vault.coordinator()?, days)?))
}
