//! The main window. Created in code rather than in `tauri.conf.json` so the
//! webview's own storage lives inside the data directory (`webview/`), next
//! to the vault it serves, instead of a second folder elsewhere in the home
//! directory. Nothing sensitive is kept there: the UI keeps caller data in
//! memory only.

use tauri::{App, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// Open the main window.
pub fn open_main(app: &mut App) -> tauri::Result<()> {
    let webview_dir = app
        .state::<AppState>()
        .data_dir
        .join(hotline_core::paths::WEBVIEW_DIR);
    WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
        .title("Hotline Desk")
        .inner_size(1280.0, 800.0)
        .min_inner_size(880.0, 560.0)
        .data_directory(webview_dir)
        .disable_drag_drop_handler()
        .build()?;
    Ok(())
}
