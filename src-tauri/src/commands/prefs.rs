//! Interface preferences (the language), readable before unlock.

use hotline_core::prefs::{self, Prefs, UiLang};
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// The saved interface language (`en` or `es`).
#[tauri::command]
pub fn prefs_lang(state: State<'_, AppState>) -> UiLang {
    prefs::load(&state.data_dir).lang
}

/// Save the interface language.
#[tauri::command]
pub fn prefs_set_lang(state: State<'_, AppState>, lang: UiLang) -> Result<(), UiError> {
    Ok(prefs::save(&state.data_dir, &Prefs { lang })?)
}
