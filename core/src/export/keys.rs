//! The coordinator's key pair for aggregate bundles: an age X25519
//! identity kept inside the encrypted vault, created once.

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use rusqlite::OptionalExtension;
use serde_json::json;
use zeroize::Zeroizing;

use super::ExportError;
use crate::vault::{Coordinator, Vault};

/// The coordinator's public key (`age1…`), creating the key pair the first
/// time (coordinators only; the creation is audited). Give the public key
/// to every laptop that sends bundles; the private key never leaves the
/// vault.
pub fn coordinator_key(vault: &Coordinator<'_>) -> Result<String, ExportError> {
    if let Some(recipient) = stored_recipient(vault)? {
        return Ok(recipient);
    }
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_owned());
    let mut tx = vault.write()?;
    // Another process may have created one meanwhile: keep the first.
    if let Some(existing) = stored_recipient(vault)? {
        return Ok(existing);
    }
    tx.execute(
        "INSERT INTO coordinator_keys (id, identity, recipient, created_at, created_by)
         VALUES (1, ?1, ?2, ?3, ?4)",
        (
            secret.as_str(),
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

/// The coordinator's identity (private key), for decrypting bundles.
pub(crate) fn identity(vault: &Coordinator<'_>) -> Result<age::x25519::Identity, ExportError> {
    let secret: Option<Zeroizing<String>> = vault
        .read()
        .query_row(
            "SELECT identity FROM coordinator_keys WHERE id = 1",
            [],
            |r| r.get::<_, String>(0).map(Zeroizing::new),
        )
        .optional()?;
    let secret = secret.ok_or(ExportError::NoCoordinatorKey)?;
    age::x25519::Identity::from_str(secret.as_str()).map_err(|_| ExportError::InvalidData {
        reason: "the stored coordinator key is damaged",
    })
}

/// Parse a public key given as `age1…`.
pub(crate) fn recipient(text: &str) -> Result<age::x25519::Recipient, ExportError> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|_| ExportError::InvalidRecipient)
}
