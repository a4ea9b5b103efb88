//! The audit log: who did what, and when, inside the encrypted database,
//! kept as a hash chain with coordinator-signed checkpoints.
//!
//! Entries name an action (`user.add`, `passphrase.change`, later
//! `export.create` …) and small JSON parameters such as a handle or a role.
//! They never hold caller data: the log answers "who added this user?",
//! not "what did this caller say?".
//!
//! Each entry stores `prev_hash` (the `hash` of the entry before it; 32 zero
//! bytes for the first) and `hash`, SHA-256 over [`entry_hash`]'s canonical
//! encoding of (prev_hash, id, at, actor, action, params). Every write by a
//! coordinator, and each coordinator unlock and lock, adds a checkpoint:
//! (up to entry id N, the hash at N, when), signed with the coordinator key
//! under the domain [`CHECKPOINT_DOMAIN`]. [`verify`] recomputes the chain
//! and checks every checkpoint. The format is described in
//! `docs/SECURITY.md` ("Audit log").

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::coordinator_key::{CoordinatorKey, CoordinatorPublic, Signature};
use super::{Coordinator, Vault, VaultError, now_unix};

/// Longest accepted action name.
const MAX_ACTION_LEN: usize = 64;
/// What every entry's hashed encoding starts with.
const ENTRY_CONTEXT: &[u8] = b"hotline-desk audit entry v1";
/// Signature domain of a checkpoint.
pub(crate) const CHECKPOINT_DOMAIN: &str = "audit/checkpoint";
/// Length of an entry hash.
pub(crate) const HASH_LEN: usize = 32;
/// The `prev_hash` of the first entry.
const GENESIS: [u8; HASH_LEN] = [0; HASH_LEN];

/// Migration SQL: the chain's columns, the checkpoints and the record of
/// where the chain starts (the entries that existed at the upgrade are
/// chained once by [`chain_existing`]).
pub(crate) const AUDIT_CHAIN_SQL: &str = "
    ALTER TABLE audit_log ADD COLUMN prev_hash BLOB;
    ALTER TABLE audit_log ADD COLUMN hash BLOB;
    CREATE TABLE audit_checkpoints (
        id        INTEGER PRIMARY KEY,
        upto      INTEGER NOT NULL,
        hash      BLOB NOT NULL,
        at        INTEGER NOT NULL,
        signature BLOB NOT NULL
    ) STRICT;
    CREATE TABLE audit_chain (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        chained_to INTEGER NOT NULL,
        pending    INTEGER NOT NULL CHECK (pending IN (0, 1)),
        chained_at INTEGER
    ) STRICT;
    INSERT INTO audit_chain (id, chained_to, pending)
        SELECT 1, coalesce(max(id), 0), 1 FROM audit_log;
";

/// The canonical encoding an entry's `hash` is the SHA-256 of: the context
/// string, `prev_hash` (32 bytes), `id` and `at` (8 bytes each, big-endian
/// two's complement), then `actor`, `action` and `params` (the stored JSON
/// text), each as its UTF-8 length (8 bytes, big-endian) and bytes.
pub(crate) fn entry_hash(
    prev_hash: &[u8; HASH_LEN],
    id: i64,
    at: i64,
    actor: &str,
    action: &str,
    params: &str,
) -> [u8; HASH_LEN] {
    let mut h = Sha256::new();
    h.update(ENTRY_CONTEXT);
    h.update(prev_hash);
    h.update(id.to_be_bytes());
    h.update(at.to_be_bytes());
    for text in [actor, action, params] {
        h.update((text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().into()
}

/// What a checkpoint signs: `upto` (8 bytes, big-endian), the hash at
/// `upto`, and `at` (8 bytes, big-endian).
fn checkpoint_message(upto: i64, hash: &[u8; HASH_LEN], at: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + HASH_LEN);
    out.extend_from_slice(&upto.to_be_bytes());
    out.extend_from_slice(hash);
    out.extend_from_slice(&at.to_be_bytes());
    out
}

/// The id and hash of the newest entry (the genesis hash when there is
/// none; an entry without a hash chains from the genesis hash, and
/// [`verify`] reports it).
fn head(conn: &Connection) -> Result<(i64, [u8; HASH_LEN]), VaultError> {
    let row: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((id, hash)) => (id, to_hash(hash.as_deref()).unwrap_or(GENESIS)),
        None => (0, GENESIS),
    })
}

fn to_hash(bytes: Option<&[u8]>) -> Option<[u8; HASH_LEN]> {
    bytes.and_then(|b| b.try_into().ok())
}

/// Append one entry to the chain; with `signer` (a coordinator's write),
/// also a checkpoint up to it. `action` must be a short name of lowercase
/// letters, digits, `.`, `_` or `-`.
pub(crate) fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    params: &serde_json::Value,
    signer: Option<&CoordinatorKey>,
) -> Result<(), VaultError> {
    let valid = !action.is_empty()
        && action.len() <= MAX_ACTION_LEN
        && action
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'));
    if !valid {
        return Err(VaultError::InvalidAuditAction);
    }
    let (last, prev_hash) = head(conn)?;
    let id = last + 1;
    let at = now_unix();
    let params = params.to_string();
    let hash = entry_hash(&prev_hash, id, at, actor, action, &params);
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at, actor, action, params, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((id, at, actor, action, &params, &prev_hash[..], &hash[..]))?;
    if let Some(key) = signer {
        store_checkpoint(conn, key, id, &hash)?;
    }
    Ok(())
}

/// Sign and store a checkpoint up to entry `upto`, whose hash is `hash`.
fn store_checkpoint(
    conn: &Connection,
    key: &CoordinatorKey,
    upto: i64,
    hash: &[u8; HASH_LEN],
) -> Result<(), VaultError> {
    let at = now_unix();
    let signature = key.sign(CHECKPOINT_DOMAIN, &checkpoint_message(upto, hash, at));
    conn.prepare_cached(
        "INSERT INTO audit_checkpoints (upto, hash, at, signature) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((upto, &hash[..], at, &signature.to_bytes()[..]))?;
    Ok(())
}

/// Every checkpoint as (id, signed message, signature), for signing them
/// again with a new coordinator key.
pub(crate) fn checkpoint_rows(
    conn: &Connection,
) -> Result<Vec<super::rotation::SignedRow>, VaultError> {
    let mut stmt = conn.prepare("SELECT id, upto, hash, at, signature FROM audit_checkpoints")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Vec<u8>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, upto, hash, at, signature) = row?;
        if let Some(hash) = to_hash(Some(&hash)) {
            out.push((id, checkpoint_message(upto, &hash, at), signature));
        }
    }
    Ok(out)
}

/// Checkpoint the chain's head (at a coordinator's unlock and lock), unless
/// the newest checkpoint already covers it or the log is empty.
pub(crate) fn checkpoint(conn: &Connection, key: &CoordinatorKey) -> Result<(), VaultError> {
    let (head_id, hash) = head(conn)?;
    let covered: Option<i64> = conn
        .prepare_cached("SELECT max(upto) FROM audit_checkpoints")?
        .query_row([], |r| r.get(0))?;
    if head_id == 0 || covered == Some(head_id) {
        return Ok(());
    }
    store_checkpoint(conn, key, head_id, &hash)
}

/// Chain the entries that existed when the vault was upgraded to the hash
/// chain, once (they are trusted from that moment). Runs in the caller's
/// write transaction.
pub(crate) fn chain_existing(conn: &Connection) -> Result<(), VaultError> {
    let pending: Option<(i64, bool)> = conn
        .query_row(
            "SELECT chained_to, pending FROM audit_chain WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((chained_to, true)) = pending else {
        return Ok(());
    };
    let rows: Vec<(i64, i64, String, String, String)> = conn
        .prepare("SELECT id, at, actor, action, params FROM audit_log WHERE id <= ?1 ORDER BY id")?
        .query_map([chained_to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut update =
        conn.prepare("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1")?;
    let mut prev = GENESIS;
    for (id, at, actor, action, params) in rows {
        let hash = entry_hash(&prev, id, at, &actor, &action, &params);
        update.execute((id, &prev[..], &hash[..]))?;
        prev = hash;
    }
    conn.execute(
        "UPDATE audit_chain SET pending = 0, chained_at = ?1 WHERE id = 1",
        [now_unix()],
    )?;
    Ok(())
}

/// Whether the existing entries still wait to be chained.
pub(crate) fn chain_pending(conn: &Connection) -> Result<bool, VaultError> {
    let pending: Option<bool> = conn
        .query_row("SELECT pending FROM audit_chain WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(pending.unwrap_or(false))
}

/// One audit-log entry, as coordinators read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The handle of who did it.
    pub actor: String,
    /// What was done (`user.add`, `alert_copied` …).
    pub action: String,
    /// Its small parameters (never caller data).
    pub params: serde_json::Value,
}

/// A page of entries, newest first: those with an id below `before` (all
/// when `None`), at most `limit`.
pub(crate) fn page(
    conn: &Connection,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>, VaultError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, params FROM audit_log
         WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map((before.unwrap_or(i64::MAX), limit), |r| {
        let params: String = r.get(4)?;
        Ok(AuditEntry {
            id: r.get(0)?,
            at: DateTime::from_timestamp(r.get(1)?, 0).unwrap_or_default(),
            actor: r.get(2)?,
            action: r.get(3)?,
            params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One thing [`verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditProblem {
    /// The entry's stored hash is not the hash of its contents: it was
    /// edited (or its hash was).
    Edited {
        /// The entry.
        id: i64,
    },
    /// The entry does not follow the one before it in the chain: an entry
    /// before it was deleted, inserted or moved.
    Unlinked {
        /// The first entry after the break.
        id: i64,
    },
    /// Entries are missing between two that remain.
    Missing {
        /// First missing id.
        from: i64,
        /// Last missing id.
        to: i64,
    },
    /// A checkpoint's signature does not verify with the coordinator key:
    /// it was forged or altered.
    ForgedCheckpoint {
        /// The entry it claims to cover up to.
        upto: i64,
    },
    /// A valid checkpoint covers entries that are no longer what it
    /// signed: entries up to `upto` were rewritten (or deleted) since.
    Rewritten {
        /// The entry the checkpoint covers up to.
        upto: i64,
    },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { id } => write!(f, "entry {id} was edited"),
            Self::Unlinked { id } => write!(
                f,
                "entry {id} does not follow the entry before it: an entry was deleted, inserted or moved"
            ),
            Self::Missing { from, to } if from == to => write!(f, "entry {from} was deleted"),
            Self::Missing { from, to } => write!(f, "entries {from} to {to} were deleted"),
            Self::ForgedCheckpoint { upto } => write!(
                f,
                "the checkpoint up to entry {upto} is not signed by the coordinator key"
            ),
            Self::Rewritten { upto } => write!(
                f,
                "entries up to {upto} are not what the coordinator checkpoint signed: they were rewritten or deleted"
            ),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditReport {
    /// Entries in the log.
    pub entries: u64,
    /// The newest entry a valid coordinator checkpoint covers (none: no
    /// valid checkpoint).
    pub checkpointed_to: Option<i64>,
    /// The first entry not covered by a valid checkpoint, when there is
    /// one: anyone holding the files could rewrite those undetected.
    pub unchecked_from: Option<i64>,
    /// Entries up to this id existed when the vault was upgraded to the
    /// hash chain and were chained then (trusted from that moment).
    pub chained_at_upgrade_to: i64,
    /// Every problem, in log order.
    pub problems: Vec<AuditProblem>,
}

impl AuditReport {
    /// Whether no entry was found edited, deleted, inserted or moved and
    /// every checkpoint holds (entries not yet checkpointed are not a
    /// problem, only a limit).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Recompute the chain and check each checkpoint against `public` (the
/// coordinator's verifying key; without it no checkpoint can be trusted).
pub(crate) fn verify(
    conn: &Connection,
    public: Option<&CoordinatorPublic>,
) -> Result<AuditReport, VaultError> {
    let mut problems = Vec::new();
    let mut hashes: std::collections::HashMap<i64, [u8; HASH_LEN]> =
        std::collections::HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, params, prev_hash, hash FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut entries = 0u64;
    let mut last: Option<(i64, Option<[u8; HASH_LEN]>)> = None;
    let mut head = 0;
    while let Some(r) = rows.next()? {
        entries += 1;
        let id: i64 = r.get(0)?;
        let prev: Option<Vec<u8>> = r.get(5)?;
        let stored: Option<Vec<u8>> = r.get(6)?;
        let prev = to_hash(prev.as_deref());
        let stored = to_hash(stored.as_deref());
        let expected_id = last.map_or(1, |(id, _)| id + 1);
        if id > expected_id {
            problems.push(AuditProblem::Missing {
                from: expected_id,
                to: id - 1,
            });
        }
        let expected_prev = match last {
            None => Some(GENESIS),
            Some((_, hash)) => hash,
        };
        if prev.is_none() || prev != expected_prev {
            problems.push(AuditProblem::Unlinked { id });
        }
        let actual = entry_hash(
            &prev.unwrap_or(GENESIS),
            id,
            r.get(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
        );
        if stored != Some(actual) {
            problems.push(AuditProblem::Edited { id });
        }
        if let Some(hash) = stored {
            hashes.insert(id, hash);
        }
        last = Some((id, stored));
        head = id;
    }
    let mut checkpointed_to = None;
    let mut cps =
        conn.prepare("SELECT upto, hash, at, signature FROM audit_checkpoints ORDER BY upto, id")?;
    let cps = cps.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    for cp in cps {
        let (upto, hash, at, signature) = cp?;
        let valid = match (
            public,
            to_hash(Some(&hash)),
            Signature::from_bytes(&signature),
        ) {
            (Some(public), Some(hash), Some(sig)) => public
                .verify(
                    CHECKPOINT_DOMAIN,
                    &checkpoint_message(upto, &hash, at),
                    &sig,
                )
                .is_ok()
                .then_some(hash),
            _ => None,
        };
        let Some(hash) = valid else {
            if public.is_some() {
                problems.push(AuditProblem::ForgedCheckpoint { upto });
            }
            continue;
        };
        if hashes.get(&upto) != Some(&hash) {
            problems.push(AuditProblem::Rewritten { upto });
        }
        checkpointed_to = checkpointed_to.max(Some(upto));
    }
    let unchecked_from = match checkpointed_to {
        Some(to) if to >= head => None,
        Some(to) => Some(to + 1),
        None if entries == 0 => None,
        None => Some(1),
    };
    let chained_at_upgrade_to: i64 = conn
        .query_row("SELECT chained_to FROM audit_chain WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0);
    Ok(AuditReport {
        entries,
        checkpointed_to,
        unchecked_from,
        chained_at_upgrade_to,
        problems,
    })
}

/// Most entries one page of [`Coordinator::audit_entries`] returns.
pub const MAX_PAGE: u32 = 500;

impl Vault {
    /// Check the audit log: recompute its hash chain and check every
    /// checkpoint against the coordinator's verifying key. Any user may.
    pub fn verify_audit(&self) -> Result<AuditReport, VaultError> {
        verify(self.conn(), self.coordinator_public())
    }
}

impl Coordinator<'_> {
    /// Append `entries` audit entries (action `bench.entry`) in one write,
    /// with a signed checkpoint after every `checkpoint_every`-th, as a
    /// log in which that share of the writes were a coordinator's.
    ///
    /// Exists only so the benchmark can time the audit check of a long log
    /// (feature `bench-plain`, off by default; production builds never
    /// have it).
    #[cfg(feature = "bench-plain")]
    #[doc(hidden)]
    pub fn fill_audit_for_benchmark(
        &self,
        entries: u64,
        checkpoint_every: u64,
    ) -> Result<(), VaultError> {
        let key = self.coordinator_key().ok_or(VaultError::NotCoordinator)?;
        let tx = self.write()?;
        for i in 1..=entries {
            let signer = (checkpoint_every > 0 && i % checkpoint_every == 0).then_some(key);
            record(
                &tx,
                tx.actor(),
                "bench.entry",
                &serde_json::json!({ "i": i }),
                signer,
            )?;
        }
        tx.commit()
    }

    /// A page of the audit log, newest first: entries with an id below
    /// `before` (the newest when `None`), at most `limit` (capped at
    /// [`MAX_PAGE`]).
    pub fn audit_entries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, VaultError> {
        page(self.conn(), before, limit.min(MAX_PAGE))
    }
}

/// One audit-log entry (read back by tests).
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestEntry {
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) params: String,
}

/// Every entry, oldest first.
#[cfg(test)]
pub(crate) fn entries(conn: &Connection) -> Vec<TestEntry> {
    let mut stmt = conn
        .prepare("SELECT actor, action, params FROM audit_log ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(TestEntry {
            actor: r.get(0)?,
            action: r.get(1)?,
            params: r.get(2)?,
        })
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}
