//! Emergency erase: make the vault unrecoverable from what is left on disk.
//!
//! The database key is derived from the master key and the erase anchor
//! (see `vault::anchor`). Erase therefore first overwrites the anchor in
//! place with random bytes and fsyncs it: from that moment no copy of the
//! database, of the key file or of a key slot left anywhere on the disk can
//! be opened, whatever passphrase is known. It needs no key, which is what
//! lets [`erase_at_lock_screen`] run without anyone unlocking.
//!
//! Then it removes everything the app wrote in the data directory: the key
//! file, the failure counter, the preferences, `exports/`, `webview/`,
//! temporaries and backups kept there (each overwritten in place first and
//! fsynced), then the database and its -wal/-shm files, and the anchor's
//! overwritten file itself. Anything else in the data directory (a file the
//! app did not write) is left alone.
//!
//! What it cannot do (see `docs/SECURITY.md`): reach backups or copies kept
//! elsewhere; guarantee the overwrite hits the same blocks on copy-on-write
//! filesystems, snapshots or an SSD's wear levelling; undo what an attacker
//! already copied.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use super::files::{self, TEMP_PREFIX, VaultFiles};
use super::secret::random_bytes;
use super::{Vault, VaultError, anchor, panic_erase};
use crate::paths::{EXPORTS_DIR, WEBVIEW_DIR};
use crate::prefs::{PREFS_FILE, PREFS_TEMP_FILE};

/// First bytes of a backup file, to find backups kept in the data directory.
const BACKUP_MAGIC: &[u8; 8] = b"HLDESKBK";

/// Overwrite a file in place with random bytes (at least 4 KiB), fsync,
/// then delete it. Missing files are fine.
pub(crate) fn shred(path: &Path) -> Result<(), VaultError> {
    let len = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => meta.len(),
        // A link is removed, never followed: its target is not ours.
        Ok(_) => return files::remove_if_exists(path),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(VaultError::io("cannot inspect a vault file")(err)),
    };
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(VaultError::io("cannot open a vault file to overwrite it"))?;
    let mut left = len.max(4096);
    let mut chunk = vec![0u8; 64 * 1024];
    while left > 0 {
        let n = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(chunk.len());
        random_bytes(&mut chunk[..n])?;
        file.write_all(&chunk[..n])
            .map_err(VaultError::io("cannot overwrite a vault file"))?;
        left -= n as u64;
    }
    file.sync_all()
        .map_err(VaultError::io("cannot flush an overwritten vault file"))?;
    drop(file);
    fs::remove_file(path).map_err(VaultError::io("cannot delete a vault file"))
}

/// Shred every file under `dir` (recursively), then remove the folders.
fn shred_tree(dir: &Path, note: &mut impl FnMut(Result<(), VaultError>)) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => shred_tree(&path, note),
            _ => note(shred(&path)),
        }
    }
    match fs::remove_dir(dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            note(Err(VaultError::io("cannot delete a folder")(err)));
        }
        _ => {}
    }
}

/// Whether the file at `path` starts like a Hotline Desk backup.
fn is_backup(path: &Path) -> bool {
    let mut head = [0u8; 8];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == BACKUP_MAGIC
}

/// Destroy the anchor, then remove everything the app wrote in `dir`. If a
/// step fails the remaining steps still run and the first error is
/// returned; a failure to destroy the anchor is reported first of all.
fn erase_files(vault_files: &VaultFiles) -> Result<(), VaultError> {
    let mut first_error: Option<VaultError> = None;
    let mut note = |result: Result<(), VaultError>| {
        if let Err(err) = result
            && first_error.is_none()
        {
            first_error = Some(err);
        }
    };
    // First, and fsynced: from here on nothing left can be opened.
    note(anchor::destroy(&vault_files.anchor()));
    let dir = &vault_files.dir;
    note(shred(&vault_files.key_file()));
    note(shred(&vault_files.legacy_key_file()));
    note(shred(&vault_files.pending_key_file()));
    // Temporaries (key-file writes in progress, backup or restore copies)
    // and backups kept in the data directory.
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let temporary = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
            let file = entry.file_type().is_ok_and(|t| t.is_file());
            if file && (temporary || is_backup(&path)) {
                note(shred(&path));
            }
        }
    }
    for folder in [EXPORTS_DIR, WEBVIEW_DIR] {
        shred_tree(&dir.join(folder), &mut note);
    }
    for name in [PREFS_FILE, PREFS_TEMP_FILE, panic_erase::FLAG_FILE] {
        note(shred(&dir.join(name)));
    }
    for path in [vault_files.db(), vault_files.wal(), vault_files.shm()] {
        note(files::remove_if_exists(&path));
    }
    note(files::remove_if_exists(&vault_files.attempts()));
    note(files::remove_if_exists(&vault_files.anchor()));
    files::sync_dir(dir);
    match first_error {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

impl Vault {
    /// Destroy the vault (coordinators only): overwrite the erase anchor in
    /// place and fsync it, then remove everything the app wrote in the data
    /// directory (see the module's documentation).
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
            db_key,
            ..
        } = self;
        // Close without caring about a checkpoint: the file is going away.
        drop(store);
        drop(key);
        drop(db_key);
        erase_files(&vault_files)
    }
}

/// Panic erase, at the lock screen, with no key: refused with
/// [`VaultError::PanicEraseOff`] unless a coordinator switched it on (see
/// [`Coordinator::set_panic_erase`](super::Coordinator::set_panic_erase)),
/// otherwise exactly what [`Vault::erase`] does. Nothing of the vault
/// survives, its audit log included. The caller asks for the deliberate
/// confirmation first.
pub fn erase_at_lock_screen(data_dir: &Path) -> Result<(), VaultError> {
    if !panic_erase::is_on(data_dir) {
        return Err(VaultError::PanicEraseOff);
    }
    erase_files(&VaultFiles::new(data_dir))
}
