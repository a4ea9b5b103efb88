//! Facts about this installation, shown on the first screen and by
//! `hotline about`: versions, where the data lives, whether a vault exists.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// A description of this installation. Holds no caller data and no secrets.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppInfo {
    /// Version of `hotline-core`.
    pub version: String,
    /// The data directory in use.
    pub data_dir: PathBuf,
    /// Whether an encrypted vault already exists there.
    pub vault_exists: bool,
    /// Version of the linked SQLCipher library.
    pub sqlcipher_version: String,
    /// Who made the word list of suggested passphrases, and its licence.
    pub wordlist_attribution: String,
}

/// Errors while describing the installation.
#[derive(Debug, thiserror::Error)]
pub enum AboutError {
    /// The SQLCipher library could not be queried.
    #[error("the encryption library did not answer: {0}")]
    Sqlcipher(#[from] rusqlite::Error),
}

/// Describe the installation whose data lives in `data_dir`.
pub fn app_info(data_dir: &Path) -> Result<AppInfo, AboutError> {
    Ok(AppInfo {
        version: crate::VERSION.to_owned(),
        data_dir: data_dir.to_path_buf(),
        vault_exists: crate::vault::Vault::exists(data_dir),
        sqlcipher_version: sqlcipher_version()?,
        wordlist_attribution: crate::vault::WORDLIST_ATTRIBUTION.to_owned(),
    })
}

/// Version of SQLCipher compiled into this build; empty if SQLCipher is absent.
pub fn sqlcipher_version() -> Result<String, rusqlite::Error> {
    let conn = rusqlite::Connection::open_in_memory()?;
    conn.query_row("PRAGMA cipher_version", [], |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_sqlcipher_and_no_vault_in_an_empty_dir() {
        let dir = tempfile::tempdir().unwrap();
        let info = app_info(dir.path()).unwrap();
        assert_eq!(info.version, crate::VERSION);
        assert!(!info.vault_exists);
        assert!(
            info.sqlcipher_version.starts_with('4'),
            "SQLCipher 4 expected, got {:?}",
            info.sqlcipher_version
        );
    }

    #[test]
    fn sees_an_existing_vault_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hotline.db"), b"x").unwrap();
        assert!(app_info(dir.path()).unwrap().vault_exists);
    }
}
