//! The audit view for coordinators: a page of the audit log and the result
//! of checking its hash chain and checkpoints.

use hotline_core::vault::{AuditEntry, AuditReport};
use serde::Serialize;
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

/// Entries in one page of the audit view.
const PAGE: u32 = 50;

/// One page of the audit log, newest first, with the verification result.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "AuditView"))]
pub struct AuditViewDto {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; none after the oldest.
    pub older: Option<i64>,
    /// What checking the whole log found.
    pub report: AuditReport,
}

/// A page of the audit log before entry `before` (the newest page when
/// none), and the log's verification (coordinators only).
#[tauri::command]
pub fn audit_view(
    state: State<'_, AppState>,
    before: Option<i64>,
) -> Result<AuditViewDto, UiError> {
    state.with_session(|session| {
        let coordinator = session.vault.coordinator()?;
        let entries = coordinator.audit_entries(before, PAGE)?;
        let older = match entries.last() {
            Some(last) if entries.len() == PAGE as usize && last.id > 1 => Some(last.id),
            _ => None,
        };
        Ok(AuditViewDto {
            entries,
            older,
            report: coordinator.verify_audit()?,
        })
    })
}
