//! The one error shape the UI receives: a stable code to branch on and a
//! message. The UI shows its own translated text for each code; `message` is
//! for diagnostics and never contains secrets or caller data.

use serde::Serialize;

/// Codes the UI may branch on. Grows only when the UI needs a new branch.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Something unexpected inside the app.
    Internal,
}

/// An error as sent to the webview.
#[derive(Debug, Serialize)]
pub struct UiError {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Short English description for logs and support.
    pub message: String,
}

impl From<hotline_core::about::AboutError> for UiError {
    fn from(err: hotline_core::about::AboutError) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: err.to_string(),
        }
    }
}
