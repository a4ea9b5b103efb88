//! The database key at unlock, and the one-time migration of a vault made
//! before the erase anchor (whose database was keyed with the master key
//! itself).
//!
//! Migration, run by the unlock that finds no anchor:
//! 1. create the anchor (`O_EXCL`, fsynced with its directory);
//! 2. open the database with the old key and re-encrypt it in place under
//!    the key derived from the master key and the anchor
//!    ([`Store::rekey`]: one transaction, then the new pages are copied
//!    over the old ones in the same file).
//!
//! A kill at any point loses nothing and the next unlock finishes the job:
//! before step 1 completes the anchor is missing or short (it was never
//! used, so it is written again); between the steps, or before the rekey
//! commits, the database still opens with the old key and is re-encrypted
//! again; after the commit it opens with the new key.

use std::path::Path;

use super::VaultError;
use super::anchor::{self, Anchor, AnchorState};
use super::files::VaultFiles;
use super::secret::{DatabaseKey, MasterKey};
use crate::store::{OpenMode, RekeyStep, Store, StoreError};

/// Progress of the one-time re-encryption of a vault made before the erase
/// anchor, for the window or the command line to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationProgress {
    /// Re-encrypting the database: `done` of `total` pages so far.
    Reencrypting {
        /// Pages re-encrypted.
        done: u64,
        /// Pages in the database.
        total: u64,
    },
    /// Writing the re-encrypted pages over the old ones.
    WritingBack,
    /// The vault is migrated.
    Done,
}

/// Open the vault's database with the key derived from `master` and the
/// anchor, migrating a vault from before the anchor first (reporting to
/// `progress`). The returned store is open with the returned key.
pub(crate) fn open_database(
    files: &VaultFiles,
    master: &MasterKey,
    progress: &mut dyn FnMut(MigrationProgress),
) -> Result<(Store, DatabaseKey), VaultError> {
    let anchor_path = files.anchor();
    let anchor = match anchor::load(&anchor_path)? {
        AnchorState::Present(anchor) => {
            let key = anchor.database_key(master);
            match Store::open(&files.db(), &key, OpenMode::Existing) {
                Ok(store) => return Ok((store, key)),
                // Still under the old key: a migration was cut short after
                // the anchor was written. Anything else is reported as is.
                Err(StoreError::Unreadable(detail)) => match legacy_store(files, master) {
                    Some(store) => return migrate(files, store, &anchor, master, progress),
                    None => return Err(VaultError::DamagedDatabase { detail }),
                },
                Err(err) => return Err(err.into()),
            }
        }
        AnchorState::Missing => {
            let store = Store::open(
                &files.db(),
                &DatabaseKey::legacy(master),
                OpenMode::Existing,
            )?;
            let anchor = Anchor::generate()?;
            anchor.create_file(&anchor_path)?;
            return migrate(files, store, &anchor, master, progress);
        }
        AnchorState::Incomplete => Anchor::generate()?,
    };
    // A creation cut short: that anchor never keyed anything.
    let store = Store::open(
        &files.db(),
        &DatabaseKey::legacy(master),
        OpenMode::Existing,
    )?;
    anchor.overwrite_file(&anchor_path)?;
    migrate(files, store, &anchor, master, progress)
}

/// The database opened with the old key (the master key), if it opens.
fn legacy_store(files: &VaultFiles, master: &MasterKey) -> Option<Store> {
    Store::open(
        &files.db(),
        &DatabaseKey::legacy(master),
        OpenMode::Existing,
    )
    .ok()
}

/// Re-encrypt `store` (open under the old key) under the anchored key.
fn migrate(
    files: &VaultFiles,
    mut store: Store,
    anchor: &Anchor,
    master: &MasterKey,
    progress: &mut dyn FnMut(MigrationProgress),
) -> Result<(Store, DatabaseKey), VaultError> {
    let key = anchor.database_key(master);
    store.rekey(&files.wal(), &key, &mut |step| {
        progress(match step {
            RekeyStep::Pages { done, total } => MigrationProgress::Reencrypting { done, total },
            RekeyStep::WritingBack => MigrationProgress::WritingBack,
        });
    })?;
    progress(MigrationProgress::Done);
    Ok((store, key))
}

impl super::Vault {
    /// Turn this vault back into one from before the erase anchor (the
    /// database re-encrypted under the master key, the anchor deleted) and
    /// lock it, so the benchmark can time the migration at the next unlock
    /// (feature `bench-plain`; production builds never have it).
    #[cfg(feature = "bench-plain")]
    #[doc(hidden)]
    pub fn downgrade_for_benchmark(self) -> Result<(), VaultError> {
        let Self {
            files,
            mut store,
            key,
            ..
        } = self;
        store.rekey(&files.wal(), &DatabaseKey::legacy(&key), &mut |_| {})?;
        store.close()?;
        std::fs::remove_file(files.anchor()).map_err(VaultError::io("cannot remove the anchor"))
    }
}

/// Whether `data_dir` holds a vault from before the erase anchor, which
/// the next unlock will re-encrypt (so the caller can say so first).
pub fn needs_migration(data_dir: &Path) -> bool {
    let files = VaultFiles::new(data_dir);
    matches!(files.db().try_exists(), Ok(true))
        && !matches!(
            anchor::load(&files.anchor()),
            Ok(AnchorState::Present(_)) | Err(_)
        )
}
