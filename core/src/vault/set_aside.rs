//! Restore over a damaged vault: the damaged one is moved aside, never
//! deleted.
//!
//! [`Vault::restore`] refuses a data folder that holds a vault. When that
//! vault is damaged (it will not open, or the integrity check failed), a
//! coordinator still wants the backup back in the same folder, where the app
//! and `hotline` look for it. [`Vault::restore_setting_aside`] first moves
//! every vault file of the folder into a new dated folder next to it
//! (`<folder>-damaged-2026-12-01T2130`), then restores. If the restore
//! fails (wrong passphrase, damaged backup) the files are moved back, so a
//! failed attempt changes nothing.
//!
//! Whether the vault is really damaged is for the caller to know (the
//! window has seen the damage, `hotline restore --set-aside-damaged` is
//! asked for by name): moving a vault aside loses nothing either way.

use std::fs;
use std::path::{Path, PathBuf};

use super::files::{self, VaultFiles};
use super::{Passphrase, Vault, VaultError, panic_erase};

/// What goes into the folder set aside: the vault's own files, its failed
/// unlock counter and its panic-erase switch (they describe that vault,
/// not the restored one).
fn files_to_move(data_dir: &Path) -> Vec<PathBuf> {
    let vault = VaultFiles::new(data_dir);
    let mut all = vault.vault_files().to_vec();
    all.push(vault.attempts());
    all.push(data_dir.join(panic_erase::FLAG_FILE));
    all
}

/// A new, empty, owner-only folder next to `data_dir`, named for it and
/// the local time `stamp` (a number is added if that name is taken).
fn new_sibling(data_dir: &Path, stamp: &str) -> Result<PathBuf, VaultError> {
    let name = data_dir
        .file_name()
        .map_or_else(|| "vault".into(), |n| n.to_string_lossy().into_owned());
    let parent = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = parent.join(format!("{name}-damaged-{stamp}{suffix}"));
        match fs::create_dir(&candidate) {
            Ok(()) => {
                files::ensure_private_dir(&candidate)?;
                return Ok(candidate);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => {
                return Err(VaultError::io(
                    "cannot create the folder to set the damaged vault aside",
                )(err));
            }
        }
    }
    Err(VaultError::io(
        "cannot find a free name to set the damaged vault aside",
    )(std::io::Error::from(
        std::io::ErrorKind::AlreadyExists,
    )))
}

/// Move the vault files of `data_dir` into a new dated folder next to it
/// and return that folder. Nothing is copied or deleted: each file is
/// renamed (so the folder must be on the same filesystem, as a sibling
/// is). On a failure the files already moved are moved back.
pub(crate) fn set_vault_aside(data_dir: &Path) -> Result<PathBuf, VaultError> {
    let stamp = chrono::Local::now().format("%Y-%m-%dT%H%M").to_string();
    let aside = new_sibling(data_dir, &stamp)?;
    let mut moved = Vec::new();
    for from in files_to_move(data_dir) {
        if fs::symlink_metadata(&from).is_err() {
            continue;
        }
        let Some(name) = from.file_name() else {
            continue;
        };
        let to = aside.join(name);
        if let Err(err) = fs::rename(&from, &to) {
            move_back(&moved);
            let _ = fs::remove_dir(&aside);
            return Err(VaultError::io("cannot move the damaged vault aside")(err));
        }
        moved.push((from, to));
    }
    files::sync_dir(&aside);
    files::sync_dir(data_dir);
    Ok(aside)
}

/// Undo [`set_vault_aside`]'s renames (best effort: what cannot be moved
/// back stays where it is, never deleted).
fn move_back(moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        let _ = fs::rename(to, from);
    }
}

/// Move every file of the folder set aside back into `data_dir`, then
/// remove the emptied folder.
fn put_back(aside: &Path, data_dir: &Path) {
    let moved: Vec<(PathBuf, PathBuf)> = files_to_move(data_dir)
        .into_iter()
        .filter_map(|home| {
            let name = home.file_name()?;
            let there = aside.join(name);
            there.exists().then_some((home, there))
        })
        .collect();
    move_back(&moved);
    files::sync_dir(data_dir);
    let _ = fs::remove_dir(aside);
}

impl Vault {
    /// Restore `backup_file` into `data_dir` as [`Vault::restore`] does,
    /// first moving a vault already there (a damaged one) into a dated
    /// folder next to it. Returns the restored vault, unlocked as `handle`,
    /// and the folder the old files went to (`None` if there were none).
    /// If the restore fails, the old files are moved back.
    pub fn restore_setting_aside(
        data_dir: &Path,
        backup_file: &Path,
        handle: &str,
        passphrase: &Passphrase,
    ) -> Result<(Self, Option<PathBuf>), VaultError> {
        if !Self::exists(data_dir) {
            return Self::restore(data_dir, backup_file, handle, passphrase)
                .map(|vault| (vault, None));
        }
        let aside = set_vault_aside(data_dir)?;
        match Self::restore(data_dir, backup_file, handle, passphrase) {
            Ok(vault) => Ok((vault, Some(aside))),
            Err(err) => {
                put_back(&aside, data_dir);
                Err(err)
            }
        }
    }
}
