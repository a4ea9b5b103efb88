//! Generates the Tauri context and the permissions of the app's own commands.
//!
//! Every app command is listed here; none is reachable from the webview unless
//! a capability file (`capabilities/`) also grants it.

/// Commands the shell exposes. Keep in step with `tauri::generate_handler!`.
const COMMANDS: &[&str] = &["app_info"];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {err:#}");
    }
}
