//! Auto-lock enforced by the shell: even if the webview stops reporting or
//! hangs, an idle vault is closed and its key wiped. The same thread copies
//! the vault's write-ahead log into the database at quiet moments, so that
//! saving a call never waits for that copy.

use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// How often the idle check runs.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Start the background thread that locks an idle vault.
pub fn spawn_watchdog(app: AppHandle) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(CHECK_EVERY);
            let state = app.state::<AppState>();
            let now = Instant::now();
            let idle = {
                let slot = state.slot();
                match slot.as_ref() {
                    Some(session) if session.is_idle(now) => true,
                    Some(session) if session.is_quiet(now) => {
                        // Best effort: a failed copy is retried on the
                        // next quiet tick, and at lock.
                        let _ = session.vault.checkpoint();
                        false
                    }
                    _ => false,
                }
            };
            if idle {
                state.lock();
            }
        }
    });
}
