//! The state the shell keeps between commands.

use std::path::PathBuf;

/// Shared state of the running app.
pub struct AppState {
    /// Where the vault and settings live.
    pub data_dir: PathBuf,
}

impl AppState {
    /// Resolve the data directory (`HOTLINE_DATA_DIR` or the OS default).
    pub fn from_environment() -> Result<Self, hotline_core::paths::PathError> {
        Ok(Self {
            data_dir: hotline_core::paths::resolve_data_dir(None)?,
        })
    }
}
