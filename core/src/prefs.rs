//! Interface preferences kept outside the vault, because they are needed
//! before anyone unlocks it: today only the interface language.
//!
//! Stored as a tiny JSON file, `prefs.json`, in the data directory. It holds
//! nothing about calls or people. A missing or unreadable file means the
//! defaults; it is never an error that blocks the app.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// File name of the preferences inside the data directory.
pub const PREFS_FILE: &str = "prefs.json";
/// The name it is written under before the rename (erase removes a leftover).
pub(crate) const PREFS_TEMP_FILE: &str = "prefs.json.tmp";

/// Languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum UiLang {
    /// English (the default).
    #[default]
    En,
    /// Spanish.
    Es,
}

/// Interface preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Prefs {
    /// Interface language.
    #[serde(default)]
    pub lang: UiLang,
}

/// Errors while saving preferences.
#[derive(Debug, thiserror::Error)]
pub enum PrefsError {
    /// The file could not be written.
    #[error("could not save the preferences: {0}")]
    Io(#[from] std::io::Error),
    /// The preferences could not be encoded.
    #[error("could not encode the preferences: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Read the preferences; defaults if the file is missing or unreadable.
pub fn load(data_dir: &Path) -> Prefs {
    std::fs::read(data_dir.join(PREFS_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Save the preferences, creating the data directory if needed. The file is
/// written next to its final name and renamed, so it is never half-written.
pub fn save(data_dir: &Path, prefs: &Prefs) -> Result<(), PrefsError> {
    std::fs::create_dir_all(data_dir)?;
    let tmp = data_dir.join(PREFS_TEMP_FILE);
    std::fs::write(&tmp, serde_json::to_vec(prefs)?)?;
    std::fs::rename(tmp, data_dir.join(PREFS_FILE))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_garbage_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Prefs::default());
        std::fs::write(dir.path().join(PREFS_FILE), b"\xff{not json").unwrap();
        assert_eq!(load(dir.path()).lang, UiLang::En);
    }

    #[test]
    fn saved_language_is_loaded_back() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("new");
        save(&nested, &Prefs { lang: UiLang::Es }).unwrap();
        assert_eq!(load(&nested).lang, UiLang::Es);
        assert!(!nested.join("prefs.json.tmp").exists());
    }
}
