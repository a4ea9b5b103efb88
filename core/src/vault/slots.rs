//! The key file (`keyslots.bin`, format 2): key slots that name nobody.
//!
//! One vault-wide Argon2id parameter set and salt in a header, then a FIXED
//! [`SLOT_COUNT`] slots of [`SLOT_LEN`] bytes each. A slot in use and an
//! unused one (random bytes) look alike, and so do a coordinator's slot and
//! a volunteer's: the file's size never depends on the users or their roles.
//! Which slot belongs to whom is recorded only inside the encrypted database
//! (the `users` table keeps each user's lookup tag and public key).
//!
//! Unlocking runs ONE Argon2id over the case-folded handle and the
//! passphrase (each length-prefixed) with the vault's salt; HKDF-SHA256
//! splits the result into a lookup tag and a wrapping key. The slot whose tag
//! matches (all slots are compared, in constant time) is opened:
//!
//! - its *wrapped* part (XChaCha20-Poly1305 under the wrapping key, the
//!   header and the tag bound in as associated data) holds the user's age
//!   X25519 identity and the coordinator verifying key the user trusts;
//! - its *sealed* part (age, to the user's X25519 public key) holds the
//!   master key and, for a coordinator, the coordinator key (random bytes in
//!   its place for a volunteer, so a slot does not reveal the role).
//!
//! Sealing to a public key is what lets a coordinator give everyone who
//! stays a new master key (a rekey) without knowing their passphrases.
//!
//! age adds a random "grease" stanza to each file it writes, so its output
//! length varies (randomly, never with the content): the sealed part is a
//! 2-byte length, the age file, then random padding up to [`SEALED_LEN`].
//!
//! Layout (integers big-endian), see `docs/SECURITY.md`, "Key file":
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `HLDKSLOT` |
//! | 4 | format version (2) |
//! | 12 | Argon2id memory (KiB), passes, lanes |
//! | 16 | salt |
//! | 32 × 690 | slots: tag (32), wrapped part (146), sealed part (512) |

use std::path::Path;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::VaultError;
use super::coordinator_key::{CoordinatorKey, CoordinatorPublic};
use super::kdf::{self, KdfParams};
use super::secret::{KEY_LEN, MasterKey, Passphrase, WrappingKey, random_bytes};

/// Slots in every key file: the most users one laptop's vault can have.
pub const SLOT_COUNT: usize = 32;
/// First bytes of the key file.
const MAGIC: &[u8; 8] = b"HLDKSLOT";
/// Version of this layout (1 was `keyslots.json`).
const VERSION: u32 = 2;
/// Salt length in bytes.
const SALT_LEN: usize = 16;
/// Header length: magic, version, three parameters, salt.
const HEADER_LEN: usize = 8 + 4 + 12 + SALT_LEN;
/// Lookup tag length.
pub(crate) const TAG_LEN: usize = 32;
/// XChaCha20-Poly1305 nonce length.
const NONCE_LEN: usize = 24;
/// Length of an age X25519 identity in its text form (`AGE-SECRET-KEY-1…`).
const IDENTITY_LEN: usize = 74;
/// Length of the coordinator verifying key kept in the wrapped part.
pub(crate) const VERIFYING_KEY_LEN: usize = 32;
/// The wrapped part: nonce, identity and verifying key, Poly1305 tag.
const WRAPPED_LEN: usize = NONCE_LEN + IDENTITY_LEN + VERIFYING_KEY_LEN + 16;
/// The sealed part: a 2-byte length, an age file, random padding.
const SEALED_LEN: usize = 512;
/// The plaintext sealed to the user: master key and coordinator key.
const SEALED_PLAIN_LEN: usize = KEY_LEN + KEY_LEN;
/// One slot.
pub const SLOT_LEN: usize = TAG_LEN + WRAPPED_LEN + SEALED_LEN;
/// The whole file.
pub const FILE_LEN: usize = HEADER_LEN + SLOT_COUNT * SLOT_LEN;
/// HKDF `info` of the lookup tag.
const TAG_INFO: &[u8] = b"hotline-desk key slot v2: lookup tag";
/// HKDF `info` of the wrapping key.
const WRAP_INFO: &[u8] = b"hotline-desk key slot v2: wrapping key";
/// Associated-data label of the wrapped part.
const WRAP_LABEL: &[u8] = b"hotline-desk key slot v2: wrapped part";

/// One slot's bytes.
pub(crate) type SlotBytes = [u8; SLOT_LEN];

/// A user's lookup tag: which slot is theirs. Not secret on its own (it is
/// in the file), but only their handle and passphrase produce it.
pub(crate) type Tag = [u8; TAG_LEN];

/// What one Argon2id over a handle and passphrase yields.
pub(crate) struct Credentials {
    /// Finds the slot.
    pub(crate) tag: Tag,
    /// Opens its wrapped part.
    wrapping: WrappingKey,
}

/// What the passphrase-wrapped part of a slot holds.
pub(crate) struct UserSecrets {
    /// The user's own key pair (the sealed part is addressed to it).
    pub(crate) identity: age::x25519::Identity,
    /// The coordinator verifying key this user trusts (their anchor); all
    /// zero until the vault has a coordinator key.
    pub(crate) coordinator_public: [u8; VERIFYING_KEY_LEN],
}

/// What the sealed part of a slot holds.
pub(crate) struct Sealed {
    /// The vault's master key.
    pub(crate) master: MasterKey,
    /// The 32 bytes after it: the coordinator key in a coordinator's slot,
    /// random bytes in a volunteer's. Only a match with the verifying key
    /// the user trusts makes them the coordinator key
    /// ([`Opened::coordinator_key`]).
    candidate: Zeroizing<[u8; KEY_LEN]>,
}

/// A slot opened with a user's credentials.
pub(crate) struct Opened {
    /// Which slot.
    pub(crate) index: usize,
    /// Its lookup tag.
    pub(crate) tag: Tag,
    /// The credentials that opened it (to rewrite its wrapped part).
    pub(crate) credentials: Credentials,
    /// The wrapped part.
    pub(crate) secrets: UserSecrets,
    /// The sealed part.
    pub(crate) sealed: Sealed,
}

impl Opened {
    /// The coordinator key sealed in this slot, if the slot holds the one
    /// whose verifying key is `anchor`; `None` in a volunteer's slot.
    pub(crate) fn coordinator_key(&self, anchor: &CoordinatorPublic) -> Option<CoordinatorKey> {
        let key = CoordinatorKey::from_bytes(&self.sealed.candidate[..])?;
        (key.public() == *anchor).then_some(key)
    }

    /// The verifying key pinned in the wrapped part; `None` while it is
    /// all zero (a slot written before the vault had a coordinator key in
    /// its slots).
    pub(crate) fn pinned_anchor(&self) -> Option<CoordinatorPublic> {
        if self.secrets.coordinator_public == [0; VERIFYING_KEY_LEN] {
            return None;
        }
        CoordinatorPublic::from_bytes(&self.secrets.coordinator_public)
    }
}

/// The key file in memory.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SlotFile {
    /// The vault-wide Argon2id parameters.
    pub(crate) kdf: KdfParams,
    salt: [u8; SALT_LEN],
    slots: Vec<SlotBytes>,
}

impl std::fmt::Debug for SlotFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlotFile")
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

/// `len` as a 4-byte big-endian prefix (every length here is far below 4 GiB).
fn prefix(len: usize) -> [u8; 4] {
    u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes()
}

impl SlotFile {
    /// A new key file with `kdf`, a fresh salt and every slot random.
    pub(crate) fn new(kdf: KdfParams) -> Result<Self, VaultError> {
        let mut salt = [0u8; SALT_LEN];
        random_bytes(&mut salt)?;
        let mut slots = vec![[0u8; SLOT_LEN]; SLOT_COUNT];
        for slot in &mut slots {
            random_bytes(slot)?;
        }
        Ok(Self { kdf, salt, slots })
    }

    /// The header bytes (bound into every wrapped part).
    fn header(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..8].copy_from_slice(MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_be_bytes());
        out[12..16].copy_from_slice(&self.kdf.memory_kib.to_be_bytes());
        out[16..20].copy_from_slice(&self.kdf.iterations.to_be_bytes());
        out[20..24].copy_from_slice(&self.kdf.parallelism.to_be_bytes());
        out[24..].copy_from_slice(&self.salt);
        out
    }

    /// Run the one Argon2id of an unlock for `handle` and `passphrase`.
    pub(crate) fn credentials(
        &self,
        handle: &str,
        passphrase: &Passphrase,
    ) -> Result<Credentials, VaultError> {
        let folded = handle.to_ascii_lowercase();
        let secret = passphrase.expose().as_bytes();
        let mut input = Zeroizing::new(Vec::with_capacity(8 + folded.len() + secret.len()));
        input.extend_from_slice(&prefix(folded.len()));
        input.extend_from_slice(folded.as_bytes());
        input.extend_from_slice(&prefix(secret.len()));
        input.extend_from_slice(secret);
        let root = kdf::derive_bytes(&input, &self.salt, &self.kdf)?;
        let hkdf = Hkdf::<Sha256>::from_prk(root.bytes()).map_err(|_| VaultError::Crypto)?;
        let mut tag = [0u8; TAG_LEN];
        hkdf.expand(TAG_INFO, &mut tag)
            .map_err(|_| VaultError::Crypto)?;
        let mut failed = false;
        let wrapping = WrappingKey::init_with(|out| {
            failed = hkdf.expand(WRAP_INFO, out).is_err();
        });
        if failed {
            return Err(VaultError::Crypto);
        }
        Ok(Credentials { tag, wrapping })
    }

    /// The slot whose tag is `tag`, comparing every slot in constant time.
    fn find(&self, tag: &Tag) -> Option<usize> {
        let mut found = None;
        for (index, slot) in self.slots.iter().enumerate() {
            if bool::from(slot[..TAG_LEN].ct_eq(tag)) && found.is_none() {
                found = Some(index);
            }
        }
        found
    }

    /// The index of the slot with `tag`, if any.
    pub(crate) fn index_of(&self, tag: &Tag) -> Option<usize> {
        self.find(tag)
    }

    /// Open the slot `credentials` point to; `None` if no slot matches or it
    /// does not open (the two are one failure to the caller, by design).
    pub(crate) fn open(&self, credentials: Credentials) -> Result<Option<Opened>, VaultError> {
        let Some(index) = self.find(&credentials.tag) else {
            return Ok(None);
        };
        let slot = &self.slots[index];
        let Some(secrets) = self.unwrap(slot, &credentials)? else {
            return Ok(None);
        };
        let Some(sealed) = unseal(slot, &secrets.identity)? else {
            return Ok(None);
        };
        Ok(Some(Opened {
            index,
            tag: credentials.tag,
            credentials,
            secrets,
            sealed,
        }))
    }

    fn associated_data(&self, tag: &Tag) -> Vec<u8> {
        let mut aad = Vec::with_capacity(WRAP_LABEL.len() + HEADER_LEN + TAG_LEN);
        aad.extend_from_slice(WRAP_LABEL);
        aad.extend_from_slice(&self.header());
        aad.extend_from_slice(tag);
        aad
    }

    fn unwrap(
        &self,
        slot: &SlotBytes,
        credentials: &Credentials,
    ) -> Result<Option<UserSecrets>, VaultError> {
        let cipher = XChaCha20Poly1305::new_from_slice(credentials.wrapping.bytes())
            .map_err(|_| VaultError::Crypto)?;
        let part = &slot[TAG_LEN..TAG_LEN + WRAPPED_LEN];
        let (nonce, body) = part.split_at(NONCE_LEN);
        let aad = self.associated_data(&credentials.tag);
        let Ok(nonce) = <[u8; NONCE_LEN]>::try_from(nonce) else {
            return Ok(None);
        };
        let Ok(plain) = cipher.decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        ) else {
            return Ok(None);
        };
        let plain = Zeroizing::new(plain);
        let (identity, verifying) = plain.split_at(IDENTITY_LEN);
        let Ok(text) = std::str::from_utf8(identity) else {
            return Ok(None);
        };
        let Ok(identity) = age::x25519::Identity::from_str(text) else {
            return Ok(None);
        };
        let mut coordinator_public = [0u8; VERIFYING_KEY_LEN];
        coordinator_public.copy_from_slice(verifying);
        Ok(Some(UserSecrets {
            identity,
            coordinator_public,
        }))
    }

    /// Write a slot for a user at `index`: the wrapped part under
    /// `credentials`, the sealed part to `secrets.identity`.
    pub(crate) fn put(
        &mut self,
        index: usize,
        credentials: &Credentials,
        secrets: &UserSecrets,
        master: &MasterKey,
        coordinator: Option<&[u8; KEY_LEN]>,
    ) -> Result<(), VaultError> {
        let sealed = seal(&secrets.identity.to_public(), master, coordinator)?;
        self.put_with_sealed(index, credentials, secrets, &sealed)
    }

    /// Like [`SlotFile::put`], keeping the sealed part given (a passphrase
    /// change keeps the user's key pair, so the sealed part stays valid).
    fn put_with_sealed(
        &mut self,
        index: usize,
        credentials: &Credentials,
        secrets: &UserSecrets,
        sealed: &[u8; SEALED_LEN],
    ) -> Result<(), VaultError> {
        let cipher = XChaCha20Poly1305::new_from_slice(credentials.wrapping.bytes())
            .map_err(|_| VaultError::Crypto)?;
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let identity = Zeroizing::new(secrets.identity.to_string().expose_secret().to_owned());
        if identity.len() != IDENTITY_LEN {
            return Err(VaultError::Crypto);
        }
        let mut plain = Zeroizing::new(Vec::with_capacity(IDENTITY_LEN + VERIFYING_KEY_LEN));
        plain.extend_from_slice(identity.as_bytes());
        plain.extend_from_slice(&secrets.coordinator_public);
        let aad = self.associated_data(&credentials.tag);
        let body = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Crypto)?;
        if body.len() != WRAPPED_LEN - NONCE_LEN {
            return Err(VaultError::Crypto);
        }
        let slot = self.slots.get_mut(index).ok_or(VaultError::Crypto)?;
        slot[..TAG_LEN].copy_from_slice(&credentials.tag);
        slot[TAG_LEN..TAG_LEN + NONCE_LEN].copy_from_slice(&nonce);
        slot[TAG_LEN + NONCE_LEN..TAG_LEN + WRAPPED_LEN].copy_from_slice(&body);
        slot[TAG_LEN + WRAPPED_LEN..].copy_from_slice(sealed);
        Ok(())
    }

    /// Move the user of slot `index` to new credentials (a new passphrase),
    /// keeping their key pair and sealed part.
    pub(crate) fn rewrap(
        &mut self,
        index: usize,
        credentials: &Credentials,
        secrets: &UserSecrets,
    ) -> Result<(), VaultError> {
        let slot = self.slots.get(index).ok_or(VaultError::Crypto)?;
        let mut sealed = [0u8; SEALED_LEN];
        sealed.copy_from_slice(&slot[TAG_LEN + WRAPPED_LEN..]);
        self.put_with_sealed(index, credentials, secrets, &sealed)
    }

    /// Pin `anchor` as the coordinator verifying key the user of `opened`
    /// trusts (rewriting its wrapped part; the sealed part stays).
    pub(crate) fn pin(
        &mut self,
        opened: &Opened,
        anchor: &CoordinatorPublic,
    ) -> Result<(), VaultError> {
        let secrets = UserSecrets {
            identity: opened.secrets.identity.clone(),
            coordinator_public: anchor.to_bytes(),
        };
        self.rewrap(opened.index, &opened.credentials, &secrets)
    }

    /// Seal a new master key into the slot with `tag` for `recipient`,
    /// keeping the tag and the wrapped part (a rekey needs no passphrase);
    /// whether a slot has that tag.
    pub(crate) fn reseal(
        &mut self,
        tag: &Tag,
        recipient: &age::x25519::Recipient,
        master: &MasterKey,
        coordinator: Option<&[u8; KEY_LEN]>,
    ) -> Result<bool, VaultError> {
        let Some(index) = self.find(tag) else {
            return Ok(false);
        };
        let sealed = seal(recipient, master, coordinator)?;
        self.slots[index][TAG_LEN + WRAPPED_LEN..].copy_from_slice(&sealed);
        Ok(true)
    }

    /// Fill slot `index` with random bytes: it opens nothing any more.
    pub(crate) fn clear(&mut self, index: usize) -> Result<(), VaultError> {
        let slot = self.slots.get_mut(index).ok_or(VaultError::Crypto)?;
        random_bytes(slot)
    }

    /// Every slot's lookup tag, in slot order (used ones and random ones).
    pub(crate) fn tags(&self) -> impl Iterator<Item = Tag> + '_ {
        self.slots.iter().map(|slot| {
            let mut tag = [0u8; TAG_LEN];
            tag.copy_from_slice(&slot[..TAG_LEN]);
            tag
        })
    }

    /// The first slot whose tag is none of `used`: a free slot, or
    /// [`VaultError::TooManyUsers`] when all [`SLOT_COUNT`] are taken.
    pub(crate) fn free_slot(&self, used: &[Tag]) -> Result<usize, VaultError> {
        self.tags()
            .position(|tag| !used.contains(&tag))
            .ok_or(VaultError::TooManyUsers { limit: SLOT_COUNT })
    }

    /// The stored form, always [`FILE_LEN`] bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FILE_LEN);
        out.extend_from_slice(&self.header());
        for slot in &self.slots {
            out.extend_from_slice(slot);
        }
        out
    }

    /// Parse and check the stored form; the error says what is wrong.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < HEADER_LEN || !bytes.starts_with(MAGIC) {
            return Err("not a Hotline Desk key file".to_owned());
        }
        let word = |at: usize| {
            let mut four = [0u8; 4];
            four.copy_from_slice(&bytes[at..at + 4]);
            u32::from_be_bytes(four)
        };
        let version = word(8);
        if version != VERSION {
            return Err(format!("key file version {version} is not supported"));
        }
        if bytes.len() != FILE_LEN {
            return Err(format!(
                "the key file has {} bytes instead of {FILE_LEN} (truncated?)",
                bytes.len()
            ));
        }
        let kdf = KdfParams {
            memory_kib: word(12),
            iterations: word(16),
            parallelism: word(20),
        };
        kdf.check()
            .map_err(|reason| format!("its parameters: {reason}"))?;
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&bytes[24..HEADER_LEN]);
        let slots = bytes[HEADER_LEN..]
            .chunks_exact(SLOT_LEN)
            .map(|chunk| {
                let mut slot = [0u8; SLOT_LEN];
                slot.copy_from_slice(chunk);
                slot
            })
            .collect();
        Ok(Self { kdf, salt, slots })
    }

    /// Read the key file at `path`: `None` if there is none.
    pub(crate) fn load_if_exists(path: &Path) -> Result<Option<Self>, VaultError> {
        match std::fs::read(path) {
            Ok(bytes) => Self::from_bytes(&bytes)
                .map(Some)
                .map_err(|detail| VaultError::DamagedKeyFile { detail }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(VaultError::io("cannot read the key file")(err)),
        }
    }

    /// Replace the key file at `path` atomically.
    pub(crate) fn save(&self, path: &Path) -> Result<(), VaultError> {
        super::files::write_atomic(path, &self.to_bytes())
    }
}

/// Seal `master` and the coordinator key (random bytes when `None`) to
/// `recipient`, padded to [`SEALED_LEN`].
fn seal(
    recipient: &age::x25519::Recipient,
    master: &MasterKey,
    coordinator: Option<&[u8; KEY_LEN]>,
) -> Result<[u8; SEALED_LEN], VaultError> {
    let mut plain = Zeroizing::new([0u8; SEALED_PLAIN_LEN]);
    plain[..KEY_LEN].copy_from_slice(master.bytes());
    match coordinator {
        Some(key) => plain[KEY_LEN..].copy_from_slice(key),
        None => random_bytes(&mut plain[KEY_LEN..])?,
    }
    let file = age::encrypt(recipient, &plain[..]).map_err(|_| VaultError::Crypto)?;
    let len = u16::try_from(file.len()).map_err(|_| VaultError::Crypto)?;
    if file.len() > SEALED_LEN - 2 {
        return Err(VaultError::Crypto);
    }
    let mut out = [0u8; SEALED_LEN];
    random_bytes(&mut out)?;
    out[..2].copy_from_slice(&len.to_be_bytes());
    out[2..2 + file.len()].copy_from_slice(&file);
    Ok(out)
}

/// Open the sealed part of `slot` with `identity`.
fn unseal(
    slot: &SlotBytes,
    identity: &age::x25519::Identity,
) -> Result<Option<Sealed>, VaultError> {
    let part = &slot[TAG_LEN + WRAPPED_LEN..];
    let len = usize::from(u16::from_be_bytes([part[0], part[1]]));
    let Some(file) = part.get(2..2 + len) else {
        return Ok(None);
    };
    let Ok(plain) = age::decrypt(identity, file) else {
        return Ok(None);
    };
    let plain = Zeroizing::new(plain);
    if plain.len() != SEALED_PLAIN_LEN {
        return Ok(None);
    }
    let master = MasterKey::from_slice(&plain[..KEY_LEN]).ok_or(VaultError::Crypto)?;
    let mut candidate = Zeroizing::new([0u8; KEY_LEN]);
    candidate.copy_from_slice(&plain[KEY_LEN..]);
    Ok(Some(Sealed { master, candidate }))
}

/// A fresh key pair for a new user (or a converted old slot).
pub(crate) fn new_user_secrets(coordinator_public: [u8; VERIFYING_KEY_LEN]) -> UserSecrets {
    UserSecrets {
        identity: age::x25519::Identity::generate(),
        coordinator_public,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> SlotFile {
        SlotFile::new(KdfParams::DEFAULT).unwrap()
    }

    #[test]
    fn a_slot_opens_with_its_handle_and_passphrase_only() {
        let mut keys = file();
        let master = MasterKey::generate().unwrap();
        let creds = keys.credentials("Ana", &"first passphrase".into()).unwrap();
        let secrets = new_user_secrets([7; VERIFYING_KEY_LEN]);
        keys.put(3, &creds, &secrets, &master, None).unwrap();

        // The handle is case-folded.
        let again = keys.credentials("aNA", &"first passphrase".into()).unwrap();
        let opened = keys.open(again).unwrap().unwrap();
        assert_eq!(opened.index, 3);
        assert_eq!(opened.sealed.master.bytes(), master.bytes());
        assert_eq!(opened.secrets.coordinator_public, [7; VERIFYING_KEY_LEN]);
        assert_eq!(
            opened.secrets.identity.to_public().to_string(),
            secrets.identity.to_public().to_string()
        );
        for (handle, pass) in [("ana", "first passphrasf"), ("bo", "first passphrase")] {
            let creds = keys.credentials(handle, &pass.into()).unwrap();
            assert!(keys.open(creds).unwrap().is_none(), "{handle}/{pass}");
        }
    }

    #[test]
    fn the_file_has_one_size_and_round_trips() {
        let mut keys = file();
        assert_eq!(keys.to_bytes().len(), FILE_LEN);
        let master = MasterKey::generate().unwrap();
        for i in 0..5 {
            let creds = keys
                .credentials(&format!("user{i}"), &"a passphrase".into())
                .unwrap();
            let coordinator = [9u8; KEY_LEN];
            let role = if i % 2 == 0 { Some(&coordinator) } else { None };
            keys.put(i, &creds, &new_user_secrets([0; 32]), &master, role)
                .unwrap();
            assert_eq!(keys.to_bytes().len(), FILE_LEN);
        }
        let bytes = keys.to_bytes();
        assert_eq!(SlotFile::from_bytes(&bytes).unwrap(), keys);
        assert!(SlotFile::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(SlotFile::from_bytes(b"HLDKSLOT").is_err());
        let mut weak = bytes.clone();
        weak[12..16].copy_from_slice(&8u32.to_be_bytes());
        assert!(SlotFile::from_bytes(&weak).is_err());
    }

    #[test]
    fn editing_the_header_or_a_tag_breaks_the_slot() {
        let mut keys = file();
        let master = MasterKey::generate().unwrap();
        let creds = keys.credentials("bo", &"second passphrase".into()).unwrap();
        keys.put(0, &creds, &new_user_secrets([0; 32]), &master, None)
            .unwrap();
        let mut other_salt = keys.clone();
        other_salt.salt[0] ^= 1;
        let creds2 = other_salt
            .credentials("bo", &"second passphrase".into())
            .unwrap();
        assert!(other_salt.open(creds2).unwrap().is_none());
        // The tag moved into the slot of someone else's credentials does
        // not open the wrapped part under theirs.
        let mut forged = keys.clone();
        let eve = keys.credentials("eve", &"third passphrase".into()).unwrap();
        forged.slots[0][..TAG_LEN].copy_from_slice(&eve.tag);
        assert!(forged.open(eve).unwrap().is_none());
    }

    #[test]
    fn a_cleared_slot_opens_nothing() {
        let mut keys = file();
        let master = MasterKey::generate().unwrap();
        let creds = keys.credentials("ana", &"first passphrase".into()).unwrap();
        keys.put(5, &creds, &new_user_secrets([0; 32]), &master, None)
            .unwrap();
        let again = |keys: &SlotFile| keys.credentials("ana", &"first passphrase".into()).unwrap();
        assert!(keys.open(again(&keys)).unwrap().is_some());
        keys.clear(5).unwrap();
        assert!(keys.open(again(&keys)).unwrap().is_none());
    }

    #[test]
    fn only_the_key_the_pinned_anchor_names_is_a_coordinator_key() {
        let mut keys = file();
        let master = MasterKey::generate().unwrap();
        let coordinator = CoordinatorKey::generate().unwrap();
        let anchor = coordinator.public();
        let pass = "first passphrase";
        for (index, handle, sealed) in [(0, "ana", true), (1, "bo", false)] {
            let creds = keys.credentials(handle, &pass.into()).unwrap();
            let secrets = new_user_secrets(anchor.to_bytes());
            let key = sealed.then(|| coordinator.to_bytes());
            keys.put(index, &creds, &secrets, &master, key.as_deref())
                .unwrap();
        }
        let open = |keys: &SlotFile, handle| {
            let creds = keys.credentials(handle, &pass.into()).unwrap();
            keys.open(creds).unwrap().unwrap()
        };
        let ana = open(&keys, "ana");
        assert_eq!(ana.pinned_anchor(), Some(anchor));
        assert_eq!(ana.coordinator_key(&anchor).unwrap().public(), anchor);
        let other = CoordinatorKey::generate().unwrap().public();
        assert!(ana.coordinator_key(&other).is_none(), "another anchor");
        let bo = open(&keys, "bo");
        assert!(bo.coordinator_key(&anchor).is_none(), "random bytes");

        // Pinning a new anchor keeps the sealed part and the key pair.
        let unpinned = CoordinatorKey::generate().unwrap().public();
        keys.pin(&bo, &unpinned).unwrap();
        let bo_again = open(&keys, "bo");
        assert_eq!(bo_again.pinned_anchor(), Some(unpinned));
        assert_eq!(bo_again.sealed.master.bytes(), master.bytes());
    }

    #[test]
    fn age_output_fits_the_sealed_part() {
        // age's grease stanza makes its output length random: check the
        // largest of many fits, so sealing never fails in use.
        let identity = age::x25519::Identity::generate();
        let master = MasterKey::generate().unwrap();
        let mut lengths = std::collections::BTreeSet::new();
        for _ in 0..300 {
            let sealed = seal(&identity.to_public(), &master, None).unwrap();
            lengths.insert(u16::from_be_bytes([sealed[0], sealed[1]]));
        }
        assert!(lengths.len() > 1, "age output varies in length");
        assert!(usize::from(*lengths.last().unwrap()) <= SEALED_LEN - 2);
    }
}
