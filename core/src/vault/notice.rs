//! What a coordinator is told at unlock: the settings refused (changed or
//! damaged without a coordinator's signature) that still stand, and the
//! state of the audit log before this unlock's checkpoint.

use serde::Serialize;

use super::audit::{self, AuditReport};
use super::signed::{self, RefusedSetting};
use super::{Vault, VaultError};

/// The notice of a coordinator's unlock ([`Vault::unlock_notice`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnlockNotice {
    /// Settings changed or damaged without a coordinator's signature and
    /// refused; each stays here until a coordinator sets it again.
    pub refused: Vec<RefusedSetting>,
    /// The audit log as found, before this unlock checkpointed it.
    pub audit: AuditReport,
}

impl UnlockNotice {
    /// Whether there is anything to tell: a refused setting, a problem in
    /// the audit log, or entries nobody checkpointed.
    pub fn is_empty(&self) -> bool {
        self.refused.is_empty() && self.audit.is_ok() && self.audit.unchecked_from.is_none()
    }
}

impl Vault {
    /// At every unlock: check the signed settings and record each new
    /// refusal (with an audit entry).
    pub(super) fn sweep_signed_settings(&self) -> Result<(), VaultError> {
        let found = signed::refusals_now(self.read(), self.coordinator_public())?;
        signed::record_refusals(self.conn(), &self.user.handle, &found)
    }

    /// At a coordinator's unlock: the notice (the refusals that stand,
    /// the audit log as found).
    pub(super) fn take_notice(&self) -> Result<Option<UnlockNotice>, VaultError> {
        if self.coordinator_key().is_none() {
            return Ok(None);
        }
        Ok(Some(UnlockNotice {
            refused: signed::open_refusals(self.conn())?,
            audit: audit::verify(self.conn(), self.coordinator_public())?,
        }))
    }

    /// What a coordinator's unlock found (none for volunteers).
    pub fn unlock_notice(&self) -> Option<&UnlockNotice> {
        self.notice.as_ref()
    }
}
