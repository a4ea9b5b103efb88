//! The key file of older versions (`keyslots.json`, format 1): the master
//! key wrapped once per user, with the handle and role in the clear. Still
//! read, so such a vault keeps opening; each user's slot becomes a slot of
//! the key file of format 2 (`slots`) at their next unlock, and the file is
//! overwritten and deleted when its last slot is converted or removed.
//!
//! Each slot holds a handle, a role, Argon2id parameters, a random 16-byte
//! salt, a random 24-byte nonce and the master key encrypted with
//! XChaCha20-Poly1305 under the key derived from that user's passphrase.
//! The handle, role and parameters are bound into the encryption as
//! associated data: editing any of them in the (plaintext) key file makes
//! the slot fail to open, so a volunteer cannot promote themselves by
//! editing the file.
//!
//! The file is JSON (`keyslots.json`), replaced atomically on every change.
//! Nothing writes a new slot into it any more, except tests building a
//! vault as an older version left it.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::kdf::{self, KdfParams};
#[cfg(test)]
use super::secret::random_bytes;
use super::secret::{KEY_LEN, MasterKey, Passphrase};
use super::{Role, VaultError, rules};

/// `format` value of a key file.
const FORMAT: &str = "hotline-desk-keyslots";
/// Version of the key-file layout.
const FORMAT_VERSION: u32 = 1;
/// Salt length in bytes.
const SALT_LEN: usize = 16;
/// XChaCha20-Poly1305 nonce length in bytes.
const NONCE_LEN: usize = 24;
/// Wrapped key length: the key plus the 16-byte Poly1305 tag.
const WRAPPED_LEN: usize = KEY_LEN + 16;
/// Argon2 version stored in slots (0x13 = 19).
const ARGON2_VERSION: u32 = 0x13;

/// One user's wrapped copy of the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeySlot {
    /// The user's handle.
    pub(crate) handle: String,
    /// The user's role.
    pub(crate) role: Role,
    /// Argon2id parameters of this slot.
    pub(crate) kdf: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    wrapped: [u8; WRAPPED_LEN],
}

/// The associated data bound into a slot: a label, then handle, role and
/// parameters, each length-prefixed so no two slots encode alike.
fn associated_data(handle: &str, role: Role, kdf: &KdfParams) -> Vec<u8> {
    let mut aad = Vec::with_capacity(96);
    let mut field = |bytes: &[u8]| {
        aad.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        aad.extend_from_slice(bytes);
    };
    field(b"hotline-desk key slot v1");
    field(handle.as_bytes());
    field(role.as_str().as_bytes());
    field(b"argon2id");
    field(&ARGON2_VERSION.to_be_bytes());
    field(&kdf.memory_kib.to_be_bytes());
    field(&kdf.iterations.to_be_bytes());
    field(&kdf.parallelism.to_be_bytes());
    aad
}

impl KeySlot {
    /// Wrap `key` for a user: derive a key from `passphrase` with a fresh
    /// salt and encrypt `key` with it (tests build old vaults with it).
    #[cfg(test)]
    pub(crate) fn seal(
        handle: &str,
        role: Role,
        kdf: KdfParams,
        passphrase: &Passphrase,
        key: &MasterKey,
    ) -> Result<Self, VaultError> {
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut salt)?;
        random_bytes(&mut nonce)?;
        let kek = kdf::derive(passphrase, &salt, &kdf)?;
        let cipher =
            XChaCha20Poly1305::new_from_slice(kek.bytes()).map_err(|_| VaultError::Crypto)?;
        let aad = associated_data(handle, role, &kdf);
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: key.bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Crypto)?;
        let wrapped: [u8; WRAPPED_LEN] = sealed.try_into().map_err(|_| VaultError::Crypto)?;
        Ok(Self {
            handle: handle.to_owned(),
            role,
            kdf,
            salt,
            nonce,
            wrapped,
        })
    }

    /// Unwrap the master key with `passphrase`. Any failure, including an
    /// edited handle, role or parameter, is
    /// [`VaultError::WrongHandleOrPassphrase`]:
    /// the two cannot be told apart, by design.
    pub(crate) fn open(&self, passphrase: &Passphrase) -> Result<MasterKey, VaultError> {
        let kek = kdf::derive(passphrase, &self.salt, &self.kdf)?;
        let cipher =
            XChaCha20Poly1305::new_from_slice(kek.bytes()).map_err(|_| VaultError::Crypto)?;
        let aad = associated_data(&self.handle, self.role, &self.kdf);
        let plain = zeroize::Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(self.nonce),
                    Payload {
                        msg: &self.wrapped,
                        aad: &aad,
                    },
                )
                .map_err(|_| VaultError::WrongHandleOrPassphrase)?,
        );
        MasterKey::from_slice(&plain).ok_or(VaultError::WrongHandleOrPassphrase)
    }
}

/// Every key slot of a vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyFile {
    /// The slots, one per user.
    pub(crate) slots: Vec<KeySlot>,
}

/// The key file as stored: everything hex-encoded.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRecord {
    format: String,
    version: u32,
    slots: Vec<SlotRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotRecord {
    handle: String,
    role: Role,
    kdf: KdfRecord,
    salt: String,
    nonce: String,
    wrapped_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfRecord {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

fn decode_fixed<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let bytes = hex::decode(text).map_err(|_| format!("a slot's {what} is not hex"))?;
    bytes
        .try_into()
        .map_err(|_| format!("a slot's {what} has the wrong length"))
}

impl KeyFile {
    /// Find the slot of `handle` (case-insensitive).
    pub(crate) fn find(&self, handle: &str) -> Option<&KeySlot> {
        self.slots
            .iter()
            .find(|s| rules::same_handle(&s.handle, handle))
    }

    /// Serialize to the stored JSON form.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, VaultError> {
        let record = FileRecord {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            slots: self
                .slots
                .iter()
                .map(|s| SlotRecord {
                    handle: s.handle.clone(),
                    role: s.role,
                    kdf: KdfRecord {
                        algorithm: "argon2id".to_owned(),
                        version: ARGON2_VERSION,
                        memory_kib: s.kdf.memory_kib,
                        iterations: s.kdf.iterations,
                        parallelism: s.kdf.parallelism,
                    },
                    salt: hex::encode(s.salt),
                    nonce: hex::encode(s.nonce),
                    wrapped_key: hex::encode(s.wrapped),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&record).map_err(|_| VaultError::Crypto)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Parse and validate the stored form. The error text says what is
    /// wrong, for [`VaultError::DamagedKeyFile`] or a damaged backup.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let record: FileRecord = serde_json::from_slice(bytes).map_err(|err| {
            let what = match err.classify() {
                serde_json::error::Category::Eof => "it ends too early (truncated?)",
                serde_json::error::Category::Syntax => "it is not valid JSON",
                serde_json::error::Category::Data => "its fields are not as expected",
                serde_json::error::Category::Io => "it cannot be read",
            };
            format!("{what} (line {})", err.line())
        })?;
        if record.format != FORMAT {
            return Err("not a Hotline Desk key file".to_owned());
        }
        if record.version != FORMAT_VERSION {
            return Err(format!(
                "key file version {} is not supported",
                record.version
            ));
        }
        if record.slots.is_empty() {
            return Err("the key file has no key slots".to_owned());
        }
        let mut slots: Vec<KeySlot> = Vec::with_capacity(record.slots.len());
        for s in record.slots {
            rules::check_handle(&s.handle)
                .map_err(|_| "a slot has an invalid handle".to_owned())?;
            if slots
                .iter()
                .any(|o| rules::same_handle(&o.handle, &s.handle))
            {
                return Err("two slots have the same handle".to_owned());
            }
            if s.kdf.algorithm != "argon2id" || s.kdf.version != ARGON2_VERSION {
                return Err("a slot uses an unknown key derivation".to_owned());
            }
            let kdf = KdfParams {
                memory_kib: s.kdf.memory_kib,
                iterations: s.kdf.iterations,
                parallelism: s.kdf.parallelism,
            };
            kdf.check()
                .map_err(|reason| format!("a slot's parameters: {reason}"))?;
            slots.push(KeySlot {
                handle: s.handle,
                role: s.role,
                kdf,
                salt: decode_fixed(&s.salt, "salt")?,
                nonce: decode_fixed(&s.nonce, "nonce")?,
                wrapped: decode_fixed(&s.wrapped_key, "wrapped key")?,
            });
        }
        Ok(Self { slots })
    }

    /// Read and validate the old key file at `path`: `None` if there is none.
    pub(crate) fn load_if_exists(path: &std::path::Path) -> Result<Option<Self>, VaultError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(VaultError::io("cannot read the key file")(err)),
        };
        Self::from_bytes(&bytes)
            .map(Some)
            .map_err(|detail| VaultError::DamagedKeyFile { detail })
    }

    /// Write the key file to `path` atomically.
    pub(crate) fn save(&self, path: &std::path::Path) -> Result<(), VaultError> {
        super::files::write_atomic(path, &self.to_bytes()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(handle: &str, role: Role, pass: &str, key: &MasterKey) -> KeySlot {
        KeySlot::seal(handle, role, KdfParams::DEFAULT, &pass.into(), key).unwrap()
    }

    #[test]
    fn seal_then_open_returns_the_key() {
        let key = MasterKey::generate().unwrap();
        let s = slot("ana", Role::Coordinator, "correct horse battery", &key);
        let opened = s.open(&"correct horse battery".into()).unwrap();
        assert_eq!(opened.bytes(), key.bytes());
        assert!(matches!(
            s.open(&"correct horse batterx".into()),
            Err(VaultError::WrongHandleOrPassphrase)
        ));
    }

    #[test]
    fn editing_role_or_handle_in_the_file_breaks_the_slot() {
        let key = MasterKey::generate().unwrap();
        let file = KeyFile {
            slots: vec![slot("bo", Role::Volunteer, "volunteer passphrase", &key)],
        };
        let text = String::from_utf8(file.to_bytes().unwrap()).unwrap();
        assert!(text.contains("\"volunteer\""));
        let promoted = text.replace("\"volunteer\"", "\"coordinator\"");
        let edited = KeyFile::from_bytes(promoted.as_bytes()).unwrap();
        assert_eq!(edited.slots[0].role, Role::Coordinator);
        assert!(matches!(
            edited.slots[0].open(&"volunteer passphrase".into()),
            Err(VaultError::WrongHandleOrPassphrase)
        ));
        let renamed = text.replace("\"bo\"", "\"ana\"");
        let edited = KeyFile::from_bytes(renamed.as_bytes()).unwrap();
        assert!(
            edited.slots[0]
                .open(&"volunteer passphrase".into())
                .is_err()
        );
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let key = MasterKey::generate().unwrap();
        let file = KeyFile {
            slots: vec![
                slot("ana", Role::Coordinator, "first passphrase", &key),
                slot("bo", Role::Volunteer, "second passphrase", &key),
            ],
        };
        let bytes = file.to_bytes().unwrap();
        assert_eq!(KeyFile::from_bytes(&bytes).unwrap(), file);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains(key.to_hex().as_str()));
        assert!(KeyFile::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        assert!(KeyFile::from_bytes(b"").is_err());
        assert!(KeyFile::from_bytes(b"{\"format\":\"x\",\"version\":1,\"slots\":[]}").is_err());
        let weak = text.replace("\"memory_kib\": 65536", "\"memory_kib\": 8");
        assert!(KeyFile::from_bytes(weak.as_bytes()).is_err());
        let dup = text.replace("\"bo\"", "\"ANA\"");
        assert!(KeyFile::from_bytes(dup.as_bytes()).is_err());
    }
}
