//! What a coordinator is told at unlock: the settings refused (changed or
//! damaged without a coordinator's signature) that still stand, the state
//! of the audit log before this unlock's checkpoint, and the failed unlocks
//! (and problems with their counter file) since a coordinator last unlocked.

use serde::Serialize;

use super::attempts::{self, FailedUnlocks};
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
    /// What the unlocks since a coordinator's last one found: the failed
    /// attempts before them, and each problem with the counter file.
    pub failed_unlocks: FailedUnlocks,
}

impl UnlockNotice {
    /// Whether there is anything to tell: a refused setting, a problem in
    /// the audit log, entries nobody checkpointed, failed unlocks or a
    /// problem with their counter.
    pub fn is_empty(&self) -> bool {
        self.refused.is_empty()
            && self.audit.is_ok()
            && self.audit.unchecked_from.is_none()
            && self.failed_unlocks.is_empty()
    }
}

impl Vault {
    /// At every unlock: check the signed settings and record each new
    /// refusal (with an audit entry); a coordinator's first signs the kinds
    /// an upgrade added.
    pub(super) fn sweep_signed_settings(&self) -> Result<(), VaultError> {
        if let Some(key) = self.coordinator_key() {
            signed::sign_pending(self.conn(), key, &self.user.handle)?;
            crate::team::sign_pending_pin(self.conn(), key, &self.user.handle)?;
        }
        let found = signed::refusals_now(self.read(), self.coordinator_public())?;
        signed::record_refusals(self.conn(), &self.user.handle, &found)
    }

    /// At a coordinator's unlock: the notice (the refusals that stand,
    /// the audit log as found).
    pub(super) fn take_notice(&self) -> Result<Option<UnlockNotice>, VaultError> {
        if self.coordinator_key().is_none() {
            return Ok(None);
        }
        let tx = self.write()?;
        let failed_unlocks = attempts::take_unreported(&tx)?;
        tx.commit()?;
        Ok(Some(UnlockNotice {
            refused: signed::open_refusals(self.conn())?,
            audit: audit::verify(self.conn(), self.coordinator_public())?,
            failed_unlocks,
        }))
    }

    /// What a coordinator's unlock found (none for volunteers).
    pub fn unlock_notice(&self) -> Option<&UnlockNotice> {
        self.notice.as_ref()
    }
}
