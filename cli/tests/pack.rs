//! Black-box tests of `hotline pack`, running the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{HANDLE, add_volunteer, hotline_as};

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
    assert!(stdout.contains("22 flows"), "{stdout}");
}

#[test]
fn a_bad_file_fails_naming_file_line_and_node() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline(&["pack", "dump", "--builtin"], dir.path());
    let broken = text(&out.stdout).replacen(
        "next = \"work_say\"\nset.category = \"workplace_operation\"",
        "next = \"nowhere\"\nset.category = \"workplace_operation\"",
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
        "{}:{line}: node \"who_start\": option 4 leads to \"nowhere\", which is not a node",
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

// --- Packs kept in the vault ------------------------------------------------

/// The test pack shared with the core and end-to-end tests.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/lakeside-pack.toml")
}

/// The seed article, kept beside the repository (never inside it).
fn seed_article() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seed/000_d0cc9b5dd79618e7.txt")
}

/// A new vault with the test coordinator.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    hotline_as(dir.path(), HANDLE, &["init"], "").ok();
    dir
}

/// `hotline pack ARGS…` as the test coordinator.
fn pack(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["pack"];
    all.extend_from_slice(args);
    hotline_as(dir, HANDLE, &all, "")
}

/// The lines of `hotline pack list`.
fn listed(dir: &Path) -> Vec<String> {
    pack(dir, &["list"])
        .ok()
        .stdout
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn import_list_use_and_remove_a_pack() {
    let dir = vault();
    let d = dir.path();
    let before = listed(d);
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(before[0].starts_with("* madison-dane\t"), "{before:?}");
    assert!(before[0].contains("built-in"), "{before:?}");

    let out = pack(d, &["import", fixture().to_str().unwrap()]).ok();
    assert!(
        out.stdout
            .contains("imported pack lakeside-test version 2.1.0"),
        "{}",
        out.stdout
    );
    let lines = listed(d);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("* madison-dane"), "{lines:?}");
    assert_eq!(
        lines[1],
        "  lakeside-test\t2.1.0\treviewed 2026-10-01\timported\tLakeside test pack"
    );

    let out = pack(d, &["use", "lakeside-test"]).ok();
    assert!(
        out.stdout
            .contains("active pack: lakeside-test version 2.1.0")
    );
    let lines = listed(d);
    assert!(lines[0].starts_with("  madison-dane"), "{lines:?}");
    assert!(lines[1].starts_with("* lakeside-test"), "{lines:?}");

    let out = pack(d, &["remove", "lakeside-test"]).ok();
    assert!(out.stdout.contains("the built-in pack is active again"));
    let lines = listed(d);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("* madison-dane"), "{lines:?}");

    let out = pack(d, &["remove", "lakeside-test"]).failed();
    assert!(
        out.stderr
            .contains("no imported pack has the id \"lakeside-test\""),
        "{}",
        out.stderr
    );
    let out = pack(d, &["remove", "builtin"]).failed();
    assert!(out.stderr.contains("cannot be removed"), "{}", out.stderr);
    pack(d, &["use", "builtin"]).ok();
}

#[test]
fn a_broken_pack_is_refused_with_every_problem_and_not_stored() {
    let dir = vault();
    let d = dir.path();
    let text = std::fs::read_to_string(fixture()).unwrap().replacen(
        "next = \"door_end\"",
        "next = \"nowhere\"",
        1,
    );
    let line = text[..text.find("next = \"nowhere\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let file = d.join("broken.toml");
    std::fs::write(&file, &text).unwrap();
    let out = pack(d, &["import", file.to_str().unwrap()]).failed();
    let expected = format!("broken.toml:{line}: node \"door_say\": ");
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    assert!(out.stderr.contains("1 problem in"), "{}", out.stderr);
    assert_eq!(listed(d).len(), 1);
}

#[test]
fn only_coordinators_manage_packs() {
    let dir = vault();
    let d = dir.path();
    add_volunteer(d, "bo-3");
    let file = fixture();
    let out = hotline_as(d, "bo-3", &["pack", "import", file.to_str().unwrap()], "").failed();
    assert!(out.stderr.contains("only a coordinator"), "{}", out.stderr);
    let article = seed_article();
    hotline_as(
        d,
        "bo-3",
        &["pack", "attach-text", "article", article.to_str().unwrap()],
        "",
    )
    .failed();
    // Listing is for everyone.
    let out = hotline_as(d, "bo-3", &["pack", "list"], "").ok();
    assert!(out.stdout.contains("madison-dane"));
}

#[test]
fn attach_text_checks_the_paragraph_count() {
    let dir = vault();
    let d = dir.path();
    let article = seed_article();
    let text = std::fs::read_to_string(&article).unwrap();
    let short = d.join("short.txt");
    let cut = text.trim_end().rfind("\n\n").unwrap();
    std::fs::write(&short, &text[..cut]).unwrap();
    let out = pack(d, &["attach-text", "article", short.to_str().unwrap()]).failed();
    assert!(
        out.stderr
            .contains("the text has 11 paragraph(s) but source \"article\" declares 12"),
        "{}",
        out.stderr
    );
    // Nothing of the text is ever printed.
    assert!(!out.stderr.contains(&text[..40]));

    let out = pack(d, &["attach-text", "article", article.to_str().unwrap()]).ok();
    assert!(
        out.stdout
            .contains("attached the text of article to pack builtin (12 paragraphs)"),
        "{}",
        out.stdout
    );
    assert!(listed(d)[0].contains("text attached: article"));

    pack(d, &["import", fixture().to_str().unwrap()]).ok();
    let out = pack(
        d,
        &[
            "attach-text",
            "--pack",
            "lakeside-test",
            "rights-guide",
            article.to_str().unwrap(),
        ],
    )
    .failed();
    assert!(
        out.stderr.contains("not the pack's seed article"),
        "{}",
        out.stderr
    );
    pack(
        d,
        &[
            "attach-text",
            "--pack",
            "lakeside-test",
            "article",
            article.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(listed(d)[1].contains("text attached: article"));
}

#[test]
fn a_pack_with_only_warnings_passes_the_check_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warned.toml");
    // A volatile fact a year older than the review: a warning for an imported pack.
    let pack = "[pack]\nid = \"warned\"\ntitle = { en = \"W\" }\njurisdiction = \"J\"\nversion = \"1\"\nlanguages = [\"en\"]\nreviewed_on = 2026-01-01\nreviewer = \"R\"\n\n[[source]]\nid = \"news\"\nkind = \"news\"\ntitle = \"N\"\npublisher = \"P\"\ndate = 2025-01-05\n\n[[flow]]\nid = \"f\"\ntitle = { en = \"F\" }\nentry = \"say\"\n\n[[node]]\nid = \"say\"\nkind = \"say\"\ntext = { en = \"S\" }\ncites = [\"news\"]\nvolatile = true\nas_of = 2025-01-05\nnext = \"end\"\n\n[[node]]\nid = \"end\"\nkind = \"end\"\ntext = { en = \"E\" }\n";
    std::fs::write(&file, pack).unwrap();
    let out = hotline(&["pack", "check", file.to_str().unwrap()], dir.path());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("warned.toml: OK"), "{stdout}");
    assert!(stdout.contains("1 warning(s), listed above"), "{stdout}");
    assert!(
        stdout.contains("legal standing: not yet approved by counsel"),
        "{stdout}"
    );
    let expected = format!(
        "{}:27: warning: node \"say\": `as_of` 2025-01-05 is more than 6 months before `reviewed_on` 2026-01-01",
        file.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
}
