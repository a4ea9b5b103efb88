//! Black-box tests of the vault commands: the real `hotline` binary, run as
//! a process with passphrases in the environment, on temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ANA_PASS: &str = "correct horse battery staple";
const BO_PASS: &str = "tres palabras largas";
const BO_NEW_PASS: &str = "otra frase bastante larga";
const WRONG_PASS: &str = "definitely not it";

/// Every passphrase used in these tests: none may ever be printed.
const ALL_PASSPHRASES: [&str; 4] = [ANA_PASS, BO_PASS, BO_NEW_PASS, WRONG_PASS];

/// What one run printed, checked for leaked passphrases.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success, stderr: {}", self.stderr);
        self
    }

    fn fails_with(self, code: i32, message: &str) -> Self {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(message),
            "expected {message:?} in stderr: {}",
            self.stderr
        );
        self
    }
}

/// `hotline` with a clean environment: only what the test sets.
fn hotline(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hotline"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("HOTLINE_USER")
        .env_remove("HOTLINE_PASSPHRASE")
        .env_remove("HOTLINE_NEW_PASSPHRASE")
        .env_remove("HOTLINE_DATA_DIR")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the hotline binary runs");
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(stderr).expect("stderr is UTF-8");
    for secret in ALL_PASSPHRASES {
        assert!(!stdout.contains(secret), "passphrase on stdout: {stdout}");
        assert!(!stderr.contains(secret), "passphrase on stderr: {stderr}");
    }
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// Run `hotline ARGS` as `user` with `passphrase` in the environment.
fn as_user(data_dir: &Path, user: &str, passphrase: &str, args: &[&str]) -> Run {
    run(hotline(data_dir)
        .args(args)
        .env("HOTLINE_USER", user)
        .env("HOTLINE_PASSPHRASE", passphrase))
}

fn vault_files(data_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("a readable entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn init_users_passwd_backup_restore_verify_erase() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    let out = as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    assert!(
        out.stdout.contains("ana as its first coordinator"),
        "{}",
        out.stdout
    );
    assert_eq!(
        vault_files(&data),
        [
            "erase-anchor",
            "failed-unlocks.json",
            "hotline.db",
            "keyslots.bin"
        ]
    );
    as_user(&data, "zed", ANA_PASS, &["init"]).fails_with(1, "already exists");

    // The acting user can also be given with --user.
    run(hotline(&data)
        .args(["user", "add", "bo", "--role", "volunteer", "--user", "ana"])
        .env("HOTLINE_PASSPHRASE", ANA_PASS)
        .env("HOTLINE_NEW_PASSPHRASE", BO_PASS))
    .ok();
    run(hotline(&data)
        .args(["user", "add", "cy", "--role", "coordinator"])
        .env("HOTLINE_USER", "ana")
        .env("HOTLINE_PASSPHRASE", ANA_PASS)
        .env("HOTLINE_NEW_PASSPHRASE", "short"))
    .fails_with(1, "passphrase too weak");
    // A passphrase ana set for bo: every command refuses until bo runs
    // `hotline passwd`, in English and Spanish, and nothing is printed.
    for args in [&["user", "list"][..], &["call", "list"], &["verify"]] {
        let refused = as_user(&data, "bo", BO_PASS, args)
            .fails_with(1, "a coordinator set this passphrase for you");
        assert!(
            refused.stderr.contains("hotline passwd"),
            "{}",
            refused.stderr
        );
        assert!(
            refused.stderr.contains("cámbiela primero"),
            "{}",
            refused.stderr
        );
        assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    }
    // bo changes their passphrase; the old one stops working.
    run(hotline(&data)
        .arg("passwd")
        .env("HOTLINE_USER", "bo")
        .env("HOTLINE_PASSPHRASE", BO_PASS)
        .env("HOTLINE_NEW_PASSPHRASE", BO_NEW_PASS))
    .ok();
    as_user(&data, "bo", BO_PASS, &["user", "list"]).fails_with(3, "wrong handle or passphrase");
    let list = as_user(&data, "bo", BO_NEW_PASS, &["user", "list"]).ok();
    assert_eq!(list.stdout, "ana\tcoordinator\nbo\tvolunteer\n");
    run(hotline(&data)
        .args(["user", "add", "cy", "--role", "coordinator"])
        .env("HOTLINE_USER", "bo")
        .env("HOTLINE_PASSPHRASE", BO_NEW_PASS)
        .env("HOTLINE_NEW_PASSPHRASE", "a good long passphrase"))
    .fails_with(1, "only a coordinator");

    // verify shows the (non-secret) Argon2 parameters.
    let verify = as_user(&data, "ana", ANA_PASS, &["verify"]).ok();
    assert!(
        verify.stdout.contains("integrity check: ok"),
        "{}",
        verify.stdout
    );
    assert!(verify.stdout.contains("page authentication: ok"));
    assert!(
        verify
            .stdout
            .contains("key slots: 2 of 32 in use (22120 bytes): argon2id m=65536 KiB"),
        "{}",
        verify.stdout
    );
    assert!(!verify.stdout.contains("bo"), "the key file names nobody");
    assert!(verify.stdout.contains("result: ok"));

    // Backup, then restore on "another laptop" as bo.
    let backup = tmp.path().join("vault.backup");
    let backup_arg = backup.to_str().unwrap();
    as_user(&data, "bo", BO_NEW_PASS, &["backup", "--out", backup_arg])
        .fails_with(1, "only a coordinator");
    as_user(&data, "ana", ANA_PASS, &["backup", "--out", backup_arg]).ok();
    let backup_bytes = std::fs::read(&backup).unwrap();
    as_user(&data, "ana", ANA_PASS, &["backup", "--out", backup_arg])
        .fails_with(1, "already exists");
    assert_eq!(std::fs::read(&backup).unwrap(), backup_bytes);

    let other = tmp.path().join("other-laptop");
    let restored = as_user(&other, "bo", BO_NEW_PASS, &["restore", backup_arg]).ok();
    assert!(restored.stdout.contains("2 users"), "{}", restored.stdout);
    as_user(&other, "ana", ANA_PASS, &["verify"]).ok();
    as_user(&other, "ana", ANA_PASS, &["restore", backup_arg])
        .fails_with(1, "restore never replaces");
    let elsewhere = tmp.path().join("third");
    as_user(&elsewhere, "bo", WRONG_PASS, &["restore", backup_arg])
        .fails_with(3, "wrong handle or passphrase");
    // As a new laptop: a coordinator's restore gets a new master key, and
    // everyone keeps their passphrase.
    let fresh = tmp.path().join("new-laptop");
    as_user(
        &fresh,
        "bo",
        BO_NEW_PASS,
        &["restore", "--new-laptop", backup_arg],
    )
    .fails_with(1, "only a coordinator");
    let fresh = tmp.path().join("new-laptop-2");
    let renewed = as_user(
        &fresh,
        "ana",
        ANA_PASS,
        &["restore", "--new-laptop", backup_arg],
    )
    .ok();
    assert!(
        renewed
            .stdout
            .contains("restored as a new laptop: the vault has a new master key"),
        "{}",
        renewed.stdout
    );
    as_user(&fresh, "bo", BO_NEW_PASS, &["verify"]).ok();

    // Remove bo; bo is refused from then on.
    let removed = as_user(&data, "ana", ANA_PASS, &["user", "remove", "bo"]).ok();
    assert!(
        removed
            .stdout
            .contains("removed bo\nthe vault has a new master key"),
        "{}",
        removed.stdout
    );
    assert!(
        removed
            .stderr
            .contains("re-encrypting the vault under a new master key")
    );
    as_user(&data, "bo", BO_NEW_PASS, &["verify"]).fails_with(3, "wrong handle or passphrase");
    as_user(&data, "ana", ANA_PASS, &["user", "remove", "ana"]).fails_with(1, "last coordinator");

    // Erase needs both confirmations, and only a coordinator may.
    as_user(&data, "ana", ANA_PASS, &["erase"]).fails_with(1, "--confirm ERASE");
    as_user(&data, "ana", ANA_PASS, &["erase", "--confirm", "ERASE"])
        .fails_with(1, "second confirmation");
    as_user(
        &data,
        "ana",
        ANA_PASS,
        &["erase", "--confirm", "ERASE", "--confirm-handle", "bo"],
    )
    .fails_with(1, "does not match");
    as_user(
        &other,
        "bo",
        BO_NEW_PASS,
        &["erase", "--confirm", "ERASE", "--confirm-handle", "bo"],
    )
    .fails_with(1, "only a coordinator");
    assert_eq!(
        vault_files(&data),
        [
            "erase-anchor",
            "failed-unlocks.json",
            "hotline.db",
            "keyslots.bin"
        ]
    );
    let erased = as_user(
        &data,
        "ana",
        ANA_PASS,
        &["erase", "--confirm", "ERASE", "--confirm-handle", "ana"],
    )
    .ok();
    assert!(erased.stdout.contains("vault erased"));
    assert!(vault_files(&data).is_empty(), "{:?}", vault_files(&data));
    as_user(&data, "ana", ANA_PASS, &["verify"]).fails_with(1, "no vault");

    // The backup still restores: erase does not reach copies (documented).
    let again = tmp.path().join("from-backup");
    as_user(&again, "ana", ANA_PASS, &["restore", backup_arg]).ok();
}

#[test]
fn restore_over_a_damaged_vault_sets_it_aside_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    let backup = tmp.path().join("vault.backup");
    let backup_arg = backup.to_str().unwrap();
    as_user(&data, "ana", ANA_PASS, &["backup", "--out", backup_arg]).ok();
    // Damage the database: cut to one page.
    let db = data.join("hotline.db");
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..4096]).unwrap();
    as_user(&data, "ana", ANA_PASS, &["verify"]).fails_with(4, "damaged");

    // Not without asking: the hint names the flag, and nothing moved.
    as_user(&data, "ana", ANA_PASS, &["restore", backup_arg]).fails_with(1, "--set-aside-damaged");
    assert_eq!(std::fs::read(&db).unwrap(), &bytes[..4096]);
    // A wrong passphrase changes nothing either.
    as_user(
        &data,
        "ana",
        WRONG_PASS,
        &["restore", backup_arg, "--set-aside-damaged"],
    )
    .fails_with(3, "wrong handle or passphrase");
    assert_eq!(std::fs::read(&db).unwrap(), &bytes[..4096]);

    let restored = as_user(
        &data,
        "ana",
        ANA_PASS,
        &["restore", backup_arg, "--set-aside-damaged"],
    )
    .ok();
    assert!(
        restored
            .stdout
            .contains("the damaged vault was moved, unchanged, to"),
        "{}",
        restored.stdout
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("data-damaged-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(restored.stdout.contains(&*aside[0].to_string_lossy()));
    assert_eq!(
        std::fs::read(aside[0].join("hotline.db")).unwrap(),
        &bytes[..4096],
        "the damaged database, kept as it was"
    );
    assert!(aside[0].join("keyslots.bin").exists());
    as_user(&data, "ana", ANA_PASS, &["verify"]).ok();
}

#[test]
fn panic_erase_needs_the_switch_and_two_words_but_no_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    let panic = [
        "erase",
        "--panic",
        "--confirm",
        "ERASE",
        "--confirm-again",
        "EVERYTHING",
    ];
    let off = run(hotline(&data).args(["panic-erase"])).ok();
    assert_eq!(off.stdout, "panic erase at the lock screen: off\n");
    run(hotline(&data).args(panic)).fails_with(1, "panic erase is off");
    as_user(&data, "ana", ANA_PASS, &["panic-erase", "on"]).ok();
    let on = run(hotline(&data).args(["panic-erase"])).ok();
    assert_eq!(on.stdout, "panic erase at the lock screen: on\n");
    run(hotline(&data).args(["erase", "--panic", "--confirm", "ERASE"]))
        .fails_with(1, "second confirmation");
    run(hotline(&data).args([
        "erase",
        "--panic",
        "--confirm",
        "ERASE",
        "--confirm-again",
        "everything?",
    ]))
    .fails_with(1, "not EVERYTHING");
    assert_eq!(
        vault_files(&data),
        [
            "erase-anchor",
            "failed-unlocks.json",
            "hotline.db",
            "keyslots.bin",
            "panic-erase-on"
        ]
    );
    let erased = run(hotline(&data).args(panic)).ok();
    assert!(erased.stdout.contains("vault erased"), "{}", erased.stdout);
    assert!(vault_files(&data).is_empty(), "{:?}", vault_files(&data));
}

#[test]
fn wrong_passphrase_exit_code_message_and_counter() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    as_user(&data, "ana", ANA_PASS, &["init"]).ok();

    let first =
        as_user(&data, "ana", WRONG_PASS, &["verify"]).fails_with(3, "wrong handle or passphrase");
    assert_eq!(
        first.stderr,
        "hotline: wrong handle or passphrase (1 failed attempt in a row)\n"
    );
    assert!(first.stdout.is_empty());
    as_user(&data, "nobody", ANA_PASS, &["verify"])
        .fails_with(3, "wrong handle or passphrase (2 failed attempts in a row)");
    as_user(&data, "ana", WRONG_PASS, &["verify"]).fails_with(3, "3 failed attempts");
    let fourth = as_user(&data, "ana", WRONG_PASS, &["verify"]).fails_with(3, "4 failed attempts");
    assert!(fourth.stderr.contains("wait 1 s"), "{}", fourth.stderr);
    // Deleting the counter skips the wait, but the next coordinator unlock
    // says so; a correct passphrase zeroes the counter.
    std::fs::remove_file(data.join("failed-unlocks.json")).unwrap();
    let after = as_user(&data, "ana", ANA_PASS, &["verify"]).ok();
    assert!(
        after
            .stderr
            .contains("the failed-unlock counter file was deleted between two unlocks"),
        "{}",
        after.stderr
    );
    let counter = std::fs::read_to_string(data.join("failed-unlocks.json")).unwrap();
    assert!(counter.contains(r#""failures":0"#), "{counter}");
    let next = as_user(&data, "ana", ANA_PASS, &["verify"]).ok();
    assert!(!next.stderr.contains("failed-unlock"), "{}", next.stderr);
}

#[test]
fn passphrase_sources_and_missing_input() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file: PathBuf = tmp.path().join("pass.txt");
    std::fs::write(&file, format!("{ANA_PASS}\n")).unwrap();

    run(hotline(&data)
        .args(["init", "--user", "ana", "--passphrase-file"])
        .arg(&file))
    .ok();
    // The trailing newline was not part of the passphrase.
    as_user(&data, "ana", ANA_PASS, &["verify"]).ok();
    // A file wins over the environment.
    run(hotline(&data)
        .args(["verify", "--passphrase-file"])
        .arg(&file)
        .env("HOTLINE_USER", "ana")
        .env("HOTLINE_PASSPHRASE", WRONG_PASS))
    .ok();
    // Without any source and without a terminal: a clear error, no prompt.
    run(hotline(&data).args(["verify", "--user", "ana"])).fails_with(1, "no passphrase");
    run(hotline(&data)
        .arg("verify")
        .env("HOTLINE_PASSPHRASE", ANA_PASS))
    .fails_with(1, "--user HANDLE");
    run(hotline(&data)
        .args(["verify", "--user", "ana", "--passphrase-file"])
        .arg(tmp.path().join("missing.txt")))
    .fails_with(1, "cannot read the passphrase file");

    let weak = tmp.path().join("weak");
    as_user(&weak, "ana", "short", &["init"]).fails_with(1, "at least 12 characters");
    for (guessable, why) in [
        ("123456789012", "Sequences like abc"),
        ("password1234", "commonly used password"),
        ("qwertyuiopas", "commonly used password"),
    ] {
        let out = as_user(&weak, "ana", guessable, &["init"]).fails_with(1, why);
        assert!(
            out.stderr.contains("English dictionaries"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("demasiado débil"), "{}", out.stderr);
        assert!(!out.stderr.contains(guessable), "never echoed");
    }
    as_user(&weak, "a b", ANA_PASS, &["init"]).fails_with(1, "invalid handle");
    assert!(vault_files(&weak).is_empty());
}

#[test]
fn damaged_files_exit_4_and_stay_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    let db = data.join("hotline.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.truncate(bytes.len() / 2 + 7);
    std::fs::write(&db, &bytes).unwrap();
    as_user(&data, "ana", ANA_PASS, &["verify"]).fails_with(4, "damaged");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    as_user(&data, "ana", ANA_PASS, &["init"]).fails_with(1, "already exists");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

/// Damage deep inside the database (a page in the middle of the file, which
/// the checks at unlock do not read): the vault still unlocks, `verify`
/// reads every page and reports it with the "damaged" exit status, and no
/// file changes; a command with nothing due for retention does not write.
#[test]
fn verify_reports_deep_damage_that_unlocking_does_not_read() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data = tmp.path().join("data");
    as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    as_user(
        &data,
        "ana",
        ANA_PASS,
        &["demo-data", "--calls", "2000", "--seed", "3"],
    )
    .ok();
    // Retention has run; nothing is due any more.
    as_user(&data, "ana", ANA_PASS, &["verify"]).ok();

    let db = data.join("hotline.db");
    let mut bytes = std::fs::read(&db).expect("the database");
    let pages = bytes.len() / 4096;
    assert!(pages > 100, "{pages} pages");
    bytes[(pages / 2) * 4096 + 2000] ^= 0x40;
    std::fs::write(&db, &bytes).expect("write the damaged copy");
    let before = std::fs::read(&db).expect("the database");

    let verify =
        as_user(&data, "ana", ANA_PASS, &["verify"]).fails_with(4, "the vault has problems");
    assert!(
        verify.stdout.contains("passphrase and key: ok"),
        "unlocking read the damaged page: {}",
        verify.stdout
    );
    assert!(!verify.stdout.contains("result: ok"), "{}", verify.stdout);
    assert_eq!(std::fs::read(&db).expect("the database"), before);
    assert!(!data.join("hotline.db-shm").exists());
    assert!(!data.join("hotline.db-wal").exists());
}

#[test]
fn a_recovery_kit_is_printed_once_and_unlocks_as_a_coordinator() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let init = as_user(&data, "ana", ANA_PASS, &["init"]).ok();
    for why in [
        "only one coordinator holds the coordinator key",
        "kit de recuperación",
    ] {
        assert!(init.stderr.contains(why), "{}", init.stderr);
    }
    let made = as_user(&data, "ana", ANA_PASS, &["user", "recovery-kit"]).ok();
    let field = |name: &str| {
        made.stdout
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|rest| rest.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name} in {}", made.stdout))
    };
    let handle = field("handle:");
    let passphrase = field("passphrase:");
    assert!(handle.starts_with("recovery-"), "{handle}");
    assert_eq!(passphrase.split(' ').count(), 8, "{passphrase}");
    // The kit opens a coordinator session at once (no passphrase change),
    // and the list marks it and no longer asks for a second holder.
    let listed = as_user(&data, &handle, &passphrase, &["user", "list"]).ok();
    assert!(
        listed
            .stdout
            .contains(&format!("{handle}\tcoordinator\trecovery kit")),
        "{}",
        listed.stdout
    );
    assert!(
        !listed.stderr.contains("only one coordinator"),
        "{}",
        listed.stderr
    );
    run(hotline(&data)
        .args(["user", "add", "bo", "--role", "volunteer"])
        .env("HOTLINE_USER", &handle)
        .env("HOTLINE_PASSPHRASE", &passphrase)
        .env("HOTLINE_NEW_PASSPHRASE", BO_PASS))
    .ok();
    // A volunteer cannot make one.
    run(hotline(&data)
        .arg("passwd")
        .env("HOTLINE_USER", "bo")
        .env("HOTLINE_PASSPHRASE", BO_PASS)
        .env("HOTLINE_NEW_PASSPHRASE", BO_NEW_PASS))
    .ok();
    as_user(&data, "bo", BO_NEW_PASS, &["user", "recovery-kit"])
        .fails_with(1, "only a coordinator can do this");
}
