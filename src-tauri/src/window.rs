//! The main window. Created in code rather than in `tauri.conf.json` so the
//! webview's own storage lives inside the data directory (`webview/`), next
//! to the vault it serves, instead of a second folder elsewhere in the home
//! directory. Nothing sensitive is kept there: the UI keeps caller data in
//! memory only.

use tauri::{App, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// Open the main window.
pub fn open_main(app: &mut App) -> tauri::Result<()> {
    let webview_dir = app.state::<AppState>().data_dir.join("webview");
    let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
        .title("Hotline Desk")
        .inner_size(1280.0, 800.0)
        .min_inner_size(880.0, 560.0)
        .data_directory(webview_dir)
        .disable_drag_drop_handler()
        .build()?;
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| lighten(&webview.inner()))?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

/// WebKitGTK: draw without GPU compositing. The UI is a few forms and lists;
/// compositing buys it nothing and costs the web process about 80 MiB
/// (idle, measured in docs/PERFORMANCE.md).
#[cfg(target_os = "linux")]
fn lighten(view: &webkit2gtk::WebView) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    if let Some(settings) = WebViewExt::settings(view) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
    }
}
