//! `hotline-assets`: the manual pages and shell completions the package
//! installs, generated from the same clap definitions as `hotline`.

use std::fs;
use std::path::Path;
use std::process::Command;

/// Run the generator on `out`; return (status, stdout, stderr).
fn generate(out: &Path) -> (bool, String, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_hotline-assets"))
        .arg(out)
        .output()
        .expect("the hotline-assets binary runs");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn writes_a_page_per_visible_command_and_three_completions() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("assets");
    let (ok, stdout, stderr) = generate(&out);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("manual pages"), "{stdout}");

    let main_page = read(&out.join("man1/hotline.1"));
    assert!(main_page.contains(".TH hotline 1"), "{main_page}");
    assert!(
        main_page.contains(&format!("Hotline Desk {}", env!("CARGO_PKG_VERSION"))),
        "the page names the version"
    );
    for sub in ["init", "backup", "restore", "erase", "call", "export"] {
        assert!(
            main_page.contains(&format!("hotline\\-{sub}(1)")),
            "hotline.1 lists {sub}"
        );
    }
    let add = read(&out.join("man1/hotline-call-add.1"));
    assert!(add.contains("\\-\\-json"), "{add}");
    assert!(
        add.contains("HOTLINE_USER"),
        "the page names the environment"
    );
    // No page for clap's built-in `help` subcommand.
    assert!(!out.join("man1/hotline-help.1").exists());

    let bash = read(&out.join("completions/hotline.bash"));
    assert!(bash.contains("complete -F _hotline"), "{bash}");
    assert!(bash.contains("retention"), "bash completes subcommands");
    let zsh = read(&out.join("completions/_hotline"));
    assert!(zsh.starts_with("#compdef hotline"), "{zsh}");
    let fish = read(&out.join("completions/hotline.fish"));
    assert!(fish.contains("complete -c hotline"), "{fish}");
    assert!(fish.contains("erase"), "fish completes subcommands");
}

#[test]
fn names_the_path_it_cannot_write() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("not-a-folder");
    fs::write(&file, "x").expect("a plain file");
    let (ok, stdout, stderr) = generate(&file);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains("not-a-folder"), "{stderr}");
}
