//! Secret types: the user's passphrase, the vault's master key, the
//! database key derived from it and the erase anchor, and the
//! key-encryption keys derived from passphrases (separate types, so that
//! one can never be used where another is meant).
//!
//! Both live in heap boxes that are wiped when dropped (`secrecy`/`zeroize`),
//! print as `<redacted>` in `Debug`, implement neither `Display`, `Clone` nor
//! `Serialize`, and are only readable through crate-private accessors.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::{Zeroize, Zeroizing};

use super::VaultError;

/// Length in bytes of the master key and of key-encryption keys (256 bits).
pub(crate) const KEY_LEN: usize = 32;

/// A passphrase typed by a user.
///
/// Wiped from memory when dropped; `Debug` prints `Passphrase(<redacted>)`.
/// There is deliberately no way to print or serialize it.
pub struct Passphrase(SecretString);

impl Passphrase {
    /// Take ownership of `text`; its buffer is wiped after being copied into
    /// an exactly-sized secret box (so no spare capacity keeps a copy).
    pub fn new(mut text: String) -> Self {
        let secret = SecretString::from(text.as_str());
        text.zeroize();
        Self(secret)
    }

    /// Whether the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    /// Whether two passphrases are identical (e.g. typed twice to confirm).
    pub fn same_as(&self, other: &Passphrase) -> bool {
        self.expose().as_bytes() == other.expose().as_bytes()
    }

    /// The passphrase text, for key derivation and strength checks only.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for Passphrase {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&str> for Passphrase {
    /// Copies `text`; the caller's copy is not wiped.
    fn from(text: &str) -> Self {
        Self(SecretString::from(text))
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// The vault's 256-bit master key (the SQLCipher raw key). Key-encryption
/// keys derived from passphrases are [`WrappingKey`]s.
///
/// Kept in one heap box for its whole life, so moving the value around does
/// not leave copies on the stack; wiped on drop.
pub(crate) struct MasterKey(SecretBox<[u8; KEY_LEN]>);

impl MasterKey {
    /// A fresh key from the operating system's CSPRNG.
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let mut failed = false;
        let key = SecretBox::init_with_mut(|bytes: &mut [u8; KEY_LEN]| {
            failed = getrandom::fill(bytes).is_err();
        });
        if failed {
            return Err(VaultError::Random);
        }
        Ok(Self(key))
    }

    /// A key from exactly [`KEY_LEN`] bytes (e.g. an unwrapped key slot).
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        Some(Self(SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| {
            k.copy_from_slice(bytes);
        })))
    }

    /// The key bytes.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }

    /// The key as 64 lowercase hex digits (tests look for it in files).
    #[cfg(test)]
    pub(crate) fn to_hex(&self) -> Zeroizing<String> {
        hex_of(self.bytes())
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// The SQLCipher key of the database: derived from the [`MasterKey`] and
/// the erase anchor (see `vault::anchor`), so it exists on disk nowhere and
/// cannot be rebuilt once the anchor is overwritten. Wiped on drop.
pub(crate) struct DatabaseKey(SecretBox<[u8; KEY_LEN]>);

impl DatabaseKey {
    /// Fill a new key in place (used by the anchor's key derivation).
    pub(crate) fn init_with(fill: impl FnOnce(&mut [u8; KEY_LEN])) -> Self {
        Self(SecretBox::init_with_mut(fill))
    }

    /// The database key of a vault made before the erase anchor existed,
    /// where the master key itself keyed the database (only used to open
    /// such a vault once, to migrate it).
    pub(crate) fn legacy(master: &MasterKey) -> Self {
        Self::init_with(|k| k.copy_from_slice(master.bytes()))
    }

    /// A second copy in its own wiping box, for a check that opens its own
    /// connection (see `vault::integrity`).
    pub(crate) fn duplicate(&self) -> Self {
        Self::init_with(|k| k.copy_from_slice(self.bytes()))
    }

    /// The key bytes.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }

    /// The key as 64 lowercase hex digits, in a buffer wiped on drop.
    pub(crate) fn to_hex(&self) -> Zeroizing<String> {
        hex_of(self.bytes())
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(<redacted>)")
    }
}

/// 32 key bytes as 64 lowercase hex digits, in a buffer wiped on drop.
fn hex_of(bytes: &[u8; KEY_LEN]) -> Zeroizing<String> {
    let mut buf = Zeroizing::new([0u8; 2 * KEY_LEN]);
    // Cannot fail: the output is exactly twice the input length.
    let _ = hex::encode_to_slice(bytes, &mut buf[..]);
    let mut out = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
    out.extend(buf.iter().map(|&b| char::from(b)));
    out
}

/// A 256-bit key-encryption key derived from a passphrase: it wraps and
/// unwraps a key slot, and nothing else. Wiped on drop.
pub(crate) struct WrappingKey(SecretBox<[u8; KEY_LEN]>);

impl WrappingKey {
    /// Fill a new key in place (used by key derivation).
    pub(crate) fn init_with(fill: impl FnOnce(&mut [u8; KEY_LEN])) -> Self {
        Self(SecretBox::init_with_mut(fill))
    }

    /// The key bytes, for the slot's cipher.
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappingKey(<redacted>)")
    }
}

/// Fill `buf` from the operating system's CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), VaultError> {
    getrandom::fill(buf).map_err(|_| VaultError::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let pass = Passphrase::from("correct horse battery staple");
        assert_eq!(format!("{pass:?}"), "Passphrase(<redacted>)");
        let key = MasterKey::generate().unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "Key(<redacted>)");
        assert!(!shown.contains(&key.to_hex()[..8]));
    }

    #[test]
    fn hex_is_64_lowercase_digits() {
        let key = MasterKey::from_slice(&[0xAB; KEY_LEN]).unwrap();
        assert_eq!(key.to_hex().as_str(), "ab".repeat(KEY_LEN));
        assert!(MasterKey::from_slice(&[0; 31]).is_none());
    }

    #[test]
    fn generated_keys_differ() {
        let a = MasterKey::generate().unwrap();
        let b = MasterKey::generate().unwrap();
        assert_ne!(a.bytes(), b.bytes());
    }
}
