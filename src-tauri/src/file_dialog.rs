//! Native file choosers for a backup (where to write one, which one to
//! restore) and for the team folder. The shell opens them and keeps the
//! path; the webview never gets a filesystem API, only the name chosen, to
//! show.
//!
//! They are GTK's own choosers (`gtk::FileChooserNative`: the desktop's
//! portal where there is one), the toolkit the window already runs on, run
//! on the main thread as GTK requires.
//!
//! A WebDriver test cannot click in a native dialog. Debug builds only
//! (`cfg(debug_assertions)`, absent from release builds) take the answer
//! from [`TEST_SAVE_PATH`], [`TEST_OPEN_PATH`] or [`TEST_FOLDER_PATH`] when
//! set, without opening anything.

use std::path::PathBuf;
use std::sync::mpsc;

use gtk::prelude::*;
use hotline_core::prefs::UiLang;
use tauri::{AppHandle, Manager};

/// Debug builds: the file "chosen" in the save dialog.
#[cfg(debug_assertions)]
pub const TEST_SAVE_PATH: &str = "HOTLINE_TEST_SAVE_PATH";
/// Debug builds: the file "chosen" in the open dialog.
#[cfg(debug_assertions)]
pub const TEST_OPEN_PATH: &str = "HOTLINE_TEST_OPEN_PATH";
/// Debug builds: the folder "chosen" as the team folder.
#[cfg(debug_assertions)]
pub const TEST_FOLDER_PATH: &str = "HOTLINE_TEST_FOLDER_PATH";

/// What a chooser is for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// A new backup file.
    SaveBackup,
    /// A backup to restore.
    OpenBackup,
    /// The team folder.
    TeamFolder,
}

impl Purpose {
    fn title(self, lang: UiLang) -> &'static str {
        match (self, lang) {
            (Self::SaveBackup, UiLang::En) => "Back up the vault to a file",
            (Self::SaveBackup, UiLang::Es) => "Hacer una copia de seguridad en un archivo",
            (Self::OpenBackup, UiLang::En) => "Choose the backup to restore",
            (Self::OpenBackup, UiLang::Es) => "Elija la copia de seguridad que restaurar",
            (Self::TeamFolder, UiLang::En) => "Choose the team folder",
            (Self::TeamFolder, UiLang::Es) => "Elija la carpeta del equipo",
        }
    }

    fn accept(self, lang: UiLang) -> &'static str {
        match (self, lang) {
            (Self::SaveBackup, UiLang::En) => "Back up",
            (Self::SaveBackup, UiLang::Es) => "Guardar copia",
            (Self::OpenBackup, UiLang::En) => "Restore",
            (Self::OpenBackup, UiLang::Es) => "Restaurar",
            (Self::TeamFolder, UiLang::En) => "Choose",
            (Self::TeamFolder, UiLang::Es) => "Elegir",
        }
    }

    #[cfg(debug_assertions)]
    fn test_variable(self) -> &'static str {
        match self {
            Self::SaveBackup => TEST_SAVE_PATH,
            Self::OpenBackup => TEST_OPEN_PATH,
            Self::TeamFolder => TEST_FOLDER_PATH,
        }
    }
}

/// Ask for a file; `None` if the person cancelled. Blocks the calling
/// thread (never the main one: call it from an `async` command) until the
/// dialog closes.
pub fn choose(app: &AppHandle, purpose: Purpose, lang: UiLang) -> tauri::Result<Option<PathBuf>> {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os(purpose.test_variable()) {
        return Ok(Some(PathBuf::from(path)));
    }
    let (send, receive) = mpsc::channel();
    let handle = app.clone();
    app.run_on_main_thread(move || {
        let parent = handle
            .get_webview_window("main")
            .and_then(|window| window.gtk_window().ok());
        let _ = send.send(run_dialog(parent.as_ref(), purpose, lang));
    })?;
    // The app closing drops the sender: treat it as a cancel.
    Ok(receive.recv().unwrap_or(None))
}

/// Run the chooser modally over `parent` (main thread only).
fn run_dialog(
    parent: Option<&gtk::ApplicationWindow>,
    purpose: Purpose,
    lang: UiLang,
) -> Option<PathBuf> {
    let action = match purpose {
        Purpose::SaveBackup => gtk::FileChooserAction::Save,
        Purpose::OpenBackup => gtk::FileChooserAction::Open,
        Purpose::TeamFolder => gtk::FileChooserAction::SelectFolder,
    };
    let cancel = match lang {
        UiLang::En => "Cancel",
        UiLang::Es => "Cancelar",
    };
    let dialog = gtk::FileChooserNative::new(
        Some(purpose.title(lang)),
        parent,
        action,
        Some(purpose.accept(lang)),
        Some(cancel),
    );
    dialog.set_modal(true);
    if let Purpose::SaveBackup = purpose {
        // The core never writes over a file; it says so if one is chosen.
        dialog.set_do_overwrite_confirmation(false);
        let today = chrono::Local::now().format("%Y-%m-%d");
        dialog.set_current_name(&format!("hotline-desk-{today}.backup"));
    }
    let chosen = match dialog.run() {
        gtk::ResponseType::Accept => dialog.filename(),
        _ => None,
    };
    dialog.destroy();
    chosen
}
