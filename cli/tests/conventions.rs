//! The command line's conventions, on the real `hotline` binary: output that
//! is closed or full ends with a message and an exit status (never a panic,
//! never a call logged twice), the exit statuses listed in `--help`, one
//! meaning for `--json`, inclusive `--to` days, and refusals that name the
//! value given.

mod common;

use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{Days, Utc};
use common::{HANDLE, PASS, hotline, hotline_as};
use serde_json::Value;

/// A new data directory with a vault whose first coordinator is `HANDLE`.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    hotline(dir.path(), &["init"]).ok();
    dir
}

/// `hotline --data-dir DIR ARGS…` with standard output going to `stdout`
/// and `stdin` as input; returns the exit status and standard error.
fn run_with_stdout(dir: &Path, args: &[&str], stdout: Stdio, stdin: &str) -> (i32, String) {
    let file = dir.join("input.json");
    std::fs::write(&file, stdin).expect("the input file is written");
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HOTLINE_DATA_DIR")
        .env("HOTLINE_USER", HANDLE)
        .env("HOTLINE_PASSPHRASE", PASS)
        .stdin(std::fs::File::open(&file).expect("the input file opens"))
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("the hotline binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

fn dev_full() -> Stdio {
    OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens")
        .into()
}

fn ids(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["call", "list", "--json", "--limit", "1000"];
    args.extend_from_slice(extra);
    hotline(dir, &args)
        .ok()
        .json()
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| c["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// A call as `call example` prints it, received at `received_at`.
fn call_at(dir: &Path, received_at: &str) -> String {
    let mut call: Value = serde_json::from_str(&hotline(dir, &["call", "example"]).ok().stdout)
        .expect("the example is JSON");
    call["received_at"] = Value::from(received_at);
    call.to_string()
}

#[test]
fn a_closed_output_ends_with_a_message_not_a_panic() {
    let dir = vault();
    let d = dir.path();
    hotline(d, &["demo-data", "--calls", "200"]).ok();
    // `hotline call list | head -0`: the reading end is gone before the
    // first line is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data-dir")
        .arg(d)
        .args(["call", "list"])
        .env("HOTLINE_USER", HANDLE)
        .env("HOTLINE_PASSPHRASE", PASS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hotline binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("the hotline binary ends");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output: it was closed"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let (code, stderr) = run_with_stdout(d, &["call", "list"], dev_full(), "");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_stored_call_is_reported_before_the_output_can_fail() {
    let dir = vault();
    let d = dir.path();
    let example = hotline(d, &["call", "example"]).ok().stdout;
    let (code, stderr) = run_with_stdout(d, &["call", "add", "--file", "-"], dev_full(), &example);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stored = ids(d, &[]);
    assert_eq!(stored.len(), 1, "stored once");
    assert!(
        stderr.contains(&format!("logged 1 call(s): {}", stored[0])),
        "the id was reported: {stderr}"
    );
}

#[test]
fn help_lists_the_exit_statuses_of_the_error_map() {
    let dir = vault();
    let help = hotline(dir.path(), &["--help"]).ok().stdout;
    for line in [
        "Exit status:",
        "0  success",
        "1  refused or failed",
        "2  wrong usage",
        "3  authentication failed (wrong_handle_or_passphrase, too_soon)",
        "4  damaged or incompatible vault files (damaged_vault,",
    ] {
        assert!(help.contains(line), "{line:?} missing from:\n{help}");
    }
    let wrong = common::hotline_as(dir.path(), "nobody-1", &["call", "list"], "").failed();
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert_eq!(hotline(dir.path(), &["call", "list", "--nope"]).code, 2);
}

#[test]
fn json_means_output_and_the_retired_input_form_says_what_to_use() {
    let dir = vault();
    let d = dir.path();
    let example = hotline(d, &["call", "example"]).ok().stdout;
    let file = d.join("call.json");
    std::fs::write(&file, &example).unwrap();
    let path = file.to_str().unwrap();

    let retired = hotline(d, &["call", "add", "--json", path]).failed();
    assert_eq!(retired.code, 2);
    assert!(
        retired.stderr.contains("use `call add --file FILE`"),
        "{}",
        retired.stderr
    );
    let missing = hotline(d, &["call", "add"]).failed();
    assert!(missing.stderr.contains("--file FILE"), "{}", missing.stderr);
    assert!(ids(d, &[]).is_empty(), "nothing was logged");

    let printed = hotline(d, &["call", "add", "--file", path, "--json"])
        .ok()
        .json();
    let added: Vec<String> = printed
        .as_array()
        .expect("a JSON array of ids")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(added, ids(d, &[]));
    let plain = hotline_as(d, HANDLE, &["call", "add", "-f", "-"], &example).ok();
    assert_eq!(plain.stdout.trim().len(), 36, "{}", plain.stdout);
}

#[test]
fn to_is_an_inclusive_utc_day_on_call_list() {
    let dir = vault();
    let d = dir.path();
    let day = Utc::now().date_naive() - Days::new(3);
    let next = day + Days::new(1);
    let late = hotline_as(
        d,
        HANDLE,
        &["call", "add", "-f", "-"],
        &call_at(d, &format!("{day}T23:59:59Z")),
    )
    .ok()
    .stdout
    .trim()
    .to_owned();
    let early = hotline_as(
        d,
        HANDLE,
        &["call", "add", "-f", "-"],
        &call_at(d, &format!("{next}T00:00:00Z")),
    )
    .ok()
    .stdout
    .trim()
    .to_owned();
    let day = day.to_string();
    let next = next.to_string();
    assert_eq!(ids(d, &["--to", &day]), std::slice::from_ref(&late));
    assert_eq!(
        ids(d, &["--from", &day, "--to", &day]),
        std::slice::from_ref(&late)
    );
    assert_eq!(
        ids(d, &["--from", &next, "--to", &next]),
        std::slice::from_ref(&early)
    );
    assert_eq!(ids(d, &["--from", &day, "--to", &next]), [early, late]);
    let help = hotline(d, &["call", "list", "--help"]).ok().stdout;
    assert!(help.contains("inclusive"), "{help}");
    assert!(help.contains("UTC"), "{help}");
}

#[test]
fn refusals_name_the_time_the_handle_and_the_referral() {
    let dir = vault();
    let d = dir.path();
    let add = |input: &str| hotline_as(d, HANDLE, &["call", "add", "-f", "-"], input);

    let ahead = add(&call_at(d, "9999-12-31T00:00:00Z")).failed();
    assert!(
        ahead
            .stderr
            .contains("received_at 9999-12-31T00:00:00Z is more than a day in the future"),
        "{}",
        ahead.stderr
    );

    let old = call_at(d, "1900-01-01T00:00:00Z");
    let refused = add(&old).failed();
    assert!(
        refused.stderr.contains(
            "received_at 1900-01-01T00:00:00Z is older than the retention period (90 days): its free text would be shredded at once"
        ),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--confirm-old"),
        "{}",
        refused.stderr
    );
    assert!(ids(d, &[]).is_empty());
    hotline_as(
        d,
        HANDLE,
        &["call", "add", "-f", "-", "--confirm-old"],
        &old,
    )
    .ok();

    let mut ghost: Value = serde_json::from_str(&call_at(d, &Utc::now().to_rfc3339())).unwrap();
    ghost["volunteer"] = Value::from("ghost-1");
    let refused = add(&ghost.to_string()).failed();
    assert!(
        refused
            .stderr
            .contains("volunteer \"ghost-1\" is not a user of this laptop"),
        "{}",
        refused.stderr
    );

    let unknown = "6c5e1d2b-0000-4000-8000-000000000000";
    let mut referred: Value = serde_json::from_str(&call_at(d, &Utc::now().to_rfc3339())).unwrap();
    referred["referrals"] = Value::from(vec![unknown]);
    let refused = add(&referred.to_string()).failed();
    assert!(
        refused.stderr.contains(&format!(
            "entry 1 ({unknown}) is not in the referral directory"
        )),
        "{}",
        refused.stderr
    );
    // Only the confirmed old call was stored (and the next unlock shredded
    // its free text).
    assert_eq!(ids(d, &[]).len(), 1);
}

#[test]
fn a_data_folder_that_is_a_file_is_named_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("notes.txt");
    std::fs::write(&file, "not a vault").unwrap();
    for args in [&["init"][..], &["call", "list"], &["restore", "x.backup"]] {
        let run = hotline(&file, args).failed();
        assert!(
            run.stderr
                .contains(&format!("{} is a file, not a folder", file.display())),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("already exists"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"not a vault");
}

/// Whether this process runs as root, who may write anywhere: then the
/// read-only test runs the command as `nobody` (with `setpriv`).
fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `hotline --data-dir DIR ARGS…` as a user who may not write to `DIR`.
fn as_unprivileged(dir: &Path, args: &[&str]) -> common::Run {
    let mut cmd = if is_root() {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_hotline"));
        cmd
    } else {
        Command::new(env!("CARGO_BIN_EXE_hotline"))
    };
    let out = cmd
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("HOTLINE_DATA_DIR")
        .env("HOTLINE_USER", HANDLE)
        .env("HOTLINE_PASSPHRASE", PASS)
        .stdin(Stdio::null())
        .output()
        .expect("the hotline binary runs");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

#[test]
fn a_read_only_data_folder_is_named_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let expected = format!(
        "the data folder {} cannot be written (permission denied)",
        dir.display()
    );
    for args in [&["init"][..], &["call", "list"]] {
        let run = as_unprivileged(&dir, args).failed();
        assert!(run.stderr.contains(&expected), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("unable to open database file"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
}
