//! The coordinator key: the one secret that makes someone a coordinator.
//!
//! A [`CoordinatorKey`] is 32 random bytes. HKDF-SHA256 derives two keys
//! from it, each under its own `info` label so neither can stand in for the
//! other:
//! - an Ed25519 signing key, which signs what only coordinators may set and
//!   everyone must read (settings, audit checkpoints). Its verifying half is
//!   the [`CoordinatorPublic`] every user's copy of the vault trusts;
//! - a 32-byte symmetric key ([`CoordinatorKey::secret_box_key`]) that keeps
//!   coordinator secrets (the age identity) encrypted.
//!
//! Every signature is domain-separated: [`CoordinatorKey::sign`] signs the
//! domain name together with the message, so a signature made for one
//! purpose (say, a retention setting) never verifies for another.
//!
//! The key bytes are wiped when dropped, never printed (`Debug` is
//! redacted) and never serialised; only [`CoordinatorKey::to_bytes`] hands
//! them out, in a wiping buffer, for sealing into a key slot.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::VaultError;
use super::secret::{KEY_LEN, random_bytes};

/// HKDF `info` of the Ed25519 signing key's seed.
const SIGNING_KEY_INFO: &[u8] = b"hotline-desk coordinator signing key v1";
/// HKDF `info` of the symmetric key that keeps coordinator secrets.
const SECRET_BOX_KEY_INFO: &[u8] = b"hotline-desk coordinator secret box key v1";
/// What every signed message starts with, before its domain.
const SIGNATURE_CONTEXT: &[u8] = b"hotline-desk coordinator signature v1";

/// Length in bytes of a [`CoordinatorPublic`].
pub const PUBLIC_LEN: usize = 32;
/// Length in bytes of a [`Signature`].
pub const SIGNATURE_LEN: usize = 64;

/// The coordinator key (32 random bytes), wiped when dropped.
pub struct CoordinatorKey(SecretBox<[u8; KEY_LEN]>);

impl CoordinatorKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, VaultError> {
        let mut result = Ok(());
        let key = SecretBox::init_with_mut(|bytes: &mut [u8; KEY_LEN]| {
            result = random_bytes(bytes);
        });
        result.map(|()| Self(key))
    }

    /// The key from exactly 32 bytes (e.g. unsealed from a key slot);
    /// `None` for any other length. The caller's buffer is left as it is.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        Some(Self(SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| {
            k.copy_from_slice(bytes);
        })))
    }

    /// A copy of the key bytes in a buffer wiped on drop, for sealing into
    /// a key slot and nothing else.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(*self.0.expose_secret())
    }

    /// The verifying key everyone checks coordinator signatures against.
    pub fn public(&self) -> CoordinatorPublic {
        CoordinatorPublic(self.signing_key().verifying_key())
    }

    /// Sign `message` for the purpose named by `domain` (a short fixed name
    /// such as `"setting/retention"`).
    pub fn sign(&self, domain: &str, message: &[u8]) -> Signature {
        let framed = framed(domain, message);
        Signature(self.signing_key().sign(&framed).to_bytes())
    }

    /// The symmetric key that keeps coordinator secrets encrypted.
    pub fn secret_box_key(&self) -> SecretBoxKey {
        let hkdf = Hkdf::<Sha256>::new(None, self.0.expose_secret());
        SecretBoxKey(SecretBox::init_with_mut(|out: &mut [u8; KEY_LEN]| {
            // Cannot fail: 32 bytes is far below HKDF-SHA256's output limit.
            let _ = hkdf.expand(SECRET_BOX_KEY_INFO, out);
        }))
    }

    /// The Ed25519 signing key (wiped on drop by `ed25519-dalek`).
    fn signing_key(&self) -> SigningKey {
        let hkdf = Hkdf::<Sha256>::new(None, self.0.expose_secret());
        let mut seed = Zeroizing::new([0u8; KEY_LEN]);
        // Cannot fail: 32 bytes is far below HKDF-SHA256's output limit.
        let _ = hkdf.expand(SIGNING_KEY_INFO, &mut seed[..]);
        SigningKey::from_bytes(&seed)
    }
}

impl std::fmt::Debug for CoordinatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CoordinatorKey(<redacted>)")
    }
}

/// The 32-byte symmetric key derived from a [`CoordinatorKey`] that keeps
/// coordinator secrets encrypted. Wiped on drop; `Debug` is redacted.
pub struct SecretBoxKey(SecretBox<[u8; KEY_LEN]>);

impl SecretBoxKey {
    /// The key bytes, for the cipher.
    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SecretBoxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBoxKey(<redacted>)")
    }
}

/// The coordinator's verifying key (Ed25519, 32 bytes): not secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CoordinatorPublic(VerifyingKey);

impl CoordinatorPublic {
    /// Check that `signature` was made by this key's coordinator key over
    /// `message` for `domain`. Any other domain, message or key is
    /// [`VaultError::BadSignature`].
    pub fn verify(
        &self,
        domain: &str,
        message: &[u8],
        signature: &Signature,
    ) -> Result<(), VaultError> {
        let framed = framed(domain, message);
        let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.0
            .verify_strict(&framed, &signature)
            .map_err(|_| VaultError::BadSignature)
    }

    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; PUBLIC_LEN] {
        self.0.to_bytes()
    }

    /// A key from its 32 bytes; `None` for another length or bytes that are
    /// not a point of the curve.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; PUBLIC_LEN] = bytes.try_into().ok()?;
        VerifyingKey::from_bytes(bytes).ok().map(Self)
    }

    /// The key as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }

    /// A key from 64 hex digits; `None` if they are not a key.
    pub fn from_hex(text: &str) -> Option<Self> {
        Self::from_bytes(&hex::decode(text).ok()?)
    }
}

impl std::fmt::Debug for CoordinatorPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CoordinatorPublic({})", self.to_hex())
    }
}

/// A coordinator signature (Ed25519, 64 bytes): not secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// The signature's 64 bytes.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0
    }

    /// A signature from its 64 bytes; `None` for another length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The signature as 128 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A signature from 128 hex digits; `None` if they are not one.
    pub fn from_hex(text: &str) -> Option<Self> {
        Self::from_bytes(&hex::decode(text).ok()?)
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({})", self.to_hex())
    }
}

/// What is actually signed: the context, the domain's length (8 bytes, big
/// endian), the domain and the message, so that no (domain, message) pair
/// frames the same bytes as another.
fn framed(domain: &str, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGNATURE_CONTEXT.len() + 8 + domain.len() + message.len());
    out.extend_from_slice(SIGNATURE_CONTEXT);
    out.extend_from_slice(&(domain.len() as u64).to_be_bytes());
    out.extend_from_slice(domain.as_bytes());
    out.extend_from_slice(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CoordinatorKey {
        CoordinatorKey::generate().expect("random key")
    }

    #[test]
    fn a_signature_verifies_for_its_domain_and_message() {
        let key = key();
        let sig = key.sign("setting/retention", b"90");
        key.public()
            .verify("setting/retention", b"90", &sig)
            .expect("valid signature");
    }

    #[test]
    fn another_domain_is_refused() {
        let key = key();
        let sig = key.sign("setting/retention", b"90");
        let err = key.public().verify("setting/auto_lock", b"90", &sig);
        assert!(matches!(err, Err(VaultError::BadSignature)), "{err:?}");
    }

    #[test]
    fn domain_and_message_cannot_trade_bytes() {
        let key = key();
        let sig = key.sign("ab", b"c");
        let err = key.public().verify("a", b"bc", &sig);
        assert!(matches!(err, Err(VaultError::BadSignature)), "{err:?}");
    }

    #[test]
    fn an_altered_message_is_refused() {
        let key = key();
        let sig = key.sign("setting/retention", b"90");
        let err = key.public().verify("setting/retention", b"91", &sig);
        assert!(matches!(err, Err(VaultError::BadSignature)), "{err:?}");
    }

    #[test]
    fn an_altered_signature_is_refused() {
        let key = key();
        let mut bytes = key.sign("setting/retention", b"90").to_bytes();
        bytes[10] ^= 1;
        let sig = Signature::from_bytes(&bytes).expect("64 bytes");
        let err = key.public().verify("setting/retention", b"90", &sig);
        assert!(matches!(err, Err(VaultError::BadSignature)), "{err:?}");
    }

    #[test]
    fn another_key_is_refused() {
        let sig = key().sign("setting/retention", b"90");
        let err = key().public().verify("setting/retention", b"90", &sig);
        assert!(matches!(err, Err(VaultError::BadSignature)), "{err:?}");
    }

    #[test]
    fn the_key_survives_its_bytes_and_derives_the_same_keys() {
        let key = key();
        let again = CoordinatorKey::from_bytes(&key.to_bytes()[..]).expect("32 bytes");
        assert_eq!(key.public(), again.public());
        assert_eq!(key.secret_box_key().bytes(), again.secret_box_key().bytes());
        let sig = again.sign("d", b"m");
        key.public().verify("d", b"m", &sig).expect("same key");
        assert!(CoordinatorKey::from_bytes(&[0u8; 31]).is_none());
    }

    #[test]
    fn the_derived_keys_differ_from_the_key_and_from_each_other() {
        let key = key();
        let secret = *key.to_bytes();
        let boxed = *key.secret_box_key().bytes();
        assert_ne!(secret, boxed);
        assert_ne!(key.public().to_bytes(), boxed);
        assert_ne!(key.public().to_bytes(), secret);
        assert_ne!(key.public(), self::key().public());
    }

    #[test]
    fn public_keys_and_signatures_round_trip_through_hex_and_bytes() {
        let key = key();
        let public = key.public();
        assert_eq!(CoordinatorPublic::from_hex(&public.to_hex()), Some(public));
        assert_eq!(
            CoordinatorPublic::from_bytes(&public.to_bytes()),
            Some(public)
        );
        assert_eq!(CoordinatorPublic::from_hex("zz"), None);
        assert_eq!(CoordinatorPublic::from_bytes(&[1u8; 31]), None);
        let sig = key.sign("d", b"m");
        assert_eq!(Signature::from_hex(&sig.to_hex()), Some(sig));
        assert_eq!(Signature::from_bytes(&[0u8; 63]), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = key();
        let secret = hex::encode(*key.to_bytes());
        let printed = format!("{key:?} {:?}", key.secret_box_key());
        assert!(!printed.contains(&secret));
        assert!(printed.contains("redacted"));
    }
}
