//! Where Hotline Desk keeps its files.
//!
//! The data directory is, in order of precedence: an explicit path (a CLI
//! flag), the `HOTLINE_DATA_DIR` environment variable, then the operating
//! system's per-user application-data directory
//! (`~/.local/share/hotline-desk` on Linux).

use std::path::{Path, PathBuf};

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
    /// The data directory, or a folder it would be made in, is a file.
    #[error(
        "the data folder {} cannot be used: {} is a file, not a folder. Choose a folder (HOTLINE_DATA_DIR or --data-dir)",
        .dir.display(),
        .file.display()
    )]
    NotAFolder {
        /// The data directory.
        dir: PathBuf,
        /// The file in its place (the directory itself or a parent).
        file: PathBuf,
    },
    /// The data directory (or the folder it would be made in) cannot be
    /// written: a vault needs to write its database, journal and key file.
    #[error(
        "the data folder {} cannot be written ({reason}). Make it writable for this user, or choose another folder (HOTLINE_DATA_DIR or --data-dir)",
        .dir.display()
    )]
    NotWritable {
        /// The data directory.
        dir: PathBuf,
        /// What the operating system said.
        reason: String,
    },
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

/// Name of the file [`check_data_dir`] creates and removes to see whether a
/// folder can be written.
const WRITE_PROBE: &str = ".hotline-write-check";

/// Check that `dir` can hold a vault: it is a folder (or can be made in
/// one) and this user can write there. Refuses with the folder named and
/// the reason, before anything tries to open a database in it.
pub fn check_data_dir(dir: &Path) -> Result<(), PathError> {
    let mut existing = dir;
    loop {
        match std::fs::metadata(existing) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Err(PathError::NotAFolder {
                    dir: dir.to_path_buf(),
                    file: existing.to_path_buf(),
                });
            }
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                match existing.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
                    _ => return Ok(()),
                }
            }
            Err(err) => return Err(not_writable(dir, &err)),
        }
    }
    let probe = existing.join(format!("{WRITE_PROBE}-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe);
    match written {
        Ok(file) => {
            drop(file);
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(err) => Err(not_writable(dir, &err)),
    }
}

fn not_writable(dir: &Path, err: &std::io::Error) -> PathError {
    PathError::NotWritable {
        dir: dir.to_path_buf(),
        reason: match err.kind() {
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            std::io::ErrorKind::ReadOnlyFilesystem => "a read-only file system".to_owned(),
            _ => err.to_string(),
        },
    }
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
    fn a_file_in_place_of_the_folder_is_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("notes.txt");
        std::fs::write(&file, "x").unwrap();
        for dir in [file.clone(), file.join("hotline")] {
            let err = check_data_dir(&dir).unwrap_err();
            assert!(
                matches!(&err, PathError::NotAFolder { file: f, .. } if *f == file),
                "{err:?}"
            );
            assert!(err.to_string().contains("is a file, not a folder"), "{err}");
        }
        assert_eq!(std::fs::read(&file).unwrap(), b"x", "the file is untouched");
    }

    #[test]
    fn a_writable_folder_passes_and_keeps_no_probe() {
        let root = tempfile::tempdir().unwrap();
        check_data_dir(root.path()).unwrap();
        check_data_dir(&root.path().join("not/yet/made")).unwrap();
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn default_dir_is_named_for_the_app() {
        if let Some(dir) = default_data_dir() {
            assert!(dir.ends_with(APP_DIR_NAME));
        }
    }
}
