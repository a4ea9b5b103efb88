//! The one error shape the UI receives: a stable code to branch on, a short
//! English message for diagnostics, and a few structured details. The UI
//! shows its own translated sentence for each code; no message ever carries
//! a secret or caller data.

use hotline_core::errors::Coded;
pub use hotline_core::errors::ErrorCode;
use hotline_core::guidance::{PackErrors, PackIssue, PackLibraryError};
use hotline_core::vault::VaultError;
use serde::Serialize;

/// One problem of a refused pack, as the UI lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "PackIssue"))]
pub struct PackIssueDto {
    /// 1-based line in the file.
    pub line: usize,
    /// Kind of item concerned (`node`, `flow`, `source`, `resource`, `card row`).
    pub item_kind: Option<String>,
    /// Id of the item concerned.
    pub item_id: Option<String>,
    /// What is wrong (English, from the checker).
    pub message: String,
    /// True for a problem that does not refuse the pack (see docs/PACKS.md,
    /// "Errors and warnings").
    pub warning: bool,
}

/// An error as sent to the webview.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct UiError {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Short English description for diagnostics.
    pub message: String,
    /// For `too_soon`: milliseconds before the next attempt is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u64>,
    /// For failed unlocks: failed attempts in a row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u32>,
    /// For `invalid_pack` and `pack_unusable`: every problem found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issues: Option<Vec<PackIssueDto>>,
    /// For `paragraph_mismatch`: paragraphs the pack declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<u32>,
    /// For `paragraph_mismatch`: paragraphs found in the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<u32>,
    /// For `weak_passphrase`: why, as a stable reason code (`common` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// Where the error lies, for errors about one field or entry (boxed,
    /// so that every command's error stays small; empty, and so absent from
    /// the JSON, for other errors).
    #[serde(flatten)]
    pub detail: Box<FieldDetail>,
}

/// Where an error lies, sent as the error's `field`, `limit` and `number`.
#[derive(Debug, Default, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct FieldDetail {
    /// The field, named as in the call JSON or the directory file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// For `too_long` and `too_many`: the limit (bytes or entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Which entry (of a file) or list item (of a call), from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
}

impl UiError {
    /// An error with a code and message and no details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            wait_ms: None,
            failures: None,
            issues: None,
            expected: None,
            found: None,
            reason: None,
            detail: Box::default(),
        }
    }

    /// Any core error, with the code, field and limit the core's error map
    /// gives it.
    pub fn coded(err: &impl Coded) -> Self {
        let mut ui = Self::new(err.code(), err.to_string());
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        ui.detail = Box::new(FieldDetail {
            field: err.field(),
            limit: err.limit().map(small),
            number: err.number().map(small),
        });
        ui
    }

    /// The vault is locked.
    pub fn locked() -> Self {
        Self::new(ErrorCode::Locked, "the vault is locked")
    }

    /// Attach the count of failed unlock attempts.
    pub fn with_failures(mut self, failures: u32) -> Self {
        self.failures = Some(failures);
        self
    }
}

/// Errors that carry nothing beyond what [`Coded`] says.
macro_rules! from_coded {
    ($($err:ty),+) => {
        $(impl From<$err> for UiError {
            fn from(err: $err) -> Self {
                Self::coded(&err)
            }
        })+
    };
}

from_coded!(
    hotline_core::about::AboutError,
    hotline_core::calls::CallError,
    hotline_core::export::ExportError,
    hotline_core::guidance::PlayerError,
    hotline_core::prefs::PrefsError,
    hotline_core::referrals::ReferralError
);

fn issues(errors: &PackErrors) -> Vec<PackIssueDto> {
    issue_dtos(errors.issues())
}

/// Pack problems as the UI lists them, errors and warnings alike.
pub fn issue_dtos(issues: &[PackIssue]) -> Vec<PackIssueDto> {
    issues
        .iter()
        .map(|issue| PackIssueDto {
            line: issue.line,
            item_kind: issue.item.as_ref().map(|item| item.kind.to_string()),
            item_id: issue.item.as_ref().map(|item| item.id.clone()),
            message: issue.message.clone(),
            warning: !issue.is_error(),
        })
        .collect()
}

impl From<PackLibraryError> for UiError {
    fn from(err: PackLibraryError) -> Self {
        let mut ui = Self::coded(&err);
        match err {
            PackLibraryError::Invalid(errors)
            | PackLibraryError::StoredPackBroken { errors, .. } => {
                ui.issues = Some(issues(&errors));
            }
            PackLibraryError::ParagraphCount {
                expected, found, ..
            } => {
                ui.expected = Some(expected);
                ui.found = Some(u32::try_from(found).unwrap_or(u32::MAX));
            }
            PackLibraryError::Vault(inner) => return Self::from(inner),
            _ => {}
        }
        ui
    }
}

impl From<hotline_core::team::TeamError> for UiError {
    fn from(err: hotline_core::team::TeamError) -> Self {
        match err {
            hotline_core::team::TeamError::Vault(inner) => Self::from(inner),
            other => Self::coded(&other),
        }
    }
}

impl From<VaultError> for UiError {
    fn from(err: VaultError) -> Self {
        let mut ui = Self::coded(&err);
        match err {
            VaultError::TooSoon { wait, failures } => {
                ui.wait_ms = Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
                ui.failures = Some(failures);
            }
            VaultError::WeakPassphrase { reason } => ui.reason = Some(reason.as_str()),
            _ => {}
        }
        ui
    }
}
