//! The one error shape the UI receives: a stable code to branch on, a short
//! English message for diagnostics, and a few structured details. The UI
//! shows its own translated sentence for each code; no message ever carries
//! a secret or caller data.

use hotline_core::guidance::{PackErrors, PackIssue, PackLibraryError};
use hotline_core::vault::VaultError;
use serde::Serialize;

/// Codes the UI may branch on. Grows only when the UI needs a new branch.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Something unexpected inside the app.
    Internal,
    /// The vault is locked.
    Locked,
    /// No vault exists yet.
    NoVault,
    /// A vault exists already.
    AlreadyExists,
    /// No user has that handle.
    UnknownHandle,
    /// The passphrase is wrong.
    WrongPassphrase,
    /// Wait before the next unlock attempt.
    TooSoon,
    /// The new passphrase is too weak.
    WeakPassphrase,
    /// The handle breaks the handle rules.
    InvalidHandle,
    /// The handle is in use.
    HandleTaken,
    /// Needs a coordinator.
    NotCoordinator,
    /// Would remove the last coordinator.
    LastCoordinator,
    /// A coordinator tried to remove themselves.
    CannotRemoveSelf,
    /// A setting is out of range.
    InvalidSetting,
    /// Vault files are damaged or do not match.
    DamagedVault,
    /// The vault was found damaged during this session: saving is switched
    /// off until it is restored from a backup.
    VaultReadOnly,
    /// The vault is from a newer app.
    SchemaTooNew,
    /// The request does not make sense (for example no script is running).
    InvalidInput,
    /// A field is over its length limit.
    TooLong,
    /// The verification step is not allowed.
    InvalidTransition,
    /// The call or task does not exist.
    NotFound,
    /// The area is not on the coordinator's list.
    UnknownArea,
    /// A pack file has problems; `issues` lists each with its line and node.
    InvalidPack,
    /// A pack file or text is over its size limit.
    PackTooLarge,
    /// The pack uses the built-in pack's id.
    ReservedPackId,
    /// No imported pack has that id, or the pack has no such source.
    UnknownPack,
    /// The built-in pack cannot be removed.
    CannotRemoveBuiltin,
    /// An attached text's paragraphs do not match the source (`expected`, `found`).
    ParagraphMismatch,
    /// The source is not a seed article, so no text can be attached.
    NotSeedArticle,
    /// A stored pack no longer passes the checks.
    PackUnusable,
}

/// One problem of a refused pack, as the UI lists it.
#[derive(Debug, Clone, Serialize)]
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
    pub found: Option<usize>,
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
        }
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

impl From<hotline_core::about::AboutError> for UiError {
    fn from(err: hotline_core::about::AboutError) -> Self {
        Self::new(ErrorCode::Internal, err.to_string())
    }
}

impl From<hotline_core::calls::CallError> for UiError {
    fn from(err: hotline_core::calls::CallError) -> Self {
        match err {
            hotline_core::calls::CallError::Vault(inner) => Self::from(inner),
            other => Self::new(
                crate::commands::calls::call_error_code(&other),
                other.to_string(),
            ),
        }
    }
}

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
        let code = match &err {
            PackLibraryError::Vault(_) => ErrorCode::Internal,
            PackLibraryError::NotCoordinator => ErrorCode::NotCoordinator,
            PackLibraryError::Invalid(_) => ErrorCode::InvalidPack,
            PackLibraryError::NotUtf8 { .. } => ErrorCode::InvalidInput,
            PackLibraryError::TooLarge { .. } => ErrorCode::PackTooLarge,
            PackLibraryError::ReservedId { .. } => ErrorCode::ReservedPackId,
            PackLibraryError::UnknownPack { .. } | PackLibraryError::UnknownSource { .. } => {
                ErrorCode::UnknownPack
            }
            PackLibraryError::CannotRemoveBuiltin => ErrorCode::CannotRemoveBuiltin,
            PackLibraryError::ParagraphCount { .. } => ErrorCode::ParagraphMismatch,
            PackLibraryError::NotSeedArticle { .. } => ErrorCode::NotSeedArticle,
            PackLibraryError::StoredPackBroken { .. } => ErrorCode::PackUnusable,
            _ => ErrorCode::Internal,
        };
        let mut ui = Self::new(code, err.to_string());
        match err {
            PackLibraryError::Vault(inner) => return Self::from(inner),
            PackLibraryError::Invalid(errors)
            | PackLibraryError::StoredPackBroken { errors, .. } => {
                ui.issues = Some(issues(&errors));
            }
            PackLibraryError::ParagraphCount {
                expected, found, ..
            } => {
                ui.expected = Some(expected);
                ui.found = Some(found);
            }
            _ => {}
        }
        ui
    }
}

impl From<VaultError> for UiError {
    fn from(err: VaultError) -> Self {
        let code = match &err {
            VaultError::NoVault => ErrorCode::NoVault,
            VaultError::AlreadyExists | VaultError::RestoreTargetExists => ErrorCode::AlreadyExists,
            VaultError::UnknownHandle => ErrorCode::UnknownHandle,
            VaultError::WrongPassphrase => ErrorCode::WrongPassphrase,
            VaultError::TooSoon { .. } => ErrorCode::TooSoon,
            VaultError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            VaultError::InvalidHandle { .. } => ErrorCode::InvalidHandle,
            VaultError::HandleTaken => ErrorCode::HandleTaken,
            VaultError::NotCoordinator => ErrorCode::NotCoordinator,
            VaultError::LastCoordinator => ErrorCode::LastCoordinator,
            VaultError::CannotRemoveSelf => ErrorCode::CannotRemoveSelf,
            VaultError::InvalidSetting { .. } => ErrorCode::InvalidSetting,
            VaultError::DamagedDatabase { .. }
            | VaultError::DamagedKeyFile { .. }
            | VaultError::KeySlotMismatch => ErrorCode::DamagedVault,
            VaultError::WritesRefused => ErrorCode::VaultReadOnly,
            VaultError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            _ => ErrorCode::Internal,
        };
        let mut ui = Self::new(code, err.to_string());
        if let VaultError::TooSoon { wait, failures } = err {
            ui.wait_ms = Some(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
            ui.failures = Some(failures);
        }
        ui
    }
}
