//! `hotline passphrase suggest` run as a process.

use std::process::Command;

fn hotline(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .env_remove("HOTLINE_PASSPHRASE")
        .output()
        .expect("the hotline binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

#[test]
fn suggestions_are_random_list_words_that_open_a_new_vault() {
    let (code, first, _) = hotline(&["passphrase", "suggest"]);
    assert_eq!(code, 0);
    let words: Vec<&str> = first.trim_end().split(' ').collect();
    assert_eq!(words.len(), 6, "{first}");
    assert!(
        words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
        "{first}"
    );
    let (_, second, _) = hotline(&["passphrase", "suggest", "--words", "5"]);
    assert_eq!(second.trim_end().split(' ').count(), 5);
    assert_ne!(first, second);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("init")
        .env("HOTLINE_USER", "ana")
        .env("HOTLINE_PASSPHRASE", first.trim_end())
        .output()
        .expect("the hotline binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn too_few_words_are_refused() {
    let (code, stdout, stderr) = hotline(&["passphrase", "suggest", "--words", "4"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("5..=12"), "{stderr}");
}
