//! Encrypted backup and restore.
//!
//! A backup is one file: a header, the key files, its own copy of the
//! erase anchor, and a copy of the database made with `VACUUM INTO`, which
//! SQLCipher writes encrypted with the same database key. It holds nothing
//! in the clear that the data directory does not already show (the key
//! file names nobody; the old key file, while a user still has a slot in
//! it, shows handles and roles), and it opens on any machine with the
//! handle and passphrase of one of its users.
//!
//! Each backup is its own erase domain: everything needed to open it is in
//! that one file, so destroying the file destroys the backup, and erasing
//! the laptop's vault leaves a backup kept elsewhere intact.
//!
//! Layout (integers big-endian):
//!
//! | bytes | content                                             |
//! |-------|-----------------------------------------------------|
//! | 8     | magic `HLDESKBK`                                    |
//! | 4     | backup format version (3; 2 had only `keyslots.json`, 1 no anchor) |
//! | 4     | length K of the key file                            |
//! | K     | the key file (`keyslots.bin`; `keyslots.json` in versions 1–2) |
//! | 4     | length L of the old key file (absent in versions 1–2) |
//! | L     | `keyslots.json` while it exists, else nothing        |
//! | 4     | length A of the anchor (4096; absent in version 1)  |
//! | A     | the erase anchor (absent in version 1)              |
//! | 8     | length D of the database                            |
//! | D     | the SQLCipher database                              |
//!
//! Restore refuses a data directory that already holds a vault. It does not
//! bring the backup's anchor onto the target: it creates a fresh anchor
//! there and re-encrypts the restored database under it, so the restored
//! vault and the backup share no secret but the master key, and erasing one
//! never depends on the other.

use std::fs;
use std::path::Path;

use serde_json::json;

use super::anchor::{self, ANCHOR_LEN, Anchor, AnchorState};
use super::files::{self, VaultFiles};
use super::keyslots::KeyFile;
use super::secret::DatabaseKey;
use super::slots::SlotFile;
use super::{Coordinator, KeyFiles, Passphrase, Vault, VaultError, authenticate};
use crate::store::{self, OpenMode, Store, StoreError};

/// First bytes of every backup file.
const MAGIC: &[u8; 8] = b"HLDESKBK";
/// Version of the backup layout written now.
const BACKUP_VERSION: u32 = 3;
/// The version whose only key file was `keyslots.json`.
const BACKUP_VERSION_OLD_SLOTS: u32 = 2;
/// The version from before the erase anchor (database under the master key).
const BACKUP_VERSION_NO_ANCHOR: u32 = 1;
/// SQLCipher page size; an intact database is a whole number of pages.
const PAGE_SIZE: usize = 4096;
/// The header of an unencrypted SQLite file, which a backup must never hold.
const PLAIN_SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// Where a backup was written, as far as erasing the laptop is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum BackupLocation {
    /// Inside the data folder: erase destroys it with the vault, so it is
    /// no backup against losing the laptop.
    InsideDataFolder,
    /// Outside the data folder but on the same filesystem (this laptop's
    /// disk): a second copy of the vault on the laptop, which erase does
    /// not reach.
    SameDisk,
    /// On another filesystem (a USB stick, another disk).
    Elsewhere,
}

impl BackupLocation {
    /// The warning to show, in English (the window has its own, EN and ES).
    pub fn warning(self) -> Option<&'static str> {
        match self {
            Self::InsideDataFolder => Some(
                "this backup is inside the data folder: erasing the vault erases it too, so it does not protect against losing this laptop",
            ),
            Self::SameDisk => Some(
                "this backup is on this laptop's own disk, outside the data folder: it is a second copy of the vault on this laptop, and erase does not reach it. Move it to a USB stick or another disk kept elsewhere",
            ),
            Self::Elsewhere => None,
        }
    }
}

/// What [`Coordinator::backup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Where the backup landed (and so whether to warn).
    pub location: BackupLocation,
    /// Calls whose free text retention shredded just before the backup.
    pub calls_shredded: u64,
}

/// Where `out` lies relative to the data folder `data_dir`.
fn location_of(out: &Path, data_dir: &Path) -> BackupLocation {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (Ok(folder), Ok(data)) = (fs::canonicalize(parent), fs::canonicalize(data_dir)) else {
        return BackupLocation::SameDisk;
    };
    if folder.starts_with(&data) {
        return BackupLocation::InsideDataFolder;
    }
    if same_filesystem(&folder, &data) {
        BackupLocation::SameDisk
    } else {
        BackupLocation::Elsewhere
    }
}

#[cfg(unix)]
fn same_filesystem(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        // Cannot tell: warn rather than stay silent.
        _ => true,
    }
}

#[cfg(not(unix))]
fn same_filesystem(_a: &Path, _b: &Path) -> bool {
    true
}

/// The parts of a backup file.
struct Parts<'a> {
    /// `keyslots.bin` (empty in versions 1–2, or if the vault had none).
    key_file: &'a [u8],
    /// `keyslots.json` (empty if the vault had none).
    legacy_key_file: &'a [u8],
    /// `None` in a version-1 backup.
    anchor: Option<&'a [u8]>,
    database: &'a [u8],
}

fn damaged(detail: &str) -> VaultError {
    VaultError::DamagedBackup {
        detail: detail.to_owned(),
    }
}

/// Split a backup into its parts, checking the layout exactly.
fn parse(bytes: &[u8]) -> Result<Parts<'_>, VaultError> {
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or_else(|| damaged("it does not start like a Hotline Desk backup"))?;
    let (version, rest) = take_u32(rest)?;
    if ![
        BACKUP_VERSION,
        BACKUP_VERSION_OLD_SLOTS,
        BACKUP_VERSION_NO_ANCHOR,
    ]
    .contains(&version)
    {
        return Err(damaged("its format version is not supported"));
    }
    let (first, rest) = take_part(rest, "bad key file length")?;
    let (key_file, legacy_key_file, rest) = if version == BACKUP_VERSION {
        let (legacy, rest) = take_part(rest, "bad old key file length")?;
        (first, legacy, rest)
    } else {
        (&[][..], first, rest)
    };
    if key_file.is_empty() && legacy_key_file.is_empty() {
        return Err(damaged("it holds no key file"));
    }
    let (anchor, rest) = if version != BACKUP_VERSION_NO_ANCHOR {
        let (anchor, rest) = take_part(rest, "bad anchor length")?;
        if anchor.len() != ANCHOR_LEN {
            return Err(damaged("its erase anchor has the wrong length"));
        }
        (Some(anchor), rest)
    } else {
        (None, rest)
    };
    let (db_len, rest) = take_u64(rest)?;
    let db_len = usize::try_from(db_len).map_err(|_| damaged("bad database length"))?;
    if rest.len() != db_len {
        return Err(damaged(if rest.len() < db_len {
            "it is truncated"
        } else {
            "it has extra bytes at the end"
        }));
    }
    if db_len == 0 || db_len % PAGE_SIZE != 0 {
        return Err(damaged("its database copy is not a whole number of pages"));
    }
    Ok(Parts {
        key_file,
        legacy_key_file,
        anchor,
        database: rest,
    })
}

/// A part with a 4-byte length before it.
fn take_part<'a>(bytes: &'a [u8], bad_length: &str) -> Result<(&'a [u8], &'a [u8]), VaultError> {
    let (len, rest) = take_u32(bytes)?;
    let len = usize::try_from(len).map_err(|_| damaged(bad_length))?;
    if rest.len() < len {
        return Err(damaged("it is truncated"));
    }
    Ok(rest.split_at(len))
}

fn take_u32(bytes: &[u8]) -> Result<(u32, &[u8]), VaultError> {
    let (head, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| damaged("it is truncated"))?;
    Ok((u32::from_be_bytes(*head), rest))
}

fn take_u64(bytes: &[u8]) -> Result<(u64, &[u8]), VaultError> {
    let (head, rest) = bytes
        .split_first_chunk::<8>()
        .ok_or_else(|| damaged("it is truncated"))?;
    Ok((u64::from_be_bytes(*head), rest))
}

impl Vault {
    /// A consistent, encrypted copy of the database (`VACUUM INTO` a
    /// temporary file in the data directory, read back, deleted).
    fn encrypted_copy(&self) -> Result<Vec<u8>, VaultError> {
        let tmp = self.files.temp_path("backup")?;
        let tmp_text = tmp.to_str().ok_or_else(|| VaultError::Io {
            context: "the data directory path is not valid Unicode",
            source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
        })?;
        let result = self
            .conn()
            .execute("VACUUM INTO ?1", [tmp_text])
            .map_err(VaultError::from)
            .and_then(|_| fs::read(&tmp).map_err(VaultError::io("cannot read the backup copy")));
        let _ = files::remove_if_exists(&tmp);
        let database = result?;
        // Belt and braces: SQLCipher encrypts VACUUM INTO output with the
        // main database's key; never write a plaintext database to a backup.
        if database.len() < PAGE_SIZE || database.starts_with(PLAIN_SQLITE_HEADER) {
            return Err(VaultError::Crypto);
        }
        Ok(database)
    }

    /// Restore the backup `backup_file` into `data_dir` and unlock it as
    /// `handle`, who must be a user in the backup. Refuses if a vault exists
    /// in `data_dir` ([`VaultError::RestoreTargetExists`]); nothing is ever
    /// replaced. The restored vault gets a fresh erase anchor: its database
    /// is re-encrypted under it before it takes its place.
    pub fn restore(
        data_dir: &Path,
        backup_file: &Path,
        handle: &str,
        passphrase: &Passphrase,
    ) -> Result<Self, VaultError> {
        let files = VaultFiles::new(data_dir);
        if files.any_exists() {
            return Err(VaultError::RestoreTargetExists);
        }
        let bytes = fs::read(backup_file).map_err(VaultError::io("cannot read the backup file"))?;
        let parts = parse(&bytes)?;
        let as_damaged = |detail| VaultError::DamagedBackup { detail };
        let keys = KeyFiles {
            current: (!parts.key_file.is_empty())
                .then(|| SlotFile::from_bytes(parts.key_file))
                .transpose()
                .map_err(as_damaged)?,
            legacy: (!parts.legacy_key_file.is_empty())
                .then(|| KeyFile::from_bytes(parts.legacy_key_file))
                .transpose()
                .map_err(as_damaged)?,
        };
        files::ensure_private_dir(data_dir)?;
        let unlocked = authenticate(&files, &keys, handle, passphrase)?;
        let key = unlocked.master();
        let backup_key = match parts.anchor.and_then(Anchor::from_slice) {
            Some(anchor) => anchor.database_key(key),
            None => DatabaseKey::legacy(key),
        };
        let fresh = Anchor::generate()?;
        let db_key = fresh.database_key(key);

        // Check the database copy under a temporary name before it becomes
        // the vault: it must open with this key and pass its checks.
        let tmp = files.temp_path("restore")?;
        let staged = (|| {
            let mut file = files::create_new_private(&tmp)
                .map_err(VaultError::io("cannot write the restored database"))?;
            std::io::Write::write_all(&mut file, parts.database)
                .and_then(|()| file.sync_all())
                .map_err(VaultError::io("cannot write the restored database"))?;
            drop(file);
            let as_backup = |err: StoreError| match VaultError::from(err) {
                VaultError::DamagedDatabase { detail } => VaultError::DamagedBackup { detail },
                other => other,
            };
            // Unlocking reads only a few pages; a backup about to become the
            // vault gets the full check first (every page, free pages too).
            let conn = Store::open_read_only(&tmp, &backup_key).map_err(as_backup)?;
            let (integrity, cipher) = store::full_check(&conn).map_err(as_backup)?;
            drop(conn);
            if integrity != ["ok"] || !cipher.is_empty() {
                return Err(VaultError::DamagedBackup {
                    detail: "its database failed the integrity check".to_owned(),
                });
            }
            let mut staged =
                Store::open(&tmp, &backup_key, OpenMode::Existing).map_err(as_backup)?;
            staged.rekey(&wal_of(&tmp), &db_key, &mut |_| {})?;
            staged.close()?;
            if files.any_exists() {
                return Err(VaultError::RestoreTargetExists);
            }
            fresh.create_file(&files.anchor())?;
            let write_key_file = |path: &Path, bytes: &[u8]| {
                if bytes.is_empty() {
                    Ok(())
                } else {
                    files::write_new_atomic(path, bytes)
                }
            };
            let placed = write_key_file(&files.key_file(), parts.key_file)
                .and_then(|()| write_key_file(&files.legacy_key_file(), parts.legacy_key_file))
                .and_then(|()| {
                    fs::rename(&tmp, files.db()).map_err(VaultError::io(
                        "cannot move the restored database into place",
                    ))
                });
            if placed.is_err() {
                // Only what this call created, so the folder can be used again.
                let _ = files::remove_if_exists(&files.key_file());
                let _ = files::remove_if_exists(&files.legacy_key_file());
                let _ = anchor::destroy(&files.anchor());
                let _ = files::remove_if_exists(&files.anchor());
            }
            placed?;
            files::sync_dir(data_dir);
            Ok(())
        })();
        if let Err(err) = staged {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = tmp.clone().into_os_string();
                path.push(suffix);
                let _ = files::remove_if_exists(Path::new(&path));
            }
            return Err(err);
        }
        let vault = Self::open_unlocked(files, unlocked, handle, passphrase, &mut |_| {})?;
        vault.audit("vault.restore", json!({}))?;
        Ok(vault)
    }
}

impl Coordinator<'_> {
    /// Write an encrypted backup of the whole vault to `out`. Refuses to
    /// overwrite an existing file ([`VaultError::BackupExists`]).
    ///
    /// Retention runs first (free text past its period is shredded), so a
    /// backup never carries text that should be gone. The report says
    /// where the backup landed, to warn about one on this laptop's disk.
    pub fn backup(&self, out: &Path) -> Result<BackupReport, VaultError> {
        if !matches!(out.try_exists(), Ok(false)) {
            return Err(VaultError::BackupExists);
        }
        let purge = crate::calls::purge_expired(self, chrono::Utc::now())
            .map_err(|err| VaultError::Retention(Box::new(err)))?;
        let read_key_file = |path: &Path| match fs::read(path) {
            Ok(bytes) => Ok(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(err) => Err(VaultError::io("cannot read the key file")(err)),
        };
        // Read, then checked, so the backup holds exactly what was checked.
        let key_file = read_key_file(&self.files.key_file())?;
        let legacy_key_file = read_key_file(&self.files.legacy_key_file())?;
        if !key_file.is_empty() {
            SlotFile::from_bytes(&key_file)
                .map_err(|detail| VaultError::DamagedKeyFile { detail })?;
        }
        if !legacy_key_file.is_empty() {
            KeyFile::from_bytes(&legacy_key_file)
                .map_err(|detail| VaultError::DamagedKeyFile { detail })?;
        }
        let AnchorState::Present(anchor) = anchor::load(&self.files.anchor())? else {
            return Err(VaultError::DamagedDatabase {
                detail: "the erase anchor is missing or damaged".to_owned(),
            });
        };
        let database = self.encrypted_copy()?;
        let key_len = u32::try_from(key_file.len()).map_err(|_| VaultError::Crypto)?;
        let legacy_len = u32::try_from(legacy_key_file.len()).map_err(|_| VaultError::Crypto)?;
        // Sized once (header, key files, anchor, database) and wiped when
        // dropped, so no reallocation leaves a copy of the anchor behind.
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(
            MAGIC.len()
                + 20
                + key_file.len()
                + legacy_key_file.len()
                + 4
                + ANCHOR_LEN
                + database.len(),
        ));
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&BACKUP_VERSION.to_be_bytes());
        bytes.extend_from_slice(&key_len.to_be_bytes());
        bytes.extend_from_slice(&key_file);
        bytes.extend_from_slice(&legacy_len.to_be_bytes());
        bytes.extend_from_slice(&legacy_key_file);
        bytes.extend_from_slice(&(ANCHOR_LEN as u32).to_be_bytes());
        bytes.extend_from_slice(anchor.bytes());
        bytes.extend_from_slice(&(database.len() as u64).to_be_bytes());
        bytes.extend_from_slice(&database);
        files::write_new_atomic(out, &bytes).map_err(|err| match err {
            VaultError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
                VaultError::BackupExists
            }
            other => other,
        })?;
        self.audit_file(out, "backup.create", json!({}))?;
        Ok(BackupReport {
            location: location_of(out, self.data_dir()),
            calls_shredded: purge.calls_shredded,
        })
    }
}

/// The write-ahead log next to the database file `db`.
fn wal_of(db: &Path) -> std::path::PathBuf {
    let mut path = db.as_os_str().to_owned();
    path.push("-wal");
    path.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(version: u32, db_len: usize) -> Vec<u8> {
        let key = b"{\"k\":1}";
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(key.len() as u32).to_be_bytes());
        out.extend_from_slice(key);
        if version == BACKUP_VERSION {
            out.extend_from_slice(&0u32.to_be_bytes());
        }
        if version != BACKUP_VERSION_NO_ANCHOR {
            out.extend_from_slice(&(ANCHOR_LEN as u32).to_be_bytes());
            out.extend(std::iter::repeat_n(9u8, ANCHOR_LEN));
        }
        out.extend_from_slice(&(db_len as u64).to_be_bytes());
        out.extend(std::iter::repeat_n(7u8, db_len));
        out
    }

    #[test]
    fn parses_the_layout_exactly() {
        for version in [
            BACKUP_VERSION_NO_ANCHOR,
            BACKUP_VERSION_OLD_SLOTS,
            BACKUP_VERSION,
        ] {
            let good = sample(version, PAGE_SIZE * 2);
            let parts = parse(&good).unwrap();
            // Before version 3 the one key file was `keyslots.json`.
            let (current, legacy) = if version == BACKUP_VERSION {
                (parts.key_file, parts.legacy_key_file)
            } else {
                (parts.legacy_key_file, parts.key_file)
            };
            assert_eq!(current, b"{\"k\":1}");
            assert!(legacy.is_empty());
            assert_eq!(parts.database.len(), PAGE_SIZE * 2);
            assert_eq!(parts.anchor.is_some(), version != BACKUP_VERSION_NO_ANCHOR);
            for cut in [0, 5, 12, 20, 30, 4000, good.len() - 1] {
                assert!(parse(&good[..cut]).is_err(), "cut at {cut}");
            }
            let mut longer = good.clone();
            longer.push(0);
            assert!(parse(&longer).is_err());
            assert!(parse(&sample(version, 100)).is_err());
            let mut other_magic = good;
            other_magic[0] = b'X';
            assert!(parse(&other_magic).is_err());
        }
        assert!(parse(&sample(4, PAGE_SIZE)).is_err());
        // A backup whose anchor is not one block is damaged.
        let mut short_anchor = sample(BACKUP_VERSION, PAGE_SIZE);
        let at = MAGIC.len() + 4 + 4 + 7 + 4;
        short_anchor[at..at + 4].copy_from_slice(&100u32.to_be_bytes());
        assert!(parse(&short_anchor).is_err());
    }
}
