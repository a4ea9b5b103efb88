//! Facts about the installation.

use serde::Serialize;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// What the first screen shows about the installation.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "AppInfo"))]
pub struct AppInfoDto {
    /// App version.
    pub version: String,
    /// Data directory, as text.
    pub data_dir: String,
    /// Whether a vault exists in the data directory.
    pub vault_exists: bool,
    /// Linked SQLCipher version.
    pub sqlcipher_version: String,
}

/// Describe the installation: versions, data directory, vault presence.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfoDto, UiError> {
    let info = hotline_core::about::app_info(&state.data_dir)?;
    Ok(AppInfoDto {
        version: info.version,
        data_dir: info.data_dir.display().to_string(),
        vault_exists: info.vault_exists,
        sqlcipher_version: info.sqlcipher_version,
    })
}
