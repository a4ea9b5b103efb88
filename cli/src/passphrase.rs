//! Who is acting and with which passphrase.
//!
//! The acting user comes from `--user HANDLE` or `$HOTLINE_USER`. A
//! passphrase comes, in order, from a file (`--passphrase-file F`, first line),
//! the environment (`$HOTLINE_PASSPHRASE`), or a hidden prompt when standard
//! input is a terminal. A second, new passphrase (`passwd`, `user add`) comes
//! from `--new-passphrase-file F`, `$HOTLINE_NEW_PASSPHRASE`, or a prompt
//! asked twice. Passphrases are never echoed or printed, except the one
//! `hotline passphrase suggest` makes up, which it prints so that its future
//! owner can learn it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hotline_core::vault::{self, Passphrase};

use crate::CliError;
use crate::out::outln;

/// Environment variable holding the acting user's passphrase.
pub const PASSPHRASE_ENV: &str = "HOTLINE_PASSPHRASE";
/// Environment variable holding a new passphrase.
pub const NEW_PASSPHRASE_ENV: &str = "HOTLINE_NEW_PASSPHRASE";

/// The acting user and where their passphrase comes from.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Acting user's handle [default: $HOTLINE_USER].
    #[arg(
        long,
        env = "HOTLINE_USER",
        hide_env_values = true,
        value_name = "HANDLE"
    )]
    pub user: Option<String>,
    /// Read the passphrase from the first line of FILE [default:
    /// $HOTLINE_PASSPHRASE, then a hidden prompt].
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

impl AuthArgs {
    /// The acting user's handle, or a message saying how to give it.
    pub fn handle(&self) -> Result<&str, CliError> {
        self.user
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or_else(|| CliError::new("who is acting? Pass --user HANDLE or set HOTLINE_USER"))
    }

    /// The acting user's passphrase.
    pub fn passphrase(&self, prompt: &str) -> Result<Passphrase, CliError> {
        read(
            self.passphrase_file.as_deref(),
            PASSPHRASE_ENV,
            prompt,
            false,
        )
    }

    /// A passphrase for a new vault: like [`AuthArgs::passphrase`], but a
    /// prompt asks twice.
    pub fn new_vault_passphrase(&self, prompt: &str) -> Result<Passphrase, CliError> {
        read(
            self.passphrase_file.as_deref(),
            PASSPHRASE_ENV,
            prompt,
            true,
        )
    }
}

/// Where a second, new passphrase comes from.
#[derive(Debug, Args)]
pub struct NewPassphraseArgs {
    /// Read the new passphrase from the first line of FILE [default:
    /// $HOTLINE_NEW_PASSPHRASE, then a hidden prompt asked twice].
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
}

impl NewPassphraseArgs {
    /// The new passphrase.
    pub fn passphrase(&self, prompt: &str) -> Result<Passphrase, CliError> {
        read(
            self.new_passphrase_file.as_deref(),
            NEW_PASSPHRASE_ENV,
            prompt,
            true,
        )
    }
}

/// File, then environment variable, then prompt (twice if `confirm`).
fn read(
    file: Option<&Path>,
    env: &str,
    prompt: &str,
    confirm: bool,
) -> Result<Passphrase, CliError> {
    if let Some(path) = file {
        return from_file(path);
    }
    match std::env::var(env) {
        Ok(text) if !text.is_empty() => return Ok(Passphrase::new(text)),
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(CliError::new(format!("{env} is not valid Unicode")));
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(format!(
            "no passphrase: set {env}, pass a passphrase file, or run in a terminal to be asked"
        )));
    }
    let first = prompt_hidden(prompt)?;
    if confirm {
        let again = prompt_hidden("Repeat it: ")?;
        if !first.same_as(&again) {
            return Err(CliError::new(
                "the two passphrases differ; nothing was changed",
            ));
        }
    }
    Ok(first)
}

/// Read the first line of `path` (without its line ending).
fn from_file(path: &Path) -> Result<Passphrase, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|err| CliError::new(format!("cannot read the passphrase file: {err}")))?;
    let mut text = String::from_utf8(bytes).map_err(|err| {
        // Best effort: do not leave the bytes around.
        let mut bytes = err.into_bytes();
        bytes.fill(0);
        CliError::new("the passphrase file is not valid UTF-8")
    })?;
    if let Some(end) = text.find(['\n', '\r']) {
        // Truncating keeps the buffer; `Passphrase::new` wipes all of it.
        text.truncate(end);
    }
    if text.is_empty() {
        return Err(CliError::new("the passphrase file's first line is empty"));
    }
    Ok(Passphrase::new(text))
}

fn prompt_hidden(prompt: &str) -> Result<Passphrase, CliError> {
    let text = rpassword::prompt_password(prompt)
        .map_err(|err| CliError::new(format!("cannot read the passphrase: {err}")))?;
    Ok(Passphrase::new(text))
}

/// Options of `hotline passphrase`.
#[derive(Debug, Args)]
pub struct PassphraseArgs {
    #[command(subcommand)]
    command: PassphraseCommand,
}

#[derive(Debug, Subcommand)]
enum PassphraseCommand {
    /// Print a new passphrase of random words from the EFF large word list
    /// (CC BY 3.0 US, see `hotline about`), drawn with the operating
    /// system's random number generator. Nothing is stored.
    Suggest {
        /// Number of words (5 to 12; each adds about 12.9 bits).
        #[arg(
            long,
            default_value_t = vault::DEFAULT_WORDS as u8,
            value_parser = clap::value_parser!(u8).range(vault::MIN_WORDS as i64..=vault::MAX_WORDS as i64)
        )]
        words: u8,
    },
}

/// Run `hotline passphrase …`.
pub fn run(args: &PassphraseArgs) -> Result<(), CliError> {
    match &args.command {
        PassphraseCommand::Suggest { words } => {
            let suggestion = vault::suggest_passphrase(usize::from(*words))
                .map_err(|err| CliError::coded(&err))?;
            outln!("{}", suggestion.text())?;
        }
    }
    Ok(())
}

/// Ask a yes/no-style question on the terminal and read one line of answer
/// (visible). Refuses when standard input is not a terminal.
pub fn ask_line(question: &str) -> Result<Option<String>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question}");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|err| CliError::new(format!("cannot read the answer: {err}")))?;
    Ok(Some(line.trim().to_owned()))
}
