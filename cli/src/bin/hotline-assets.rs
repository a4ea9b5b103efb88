//! `hotline-assets OUT_DIR`: writes the `hotline` command's manual pages and
//! shell completions, generated from its clap definitions, for the package.
//!
//! Layout under OUT_DIR:
//! - `man1/` — `hotline.1` and one page per subcommand (`hotline-call-add.1`, …);
//! - `completions/` — `hotline.bash`, `_hotline` (zsh) and `hotline.fish`.
//!
//! `make package` runs it before bundling; the files map in
//! `src-tauri/tauri.conf.json` places the results in the `.deb`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Command, CommandFactory, Parser};
use clap_complete::Shell;
use clap_mangen::Man;

/// The name the command is installed under.
const BIN_NAME: &str = "hotline";

/// The shells completions are written for.
const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// Arguments of the generator.
#[derive(Debug, Parser)]
#[command(
    name = "hotline-assets",
    version,
    about = "Write the hotline manual pages and shell completions"
)]
struct Args {
    /// Folder to write `man1/` and `completions/` into (created if missing).
    #[arg(value_name = "OUT_DIR")]
    out_dir: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match write_assets(&args.out_dir) {
        Ok(pages) => {
            println!(
                "wrote {pages} manual pages and {} completion files under {}",
                SHELLS.len(),
                args.out_dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("hotline-assets: {err}");
            ExitCode::FAILURE
        }
    }
}

/// An I/O failure, with the path it happened on.
fn at(path: &Path) -> impl FnOnce(io::Error) -> String + '_ {
    move |err| format!("{}: {err}", path.display())
}

/// Write every page and completion file; return the number of pages.
fn write_assets(out_dir: &Path) -> Result<usize, String> {
    let mut cmd = hotline_cli::Cli::command()
        .bin_name(BIN_NAME)
        .disable_help_subcommand(true);
    cmd.build();

    let man_dir = out_dir.join("man1");
    fs::create_dir_all(&man_dir).map_err(at(&man_dir))?;
    let pages = write_man_pages(&cmd, &man_dir)?;

    let completions = out_dir.join("completions");
    fs::create_dir_all(&completions).map_err(at(&completions))?;
    for shell in SHELLS {
        clap_complete::generate_to(shell, &mut cmd.clone(), BIN_NAME, &completions)
            .map_err(at(&completions))?;
    }
    Ok(pages)
}

/// Write the page of `cmd` and, recursively, of each visible subcommand.
fn write_man_pages(cmd: &Command, dir: &Path) -> Result<usize, String> {
    let mut pages = 0;
    for sub in cmd.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        pages += write_man_pages(sub, dir)?;
    }
    Man::new(cmd.clone())
        .manual("Hotline Desk")
        .source(format!("Hotline Desk {}", env!("CARGO_PKG_VERSION")))
        .generate_to(dir)
        .map_err(at(dir))?;
    Ok(pages + 1)
}
