//! Shared by the CLI black-box tests: run the real `hotline` binary as a
//! process on a temporary data directory, with the passphrase in the
//! environment, and check that no passphrase is ever printed.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The handle the tests act as.
pub const HANDLE: &str = "river-7";
/// Its passphrase.
pub const PASS: &str = "maple kettle harbor 42";

/// What one run printed.
pub struct Run {
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Assert success and that no passphrase was printed.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success; stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert!(!self.stdout.contains(PASS) && !self.stderr.contains(PASS));
        self
    }

    /// Assert failure and that no passphrase was printed.
    pub fn failed(self) -> Self {
        assert_ne!(self.code, 0, "expected failure; stdout: {}", self.stdout);
        assert!(!self.stdout.contains(PASS) && !self.stderr.contains(PASS));
        self
    }

    /// Standard output parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.stdout))
    }
}

/// `hotline --data-dir DIR ARGS…` as `user`, feeding `stdin`.
pub fn hotline_as(dir: &Path, user: &str, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HOTLINE_DATA_DIR")
        .env_remove("HOTLINE_NEW_PASSPHRASE")
        .env("HOTLINE_USER", user)
        .env("HOTLINE_PASSPHRASE", PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hotline binary runs");
    let mut input = child.stdin.take().expect("a stdin pipe");
    input
        .write_all(stdin.as_bytes())
        .expect("stdin takes the input");
    drop(input);
    let out = child.wait_with_output().expect("the hotline binary ends");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `hotline --data-dir DIR ARGS…` as the test handle.
pub fn hotline(dir: &Path, args: &[&str]) -> Run {
    hotline_as(dir, HANDLE, args, "")
}

/// The first passphrase a coordinator gives a new user in these tests.
pub const FIRST_PASS: &str = "gravel sonnet ripple nectar";

/// Add the volunteer `handle` as the test coordinator, with [`FIRST_PASS`],
/// and have them change it to [`PASS`] (a passphrase a coordinator set must
/// be changed before anything else).
pub fn add_volunteer(dir: &Path, handle: &str) {
    let hotline = |args: &[&str], user: &str, current: &str, new: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_hotline"))
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .env_remove("HOTLINE_DATA_DIR")
            .env("HOTLINE_USER", user)
            .env("HOTLINE_PASSPHRASE", current)
            .env("HOTLINE_NEW_PASSPHRASE", new)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .expect("the hotline binary runs");
        assert!(status.success(), "{args:?} for {handle}: {status}");
    };
    hotline(
        &["user", "add", handle, "--role", "volunteer"],
        HANDLE,
        PASS,
        FIRST_PASS,
    );
    hotline(&["passwd"], handle, FIRST_PASS, PASS);
}
