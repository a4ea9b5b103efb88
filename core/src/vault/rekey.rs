//! Rekey: a new master key for everyone who stays, after someone leaves.
//!
//! A coordinator does it without anyone's passphrase: each remaining
//! user's slot keeps its tag and passphrase-wrapped part, and only its
//! sealed part changes (the new master key sealed to the user's public key,
//! from the user index). The database is re-encrypted in place under the
//! key derived from the new master key and the erase anchor
//! ([`Store::rekey`](crate::store::Store): `PRAGMA rekey` in WAL mode, one
//! transaction, then a checkpoint). A slot copied before the rekey (from
//! free space, or an old copy of the key file) opens only the old master
//! key, which no longer opens the database.
//!
//! Crash safety: the new key file is written to `keyslots.pending` first,
//! then the database is re-encrypted, then the pending file is renamed over
//! `keyslots.bin`. An unlock that finds a pending file finishes or rolls
//! back ([`finish_pending`]): if the database still opens under the key
//! file's master key the rekey never committed and the pending file is
//! deleted; otherwise the pending file's master key opens it and the
//! pending file takes its place.
//!
//! Users who still have an old slot (`keyslots.json`) cannot be carried
//! across: their master key is wrapped under their passphrase only. While
//! any remain, the rekey is not done (and [`RemoveReport::rekeyed`] says so).

use super::coordinator_key::CoordinatorKey;
use super::database_key::MigrationProgress;
use super::files::{self, VaultFiles};
use super::secret::MasterKey;
use super::slots::SlotFile;
use super::{Role, Vault, VaultError, anchor, authority};
use crate::store::RekeyStep;

/// Name of the key file waiting for a rekey to commit.
pub const PENDING_KEY_FILE: &str = "keyslots.pending";

/// What [`Vault::remove_user_and_rekey`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoveReport {
    /// Whether the vault got a new master key (false while some users
    /// still have an old key slot: see [`RemoveReport::old_slots`]).
    pub rekeyed: bool,
    /// Users who still have an old key slot.
    pub old_slots: usize,
    /// Whether the coordinator key and the bundles' age identity were
    /// replaced too (a coordinator left): laptops need the new bundle key.
    pub coordinator_key_replaced: bool,
}

/// What a restore as a new laptop did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLaptopReport {
    /// The new master key.
    pub rekey: RemoveReport,
    /// The old laptop's team identity, dropped (`None`: the backup had no
    /// laptop keys).
    pub old_laptop: Option<crate::team::ForgottenLaptop>,
}

/// Steps a test can stop a rekey after, as a kill would (a test seam: in
/// other builds nothing stops).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The pending key file is on disk.
    AfterPending,
    /// The database is re-encrypted; the pending file is not renamed yet.
    AfterDatabase,
}

#[cfg(test)]
thread_local! {
    /// Where the next rekey on this thread stops (tests only).
    pub(crate) static STOP: std::cell::Cell<Option<Stop>> = const { std::cell::Cell::new(None) };
}

/// Whether a test asked the rekey to stop at `step`.
#[cfg(test)]
fn stop_at(step: Stop) -> Result<(), VaultError> {
    if STOP.with(|s| s.get()) == Some(step) {
        return Err(VaultError::Io {
            context: "rekey stopped by a test",
            source: std::io::Error::from(std::io::ErrorKind::Interrupted),
        });
    }
    Ok(())
}

#[cfg(not(test))]
fn stop_at(_: Stop) -> Result<(), VaultError> {
    Ok(())
}

impl VaultFiles {
    /// The key file of a rekey in progress.
    pub(crate) fn pending_key_file(&self) -> std::path::PathBuf {
        self.dir.join(PENDING_KEY_FILE)
    }
}

impl Vault {
    /// Remove user `handle` (as [`super::Coordinator::remove_user`]), then
    /// give everyone who stays a new master key, re-encrypting the database
    /// (reporting to `progress`), so that nothing the removed user kept
    /// opens it any more. Coordinators only.
    ///
    /// Removing a coordinator also replaces the coordinator key and the age
    /// identity (see [`super::rotation`]): the one who left knew them.
    pub fn remove_user_and_rekey(
        &mut self,
        handle: &str,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<RemoveReport, VaultError> {
        let coordinator = self.coordinator()?;
        let leaving = coordinator.user_role(handle)?.map(|(_, role)| role);
        coordinator.remove_user(handle)?;
        self.rekey_rotating(progress, leaving == Some(Role::Coordinator))
    }

    /// Restore `backup_file` as [`Vault::restore`] does, drop the old
    /// laptop's team keys and team state (`team::forget_laptop`: it enrols
    /// afresh, and the old laptop is revoked), then give the restored vault
    /// a new master key ([`Vault::rekey`], reporting to `progress`):
    /// "restore as a new laptop", so that the backup, the old laptop and
    /// anything copied from either share no key with the new vault. A
    /// coordinator's restore only: for a volunteer the restore is done as
    /// the same laptop (no rekey, team state kept), and
    /// [`VaultError::NotCoordinator`] is returned with the restored vault
    /// left locked in place.
    pub fn restore_as_new_laptop(
        data_dir: &std::path::Path,
        backup_file: &std::path::Path,
        handle: &str,
        passphrase: &super::Passphrase,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<(Self, NewLaptopReport), VaultError> {
        let mut vault = Self::restore(data_dir, backup_file, handle, passphrase)?;
        if vault.coordinator().is_err() {
            vault.lock()?;
            return Err(VaultError::NotCoordinator);
        }
        // First, so that no crash leaves the old laptop's keys under a new
        // master key; the rekey then re-encrypts the freed pages too.
        let old_laptop = crate::team::forget_laptop(&vault)?;
        let rekey = vault.rekey(progress)?;
        Ok((vault, NewLaptopReport { rekey, old_laptop }))
    }

    /// A new master key for every user in the index, without their
    /// passphrases; refused for a volunteer. Skipped (not an error) while
    /// some users still have an old key slot.
    pub fn rekey(
        &mut self,
        progress: &mut dyn FnMut(MigrationProgress),
    ) -> Result<RemoveReport, VaultError> {
        self.rekey_rotating(progress, false)
    }

    /// [`Vault::rekey`], with `rotate` also replacing the coordinator key.
    fn rekey_rotating(
        &mut self,
        progress: &mut dyn FnMut(MigrationProgress),
        rotate: bool,
    ) -> Result<RemoveReport, VaultError> {
        self.coordinator()?;
        let old_slots = self.list_users()?.iter().filter(|u| u.old_slot).count();
        if old_slots > 0 {
            return Ok(RemoveReport {
                rekeyed: false,
                old_slots,
                coordinator_key_replaced: false,
            });
        }
        let new_key = MasterKey::generate()?;
        let mut key_file = self.current_key_file()?;
        let next = if rotate {
            let next = CoordinatorKey::generate()?;
            self.begin_rotation(&next)?;
            Some(next)
        } else {
            None
        };
        let coordinator = next
            .as_ref()
            .or(self.coordinator_key())
            .map(|key| key.to_bytes());
        for user in authority::recipients(self.conn(), self.coordinator_public())? {
            // The coordinator key only to rows a coordinator signed as
            // coordinators': editing the index makes nobody one.
            let sealed_key = coordinator.as_deref().filter(|_| user.signed_coordinator);
            if !key_file.reseal(&user.tag, &user.recipient, &new_key, sealed_key)? {
                return Err(VaultError::KeySlotMismatch);
            }
        }
        let pending = self.files.pending_key_file();
        key_file.save(&pending)?;
        stop_at(Stop::AfterPending)?;
        let anchor = match anchor::load(&self.files.anchor())? {
            anchor::AnchorState::Present(anchor) => anchor,
            _ => {
                let _ = files::remove_if_exists(&pending);
                return Err(VaultError::DamagedDatabase {
                    detail: "the erase anchor is missing or damaged".to_owned(),
                });
            }
        };
        let db_key = anchor.database_key(&new_key);
        if let Err(err) = self.store.rekey(&self.files.wal(), &db_key, &mut |step| {
            progress(match step {
                RekeyStep::Pages { done, total } => MigrationProgress::Reencrypting { done, total },
                RekeyStep::WritingBack => MigrationProgress::WritingBack,
            })
        }) {
            // Not committed: the database is still under the old key.
            let _ = files::remove_if_exists(&pending);
            if next.is_some() {
                let _ = self.abort_rotation();
            }
            return Err(err.into());
        }
        self.key = new_key;
        self.db_key = db_key;
        stop_at(Stop::AfterDatabase)?;
        std::fs::rename(&pending, self.files.key_file())
            .map_err(VaultError::io("cannot replace the key file"))?;
        files::sync_dir(&self.files.dir);
        let coordinator_key_replaced = next.is_some();
        if let Some(next) = next {
            let old = self
                .coordinator_public()
                .copied()
                .ok_or(VaultError::Crypto)?;
            self.finish_rotation(old, next)?;
        }
        self.audit("vault.rekey", serde_json::json!({}))?;
        progress(MigrationProgress::Done);
        Ok(RemoveReport {
            rekeyed: true,
            old_slots: 0,
            coordinator_key_replaced,
        })
    }
}

/// Load the pending key file, if any.
pub(crate) fn load_pending(files: &VaultFiles) -> Result<Option<SlotFile>, VaultError> {
    SlotFile::load_if_exists(&files.pending_key_file())
}

/// After an unlock opened the database with the key file at `used`: a
/// pending key file that was not the one used never committed (delete it);
/// the one used did (it becomes the key file).
pub(crate) fn finish_pending(files: &VaultFiles, used_pending: bool) -> Result<(), VaultError> {
    let pending = files.pending_key_file();
    if used_pending {
        std::fs::rename(&pending, files.key_file())
            .map_err(VaultError::io("cannot replace the key file"))?;
        files::sync_dir(&files.dir);
        Ok(())
    } else {
        files::remove_if_exists(&pending)
    }
}
