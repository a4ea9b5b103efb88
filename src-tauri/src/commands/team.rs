//! The team card: this laptop's team, and the sync with the team folder.
//! The shell opens the folder chooser (`crate::file_dialog`) and keeps the
//! path; the sync runs on tokio's blocking pool on a second handle of the
//! session's vault (`Vault::companion`), so the window's own commands never
//! wait for it; locking stops it after the packet in hand
//! (`AppState::lock`). The core does the work (`team::sync`), the same
//! function `hotline team sync` calls.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use hotline_core::prefs::UiLang;
use hotline_core::team::{self, SyncProgress, SyncReport};
use hotline_core::vault::VaultError;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use crate::error::{ErrorCode, UiError};
use crate::file_dialog::{self, Purpose};
use crate::state::{AppState, Integrity, SyncJob};

/// The team as the card shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "TeamCard"))]
pub struct TeamCardDto {
    /// The team's name.
    pub name: String,
    /// This laptop's name in the team record.
    pub laptop: String,
    /// This laptop's fingerprint, to compare with the coordinator's screen.
    pub fingerprint: String,
    /// Member laptops, this one included.
    pub members: usize,
    /// The team folder chosen, if one was.
    pub folder: Option<String>,
}

fn folder_of(state: &AppState) -> Option<PathBuf> {
    state
        .team_folder
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// This laptop's team, or `null` when it is in none (anyone).
#[tauri::command]
pub fn team_card(state: State<'_, AppState>) -> Result<Option<TeamCardDto>, UiError> {
    let folder = folder_of(&state).map(|p| p.display().to_string());
    state.with_session(|session| {
        let Some(info) = team::team_info(&session.vault)? else {
            return Ok(None);
        };
        let this = info
            .members
            .iter()
            .find(|m| m.laptop_id == info.this_laptop);
        Ok(Some(TeamCardDto {
            name: info.name.clone(),
            laptop: this.map(|m| m.name.clone()).unwrap_or_default(),
            fingerprint: this.map(|m| m.fingerprint.clone()).unwrap_or_default(),
            members: info.members.len(),
            folder,
        }))
    })
}

/// Choose the team folder (native folder dialog); its path, or `null` when
/// the person cancelled.
#[tauri::command]
pub async fn team_folder_choose(
    app: AppHandle,
    state: State<'_, AppState>,
    lang: UiLang,
) -> Result<Option<String>, UiError> {
    state.with_session(|_| Ok(()))?;
    let Some(folder) = file_dialog::choose(&app, Purpose::TeamFolder, lang)
        .map_err(|_| UiError::new(ErrorCode::Internal, "the folder chooser could not open"))?
    else {
        return Ok(None);
    };
    let shown = folder.display().to_string();
    *state
        .team_folder
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(folder);
    Ok(Some(shown))
}

/// Sync with the chosen team folder (anyone): runs off the window's thread
/// and returns the report; `team_sync_progress` says where it stands.
#[tauri::command]
pub async fn team_sync(app: AppHandle, state: State<'_, AppState>) -> Result<SyncReport, UiError> {
    let folder = folder_of(&state)
        .ok_or_else(|| UiError::new(ErrorCode::TeamFolder, "no team folder was chosen"))?;
    state.with_session(|_| Ok(()))?;
    let job = state.start_sync()?;
    let running = Arc::clone(&job);
    let result =
        tauri::async_runtime::spawn_blocking(move || run_sync(&app, &running, &folder)).await;
    state.end_sync(&job);
    result.map_err(|_| UiError::new(ErrorCode::Internal, "the sync stopped unexpectedly"))?
}

/// The sync itself, on the blocking pool: a second handle on the session's
/// vault, closed before `job.running` is released.
fn run_sync(app: &AppHandle, job: &SyncJob, folder: &Path) -> Result<SyncReport, UiError> {
    let _running = job
        .running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if job.stop.load(Ordering::SeqCst) {
        return Err(UiError::locked());
    }
    let state = app.state::<AppState>();
    let vault = state.with_session(|session| {
        if session.integrity == Integrity::Damaged {
            return Err(VaultError::WritesRefused.into());
        }
        Ok(session.vault.companion()?)
    })?;
    let report = team::sync(
        &vault,
        folder,
        &mut |step| {
            *job.progress
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(step);
        },
        &job.stop,
    );
    drop(vault);
    Ok(report?)
}

/// Where the running sync stands, or `null` when none runs.
#[tauri::command]
pub fn team_sync_progress(state: State<'_, AppState>) -> Option<SyncProgress> {
    state.sync_job().and_then(|job| {
        *job.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    })
}
