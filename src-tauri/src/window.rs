//! The main window, created in code so that its webview keeps nothing on
//! disk. Its session is incognito (an ephemeral WebKit context: cache,
//! local storage, cookies and IndexedDB live in memory only), and the web
//! inspector is off unless asked for with `HOTLINE_DEVTOOLS=1` (debug
//! builds only; release builds have none). The UI keeps caller data in
//! memory only.
//!
//! WebKit still sets up an (unused) default context with an empty cache
//! skeleton; that goes to a throwaway folder in `$XDG_RUNTIME_DIR` (memory,
//! owner-only) or else the temporary directory, removed when the app ends,
//! never to the data folder or `~/.local/share`. For tests only: WebKitGTK
//! cannot drive an ephemeral context over WebDriver, so when `tauri-driver`
//! runs the app (`TAURI_WEBVIEW_AUTOMATION=true`) the webview uses that
//! throwaway folder instead of being incognito.

use std::path::{Path, PathBuf};

use tauri::{App, Manager, WebviewUrl, WebviewWindowBuilder};

/// Set to `1` to allow the web inspector (debug builds).
pub const DEVTOOLS_ENV: &str = "HOTLINE_DEVTOOLS";

/// The throwaway folder of this run's webview: in `runtime_dir` when there
/// is one, else in `temp_dir`.
pub fn throwaway_dir(runtime_dir: Option<&Path>, temp_dir: &Path) -> PathBuf {
    runtime_dir
        .unwrap_or(temp_dir)
        .join(format!("hotline-desk-webview-{}", std::process::id()))
}

/// Whether `tauri-driver` is driving this run.
pub fn automated() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

/// Whether the web inspector was asked for.
pub fn devtools_requested() -> bool {
    std::env::var(DEVTOOLS_ENV).as_deref() == Ok("1")
}

/// Open the main window.
pub fn open_main(app: &mut App) -> tauri::Result<()> {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    let dir = throwaway_dir(runtime.as_deref(), &std::env::temp_dir());
    hotline_core::paths::create_private_dir(&dir)?;
    app.manage(ThrowawayWebview(dir.clone()));
    WebviewWindowBuilder::new(app, "main", WebviewUrl::default())
        .title("Hotline Desk")
        .inner_size(1280.0, 800.0)
        .min_inner_size(880.0, 560.0)
        .devtools(devtools_requested())
        .incognito(!automated())
        .data_directory(dir)
        .disable_drag_drop_handler()
        .build()?;
    Ok(())
}

/// The throwaway webview folder of an automated run, removed at exit.
pub struct ThrowawayWebview(PathBuf);

impl ThrowawayWebview {
    /// Remove the folder (best effort: it is in the temporary directory).
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throwaway_folder_is_in_memory_when_it_can_be() {
        let tmp = Path::new("/tmp");
        let run = Path::new("/run/user/1000");
        assert!(throwaway_dir(Some(run), tmp).starts_with(run));
        assert!(throwaway_dir(None, tmp).starts_with(tmp));
    }
}
