//! `hotline about`: versions and where data lives.

use std::path::Path;

use clap::Args;

use crate::CliError;
use crate::out::outln;

/// Options of `hotline about`.
#[derive(Debug, Args)]
pub struct AboutArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Print facts about this installation.
pub fn run(data_dir: &Path, args: &AboutArgs) -> Result<(), CliError> {
    let info = hotline_core::about::app_info(data_dir).map_err(|err| CliError::coded(&err))?;
    if args.json {
        let text = serde_json::to_string_pretty(&info).map_err(CliError::new)?;
        outln!("{text}")?;
    } else {
        outln!("Hotline Desk {}", info.version)?;
        outln!("data directory: {}", info.data_dir.display())?;
        outln!(
            "vault: {}",
            if info.vault_exists {
                "present"
            } else {
                "none yet"
            }
        )?;
        outln!("SQLCipher: {}", info.sqlcipher_version)?;
        outln!("{}", info.wordlist_attribution)?;
    }
    Ok(())
}
