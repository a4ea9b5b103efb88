//! Where the rest of the core gets the coordinator key: the one place.
//!
//! [`Vault::coordinator_key`] (coordinators only) signs what only
//! coordinators may set and the audit checkpoints;
//! [`Vault::coordinator_public`] (everyone) verifies them.
//!
//! INTERIM STORAGE: the key is kept in the `coordinator_authority` table of
//! the encrypted database, created with the vault (or at the first
//! coordinator unlock of a vault made before it) and loaded at unlock for
//! coordinators only. Anyone holding the master key can read that table, so
//! this storage protects nothing yet; the public-key key slots replace it
//! (the coordinator key sealed in coordinators' slots, its verifying key
//! carried by every slot as the trust anchor). Only this module changes then.

use rusqlite::{Connection, OptionalExtension};

use super::coordinator_key::{CoordinatorKey, CoordinatorPublic};
use super::{Role, Vault, VaultError, now_unix};

/// Migration SQL of the interim key storage (see the module's
/// documentation: the key slots replace it).
pub(crate) const COORDINATOR_AUTHORITY_SQL: &str = "
    CREATE TABLE coordinator_authority (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        secret     BLOB NOT NULL,
        public     BLOB NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;
";

/// The coordinator key of a session, if the user is a coordinator, and the
/// verifying key everyone checks against (none before the first
/// coordinator unlock of a vault made before the key existed).
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

    /// The signing key, for coordinators.
    pub(crate) fn key(&self) -> Option<&CoordinatorKey> {
        self.key.as_ref()
    }

    /// The verifying key.
    pub(crate) fn public(&self) -> Option<&CoordinatorPublic> {
        self.public.as_ref()
    }
}

/// What [`load`] found.
pub(crate) struct Loaded {
    /// The session's authority.
    pub(crate) authority: Authority,
    /// Whether the key was created just now (a vault made before it).
    pub(crate) created: bool,
}

/// Whether the vault has a coordinator key.
pub(crate) fn exists(conn: &Connection) -> Result<bool, VaultError> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM coordinator_authority WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// Store `key` as the vault's coordinator key (interim storage).
pub(crate) fn store(conn: &Connection, key: &CoordinatorKey) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO coordinator_authority (id, secret, public, created_at) VALUES (1, ?1, ?2, ?3)",
        (
            &key.to_bytes()[..],
            &key.public().to_bytes()[..],
            now_unix(),
        ),
    )?;
    Ok(())
}

/// The authority of a session by a user with `role`: a coordinator gets the
/// key (created and stored now if the vault has none yet); a volunteer gets
/// the verifying key only, or nothing before a coordinator created it.
pub(crate) fn load(conn: &Connection, role: Role) -> Result<Loaded, VaultError> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT secret, public FROM coordinator_authority WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let damaged = || VaultError::DamagedDatabase {
        detail: "the coordinator key record is malformed".to_owned(),
    };
    match (row, role) {
        (Some((secret, _)), Role::Coordinator) => {
            let key =
                CoordinatorKey::from_bytes(&zeroize::Zeroizing::new(secret)).ok_or_else(damaged)?;
            Ok(Loaded {
                authority: Authority::holding(key),
                created: false,
            })
        }
        (Some((_, public)), Role::Volunteer) => Ok(Loaded {
            authority: Authority {
                key: None,
                public: Some(CoordinatorPublic::from_bytes(&public).ok_or_else(damaged)?),
            },
            created: false,
        }),
        (None, Role::Coordinator) => {
            let key = CoordinatorKey::generate()?;
            store(conn, &key)?;
            Ok(Loaded {
                authority: Authority::holding(key),
                created: true,
            })
        }
        (None, Role::Volunteer) => Ok(Loaded {
            authority: Authority::default(),
            created: false,
        }),
    }
}

impl Vault {
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
