//! The state the shell keeps between commands: where data lives and, while
//! unlocked, the open vault with the time of the last user activity, the
//! active guidance pack and the state of the vault's background integrity
//! check.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hotline_core::guidance::{self, Pack, PlayerPath};
use hotline_core::vault::{IntegrityCheck, IntegrityOutcome, Vault, VaultError};
use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::error::{ErrorCode, UiError};

/// Where the full integrity check of the open vault stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Integrity {
    /// Running in the background since the unlock.
    Checking,
    /// Every page authenticates and the structure is sound.
    Sound,
    /// Damage was found (by the check or by a command that met a bad
    /// page): saving is switched off for the rest of the session.
    Damaged,
    /// The check could not run (for example the file became unreadable for
    /// another reason); the vault keeps working.
    Unknown,
}

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
    /// Tells this session from later ones, for the background check.
    pub id: u64,
    /// Where the background integrity check stands.
    pub integrity: Integrity,
    /// The running check, to cancel before the vault locks.
    check: Option<Arc<IntegrityCheck>>,
}

impl Session {
    /// A session that starts active now, with the vault's active pack (the
    /// built-in pack if the chosen one cannot be loaded; never an error) and
    /// its integrity check (not yet running: see
    /// [`AppState::start_integrity_check`]).
    pub fn new(vault: Vault, auto_lock_minutes: u32, check: Arc<IntegrityCheck>) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let active = guidance::load_active_pack(&vault);
        Self {
            vault,
            last_activity: Instant::now(),
            auto_lock: Duration::from_secs(u64::from(auto_lock_minutes) * 60),
            pack: active.pack,
            pack_fallback: active.fallback,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            integrity: Integrity::Checking,
            check: Some(check),
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

    /// Mark the vault damaged and refuse every further write in this
    /// session.
    pub fn mark_damaged(&mut self) {
        self.integrity = Integrity::Damaged;
        // If even this fails, SQLCipher has already switched writing off on
        // a connection that met a bad page.
        let _ = self.vault.refuse_writes();
    }

    /// Stop the integrity check (waiting for its connection to close), then
    /// lock the vault and wipe the key. Never call it with the session slot
    /// locked: the check's thread may be waiting for it.
    pub fn close(self) {
        if let Some(check) = &self.check {
            check.cancel();
        }
        // The vault is locked even when the final checkpoint fails.
        let _ = self.vault.lock();
    }

    /// End the session for an erase: stop the integrity check (as
    /// [`Session::close`] does) and hand back the vault, still unlocked.
    pub fn into_vault(self) -> Vault {
        if let Some(check) = &self.check {
            check.cancel();
        }
        self.vault
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
    /// Progress of the one-time re-encryption at unlock, for the window to poll.
    pub migration: Mutex<Option<hotline_core::vault::MigrationProgress>>,
    /// The backup file chosen in the shell's open dialog, for the restore
    /// that follows (the webview never sends a path).
    pub restore_from: Mutex<Option<PathBuf>>,
    /// Whether the vault in the data folder was seen damaged since the last
    /// session began (a session that ended damaged, an unlock refused as
    /// damaged): only then may a restore set it aside.
    pub damage_seen: AtomicBool,
    /// The team folder chosen in the shell's folder dialog (the webview
    /// never sends a path).
    pub team_folder: Mutex<Option<PathBuf>>,
    /// The team folder's sync while one runs, to stop before locking.
    sync: Mutex<Option<Arc<SyncJob>>>,
}

/// A sync of the team folder running on the blocking pool, on a second
/// handle of the session's vault (`Vault::companion`).
#[derive(Debug, Default)]
pub struct SyncJob {
    /// Set to end the sync after the packet in hand.
    pub stop: AtomicBool,
    /// Held while the sync runs (and its vault handle is open).
    pub running: Mutex<()>,
    /// Where it stands, for the window to poll.
    pub progress: Mutex<Option<hotline_core::team::SyncProgress>>,
}

impl AppState {
    /// Resolve the data directory (`HOTLINE_DATA_DIR` or the OS default)
    /// and check that it is a folder this user can write (the window keeps
    /// its own storage there too).
    pub fn from_environment() -> Result<Self, hotline_core::paths::PathError> {
        let data_dir = hotline_core::paths::resolve_data_dir(None)?;
        hotline_core::paths::check_data_dir(&data_dir)?;
        Ok(Self::new(data_dir))
    }

    /// State for the data directory `data_dir`, locked.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            session: Mutex::new(None),
            player: Mutex::new(None),
            migration: Mutex::new(None),
            restore_from: Mutex::new(None),
            damage_seen: AtomicBool::new(false),
            team_folder: Mutex::new(None),
            sync: Mutex::new(None),
        }
    }

    /// Register a new sync of the team folder; refused while one runs.
    pub fn start_sync(&self) -> Result<Arc<SyncJob>, UiError> {
        let mut slot = self
            .sync
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_some() {
            return Err(UiError::new(
                ErrorCode::TeamFolder,
                "a sync of the team folder is already running",
            ));
        }
        let job = Arc::new(SyncJob::default());
        *slot = Some(Arc::clone(&job));
        Ok(job)
    }

    /// The running sync, if any.
    pub fn sync_job(&self) -> Option<Arc<SyncJob>> {
        self.sync
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Forget `job` once it ended.
    pub fn end_sync(&self, job: &Arc<SyncJob>) {
        let mut slot = self
            .sync
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot
            .as_ref()
            .is_some_and(|running| Arc::ptr_eq(running, job))
        {
            *slot = None;
        }
    }

    /// Stop a running sync and wait until it has closed its vault handle
    /// (it ends after the packet in hand).
    fn stop_sync(&self) {
        if let Some(job) = self.sync_job() {
            job.stop.store(true, Ordering::SeqCst);
            drop(
                job.running
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
        }
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

    /// Run `f` on the open session, or fail with `locked`, or with
    /// `passphrase_change_required` while the user still has the
    /// passphrase a coordinator set for them. An error saying the vault is
    /// damaged marks the session damaged (saving is then refused for the
    /// rest of it).
    pub fn with_session<T>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        self.with_any_session(|session| {
            session.vault.require_own_passphrase()?;
            f(session)
        })
    }

    /// Like [`AppState::with_session`], also before the user changed the
    /// passphrase a coordinator set: only for changing it and for the
    /// session's own housekeeping (activity, integrity).
    pub fn with_any_session<T>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        match self.slot().as_mut() {
            Some(session) => {
                let result = f(session);
                if let Err(err) = &result
                    && matches!(err.code, ErrorCode::DamagedVault | ErrorCode::VaultReadOnly)
                {
                    session.mark_damaged();
                }
                result
            }
            None => Err(UiError::locked()),
        }
    }

    /// Make `session` the open one, closing any previous session.
    pub fn open_session(&self, session: Session) {
        self.stop_sync();
        self.damage_seen.store(false, Ordering::SeqCst);
        let previous = self.slot().replace(session);
        if let Some(old) = previous {
            old.close();
        }
    }

    /// Run the open session's integrity check on a thread of its own, then
    /// record the outcome. While it runs nothing holds the session slot.
    /// Once the vault is known sound, `then` runs on it (the retention
    /// purge): a write nobody asked for is never made to a damaged vault.
    pub fn start_integrity_check(app: &AppHandle, then: impl FnOnce(&Vault) + Send + 'static) {
        let Some((id, check)) = app.state::<AppState>().pending_check() else {
            return;
        };
        let app = app.clone();
        std::thread::spawn(move || {
            let outcome = check.run();
            app.state::<AppState>()
                .finish_integrity_check(id, outcome, then);
        });
    }

    /// The open session's id and its check, if one is still to run.
    fn pending_check(&self) -> Option<(u64, Arc<IntegrityCheck>)> {
        self.slot().as_ref().and_then(|session| {
            session
                .check
                .as_ref()
                .map(|check| (session.id, Arc::clone(check)))
        })
    }

    /// Record the outcome of session `id`'s check, unless that session was
    /// locked meanwhile.
    fn finish_integrity_check(
        &self,
        id: u64,
        outcome: Result<IntegrityOutcome, VaultError>,
        then: impl FnOnce(&Vault),
    ) {
        let mut slot = self.slot();
        let Some(session) = slot.as_mut().filter(|session| session.id == id) else {
            return;
        };
        session.check = None;
        match outcome {
            Ok(IntegrityOutcome::Sound) => {
                if session.integrity == Integrity::Checking {
                    session.integrity = Integrity::Sound;
                    then(&session.vault);
                }
            }
            Ok(IntegrityOutcome::Damaged { .. }) => session.mark_damaged(),
            Ok(IntegrityOutcome::Cancelled) | Err(_) => {
                if session.integrity == Integrity::Checking {
                    session.integrity = Integrity::Unknown;
                }
            }
        }
    }

    /// Take the open session out of the slot (to erase its vault).
    pub fn take_session(&self) -> Option<Session> {
        self.stop_sync();
        self.slot().take()
    }

    /// Lock: stop the integrity check, close the vault and forget the key.
    /// Returns whether a session was open.
    pub fn lock(&self) -> bool {
        self.stop_sync();
        let taken = self.slot().take();
        match taken {
            Some(session) => {
                if session.integrity == Integrity::Damaged {
                    self.damage_seen.store(true, Ordering::SeqCst);
                }
                session.close();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The session state machine without a window, on real vault files:
    //! the background check racing a lock, an unlock over an open session,
    //! and damage reported by a command.

    use std::cell::Cell;

    use hotline_core::calls;
    use hotline_core::vault::Passphrase;
    use tempfile::TempDir;

    use super::*;

    const PASS: &str = "maple kettle harbor 42";

    /// A vault in a fresh folder, and the shell's state for that folder.
    fn state() -> (TempDir, AppState) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        Vault::create(dir.path(), "river-7", &Passphrase::from(PASS))
            .and_then(Vault::lock)
            .expect("a vault");
        let state = AppState::new(dir.path().to_path_buf());
        (dir, state)
    }

    /// Unlock the vault and make it the open session; returns its id.
    fn unlock(state: &AppState) -> u64 {
        let vault =
            Vault::unlock(&state.data_dir, "river-7", &Passphrase::from(PASS)).expect("unlock");
        let check = Arc::new(vault.integrity_check());
        let session = Session::new(vault, 5, check);
        let id = session.id;
        state.open_session(session);
        id
    }

    fn integrity(state: &AppState) -> Option<Integrity> {
        state.slot().as_ref().map(|s| s.integrity)
    }

    #[test]
    fn a_sound_check_is_recorded_and_runs_the_purge_once() {
        let (_dir, state) = state();
        let id = unlock(&state);
        let (checked, check) = state.pending_check().expect("a check to run");
        assert_eq!(checked, id);
        let runs = Cell::new(0);
        state.finish_integrity_check(id, check.run(), |_| runs.set(runs.get() + 1));
        assert_eq!(runs.get(), 1);
        assert_eq!(integrity(&state), Some(Integrity::Sound));
        assert!(state.pending_check().is_none(), "the check runs once");
    }

    #[test]
    fn locking_during_the_check_stops_it_and_its_outcome_is_dropped() {
        let (dir, state) = state();
        let id = unlock(&state);
        let (_, check) = state.pending_check().expect("a check to run");
        let running = {
            let check = Arc::clone(&check);
            std::thread::spawn(move || check.run())
        };
        assert!(state.lock(), "a session was open");
        let outcome = running.join().expect("the check's thread ends");
        assert!(
            matches!(
                outcome,
                Ok(IntegrityOutcome::Cancelled | IntegrityOutcome::Sound)
            ),
            "{outcome:?}"
        );
        let runs = Cell::new(0);
        state.finish_integrity_check(id, outcome, |_| runs.set(runs.get() + 1));
        assert_eq!(runs.get(), 0, "no purge on a locked vault");
        assert!(state.slot().is_none());
        assert!(matches!(
            state.with_session(|_| Ok(())),
            Err(UiError {
                code: ErrorCode::Locked,
                ..
            })
        ));
        let wal = dir
            .path()
            .join(format!("{}-wal", hotline_core::vault::DATABASE_FILE));
        assert!(
            std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
            "locking leaves no write-ahead log behind"
        );
    }

    #[test]
    fn an_unlock_over_an_open_session_replaces_it_and_old_outcomes_are_ignored() {
        let (_dir, state) = state();
        let first = unlock(&state);
        let (_, first_check) = state.pending_check().expect("a check");
        let second = unlock(&state);
        assert_ne!(first, second);
        let runs = Cell::new(0);
        state.finish_integrity_check(first, first_check.run(), |_| runs.set(runs.get() + 1));
        assert_eq!(
            runs.get(),
            0,
            "the first session's outcome is not the second's"
        );
        assert_eq!(integrity(&state), Some(Integrity::Checking));
        let listed = state.with_session(|s| {
            calls::list(&s.vault, &calls::CallFilter::default()).map_err(UiError::from)
        });
        assert!(listed.is_ok(), "the new session works");
    }

    #[test]
    fn damage_reported_by_a_command_switches_saving_off() {
        let (_dir, state) = state();
        unlock(&state);
        let reported = state.with_session(|_| -> Result<(), UiError> {
            Err(UiError::new(
                ErrorCode::DamagedVault,
                "a page failed its check",
            ))
        });
        assert!(reported.is_err());
        assert_eq!(integrity(&state), Some(Integrity::Damaged));
        let saved = state.with_session(|s| {
            calls::create(&s.vault, calls::example(chrono::Utc::now())).map_err(UiError::from)
        });
        assert!(
            matches!(
                &saved,
                Err(UiError {
                    code: ErrorCode::VaultReadOnly,
                    ..
                })
            ),
            "{:?}",
            saved.map(|_| ()).map_err(|e| e.code)
        );
        // A later "sound" outcome does not undo the damage.
        let id = state.slot().as_ref().map(|s| s.id).expect("open");
        state.finish_integrity_check(id, Ok(IntegrityOutcome::Sound), |_| {
            panic!("no purge on a damaged vault")
        });
        assert_eq!(integrity(&state), Some(Integrity::Damaged));
    }

    #[test]
    fn only_a_session_that_ended_damaged_lets_a_restore_set_the_vault_aside() {
        let (_dir, state) = state();
        let seen = || state.damage_seen.load(Ordering::SeqCst);
        unlock(&state);
        assert!(state.lock());
        assert!(!seen(), "a sound session leaves no mark");
        unlock(&state);
        state.slot().as_mut().expect("open").mark_damaged();
        assert!(!seen(), "marked only once the session ends");
        assert!(state.lock());
        assert!(seen());
        // The next session starts afresh: it is checked again.
        unlock(&state);
        assert!(!seen());
    }

    #[test]
    fn a_passphrase_a_coordinator_set_allows_nothing_but_changing_it() {
        let (_dir, state) = state();
        let first = "gravel sonnet ripple nectar";
        let vault =
            Vault::unlock(&state.data_dir, "river-7", &Passphrase::from(PASS)).expect("unlock");
        vault
            .coordinator()
            .and_then(|c| {
                c.add_user(
                    "bo-3",
                    hotline_core::vault::Role::Volunteer,
                    &Passphrase::from(first),
                )
            })
            .expect("added");
        vault.lock().expect("locked");
        let vault = Vault::unlock(&state.data_dir, "bo-3", &Passphrase::from(first)).expect("bo");
        let check = Arc::new(vault.integrity_check());
        state.open_session(Session::new(vault, 5, check));
        let refused = state.with_session(|_| Ok(()));
        assert!(matches!(
            refused,
            Err(UiError {
                code: ErrorCode::PassphraseChangeRequired,
                ..
            })
        ));
        let own = Passphrase::from("lantern quiver basin moped tundra");
        state
            .with_any_session(|s| Ok(s.vault.change_passphrase(&Passphrase::from(first), &own)?))
            .expect("changing it is allowed");
        assert!(state.with_session(|_| Ok(())).is_ok(), "then everything is");
    }

    /// Locking stops a running team sync and waits until it has closed its
    /// handle on the vault; a second sync is refused while one runs.
    #[test]
    fn locking_stops_a_running_sync_first() {
        let (_dir, state) = state();
        unlock(&state);
        let job = state.start_sync().expect("a first sync");
        assert!(state.start_sync().is_err(), "one sync at a time");
        let (started, ready) = std::sync::mpsc::channel();
        let worker = Arc::clone(&job);
        let companion = state
            .with_session(|s| Ok(s.vault.companion()?))
            .expect("a second handle");
        let thread = std::thread::spawn(move || {
            let _running = worker.running.lock().expect("running");
            started.send(()).expect("started");
            while !worker.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            drop(companion);
            Instant::now()
        });
        ready.recv().expect("the sync runs");
        assert!(state.lock(), "a session was open");
        let locked_at = Instant::now();
        let stopped_at = thread.join().expect("the sync ended");
        assert!(job.stop.load(Ordering::SeqCst), "it was told to stop");
        assert!(stopped_at <= locked_at, "lock waited for it");
        state.end_sync(&job);
        assert!(state.sync_job().is_none());
    }
}
