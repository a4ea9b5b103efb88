//! Call-log tests on real SQLCipher files in temporary directories.

mod alert;
mod cases;
mod drafts;
mod fields;
mod handoff;
mod history;
mod list;
mod notes;
mod retention;
mod rules;
mod schema;
mod search;
mod signed;
mod text;

use chrono::{DateTime, Duration, Utc};
use tempfile::TempDir;

use super::*;
use crate::codes::Category;
use crate::vault::{Passphrase, Role, Vault, VaultError};

/// Passphrase of every test user.
pub(super) const PASS: &str = "maple kettle harbor 42";
/// Handle of the first coordinator.
pub(super) const COORDINATOR: &str = "river-7";
/// Handle of the volunteer made by [`Fixture::volunteer`].
pub(super) const VOLUNTEER: &str = "bo-3";

/// A new vault with a coordinator signed in.
pub(super) struct Fixture {
    pub(super) dir: TempDir,
    pub(super) vault: Vault,
}

impl Fixture {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path(), COORDINATOR, &Passphrase::from(PASS)).unwrap();
        Self { dir, vault }
    }

    /// Add a volunteer and return their own unlocked session of the same vault.
    pub(super) fn volunteer(&mut self) -> Vault {
        self.vault
            .coordinator()
            .unwrap()
            .add_user(VOLUNTEER, Role::Volunteer, &Passphrase::from(PASS))
            .unwrap();
        Vault::unlock(self.dir.path(), VOLUNTEER, &Passphrase::from(PASS)).unwrap()
    }

    /// Lock and unlock again as `handle`.
    pub(super) fn relock(self, handle: &str) -> Self {
        let Self { dir, vault } = self;
        vault.lock().unwrap();
        let vault = Vault::unlock(dir.path(), handle, &Passphrase::from(PASS)).unwrap();
        Self { dir, vault }
    }
}

/// A minimal valid call received `age` ago with these notes.
pub(super) fn call_with(notes: &str, age: Duration) -> NewCall {
    NewCall {
        duration_seconds: Some(120),
        area: Some("South Madison".into()),
        notes: notes.into(),
        ..NewCall::required(
            Utc::now() - age,
            "es",
            CallerRelation::Witness,
            Category::IcePublic,
        )
    }
}

/// Log `call` as a person who confirmed that it may be older than the
/// retention period.
pub(super) fn create_old(vault: &Vault, call: NewCall) -> CallId {
    create_many(vault, vec![call], OldCalls::Accept).unwrap()[0]
}

/// [`call_with`] received just now.
pub(super) fn call(notes: &str) -> NewCall {
    call_with(notes, Duration::minutes(5))
}

/// The names of every table of the database behind `conn`.
pub(super) fn table_names(conn: &rusqlite::Connection) -> Vec<String> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The time `days` from now.
pub(super) fn in_days(days: i64) -> DateTime<Utc> {
    Utc::now() + Duration::days(days)
}
