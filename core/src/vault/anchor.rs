//! The erase anchor: one block of random bytes that the database key
//! depends on, so that overwriting that one block makes every copy of the
//! database and of the key slots left anywhere on the disk useless.
//!
//! The database key is HKDF-SHA256 of the master key (input key material)
//! with the anchor as salt ([`Anchor::database_key`]). The master key is
//! what the key slots wrap; without the anchor it opens nothing.
//!
//! The anchor file ([`ANCHOR_FILE`]) is exactly [`ANCHOR_LEN`] bytes, one
//! filesystem block. It is created once with `O_EXCL` (never through a
//! temporary file, never renamed), fsynced with its directory, and
//! afterwards only ever overwritten in place ([`destroy`]), so on ext4 with
//! its default journal (`data=ordered`) the overwrite lands on the very
//! block that held the secret. See `docs/SECURITY.md` for where that holds
//! and where it does not.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use hkdf::Hkdf;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use super::VaultError;
use super::files;
use super::secret::{DatabaseKey, KEY_LEN, MasterKey, random_bytes};

/// Name of the anchor file in the data directory.
pub const ANCHOR_FILE: &str = "erase-anchor";
/// Size of the anchor: one 4 KiB filesystem block.
pub const ANCHOR_LEN: usize = 4096;
/// HKDF `info` for the database key, so the derivation is used for nothing else.
const DATABASE_KEY_INFO: &[u8] = b"hotline-desk database key v1";

/// The anchor's [`ANCHOR_LEN`] bytes, wiped when dropped.
pub(crate) struct Anchor(SecretSlice<u8>);

impl std::fmt::Debug for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Anchor(<redacted>)")
    }
}

/// What the anchor file holds.
pub(crate) enum AnchorState {
    /// No anchor file: a vault from before the anchor, or none.
    Missing,
    /// A file shorter or longer than an anchor: a creation cut short.
    Incomplete,
    /// A complete anchor.
    Present(Anchor),
}

impl Anchor {
    /// A fresh anchor from the operating system's CSPRNG.
    pub(crate) fn generate() -> Result<Self, VaultError> {
        Self::filled(random_bytes)
    }

    /// An anchor filled by `fill` in a buffer allocated once at its final
    /// size (so no reallocation leaves a copy behind).
    fn filled<E>(fill: impl FnOnce(&mut [u8]) -> Result<(), E>) -> Result<Self, E> {
        let mut bytes = vec![0u8; ANCHOR_LEN];
        let result = fill(&mut bytes);
        let anchor = Self(SecretSlice::from(bytes));
        result.map(|()| anchor)
    }

    /// An anchor from exactly [`ANCHOR_LEN`] bytes (e.g. from a backup).
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let copy = |a: &mut [u8]| -> Result<(), ()> {
            a.copy_from_slice(bytes);
            Ok(())
        };
        (bytes.len() == ANCHOR_LEN).then(|| Self::filled(copy).ok())?
    }

    /// The anchor's bytes (for a backup, which carries its own copy).
    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// The database key: HKDF-SHA256 with this anchor as salt and the
    /// master key as input key material.
    pub(crate) fn database_key(&self, master: &MasterKey) -> DatabaseKey {
        let hkdf = Hkdf::<Sha256>::new(Some(self.bytes()), master.bytes());
        DatabaseKey::init_with(|out: &mut [u8; KEY_LEN]| {
            // Cannot fail: 32 bytes is far below HKDF-SHA256's 8160-byte limit.
            let _ = hkdf.expand(DATABASE_KEY_INFO, out);
        })
    }

    /// Write this anchor to a NEW file at `path` (`O_EXCL`, owner-only),
    /// fsync it and its directory. Fails if the file exists.
    pub(crate) fn create_file(&self, path: &Path) -> Result<(), VaultError> {
        let mut file = files::create_new_private(path)
            .map_err(VaultError::io("cannot create the erase anchor"))?;
        file.write_all(self.bytes())
            .and_then(|()| file.sync_all())
            .map_err(VaultError::io("cannot write the erase anchor"))?;
        drop(file);
        files::sync_dir(path.parent().unwrap_or(Path::new(".")));
        Ok(())
    }

    /// Write this anchor over the existing file at `path`, in place (used
    /// only to finish a creation that was cut short), and fsync it.
    pub(crate) fn overwrite_file(&self, path: &Path) -> Result<(), VaultError> {
        overwrite_in_place(path, |buf| {
            buf.copy_from_slice(self.bytes());
            Ok(())
        })
    }
}

/// Read the anchor file at `path`.
pub(crate) fn load(path: &Path) -> Result<AnchorState, VaultError> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(AnchorState::Missing),
        Err(err) => return Err(VaultError::io("cannot read the erase anchor")(err)),
    };
    let len = file
        .metadata()
        .map_err(VaultError::io("cannot read the erase anchor"))?
        .len();
    if len != ANCHOR_LEN as u64 {
        return Ok(AnchorState::Incomplete);
    }
    let anchor = Anchor::filled(|bytes| file.read_exact(bytes))
        .map_err(VaultError::io("cannot read the erase anchor"))?;
    Ok(AnchorState::Present(anchor))
}

/// Overwrite the anchor file at `path` in place with random bytes and
/// fsync it: from then on nothing derived from it can be rebuilt. The file
/// itself stays (the caller removes it). A missing file is fine.
pub(crate) fn destroy(path: &Path) -> Result<(), VaultError> {
    match fs::metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(VaultError::io("cannot inspect the erase anchor")(err)),
        Ok(_) => overwrite_in_place(path, random_bytes),
    }
}

/// Overwrite the first [`ANCHOR_LEN`] bytes of `path` in place with what
/// `fill` writes, cut anything beyond, and fsync.
fn overwrite_in_place(
    path: &Path,
    fill: impl FnOnce(&mut [u8]) -> Result<(), VaultError>,
) -> Result<(), VaultError> {
    let mut buf = zeroize::Zeroizing::new(vec![0u8; ANCHOR_LEN]);
    fill(&mut buf)?;
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(VaultError::io(
            "cannot open the erase anchor to overwrite it",
        ))?;
    file.write_all(&buf)
        .and_then(|()| file.set_len(ANCHOR_LEN as u64))
        .and_then(|()| file.sync_all())
        .map_err(VaultError::io("cannot overwrite the erase anchor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_key_depends_on_both_the_master_key_and_the_anchor() {
        let master = MasterKey::generate().unwrap();
        let other_master = MasterKey::generate().unwrap();
        let anchor = Anchor::generate().unwrap();
        let other_anchor = Anchor::generate().unwrap();
        let key = anchor.database_key(&master);
        assert_eq!(key.bytes(), anchor.database_key(&master).bytes());
        assert_ne!(key.bytes(), anchor.database_key(&other_master).bytes());
        assert_ne!(key.bytes(), other_anchor.database_key(&master).bytes());
        assert_ne!(key.bytes(), master.bytes());
    }

    #[test]
    fn created_once_then_overwritten_in_place_on_the_same_inode() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ANCHOR_FILE);
        assert!(matches!(load(&path).unwrap(), AnchorState::Missing));
        let anchor = Anchor::generate().unwrap();
        anchor.create_file(&path).unwrap();
        assert!(Anchor::generate().unwrap().create_file(&path).is_err());
        let AnchorState::Present(read) = load(&path).unwrap() else {
            panic!("the anchor should load");
        };
        assert_eq!(read.bytes(), anchor.bytes());
        let inode = fs::metadata(&path).unwrap().ino();

        destroy(&path).unwrap();
        let after = fs::read(&path).unwrap();
        assert_eq!(after.len(), ANCHOR_LEN);
        assert_ne!(after.as_slice(), anchor.bytes());
        assert_eq!(fs::metadata(&path).unwrap().ino(), inode, "same file");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary");
    }

    #[test]
    fn a_short_file_is_an_incomplete_anchor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ANCHOR_FILE);
        fs::write(&path, [1u8; 100]).unwrap();
        assert!(matches!(load(&path).unwrap(), AnchorState::Incomplete));
        let anchor = Anchor::generate().unwrap();
        anchor.overwrite_file(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), anchor.bytes());
    }
}
