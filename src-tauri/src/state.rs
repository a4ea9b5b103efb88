//! The state the shell keeps between commands: where data lives and, while
//! unlocked, the open vault with the time of the last user activity and the
//! active guidance pack.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hotline_core::guidance::{self, Pack, PlayerPath};
use hotline_core::vault::Vault;

use crate::error::UiError;

/// Inactivity after which the shell checkpoints the vault's WAL.
pub const QUIET_AFTER: Duration = Duration::from_secs(3);

/// An unlocked vault and the activity clock that auto-locks it.
pub struct Session {
    /// The open vault (holds the key; never leaves the shell).
    pub vault: Vault,
    /// Last keyboard or mouse activity reported by the UI.
    pub last_activity: Instant,
    /// Idle time after which the vault locks itself.
    pub auto_lock: Duration,
    /// The active guidance pack, loaded at unlock and replaced when a
    /// coordinator chooses or re-imports it.
    pub pack: Arc<Pack>,
    /// Why the chosen pack could not be loaded, when the built-in pack
    /// stands in for it.
    pub pack_fallback: Option<String>,
}

impl Session {
    /// A session that starts active now, with the vault's active pack (the
    /// built-in pack if the chosen one cannot be loaded; never an error).
    pub fn new(vault: Vault, auto_lock_minutes: u32) -> Self {
        let active = guidance::load_active_pack(&vault);
        Self {
            vault,
            last_activity: Instant::now(),
            auto_lock: Duration::from_secs(u64::from(auto_lock_minutes) * 60),
            pack: active.pack,
            pack_fallback: active.fallback,
        }
    }

    /// Load the vault's active pack again (after an import, a choice or a
    /// removal); returns whether it changed (another id or version).
    pub fn reload_pack(&mut self) -> bool {
        let active = guidance::load_active_pack(&self.vault);
        let changed = active.pack.meta().id != self.pack.meta().id
            || active.pack.meta().version != self.pack.meta().version;
        self.pack = active.pack;
        self.pack_fallback = active.fallback;
        changed
    }

    /// Whether nobody has typed or clicked for [`QUIET_AFTER`]: a moment
    /// for housekeeping the user should not wait for.
    pub fn is_quiet(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_activity) >= QUIET_AFTER
    }

    /// Whether the session has been idle longer than its auto-lock limit.
    pub fn is_idle(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_activity) >= self.auto_lock
    }
}

/// Shared state of the running app.
pub struct AppState {
    /// Where the vault and settings live.
    pub data_dir: PathBuf,
    session: Mutex<Option<Session>>,
    player: Mutex<Option<PlayerPath>>,
}

impl AppState {
    /// Resolve the data directory (`HOTLINE_DATA_DIR` or the OS default).
    pub fn from_environment() -> Result<Self, hotline_core::paths::PathError> {
        Ok(Self {
            data_dir: hotline_core::paths::resolve_data_dir(None)?,
            session: Mutex::new(None),
            player: Mutex::new(None),
        })
    }

    /// The session slot, locked for exclusive use. A poisoned lock (a panic
    /// in another command) is recovered: the vault inside is still valid.
    pub fn slot(&self) -> MutexGuard<'_, Option<Session>> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The active guidance pack of the unlocked session; the built-in pack
    /// while locked.
    pub fn pack(&self) -> Arc<Pack> {
        self.slot()
            .as_ref()
            .map_or_else(Pack::builtin_shared, |session| Arc::clone(&session.pack))
    }

    /// Forget the script player's path (the pack it follows changed).
    pub fn reset_player(&self) {
        *self.player() = None;
    }

    /// The script player's path, locked for exclusive use.
    pub fn player(&self) -> MutexGuard<'_, Option<PlayerPath>> {
        self.player
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Run `f` on the open session, or fail with `locked`.
    pub fn with_session<T>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        match self.slot().as_mut() {
            Some(session) => f(session),
            None => Err(UiError::locked()),
        }
    }

    /// Lock: close the vault and forget the key. Returns whether a session was open.
    pub fn lock(&self) -> bool {
        let taken = self.slot().take();
        match taken {
            Some(session) => {
                // The vault is locked even when the final checkpoint fails.
                let _ = session.vault.lock();
                true
            }
            None => false,
        }
    }
}
