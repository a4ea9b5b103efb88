//! Continuity: the coordinator key must outlive any one coordinator.
//!
//! The coordinator key exists only sealed in coordinators' key slots, so
//! if the last person holding it forgets their passphrase (or leaves, or
//! their laptop is seized and they cannot come back), nobody can ever again
//! change retention, lift a legal hold, add a user or read the summary
//! bundles sent to the coordinators. A vault is *ensured* when at least two
//! slots hold the key: a second coordinator, or a recovery kit — a
//! coordinator slot whose handle and long random passphrase are printed on
//! paper and kept off the laptop (in a safe, with a lawyer), never typed
//! except to recover.
//!
//! Until then every coordinator unlock says so ([`super::UnlockNotice`]),
//! and the window and `hotline init` ask for one before real calls are
//! logged, saying why.

use super::diceware::{SuggestedPassphrase, suggest_passphrase};
use super::secret::random_bytes;
use super::{Coordinator, Role, Vault, VaultError};

/// Words in a recovery kit's passphrase: 8 words of the EFF long list,
/// about 103 bits, far beyond any guessing even with the vault's files.
pub const RECOVERY_KIT_WORDS: usize = 8;

/// What a recovery kit's handle starts with.
pub const RECOVERY_KIT_PREFIX: &str = "recovery-";

/// Migration SQL: which users are recovery kits.
pub(crate) const RECOVERY_KITS_SQL: &str = "
    ALTER TABLE users ADD COLUMN recovery_kit INTEGER NOT NULL DEFAULT 0
        CHECK (recovery_kit IN (0, 1));
";

/// How many slots hold the coordinator key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Continuity {
    /// Coordinators who are people (recovery kits not counted).
    pub coordinators: u32,
    /// Recovery kits.
    pub recovery_kits: u32,
    /// Whether losing any one holder of the coordinator key would still
    /// leave it held: two holders at least.
    pub ensured: bool,
}

/// A recovery kit, shown once to be printed or written down: its handle
/// and passphrase open a coordinator slot. Wiped from memory when dropped.
pub struct RecoveryKit {
    /// The kit's handle (`recovery-` and four hex digits).
    pub handle: String,
    /// The kit's passphrase.
    pub passphrase: SuggestedPassphrase,
}

impl std::fmt::Debug for RecoveryKit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryKit")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// How many coordinators and recovery kits hold the coordinator key.
    pub fn continuity(&self) -> Result<Continuity, VaultError> {
        let (coordinators, recovery_kits): (u32, u32) = self.conn().query_row(
            "SELECT coalesce(sum(recovery_kit = 0), 0), coalesce(sum(recovery_kit = 1), 0)
             FROM users WHERE role = 'coordinator'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Continuity {
            coordinators,
            recovery_kits,
            ensured: coordinators + recovery_kits >= 2,
        })
    }
}

impl Coordinator<'_> {
    /// Make a recovery kit: a new coordinator slot under a random handle
    /// and an 8-word random passphrase, returned once (audited, without
    /// either). Print it, keep it off the laptop; unlock with it only to
    /// recover, then add a new coordinator and remove the kit.
    pub fn create_recovery_kit(&self) -> Result<RecoveryKit, VaultError> {
        let handle = self.free_kit_handle()?;
        let passphrase = suggest_passphrase(RECOVERY_KIT_WORDS)?;
        self.add_user_as(
            &handle,
            Role::Coordinator,
            &passphrase.to_passphrase(),
            true,
        )?;
        Ok(RecoveryKit { handle, passphrase })
    }

    /// A kit handle no user has.
    fn free_kit_handle(&self) -> Result<String, VaultError> {
        loop {
            let mut bytes = [0u8; 2];
            random_bytes(&mut bytes)?;
            let handle = format!("{RECOVERY_KIT_PREFIX}{:02x}{:02x}", bytes[0], bytes[1]);
            if self.user_role(&handle)?.is_none() {
                return Ok(handle);
            }
        }
    }
}
