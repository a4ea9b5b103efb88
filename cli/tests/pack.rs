//! Black-box tests of `hotline pack`, running the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn hotline(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .env("HOTLINE_DATA_DIR", data_dir)
        .output()
        .expect("the hotline binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_builtin_succeeds_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline(&["pack", "check", "--builtin"], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert!(stdout.contains("madison-dane.toml: OK"), "{stdout}");
    assert!(stdout.contains("pack madison-dane version"), "{stdout}");
    assert!(stdout.contains("reviewed on 20"), "{stdout}");
    assert!(stdout.contains("8 flows"), "{stdout}");
}

#[test]
fn a_bad_file_fails_naming_file_line_and_node() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline(&["pack", "dump", "--builtin"], dir.path());
    let broken = text(&out.stdout).replacen(
        "next = \"who_look\"\nset.category = \"ice_public\"",
        "next = \"nowhere\"\nset.category = \"ice_public\"",
        1,
    );
    let line = broken[..broken.find("next = \"nowhere\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, &broken).unwrap();

    let out = hotline(&["pack", "check", file.to_str().unwrap()], dir.path());
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    let expected = format!(
        "{}:{line}: node \"who_start\": option 2 leads to \"nowhere\", which is not a node",
        file.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("hotline: 1 problem in"), "{stderr}");
}

#[test]
fn every_problem_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.toml");
    let pack = "[pack]\nid = \"x\"\ntitle = { en = \"X\" }\njurisdiction = \"J\"\nversion = \"1\"\nlanguages = [\"en\"]\nreviewed_on = 2999-01-01\nreviewer = \"R\"\n\n[[flow]]\nid = \"f\"\ntitle = { en = \"F\" }\nentry = \"missing\"\n";
    std::fs::write(&file, pack).unwrap();
    let out = hotline(&["pack", "check", file.to_str().unwrap()], dir.path());
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("two.toml:7: `reviewed_on` 2999-01-01 is in the future"),
        "{stderr}"
    );
    assert!(
        stderr.contains("two.toml:13: flow \"f\": `entry` is \"missing\""),
        "{stderr}"
    );
    assert!(stderr.contains("hotline: 2 problems in"), "{stderr}");
}

#[test]
fn malformed_and_missing_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, [0xffu8, 0xfe, 0x00, 0x01, b'\n', 0x80]).unwrap();
    let missing = dir.path().join("missing.toml");
    let syntax = dir.path().join("syntax.toml");
    std::fs::write(&syntax, "[pack\nid = \n").unwrap();
    for (file, needle) in [
        (&garbage, "garbage.toml:1: the file is not UTF-8 text"),
        (&missing, "missing.toml:1: cannot read the file"),
        (&syntax, "syntax.toml:1:"),
    ] {
        let out = hotline(&["pack", "check", file.to_str().unwrap()], dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn check_needs_a_file_or_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline(&["pack", "check"], dir.path());
    assert!(!out.status.success());
    let out = hotline(&["pack", "dump"], dir.path());
    assert!(!out.status.success());
}

#[test]
fn dump_builtin_reparses_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline(&["pack", "dump", "--builtin"], dir.path());
    assert!(out.status.success());
    let source = text(&out.stdout);
    assert_eq!(source, hotline_core::guidance::BUILTIN_SOURCE);
    let pack = hotline_core::guidance::check_source(&source, "dumped.toml").unwrap();
    assert_eq!(pack.meta().id, "madison-dane");

    let file = dir.path().join("copy.toml");
    std::fs::write(&file, &source).unwrap();
    let out = hotline(&["pack", "check", file.to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
}
