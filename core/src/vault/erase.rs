//! Emergency erase: make the vault unrecoverable from what is left on disk.
//!
//! Every key slot is in the key file, and the master key exists nowhere else
//! on disk (only wrapped, in that file). Erase therefore overwrites the key
//! file in place with random bytes, fsyncs it and deletes it, then deletes
//! the database and its -wal/-shm files. A copy of the database taken
//! earlier cannot be opened with anything that remains.
//!
//! What it cannot do (see `docs/SECURITY.md`): reach backups or copies made
//! before; guarantee the overwrite hits the same flash cells on an SSD (wear
//! levelling, copy-on-write or journaling filesystems, snapshots); undo what
//! an attacker already copied.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::files::{self, TEMP_PREFIX};
use super::secret::random_bytes;
use super::{Vault, VaultError};

/// Overwrite a file in place with random bytes (at least 4 KiB), fsync,
/// then delete it. Missing files are fine.
fn shred(path: &Path) -> Result<(), VaultError> {
    let len = match fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(VaultError::io("cannot inspect a vault file")(err)),
    };
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(VaultError::io("cannot open a vault file to overwrite it"))?;
    let mut left = len.max(4096);
    let mut chunk = [0u8; 4096];
    while left > 0 {
        random_bytes(&mut chunk)?;
        let n = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(chunk.len());
        file.write_all(&chunk[..n])
            .map_err(VaultError::io("cannot overwrite a vault file"))?;
        left -= n as u64;
    }
    file.sync_all()
        .map_err(VaultError::io("cannot flush an overwritten vault file"))?;
    drop(file);
    fs::remove_file(path).map_err(VaultError::io("cannot delete a vault file"))
}

impl Vault {
    /// Destroy the vault (coordinators only): overwrite the key file with
    /// random bytes, fsync and delete it, then delete the database, its
    /// -wal and -shm files, leftover temporaries and the failure counter.
    ///
    /// If the user is not a coordinator the vault is locked and
    /// [`VaultError::NotCoordinator`] returned; nothing is erased. If a step
    /// fails the remaining steps still run and the first error is returned.
    pub fn erase(self) -> Result<(), VaultError> {
        self.coordinator()?;
        let Self {
            files: vault_files,
            store,
            key,
            ..
        } = self;
        // Close without caring about a checkpoint: the file is going away.
        drop(store);
        drop(key);

        let mut first_error: Option<VaultError> = None;
        let mut note = |result: Result<(), VaultError>| {
            if let Err(err) = result
                && first_error.is_none()
            {
                first_error = Some(err);
            }
        };
        note(shred(&vault_files.key_file()));
        // Temporaries: key-file writes in progress, backup or restore copies.
        if let Ok(entries) = fs::read_dir(&vault_files.dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    note(shred(&entry.path()));
                }
            }
        }
        for path in [vault_files.db(), vault_files.wal(), vault_files.shm()] {
            note(files::remove_if_exists(&path));
        }
        note(files::remove_if_exists(&vault_files.attempts()));
        files::sync_dir(&vault_files.dir);
        match first_error {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}
