//! Hotline Desk: the Tauri shell.
//!
//! Thin on purpose: it resolves the data directory, opens the window and
//! forwards each command to `hotline-core`. No business logic lives here.

mod commands;
mod error;
mod state;

use std::process::ExitCode;

fn main() -> ExitCode {
    if !has_display() {
        eprintln!(
            "hotline-desk: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n\
             Run it from a desktop session, or on a headless machine with: xvfb-run -a hotline-desk"
        );
        return ExitCode::from(2);
    }
    let state = match state::AppState::from_environment() {
        Ok(state) => state,
        Err(err) => {
            eprintln!("hotline-desk: {err}");
            return ExitCode::from(2);
        }
    };
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hotline-desk: the window could not be opened: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a graphical display is available to open a window on.
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}
