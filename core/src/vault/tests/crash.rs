//! Kill -9 in the middle of a write loop loses no acknowledged write.
//!
//! The child is this test binary re-executing itself: it runs the ignored
//! test [`crash_child_writer`], which unlocks the vault and commits row after
//! row, printing `ACK <id>` only after each commit returned. The parent kills
//! it (SIGKILL on Unix) after a varying number of acknowledgements, then
//! reopens the vault and checks integrity and every acknowledged row, and
//! that the unlock itself emptied the write-ahead log the kill left.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use super::*;

/// Tells the child test which data directory to write to.
const CHILD_DIR_ENV: &str = "HOTLINE_TEST_CRASH_CHILD_DIR";
/// Tells the child test the first row id to write.
const CHILD_START_ENV: &str = "HOTLINE_TEST_CRASH_CHILD_START";
/// Full path of the child test, for `--exact`.
const CHILD_TEST: &str = "vault::tests::crash::crash_child_writer";

#[test]
#[ignore = "child process of kill_9_mid_write_keeps_every_acknowledged_write"]
fn crash_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let start: i64 = std::env::var(CHILD_START_ENV).unwrap().parse().unwrap();
    let vault = Vault::unlock(Path::new(&dir), COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
    let mut out = std::io::stdout().lock();
    for id in start.. {
        let tx = vault.write().unwrap();
        tx.execute(
            "INSERT INTO crash_rows (id, payload) VALUES (?1, randomblob(3000))",
            [id],
        )
        .unwrap();
        tx.execute(
            "UPDATE crash_counter SET total = total + 1 WHERE id = 1",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
        writeln!(out, "ACK {id}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_9_mid_write_keeps_every_acknowledged_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, vault) = new_vault(tmp.path(), "data");
    vault
        .conn()
        .execute_batch(
            "CREATE TABLE crash_rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
             CREATE TABLE crash_counter (id INTEGER PRIMARY KEY, total INTEGER NOT NULL);
             INSERT INTO crash_counter VALUES (1, 0);",
        )
        .unwrap();
    vault.lock().unwrap();

    let exe = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<i64> = Vec::new();
    let mut next_id: i64 = 1;
    let wal = data.join(format!("{}-wal", crate::vault::DATABASE_FILE));
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut wal_left_behind = 0;
    for (round, kill_after) in [3usize, 40, 1, 150, 17].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([
                CHILD_TEST,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_ENV, &data)
            .env(CHILD_START_ENV, next_id.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < kill_after {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("round {round}: child stopped after {seen} writes"))
                .unwrap();
            if let Some(id) = line.strip_prefix("ACK ") {
                acknowledged.push(id.parse().unwrap());
                seen += 1;
            }
        }
        // SIGKILL while the child keeps writing.
        child.kill().unwrap();
        // Whatever it printed before dying was acknowledged too.
        for line in lines {
            let line = line.unwrap();
            if let Some(id) = line.strip_prefix("ACK ") {
                acknowledged.push(id.parse().unwrap());
            }
        }
        let status = child.wait().unwrap();
        assert!(!status.success(), "round {round}: the child was killed");

        if wal_len() > 0 {
            wal_left_behind += 1;
        }
        let vault = Vault::unlock(&data, COORDINATOR, &pass(COORDINATOR_PASS)).unwrap();
        assert_eq!(
            wal_len(),
            0,
            "round {round}: the unlock truncated the WAL first"
        );
        let report = vault.verify().unwrap();
        assert_eq!(report.integrity, ["ok"], "round {round}");
        assert!(report.cipher_problems.is_empty(), "round {round}");
        let conn = vault.conn();
        let mut stmt = conn
            .prepare("SELECT 1 FROM crash_rows WHERE id = ?1")
            .unwrap();
        for id in &acknowledged {
            assert!(
                stmt.exists([id]).unwrap(),
                "round {round}: acknowledged row {id} lost"
            );
        }
        drop(stmt);
        // Rows and counter were committed together: never one without the other.
        let (rows, total): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM crash_rows), total FROM crash_counter",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(rows, total, "round {round}");
        assert!(rows >= acknowledged.len() as i64);
        next_id = conn
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM crash_rows", [], |r| {
                r.get(0)
            })
            .unwrap();
        vault.lock().unwrap();
    }
    assert!(acknowledged.len() >= 211);
    assert!(
        wal_left_behind > 0,
        "some kill left a write-ahead log to recover"
    );
}
