//! Coordinator reports: the in-app dashboard, and anonymized summaries
//! previewed before they are written. Summaries are written to the
//! `exports/` folder of the data directory (the app has no file-system
//! access beyond its own folder) and every write is audited by the core.

use chrono::{Local, NaiveDate};
use hotline_core::export::{self, Dashboard, Format, Lang, SummaryOptions};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{ErrorCode, UiError};
use crate::state::AppState;

/// Which summary to build.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SummaryRequest {
    /// First day (inclusive); default: the first call.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive); default: the last complete week.
    pub to: Option<NaiveDate>,
    /// Threshold for small cells (at least 3).
    pub k: u32,
    /// `csv`, `json` or `html` (text, so that another word is refused with
    /// the field named).
    #[cfg_attr(test, ts(type = r#""csv" | "json" | "html""#))]
    pub format: String,
    /// Language of the HTML report.
    pub lang: Lang,
    /// Count demo calls too.
    pub include_synthetic: bool,
}

/// A summary before it is written: its readable preview (the chart and the
/// tables by dimension, not the file's text), and the file it would be.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SummaryPreview {
    /// The published counts, as the window shows them.
    pub preview: export::SummaryView,
    /// File name it will be written under in the exports folder.
    pub file_name: String,
}

fn format_of(request: &SummaryRequest) -> Result<Format, UiError> {
    match request.format.as_str() {
        "csv" => Ok(Format::Csv),
        "json" => Ok(Format::Json),
        "html" => Ok(Format::Html(request.lang)),
        _ => Err(UiError::new(ErrorCode::InvalidInput, "unknown format")),
    }
}

fn options(request: &SummaryRequest) -> SummaryOptions {
    SummaryOptions {
        from: request.from,
        to: request.to,
        k: request.k,
        include_synthetic: request.include_synthetic,
    }
}

fn file_name(summary: &export::Summary, format: Format) -> String {
    format!(
        "hotline-summary-{}-{}.{}",
        summary.from,
        summary.to,
        format.as_str()
    )
}

/// Exact counts for the in-app dashboard, or the shareable (suppressed) version.
#[tauri::command]
pub fn dashboard(
    state: State<'_, AppState>,
    from: NaiveDate,
    to: NaiveDate,
    shareable_k: Option<u32>,
) -> Result<Dashboard, UiError> {
    state.with_session(|s| {
        match shareable_k {
            Some(k) => export::dashboard_shareable(&s.vault, from, to, k),
            None => export::dashboard(&s.vault, from, to),
        }
        .map_err(UiError::from)
    })
}

/// Build a summary and preview it without writing it (coordinator only).
#[tauri::command]
pub fn summary_preview(
    state: State<'_, AppState>,
    request: SummaryRequest,
) -> Result<SummaryPreview, UiError> {
    let format = format_of(&request)?;
    state.with_session(|s| {
        let summary =
            export::summary(&s.vault.coordinator()?, &options(&request)).map_err(UiError::from)?;
        Ok(SummaryPreview {
            preview: export::preview(&summary),
            file_name: file_name(&summary, format),
        })
    })
}

/// Write the summary to the exports folder; returns the file's path.
#[tauri::command]
pub fn summary_write(
    state: State<'_, AppState>,
    request: SummaryRequest,
) -> Result<String, UiError> {
    let format = format_of(&request)?;
    let folder = hotline_core::paths::exports_dir(&state.data_dir)
        .map_err(|err| UiError::new(ErrorCode::Internal, err.to_string()))?;
    state.with_session(|s| {
        let summary =
            export::summary(&s.vault.coordinator()?, &options(&request)).map_err(UiError::from)?;
        let path = folder.join(file_name(&summary, format));
        export::write_summary(&s.vault.coordinator()?, &summary, format, &path, true)
            .map_err(UiError::from)?;
        Ok(path.display().to_string())
    })
}

/// Today as the laptop sees it, for default date ranges.
#[tauri::command]
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}
