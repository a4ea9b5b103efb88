//! The keys of a team: the TEAM signing key (Ed25519), kept sealed under the
//! coordinator key on the laptop that created the team, and each laptop's
//! own LAPTOP keys (an Ed25519 signing key and an age X25519 identity for
//! receiving), created once per vault.
//!
//! Every signature is domain-separated the way coordinator signatures are
//! (`vault::coordinator_key`): the signer's context, the domain's length,
//! the domain and the message, so a signature made for one purpose (an
//! enrolment request) never verifies for another (a packet), and a laptop
//! signature never stands in for a team signature.
//!
//! Secret bytes are wiped when dropped and never printed (`Debug` is
//! redacted).

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::TeamError;
use rusqlite::OptionalExtension;

use crate::vault::authority::{open_secret, seal_secret};
use crate::vault::{CoordinatorKey, Vault, VaultError};

/// Who signs: the context every signed message starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRole {
    /// The team key (coordinator laptop): enrolment, revocation, updates.
    Team,
    /// A laptop key: bundles, handoffs, case updates.
    Laptop,
}

impl KeyRole {
    fn context(self) -> &'static [u8] {
        match self {
            Self::Team => b"hotline-desk team signature v1",
            Self::Laptop => b"hotline-desk laptop signature v1",
        }
    }
}

/// Length of a signature.
pub(crate) const SIGNATURE_LEN: usize = 64;

/// An Ed25519 signing key of the team or of a laptop (32-byte seed, wiped
/// on drop by `ed25519-dalek`).
pub(crate) struct SigningSeed {
    key: SigningKey,
    signer: KeyRole,
}

impl SigningSeed {
    /// A fresh key from the operating system's CSPRNG.
    pub(crate) fn generate(signer: KeyRole) -> Result<Self, TeamError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..]).map_err(|_| TeamError::Random)?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
            signer,
        })
    }

    /// The key from its 32 stored bytes.
    pub(crate) fn from_bytes(bytes: &[u8], signer: KeyRole) -> Option<Self> {
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.try_into().ok()?);
        Some(Self {
            key: SigningKey::from_bytes(&seed),
            signer,
        })
    }

    /// The seed, in a wiping buffer, for storing it.
    pub(crate) fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes())
    }

    /// The verifying half.
    pub(crate) fn public(&self) -> PublicKey {
        PublicKey {
            key: self.key.verifying_key(),
        }
    }

    /// Sign `message` for `domain`.
    pub(crate) fn sign(&self, domain: &str, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key
            .sign(&framed(self.signer, domain, message))
            .to_bytes()
    }
}

impl std::fmt::Debug for SigningSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningSeed({:?}, <redacted>)", self.signer)
    }
}

/// An Ed25519 verifying key (team or laptop): not secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// Whether `signature` is `signer`'s over `message` for `domain`.
    pub(crate) fn verifies(
        &self,
        signer: KeyRole,
        domain: &str,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let Ok(bytes) = <[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        self.key
            .verify_strict(&framed(signer, domain, message), &signature)
            .is_ok()
    }

    /// The key as 64 hex digits.
    pub(crate) fn to_hex(self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// A key from 64 hex digits; `None` if they are not one.
    pub(crate) fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes)
            .ok()
            .map(|key| Self { key })
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// What is signed: the signer's context, the domain's length (8 bytes,
/// big endian), the domain and the message.
fn framed(signer: KeyRole, domain: &str, message: &[u8]) -> Vec<u8> {
    let context = signer.context();
    let mut out = Vec::with_capacity(context.len() + 8 + domain.len() + message.len());
    out.extend_from_slice(context);
    out.extend_from_slice(&(domain.len() as u64).to_be_bytes());
    out.extend_from_slice(domain.as_bytes());
    out.extend_from_slice(message);
    out
}

/// Parse an age X25519 recipient (`age1…`).
pub(crate) fn recipient(text: &str) -> Option<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(text.trim()).ok()
}

/// A new age identity's secret text, wiped on drop, and its recipient.
pub(crate) fn new_identity() -> (Zeroizing<String>, String) {
    let identity = age::x25519::Identity::generate();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_owned());
    (secret, identity.to_public().to_string())
}

/// What the team key is, to the coordinator key's secret box: binds it to
/// its team.
fn team_key_label(team_id: &uuid::Uuid) -> String {
    format!("team key {team_id}")
}

/// Seal the team key's seed under the session's coordinator key (its
/// secret box, as every coordinator secret: `vault::authority::seal_secret`).
pub(crate) fn seal_team_key(
    vault: &Vault,
    team_id: &uuid::Uuid,
    key: &SigningSeed,
) -> Result<Vec<u8>, TeamError> {
    let coordinator = vault
        .coordinator_key()
        .ok_or(TeamError::NotTeamCoordinator)?;
    seal_team_key_with(coordinator, team_id, key)
}

/// [`seal_team_key`] under `coordinator`.
fn seal_team_key_with(
    coordinator: &CoordinatorKey,
    team_id: &uuid::Uuid,
    key: &SigningSeed,
) -> Result<Vec<u8>, TeamError> {
    let seed = key.to_bytes();
    Ok(seal_secret(
        coordinator,
        &team_key_label(team_id),
        &seed[..],
    )?)
}

/// Open the sealed team key with the session's coordinator key. A
/// volunteer's session has no coordinator key and cannot: refused with
/// [`TeamError::NotTeamCoordinator`], as is a key sealed under another
/// coordinator key.
pub(crate) fn open_team_key(
    vault: &Vault,
    team_id: &uuid::Uuid,
    sealed: &[u8],
) -> Result<SigningSeed, TeamError> {
    let coordinator = vault
        .coordinator_key()
        .ok_or(TeamError::NotTeamCoordinator)?;
    open_team_key_with(coordinator, team_id, sealed)
}

/// [`open_team_key`] with `coordinator`.
fn open_team_key_with(
    coordinator: &CoordinatorKey,
    team_id: &uuid::Uuid,
    sealed: &[u8],
) -> Result<SigningSeed, TeamError> {
    let seed = open_secret(coordinator, &team_key_label(team_id), sealed)?
        .ok_or(TeamError::NotTeamCoordinator)?;
    SigningSeed::from_bytes(&seed, KeyRole::Team).ok_or(TeamError::Damaged {
        reason: "the sealed team key is malformed",
    })
}

/// Migration SQL: the team key sealed under the next coordinator key while
/// a rotation of that key is under way (see `vault::rotation`).
pub(crate) const TEAM_KEY_ROTATION_SQL: &str = "
    ALTER TABLE team_key ADD COLUMN sealed_next BLOB;
";

/// A rotation of the coordinator key begins: seal the team key (opened
/// with `old`) under `next` too, beside the current one.
pub(crate) fn carry_team_key(
    conn: &rusqlite::Connection,
    old: &CoordinatorKey,
    next: &CoordinatorKey,
) -> Result<(), VaultError> {
    let row: Option<(String, Vec<u8>)> = conn
        .query_row(
            "SELECT team_id, sealed FROM team_key WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((team_id, sealed)) = row else {
        return Ok(());
    };
    let damaged = || VaultError::DamagedDatabase {
        detail: "the sealed team key cannot be opened".to_owned(),
    };
    let team_id = uuid::Uuid::parse_str(&team_id).map_err(|_| damaged())?;
    let seed = open_team_key_with(old, &team_id, &sealed).map_err(|_| damaged())?;
    let carried = seal_team_key_with(next, &team_id, &seed).map_err(|_| damaged())?;
    conn.execute(
        "UPDATE team_key SET sealed_next = ?1 WHERE id = 1",
        [&carried],
    )?;
    Ok(())
}

/// The rotation is done (`finished`: the next key is the key now) or
/// dropped: keep the matching copy of the team key.
pub(crate) fn settle_team_key(
    conn: &rusqlite::Connection,
    finished: bool,
) -> Result<(), VaultError> {
    let sql = if finished {
        "UPDATE team_key SET sealed = sealed_next, sealed_next = NULL WHERE sealed_next IS NOT NULL"
    } else {
        "UPDATE team_key SET sealed_next = NULL"
    };
    conn.execute(sql, [])?;
    Ok(())
}

/// Words in a fingerprint: about 77 bits of the EFF large list.
pub const FINGERPRINT_WORDS: usize = 6;

/// A short fingerprint of public key material, for two people to compare
/// on two screens: six words of the EFF large word list (the list the
/// passphrase suggestions use), drawn from SHA-256 of the material.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    hash.update(b"hotline-desk fingerprint v1");
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    let mut n = u128::from_be_bytes(first);
    let list = &diceware_wordlists::EFF_LONG_WORDLIST;
    let len = list.len() as u128;
    let mut words = Vec::with_capacity(FINGERPRINT_WORDS);
    for _ in 0..FINGERPRINT_WORDS {
        // `len` is 7776, so the index always fits.
        let index = usize::try_from(n % len).unwrap_or(0);
        words.push(list[index]);
        n /= len;
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_laptop_signature_is_not_a_team_signature() {
        let key = SigningSeed::generate(KeyRole::Laptop).unwrap();
        let sig = key.sign("packet", b"m");
        assert!(key.public().verifies(KeyRole::Laptop, "packet", b"m", &sig));
        assert!(!key.public().verifies(KeyRole::Team, "packet", b"m", &sig));
        assert!(!key.public().verifies(KeyRole::Laptop, "other", b"m", &sig));
        assert!(!key.public().verifies(KeyRole::Laptop, "packet", b"n", &sig));
        assert!(
            !key.public()
                .verifies(KeyRole::Laptop, "packet", b"m", &sig[..63])
        );
        let other = SigningSeed::generate(KeyRole::Laptop).unwrap();
        assert!(
            !other
                .public()
                .verifies(KeyRole::Laptop, "packet", b"m", &sig)
        );
    }

    #[test]
    fn keys_round_trip_and_debug_hides_the_seed() {
        let key = SigningSeed::generate(KeyRole::Team).unwrap();
        let again = SigningSeed::from_bytes(&key.to_bytes()[..], KeyRole::Team).unwrap();
        assert_eq!(key.public(), again.public());
        assert_eq!(
            PublicKey::from_hex(&key.public().to_hex()),
            Some(key.public())
        );
        assert_eq!(PublicKey::from_hex("zz"), None);
        let printed = format!("{key:?}");
        assert!(!printed.contains(&hex::encode(*key.to_bytes())));
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn fingerprints_are_six_words_and_change_with_any_part() {
        let a = fingerprint(&[b"team", b"key"]);
        assert_eq!(a.split(' ').count(), FINGERPRINT_WORDS);
        assert_eq!(a, fingerprint(&[b"team", b"key"]));
        assert_ne!(a, fingerprint(&[b"team", b"kez"]));
        assert_ne!(a, fingerprint(&[b"teamk", b"ey"]), "parts are framed");
    }
}
