//! The system clipboard, for alert texts: written on request, cleared again
//! after [`CLEAR_AFTER`] if it still holds the same text.
//!
//! The webview's `navigator.clipboard` cannot do this: WebKitGTK lets a page
//! write only during a click or key press, and never lets it read, so it
//! could neither clear the text 30 seconds later nor check what the
//! clipboard holds first. GTK's clipboard, which the app's window already
//! uses, can do both; it must be used on the main thread.

use std::time::Duration;

use tauri::AppHandle;

/// How long copied alert text stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Put `text` on the clipboard, and clear it after [`CLEAR_AFTER`] unless
/// something else was copied since.
pub fn copy_then_clear(app: &AppHandle, text: String) -> tauri::Result<()> {
    let copied = text.clone();
    app.run_on_main_thread(move || clipboard().set_text(&copied))?;
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(CLEAR_AFTER);
        // The app may be closing; then there is nothing left to clear from.
        let _ = app.run_on_main_thread(move || {
            let board = clipboard();
            if board
                .wait_for_text()
                .is_some_and(|now| now.as_str() == text)
            {
                board.set_text("");
            }
        });
    });
    Ok(())
}

fn clipboard() -> gtk::Clipboard {
    gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD)
}
