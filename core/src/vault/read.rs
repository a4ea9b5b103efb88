//! The one way to read outside the vault: [`Reader`], a view of the vault's
//! database that prepares queries only. Modules that store data read
//! through [`Vault::read`] (or [`Write::read`] inside a write) and change
//! data only through [`Vault::write`]; the connection itself stays inside
//! the vault.

use rusqlite::{CachedStatement, Connection, Params, Row, Statement};

use super::{Vault, Write};

/// Reads from the vault's database. Every statement it prepares must leave
/// the database as it is (SQLite's own `sqlite3_stmt_readonly`), which the
/// tests check on every statement they run.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'c> {
    conn: &'c Connection,
}

impl<'c> Reader<'c> {
    /// A statement from the connection's cache.
    pub(crate) fn prepare_cached(&self, sql: &str) -> rusqlite::Result<CachedStatement<'c>> {
        let stmt = self.conn.prepare_cached(sql)?;
        debug_assert!(stmt.readonly(), "a read prepared a change: {sql}");
        Ok(stmt)
    }

    /// A statement prepared once (for SQL built at run time).
    pub(crate) fn prepare(&self, sql: &str) -> rusqlite::Result<Statement<'c>> {
        let stmt = self.conn.prepare(sql)?;
        debug_assert!(stmt.readonly(), "a read prepared a change: {sql}");
        Ok(stmt)
    }

    /// The first row of a query, as `f` reads it.
    pub(crate) fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare(sql)?.query_row(params, f)
    }
}

impl<'c> From<&'c Connection> for Reader<'c> {
    /// Reads inside a write, by the write's helpers that hold its connection.
    fn from(conn: &'c Connection) -> Self {
        Self { conn }
    }
}

impl Vault {
    /// Read the database (queries only; changes go through [`Vault::write`]).
    pub(crate) fn read(&self) -> Reader<'_> {
        Reader { conn: self.conn() }
    }
}

impl Write<'_> {
    /// Read inside this write, seeing its changes so far.
    pub(crate) fn read(&self) -> Reader<'_> {
        Reader { conn: self }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::super::tests::new_vault;

    #[test]
    fn a_reader_runs_queries_and_refuses_changes() {
        let root = tempfile::tempdir().unwrap();
        let (_dir, vault) = new_vault(root.path(), "data");
        let users: i64 = vault
            .read()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 1);
        for change in ["DELETE FROM users", "UPDATE users SET role = 'volunteer'"] {
            let prepared = catch_unwind(AssertUnwindSafe(|| vault.read().prepare(change).is_ok()));
            assert!(prepared.is_err(), "a reader prepared {change}");
            let cached = catch_unwind(AssertUnwindSafe(|| {
                vault.read().prepare_cached(change).is_ok()
            }));
            assert!(cached.is_err(), "a reader prepared {change} from the cache");
        }
        let users: i64 = vault
            .read()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 1, "nothing changed");
    }
}
