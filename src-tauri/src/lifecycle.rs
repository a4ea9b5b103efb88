//! The vault locks whenever the app stops: the main window closing, a
//! quit, SIGTERM (a logout, `kill`) or SIGINT (Ctrl+C in a terminal). Each
//! path runs [`lock_now`], which checkpoints and truncates the WAL, closes
//! the database and wipes the key, before the process ends. A SIGKILL or a
//! power loss cannot be caught; the next unlock empties the WAL first (see
//! the core's store).

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};

use crate::state::AppState;
use crate::window::ThrowawayWebview;

/// Exit status after a SIGTERM or SIGINT (the conventional 128 + signal).
fn signal_exit_status(signal: i32) -> i32 {
    128 + signal
}

/// Lock the vault (if open) and remove a test run's webview folder.
pub fn lock_now(app: &AppHandle) {
    app.state::<AppState>().lock();
    if let Some(webview) = app.try_state::<ThrowawayWebview>() {
        webview.remove();
    }
}

/// Lock when the main window is asked to close or is gone.
pub fn on_window_event(window: &tauri::Window, event: &WindowEvent) {
    if matches!(
        event,
        WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed
    ) {
        lock_now(window.app_handle());
    }
}

/// Lock when the event loop is about to end (a quit, the last window
/// closed, an exit asked for by a signal).
pub fn on_run_event(app: &AppHandle, event: &RunEvent) {
    if matches!(event, RunEvent::ExitRequested { .. } | RunEvent::Exit) {
        lock_now(app);
    }
}

/// Watch for SIGTERM and SIGINT on a thread of its own: lock, then ask the
/// app to exit.
pub fn lock_on_signals(app: AppHandle) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            lock_now(&app);
            app.exit(signal_exit_status(signal));
        }
    });
    Ok(())
}
