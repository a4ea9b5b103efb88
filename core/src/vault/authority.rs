//! Where the coordinator key lives, and the one place the rest of the core
//! gets it.
//!
//! The key is sealed in coordinators' key slots (see [`super::slots`]): the
//! 32 bytes after the master key in a slot's sealed part are the
//! coordinator key in a coordinator's slot and random in a volunteer's.
//! Every slot's passphrase-wrapped part pins the coordinator verifying key
//! its user trusts (the *anchor*). At unlock the slot's 32 bytes are the
//! coordinator key only if the key they make verifies as that anchor, so
//! being a coordinator means holding the key: editing the `role` column,
//! or sealing a key of one's own into a slot, makes nobody a coordinator.
//!
//! [`Vault::coordinator_key`] (coordinators only) signs what only
//! coordinators may set, the audit checkpoints and the user index's rows;
//! [`Vault::coordinator_public`] (everyone) verifies them.
//!
//! The database keeps the verifying key (`coordinator_authority.public`)
//! for slots that pin none yet: slots written before this version, pinned
//! at their user's next unlock (trust on first use, see
//! `docs/SECURITY.md`). Versions before this one kept the key itself in
//! `coordinator_authority.secret`; the first coordinator unlock seals it
//! into every coordinator's slot and wipes it ([`Settle::IntoSlots`]),
//! once no coordinator still needs it to convert an old slot.

use std::str::FromStr;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use rusqlite::{Connection, OptionalExtension};

use super::coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
use super::secret::random_bytes;
use super::slots::{Opened, Tag};
use super::{Role, Vault, VaultError, now_unix, rotation};

/// Migration SQL of the first storage of the key (see the module's
/// documentation: the key slots replaced it; the row keeps the verifying
/// key).
pub(crate) const COORDINATOR_AUTHORITY_SQL: &str = "
    CREATE TABLE coordinator_authority (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        secret     BLOB NOT NULL,
        public     BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
";

/// Migration SQL of the key in the slots: each user row's signature by the
/// coordinator key, and the coordinator's age identity kept encrypted under
/// it.
pub(crate) const COORDINATOR_IN_SLOTS_SQL: &str = "
    ALTER TABLE users ADD COLUMN signature BLOB;
    ALTER TABLE coordinator_keys ADD COLUMN sealed_identity BLOB;
";

/// Signature domain of a user row.
pub(crate) const USER_DOMAIN: &str = "user";

/// The coordinator key of a session, if the user holds it, and the
/// verifying key everyone checks against (none in a vault made before the
/// key existed, until its first coordinator unlock).
#[derive(Debug, Default)]
pub(crate) struct Authority {
    key: Option<CoordinatorKey>,
    public: Option<CoordinatorPublic>,
}

/// No key at all (a write before the vault has one).
pub(crate) static NO_AUTHORITY: Authority = Authority {
    key: None,
    public: None,
};

impl Authority {
    /// A coordinator's authority over `key`.
    pub(crate) fn holding(key: CoordinatorKey) -> Self {
        let public = Some(key.public());
        Self {
            key: Some(key),
            public,
        }
    }

    /// A volunteer's: verify with `public` only.
    fn verifying(public: Option<CoordinatorPublic>) -> Self {
        Self { key: None, public }
    }

    /// A second copy, for a second handle on the same session
    /// (`Vault::companion`).
    pub(crate) fn duplicate(&self) -> Option<Self> {
        let key = match &self.key {
            Some(key) => Some(CoordinatorKey::from_bytes(&key.to_bytes()[..])?),
            None => None,
        };
        Some(Self {
            key,
            public: self.public,
        })
    }

    /// The signing key, for coordinators.
    pub(crate) fn key(&self) -> Option<&CoordinatorKey> {
        self.key.as_ref()
    }

    /// The verifying key.
    pub(crate) fn public(&self) -> Option<&CoordinatorPublic> {
        self.public.as_ref()
    }

    /// The role this authority gives its session.
    pub(crate) fn role(&self) -> Role {
        if self.key.is_some() {
            Role::Coordinator
        } else {
            Role::Volunteer
        }
    }
}

/// What an unlock still has to write once the vault is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settle {
    /// Nothing.
    Nothing,
    /// Pin the verifying key in the session user's slot.
    Pin,
    /// Seal the key (taken from the old storage, or created now) into
    /// every coordinator's slot, sign the user index, keep the age
    /// identity encrypted, and wipe the old storage.
    IntoSlots {
        /// Whether the key was created just now (a vault made before it).
        created: bool,
    },
    /// The slot holds the key a pending rotation replaces: the rotation
    /// never reached the key file; forget it.
    AbortRotation,
    /// The slot holds the key a pending rotation rotates to: finish it
    /// (sign again what `old` signed).
    FinishRotation {
        /// The key rotated from.
        old: CoordinatorPublic,
    },
}

/// What the database keeps about the coordinator key.
struct Stored {
    public: CoordinatorPublic,
    /// The key itself, in vaults from before the key slots held it.
    old_secret: Option<CoordinatorKey>,
}

fn damaged() -> VaultError {
    VaultError::DamagedDatabase {
        detail: "the coordinator key record is malformed".to_owned(),
    }
}

fn stored(conn: &Connection) -> Result<Option<Stored>, VaultError> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT secret, public FROM coordinator_authority WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((secret, public)) = row else {
        return Ok(None);
    };
    let secret = zeroize::Zeroizing::new(secret);
    let old_secret = if secret.is_empty() {
        None
    } else {
        Some(CoordinatorKey::from_bytes(&secret).ok_or_else(damaged)?)
    };
    Ok(Some(Stored {
        public: CoordinatorPublic::from_bytes(&public).ok_or_else(damaged)?,
        old_secret,
    }))
}

/// Record `public` as the vault's coordinator verifying key (a new vault).
pub(crate) fn store_public(
    conn: &Connection,
    public: &CoordinatorPublic,
) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO coordinator_authority (id, secret, public, created_at)
         VALUES (1, X'', ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET secret = X'', public = excluded.public",
        (&public.to_bytes()[..], now_unix()),
    )?;
    Ok(())
}

/// The session's authority at an unlock through `slot` (none for an old
/// `keyslots.json` slot) by a user the index lists with `listed`, and what
/// is left to write.
///
/// 1. The slot holds the key its anchor (pinned, or else the database's)
///    names: a coordinator.
/// 2. A user listed as coordinator in a vault that still keeps the key in
///    the database (or has none yet: it is created): a coordinator, whose
///    unlock moves the key into the slots.
/// 3. Anyone else verifies only, with the anchor.
///
/// The anchor is the pinned (or the database's) verifying key followed
/// through the done rotations of the key ([`rotation::follow`]); a slot
/// holding the key a pending rotation rotates to finishes it.
pub(crate) fn resolve(
    conn: &Connection,
    slot: Option<&Opened>,
    listed: Role,
) -> Result<(Authority, Settle), VaultError> {
    let stored = stored(conn)?;
    let pinned = slot.and_then(Opened::pinned_anchor);
    let (anchor, pending) = match pinned.or(stored.as_ref().map(|s| s.public)) {
        Some(start) => {
            let (anchor, pending) = rotation::follow(conn, start)?;
            (Some(anchor), pending)
        }
        None => (None, None),
    };
    let to_pin = |anchor: CoordinatorPublic| {
        if slot.is_some() && pinned != Some(anchor) {
            Settle::Pin
        } else {
            Settle::Nothing
        }
    };
    if let (Some(opened), Some(anchor)) = (slot, anchor) {
        if let Some(key) = opened.coordinator_key(&anchor) {
            let settle = if pending.is_some() {
                Settle::AbortRotation
            } else if stored.as_ref().is_some_and(|s| s.old_secret.is_some()) {
                Settle::IntoSlots { created: false }
            } else {
                to_pin(anchor)
            };
            return Ok((Authority::holding(key), settle));
        }
        if let Some(next) = pending
            && let Some(key) = opened.coordinator_key(&next.new)
        {
            return Ok((
                Authority::holding(key),
                Settle::FinishRotation { old: anchor },
            ));
        }
    }
    if listed == Role::Coordinator {
        match stored {
            None => {
                let key = CoordinatorKey::generate()?;
                return Ok((Authority::holding(key), Settle::IntoSlots { created: true }));
            }
            Some(Stored {
                public,
                old_secret: Some(key),
            }) if anchor == Some(public) && key.public() == public => {
                return Ok((
                    Authority::holding(key),
                    Settle::IntoSlots { created: false },
                ));
            }
            Some(_) => {}
        }
    }
    let settle = anchor.map_or(Settle::Nothing, to_pin);
    Ok((Authority::verifying(anchor), settle))
}

/// Wipe the key from the old storage, keeping its verifying key.
pub(crate) fn wipe_old_secret(conn: &Connection) -> Result<(), VaultError> {
    conn.execute(
        "UPDATE coordinator_authority SET secret = X'' WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// The canonical bytes a user row's signature covers: its handle, role and
/// public key (not its slot tag, which a passphrase change replaces).
fn user_body(handle: &str, role: Role, public_key: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for part in [handle, role.as_str(), public_key] {
        body.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        body.extend_from_slice(part.as_bytes());
    }
    body
}

/// Sign the row of user `handle` as it stands (role and public key).
pub(crate) fn sign_user(
    conn: &Connection,
    key: &CoordinatorKey,
    handle: &str,
) -> Result<(), VaultError> {
    let row: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT role, public_key FROM users WHERE handle = ?1",
            [handle],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((role, Some(public_key))) = row else {
        return Ok(());
    };
    let role = Role::parse(&role).ok_or(VaultError::KeySlotMismatch)?;
    let signature = key.sign(USER_DOMAIN, &user_body(handle, role, &public_key));
    conn.execute(
        "UPDATE users SET signature = ?1 WHERE handle = ?2",
        (&signature.to_bytes()[..], handle),
    )?;
    Ok(())
}

/// Every signed user row as (rowid, signed body, signature), for signing
/// them again with a new coordinator key.
pub(crate) fn user_rows(conn: &Connection) -> Result<Vec<super::rotation::SignedRow>, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT rowid, handle, role, public_key, signature FROM users
         WHERE signature IS NOT NULL AND public_key IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Vec<u8>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (rowid, handle, role, public_key, signature) = row?;
        if let Some(role) = Role::parse(&role) {
            out.push((rowid, user_body(&handle, role, &public_key), signature));
        }
    }
    Ok(out)
}

/// One user of the index as a rekey sees them.
pub(crate) struct Recipient {
    /// Which slot is theirs.
    pub(crate) tag: Tag,
    /// What their slot is sealed to.
    pub(crate) recipient: age::x25519::Recipient,
    /// Whether the row is a coordinator's, signed with the coordinator key:
    /// only then is the coordinator key sealed to them.
    pub(crate) signed_coordinator: bool,
}

/// Every user with a slot, and whether each is a signed coordinator.
pub(crate) fn recipients(
    conn: &Connection,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<Recipient>, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT handle, role, slot_tag, public_key, signature FROM users
         WHERE slot_tag IS NOT NULL AND public_key IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<Vec<u8>>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (handle, role, tag, public_key, signature) = row?;
        let entry_damaged = || VaultError::DamagedDatabase {
            detail: "a user's key slot entry is damaged".to_owned(),
        };
        let tag: Tag = tag.try_into().map_err(|_| entry_damaged())?;
        let recipient =
            age::x25519::Recipient::from_str(&public_key).map_err(|_| entry_damaged())?;
        let signed_coordinator = Role::parse(&role) == Some(Role::Coordinator)
            && match (public, signature.as_deref().and_then(Signature::from_bytes)) {
                (Some(public), Some(signature)) => public
                    .verify(
                        USER_DOMAIN,
                        &user_body(&handle, Role::Coordinator, &public_key),
                        &signature,
                    )
                    .is_ok(),
                _ => false,
            };
        out.push(Recipient {
            tag,
            recipient,
            signed_coordinator,
        });
    }
    Ok(out)
}

/// Whether a user listed as coordinator still has an old slot (they need
/// the old storage of the key to convert it).
pub(crate) fn coordinator_with_old_slot(conn: &Connection) -> Result<bool, VaultError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'coordinator' AND old_slot = 1)",
        [],
        |r| r.get(0),
    )?)
}

/// Associated data of a coordinator secret labelled `label`.
fn secret_label(label: &str) -> Vec<u8> {
    let mut aad = b"hotline-desk coordinator secret v1: ".to_vec();
    aad.extend_from_slice(label.as_bytes());
    aad
}

/// Encrypt `plain` under the coordinator key (XChaCha20-Poly1305 with its
/// secret-box key; `label` names what it is): nonce then ciphertext.
pub(crate) fn seal_secret(
    key: &CoordinatorKey,
    label: &str,
    plain: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let cipher = XChaCha20Poly1305::new_from_slice(key.secret_box_key().bytes())
        .map_err(|_| VaultError::Crypto)?;
    let mut nonce = [0u8; 24];
    random_bytes(&mut nonce)?;
    let aad = secret_label(label);
    let body = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .map_err(|_| VaultError::Crypto)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decrypt what [`seal_secret`] wrote with the same `key` and `label`;
/// `None` if it does not open (another key, or altered).
pub(crate) fn open_secret(
    key: &CoordinatorKey,
    label: &str,
    sealed: &[u8],
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, VaultError> {
    let cipher = XChaCha20Poly1305::new_from_slice(key.secret_box_key().bytes())
        .map_err(|_| VaultError::Crypto)?;
    let Some((nonce, body)) = sealed.split_at_checked(24) else {
        return Ok(None);
    };
    let Ok(nonce) = <[u8; 24]>::try_from(nonce) else {
        return Ok(None);
    };
    let aad = secret_label(label);
    Ok(cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .ok()
        .map(zeroize::Zeroizing::new))
}

impl Vault {
    /// Write what the unlock's [`resolve`] left to write (see [`Settle`]).
    pub(super) fn settle_authority(
        &mut self,
        settle: Settle,
        opened: Option<&Opened>,
    ) -> Result<(), VaultError> {
        match settle {
            Settle::Nothing => Ok(()),
            Settle::Pin => {
                let (Some(opened), Some(anchor)) = (opened, self.coordinator_public()) else {
                    return Ok(());
                };
                let mut key_file = self.current_key_file()?;
                key_file.pin(opened, anchor)?;
                key_file.save(&self.files.key_file())
            }
            Settle::IntoSlots { created } => self.seal_into_slots(created, opened),
            Settle::AbortRotation => self.abort_rotation(),
            Settle::FinishRotation { old } => {
                let key = self.coordinator_key().ok_or(VaultError::Crypto)?;
                let key =
                    CoordinatorKey::from_bytes(&key.to_bytes()[..]).ok_or(VaultError::Crypto)?;
                self.finish_rotation(old, key)?;
                self.settle_authority(Settle::Pin, opened)
            }
        }
    }

    /// Seal the session's coordinator key into every coordinator's slot
    /// (the index's coordinators, whose rows it signs now), pin it in the
    /// session user's slot, encrypt the age identity under it and wipe the
    /// old storage; with `created`, also record the new key and sign the
    /// settings as they stand. The key file is written just before the
    /// commit: a crash in between leaves the old storage, and the next
    /// coordinator unlock does it again.
    fn seal_into_slots(&self, created: bool, opened: Option<&Opened>) -> Result<(), VaultError> {
        let Some(key) = self.coordinator_key() else {
            return Ok(());
        };
        let public = key.public();
        let mut key_file = self.current_key_file()?;
        let mut tx = self.write()?;
        if created {
            store_public(&tx, &public)?;
            super::signed::sign_all_current(&tx, key, &self.user.handle)?;
        }
        let handles: Vec<String> = {
            let mut stmt = tx.prepare("SELECT handle FROM users")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for handle in &handles {
            sign_user(&tx, key, handle)?;
        }
        let secret = key.to_bytes();
        for user in recipients(&tx, Some(&public))? {
            if user.signed_coordinator {
                key_file.reseal(&user.tag, &user.recipient, &self.key, Some(&secret))?;
            }
        }
        if let Some(opened) = opened {
            key_file.pin(opened, &public)?;
        }
        crate::export::seal_stored_identity(&tx, key)?;
        if !coordinator_with_old_slot(&tx)? {
            wipe_old_secret(&tx)?;
        }
        tx.audit(
            if created {
                "coordinator_key.create"
            } else {
                "coordinator_key.into_slots"
            },
            serde_json::json!({}),
        );
        key_file.save(&self.files.key_file())?;
        tx.commit()
    }

    /// The coordinator key, held by coordinators' sessions only.
    pub(crate) fn coordinator_key(&self) -> Option<&CoordinatorKey> {
        self.authority.key()
    }

    /// The coordinator's verifying key every session checks signed settings
    /// and audit checkpoints against (none in a vault made before the key
    /// existed, until its first coordinator unlock).
    pub fn coordinator_public(&self) -> Option<&CoordinatorPublic> {
        self.authority.public()
    }

    /// The session's authority, for writes.
    pub(crate) fn authority(&self) -> &Authority {
        &self.authority
    }
}
