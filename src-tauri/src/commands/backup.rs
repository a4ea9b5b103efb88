//! Backup and restore from the window. The shell opens the native file
//! chooser (`crate::file_dialog`) and keeps the path; the core writes and
//! restores (`Coordinator::backup`, `Vault::restore_setting_aside`), the
//! same functions `hotline backup` and `hotline restore` call.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use hotline_core::prefs::UiLang;
use hotline_core::vault::{BackupLocation, Passphrase, Vault, VaultError};
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::commands::vault::{SessionDto, start_session};
use crate::error::{ErrorCode, UiError};
use crate::file_dialog::{self, Purpose};
use crate::state::{AppState, Integrity};

/// A backup written from the window.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "BackupDone"))]
pub struct BackupDto {
    /// The file written, as the person chose it.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was written.
    pub written_at: DateTime<Utc>,
    /// Where it landed (the window warns about the laptop's own disk).
    pub location: BackupLocation,
    /// Calls whose free text retention shredded just before.
    pub calls_shredded: u64,
}

/// The backup chosen for a restore, and what the restore will do.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "RestoreChoice"))]
pub struct RestoreChoiceDto {
    /// The backup file, as the person chose it.
    pub file: String,
    /// Whether a damaged vault is in the data folder and will be moved
    /// aside (never deleted).
    pub sets_aside_damaged: bool,
}

/// A finished restore.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "RestoreDone"))]
pub struct RestoreDto {
    /// The session of the restored vault, unlocked as the restoring user.
    pub session: SessionDto,
    /// The folder the damaged vault was moved into, if there was one.
    pub set_aside: Option<String>,
}

/// Whether a restore may go ahead in the data folder: it is empty, or
/// holds a vault seen damaged. A sound vault is never replaced.
fn restore_target(state: &AppState) -> Result<bool, UiError> {
    if !Vault::exists(&state.data_dir) {
        return Ok(false);
    }
    if state.damage_seen.load(Ordering::SeqCst) {
        Ok(true)
    } else {
        Err(VaultError::RestoreTargetExists.into())
    }
}

/// Ask where to write a backup (native save dialog), then write it
/// (coordinator only). `None` when the person cancelled.
#[tauri::command]
pub async fn backup_write(
    app: AppHandle,
    state: State<'_, AppState>,
    lang: UiLang,
) -> Result<Option<BackupDto>, UiError> {
    state.with_session(|session| Ok(session.vault.coordinator().map(drop)?))?;
    let Some(out) = file_dialog::choose(&app, Purpose::SaveBackup, lang)
        .map_err(|_| UiError::new(ErrorCode::Internal, "the file chooser could not open"))?
    else {
        return Ok(None);
    };
    let report = state.with_session(|session| Ok(session.vault.coordinator()?.backup(&out)?))?;
    let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    Ok(Some(BackupDto {
        file: out.display().to_string(),
        bytes,
        written_at: Utc::now(),
        location: report.location,
        calls_shredded: report.calls_shredded,
    }))
}

/// Choose the backup to restore (native open dialog), from the set-up or
/// unlock screen. Refused before the dialog opens when a sound vault is in
/// the data folder. `None` when the person cancelled.
#[tauri::command]
pub async fn restore_choose(
    app: AppHandle,
    state: State<'_, AppState>,
    lang: UiLang,
) -> Result<Option<RestoreChoiceDto>, UiError> {
    restore_target(&state)?;
    let chosen = file_dialog::choose(&app, Purpose::OpenBackup, lang)
        .map_err(|_| UiError::new(ErrorCode::Internal, "the file chooser could not open"))?;
    if let Some(file) = &chosen {
        *state
            .restore_from
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(file.clone());
    }
    // A cancel keeps an earlier choice, which the window still shows.
    Ok(chosen.map(|file| RestoreChoiceDto {
        file: file.display().to_string(),
        sets_aside_damaged: Vault::exists(&state.data_dir),
    }))
}

/// Restore the chosen backup into the data folder and unlock it as
/// `handle` (a user in the backup), moving a damaged vault aside first.
#[tauri::command]
pub async fn vault_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    handle: String,
    passphrase: String,
) -> Result<RestoreDto, UiError> {
    let passphrase = Passphrase::new(passphrase);
    let file = state
        .restore_from
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .ok_or_else(|| UiError::new(ErrorCode::InvalidInput, "choose the backup file first"))?;
    // A session still open is locked first (a coordinator coming from the
    // damage warning; locking records the damage), unless its vault is not
    // known to be damaged: that one is never replaced.
    let sound_session = state
        .slot()
        .as_ref()
        .is_some_and(|session| session.integrity != Integrity::Damaged);
    if sound_session {
        return Err(VaultError::RestoreTargetExists.into());
    }
    state.lock();
    restore_target(&state)?;
    let (vault, set_aside) =
        Vault::restore_setting_aside(&state.data_dir, &file, handle.trim(), &passphrase)?;
    *state
        .restore_from
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    Ok(RestoreDto {
        session: start_session(&app, &state, vault)?,
        set_aside: set_aside.map(|dir| dir.display().to_string()),
    })
}
