//! Auto-lock enforced by the shell: even if the webview stops reporting or
//! hangs, an idle vault is closed and its key wiped.

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
            let idle = state
                .slot()
                .as_ref()
                .is_some_and(|session| session.is_idle(Instant::now()));
            if idle {
                state.lock();
            }
        }
    });
}
