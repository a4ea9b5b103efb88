//! Where Hotline Desk keeps its files.
//!
//! The data directory is, in order of precedence: an explicit path (a CLI
//! flag), the `HOTLINE_DATA_DIR` environment variable, then the operating
//! system's per-user application-data directory
//! (`~/.local/share/hotline-desk` on Linux).

use std::path::PathBuf;

/// Environment variable that overrides the default data directory.
pub const DATA_DIR_ENV: &str = "HOTLINE_DATA_DIR";

/// Folder inside the data directory where the window writes exports.
pub const EXPORTS_DIR: &str = "exports";
/// Folder inside the data directory for the webview's own storage.
pub const WEBVIEW_DIR: &str = "webview";

/// Name of the application's folder inside the OS data directory.
const APP_DIR_NAME: &str = "hotline-desk";

/// Errors while working out where data lives.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// Neither an override nor a home directory is available.
    #[error("no data directory: set HOTLINE_DATA_DIR or pass --data-dir")]
    NoDataDir,
}

/// Create `dir` (and missing parents) owner-only (0700 on Unix): every
/// folder the app or `hotline` makes for its data goes through here, so the
/// data folder is private whatever screen or command creates it first. An
/// existing directory is left as it is.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The folder for files written out of the vault (summaries, referral
/// directory files) inside `data_dir`, created owner-only if missing.
pub fn exports_dir(data_dir: &std::path::Path) -> std::io::Result<PathBuf> {
    let dir = data_dir.join("exports");
    create_private_dir(&dir)?;
    Ok(dir)
}

/// The OS default data directory for Hotline Desk, if the OS has one.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.data_dir().join(APP_DIR_NAME))
}

/// Resolve the data directory from an explicit choice, then the environment,
/// then the OS default.
pub fn resolve_data_dir(explicit: Option<PathBuf>) -> Result<PathBuf, PathError> {
    let from_env = std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    explicit
        .or(from_env)
        .or_else(default_data_dir)
        .ok_or(PathError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_wins() {
        let chosen = PathBuf::from("/some/where");
        assert_eq!(resolve_data_dir(Some(chosen.clone())).unwrap(), chosen);
    }

    #[cfg(unix)]
    #[test]
    fn folders_it_creates_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("new").join("data");
        let exports = exports_dir(&data).unwrap();
        for dir in [tmp.path().join("new"), data, exports] {
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", dir.display());
        }
    }

    #[test]
    fn default_dir_is_named_for_the_app() {
        if let Some(dir) = default_data_dir() {
            assert!(dir.ends_with(APP_DIR_NAME));
        }
    }
}
