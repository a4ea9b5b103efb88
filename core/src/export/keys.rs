//! The coordinator's key pair for aggregate bundles: an age X25519
//! identity kept inside the encrypted vault, created once, and encrypted
//! there under the coordinator key (so that a volunteer holding the files
//! and the master key still cannot read it).

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use rusqlite::OptionalExtension;
use serde_json::json;
use zeroize::Zeroizing;

use super::ExportError;
use crate::vault::authority::{open_secret, seal_secret};
use crate::vault::{Coordinator, CoordinatorKey, Vault, VaultError};

/// The coordinator's public key (`age1…`), creating the key pair the first
/// time (coordinators only; the creation is audited). Give the public key
/// to every laptop that sends bundles; the private key never leaves the
/// vault.
pub fn coordinator_key(vault: &Coordinator<'_>) -> Result<String, ExportError> {
    if let Some(recipient) = stored_recipient(vault)? {
        return Ok(recipient);
    }
    let key = vault
        .coordinator_key()
        .ok_or(ExportError::NoCoordinatorKey)?;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_owned());
    let sealed = seal_secret(key, IDENTITY_LABEL, secret.as_bytes())?;
    let mut tx = vault.write()?;
    // Another process may have created one meanwhile: keep the first.
    if let Some(existing) = stored_recipient(vault)? {
        return Ok(existing);
    }
    tx.execute(
        "INSERT INTO coordinator_keys
             (id, identity, sealed_identity, recipient, created_at, created_by)
         VALUES (1, '', ?1, ?2, ?3, ?4)",
        (
            &sealed,
            &recipient,
            crate::vault::now_unix(),
            &vault.user().handle,
        ),
    )?;
    tx.audit("keys.coordinator_create", json!({ "recipient": recipient }));
    tx.commit()?;
    Ok(recipient)
}

/// The stored public key, if any.
fn stored_recipient(vault: &Vault) -> Result<Option<String>, ExportError> {
    Ok(vault
        .read()
        .query_row(
            "SELECT recipient FROM coordinator_keys WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// The coordinator's identity (private key), for decrypting bundles: it
/// opens only with the coordinator key.
pub(crate) fn identity(vault: &Coordinator<'_>) -> Result<age::x25519::Identity, ExportError> {
    let sealed: Option<Option<Vec<u8>>> = vault
        .read()
        .query_row(
            "SELECT sealed_identity FROM coordinator_keys WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let sealed = sealed.ok_or(ExportError::NoCoordinatorKey)?;
    let key = vault
        .coordinator_key()
        .ok_or(ExportError::NoCoordinatorKey)?;
    let damaged = || ExportError::InvalidData {
        reason: "the stored coordinator key is damaged",
    };
    let secret = match sealed {
        Some(sealed) => open_secret(key, IDENTITY_LABEL, &sealed)?.ok_or_else(damaged)?,
        None => return Err(damaged()),
    };
    let text = std::str::from_utf8(&secret).map_err(|_| damaged())?;
    age::x25519::Identity::from_str(text).map_err(|_| damaged())
}

/// What the sealed identity is, to the coordinator key's secret box.
const IDENTITY_LABEL: &str = "age identity";

/// Encrypt an identity stored in the clear (by versions before it was
/// sealed) under `key`, wiping the clear copy (at a coordinator unlock).
pub(crate) fn seal_stored_identity(
    conn: &rusqlite::Connection,
    key: &CoordinatorKey,
) -> Result<(), VaultError> {
    let plain: Option<Zeroizing<String>> = conn
        .query_row(
            "SELECT identity FROM coordinator_keys
             WHERE id = 1 AND sealed_identity IS NULL AND identity <> ''",
            [],
            |r| r.get::<_, String>(0).map(Zeroizing::new),
        )
        .optional()?;
    let Some(plain) = plain else {
        return Ok(());
    };
    let sealed = seal_secret(key, IDENTITY_LABEL, plain.as_bytes())?;
    conn.execute(
        "UPDATE coordinator_keys SET identity = '', sealed_identity = ?1 WHERE id = 1",
        [&sealed],
    )?;
    Ok(())
}

/// Parse a public key given as `age1…`.
pub(crate) fn recipient(text: &str) -> Result<age::x25519::Recipient, ExportError> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|_| ExportError::InvalidRecipient)
}

/// Replace the coordinator's age identity (if there is one) with a new one
/// sealed under `key` (a rotation of the coordinator key: the one who left
/// knew the old identity); its new public key, to give to the laptops.
pub(crate) fn rotate_identity(
    conn: &rusqlite::Connection,
    key: &CoordinatorKey,
) -> Result<Option<String>, VaultError> {
    let exists: Option<i64> = conn
        .query_row("SELECT 1 FROM coordinator_keys WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_owned());
    let sealed = seal_secret(key, IDENTITY_LABEL, secret.as_bytes())?;
    conn.execute(
        "UPDATE coordinator_keys SET identity = '', sealed_identity = ?1, recipient = ?2,
             created_at = ?3 WHERE id = 1",
        (&sealed, &recipient, crate::vault::now_unix()),
    )?;
    Ok(Some(recipient))
}
