//! The files of a vault inside the data directory, and careful ways to write
//! them: owner-only permissions, write-to-temporary + fsync + rename, and
//! never overwriting a file that exists.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::VaultError;
use super::secret::random_bytes;

/// Name of the key file (fixed-size slots that name nobody; see `slots`).
pub const KEY_FILE: &str = "keyslots.bin";
/// Name of the key file of older versions (JSON, handles and roles in the
/// clear), read until its last slot is converted or removed.
pub const LEGACY_KEY_FILE: &str = "keyslots.json";
/// File name of the encrypted database inside the data directory.
pub const DATABASE_FILE: &str = "hotline.db";
/// Name of the failed-unlock counter (plaintext JSON; not secret).
pub const ATTEMPTS_FILE: &str = "failed-unlocks.json";
/// Prefix of our temporary files, so leftovers can be recognised.
pub(crate) const TEMP_PREFIX: &str = ".hotline-tmp-";

/// Paths of every file a vault keeps in its data directory.
#[derive(Debug, Clone)]
pub(crate) struct VaultFiles {
    /// The data directory.
    pub(crate) dir: PathBuf,
}

impl VaultFiles {
    /// The files of the vault in `dir`.
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// The SQLCipher database.
    pub(crate) fn db(&self) -> PathBuf {
        self.dir.join(DATABASE_FILE)
    }

    /// The database's write-ahead log.
    pub(crate) fn wal(&self) -> PathBuf {
        self.dir.join(format!("{}-wal", DATABASE_FILE))
    }

    /// The database's shared-memory index.
    pub(crate) fn shm(&self) -> PathBuf {
        self.dir.join(format!("{}-shm", DATABASE_FILE))
    }

    /// The key file.
    pub(crate) fn key_file(&self) -> PathBuf {
        self.dir.join(KEY_FILE)
    }

    /// The key file of older versions (`keyslots.json`).
    pub(crate) fn legacy_key_file(&self) -> PathBuf {
        self.dir.join(LEGACY_KEY_FILE)
    }

    /// The erase anchor.
    pub(crate) fn anchor(&self) -> PathBuf {
        self.dir.join(super::anchor::ANCHOR_FILE)
    }

    /// The failed-unlock counter.
    pub(crate) fn attempts(&self) -> PathBuf {
        self.dir.join(ATTEMPTS_FILE)
    }

    /// Files whose presence means "a vault lives here".
    pub(crate) fn vault_files(&self) -> [PathBuf; 6] {
        [
            self.db(),
            self.wal(),
            self.shm(),
            self.key_file(),
            self.legacy_key_file(),
            self.anchor(),
        ]
    }

    /// Whether any vault file exists (or cannot be checked: then we assume
    /// it does, to never initialise over data).
    pub(crate) fn any_exists(&self) -> bool {
        self.vault_files()
            .iter()
            .any(|p| !matches!(p.try_exists(), Ok(false)))
    }

    /// A fresh temporary path in the data directory.
    pub(crate) fn temp_path(&self, what: &str) -> Result<PathBuf, VaultError> {
        temp_sibling(&self.dir, what)
    }
}

/// A fresh, random temporary file name in `dir`.
pub(crate) fn temp_sibling(dir: &Path, what: &str) -> Result<PathBuf, VaultError> {
    let mut tag = [0u8; 8];
    random_bytes(&mut tag)?;
    Ok(dir.join(format!("{TEMP_PREFIX}{what}-{}", hex::encode(tag))))
}

/// Create `dir` (and parents) if missing; directories it creates are
/// owner-only (0700) on Unix. An existing directory is left as it is.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), VaultError> {
    crate::paths::create_private_dir(dir)
        .map_err(VaultError::io("cannot create the data directory"))
}

/// Make an existing file owner-only (0600) on Unix; SQLite creates its
/// files with 0644 minus the umask, and its -wal and -shm files copy the
/// database file's permissions.
pub(crate) fn make_private(path: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(VaultError::io("cannot restrict a vault file's permissions"))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Open a new file for writing, failing if it exists; owner-only on Unix.
pub(crate) fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Write `bytes` to a new temporary file next to `path` and fsync it.
fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, VaultError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = temp_sibling(dir, "write")?;
    let result = (|| {
        let mut file = create_new_private(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(err) = result {
        let _ = fs::remove_file(&tmp);
        return Err(VaultError::io("cannot write a temporary file")(err));
    }
    Ok(tmp)
}

/// Replace (or create) `path` with `bytes` atomically: temporary file,
/// fsync, rename over, fsync the directory. A crash leaves either the old
/// or the new content, never a mix.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let tmp = write_temp(path, bytes)?;
    if let Err(err) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(VaultError::io("cannot replace a vault file")(err));
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Create `path` with `bytes` atomically, failing if `path` exists (a hard
/// link cannot replace an existing name).
pub(crate) fn write_new_atomic(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let tmp = write_temp(path, bytes)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(path.parent().unwrap_or(Path::new(".")));
            Ok(())
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Err(VaultError::Io {
            context: "the file already exists",
            source: err,
        }),
        Err(err) => Err(VaultError::io("cannot create the file")(err)),
    }
}

/// fsync a directory so renames and deletions in it are durable (best
/// effort: not every platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Remove `path` if it exists.
pub(crate) fn remove_if_exists(path: &Path) -> Result<(), VaultError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(VaultError::io("cannot delete a vault file")(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn new_atomic_write_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_new_atomic(&path, b"one").unwrap();
        assert!(write_new_atomic(&path, b"two").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn private_dir_and_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        ensure_private_dir(&data).unwrap();
        let mode = fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        write_atomic(&data.join("k"), b"x").unwrap();
        let mode = fs::metadata(data.join("k")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
