//! Coordinator tools in the window: areas (add, rename, deactivate), the calls on legal hold, and
//! erasing the vault. Each calls the core function `hotline area`,
//! `hotline hold` and `hotline erase` call.

use hotline_core::calls::{self, Area, CallSummary};
use tauri::State;

use crate::commands::vault::PANIC_ERASE_WORDS;
use crate::error::{ErrorCode, UiError};
use crate::state::AppState;

/// Every area, deactivated ones too (coordinator only: what the areas
/// card manages).
#[tauri::command]
pub fn areas_all(state: State<'_, AppState>) -> Result<Vec<Area>, UiError> {
    state.with_session(|s| {
        s.vault.coordinator()?;
        Ok(calls::list_areas(&s.vault, true)?)
    })
}

/// Add an area, or offer a deactivated one again (coordinator only).
#[tauri::command]
pub fn area_add(state: State<'_, AppState>, name: String) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::add_area(&s.vault.coordinator()?, name.trim())?))
}

/// Rename an area; its calls, old ones too, show the new name (coordinator
/// only).
#[tauri::command]
pub fn area_rename(
    state: State<'_, AppState>,
    name: String,
    new_name: String,
) -> Result<(), UiError> {
    state.with_session(|s| {
        Ok(calls::rename_area(
            &s.vault.coordinator()?,
            &name,
            new_name.trim(),
        )?)
    })
}

/// Stop offering an area for new calls; calls in it keep it (coordinator
/// only).
#[tauri::command]
pub fn area_deactivate(state: State<'_, AppState>, name: String) -> Result<(), UiError> {
    state.with_session(|s| Ok(calls::deactivate_area(&s.vault.coordinator()?, &name)?))
}

/// The calls on legal hold, newest first.
#[tauri::command]
pub fn calls_held(state: State<'_, AppState>) -> Result<Vec<CallSummary>, UiError> {
    state.with_session(|s| Ok(calls::held_calls(&s.vault)?))
}

/// Erase the vault (coordinator only), after the window's two
/// confirmations: the word ERASE (or BORRAR) and the coordinator's own
/// handle. The anchor is overwritten first; then every file the app wrote
/// in the data folder goes. Backups kept elsewhere are not touched.
#[tauri::command]
pub async fn vault_erase(
    state: State<'_, AppState>,
    word: String,
    handle: String,
) -> Result<(), UiError> {
    if !PANIC_ERASE_WORDS.contains(&word.trim()) {
        return Err(UiError::new(
            ErrorCode::InvalidInput,
            "the confirming word does not match; nothing was erased",
        ));
    }
    state.with_session(|s| {
        s.vault.coordinator()?;
        if handle.trim().eq_ignore_ascii_case(&s.vault.user().handle) {
            Ok(())
        } else {
            Err(UiError::new(
                ErrorCode::InvalidInput,
                "the second confirmation does not match your handle; nothing was erased",
            ))
        }
    })?;
    let Some(session) = state.take_session() else {
        return Err(UiError::locked());
    };
    session.into_vault().erase()?;
    Ok(())
}
