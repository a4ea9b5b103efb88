//! `hotline user add|list|remove|recovery-kit`: manage who can unlock the vault.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use hotline_core::vault::Role;

use crate::CliError;
use crate::out::outln;
use crate::passphrase::{AuthArgs, NewPassphraseArgs};
use crate::vault::{lock, reencryption_progress, unlock, vault_error, warn_continuity};

/// Options of `hotline user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user (coordinators only). Their passphrase comes from
    /// $HOTLINE_NEW_PASSPHRASE, --new-passphrase-file or a prompt.
    Add(AddArgs),
    /// List users and roles.
    List(ListArgs),
    /// Remove a user and their key slot (coordinators only).
    Remove(RemoveArgs),
    /// Make a recovery kit (coordinators only): a coordinator slot whose
    /// handle and 8-word passphrase are printed ONCE, to be written down
    /// and kept off this laptop, so the coordinator key survives the loss
    /// of any one coordinator.
    RecoveryKit(ListArgs),
}

/// A role, as typed on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Volunteer,
    Coordinator,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Volunteer => Role::Volunteer,
            RoleArg::Coordinator => Role::Coordinator,
        }
    }
}

#[derive(Debug, Args)]
struct AddArgs {
    /// The new user's handle: a pseudonym, 2–32 letters, digits, '.', '_' or '-'.
    #[arg(value_name = "HANDLE")]
    handle: String,
    /// The new user's role.
    #[arg(long, value_enum, default_value = "volunteer")]
    role: RoleArg,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    new: NewPassphraseArgs,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct RemoveArgs {
    /// Handle of the user to remove.
    #[arg(value_name = "HANDLE")]
    handle: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Run `hotline user …`.
pub fn run(data_dir: &Path, args: &UserArgs) -> Result<(), CliError> {
    match &args.command {
        UserCommand::Add(add) => {
            let vault = unlock(data_dir, &add.auth)?;
            let passphrase = add
                .new
                .passphrase(&format!("Passphrase for the new user {}: ", add.handle))?;
            vault
                .coordinator()
                .and_then(|c| c.add_user(&add.handle, add.role.into(), &passphrase))
                .map_err(|err| vault_error(err, data_dir))?;
            lock(vault, data_dir)?;
            outln!("added {} ({})", add.handle, Role::from(add.role))?;
        }
        UserCommand::List(list) => {
            let vault = unlock(data_dir, &list.auth)?;
            let users = vault
                .list_users()
                .map_err(|err| vault_error(err, data_dir))?;
            lock(vault, data_dir)?;
            for user in &users {
                let note = match (user.old_slot, user.recovery_kit) {
                    (true, _) => "\told key slot",
                    (false, true) => "\trecovery kit",
                    (false, false) => "",
                };
                outln!("{}\t{}{note}", user.handle, user.role)?;
            }
            if users.iter().filter(|u| u.role == Role::Coordinator).count() < 2 {
                warn_continuity();
            }
        }
        UserCommand::RecoveryKit(kit) => {
            let vault = unlock(data_dir, &kit.auth)?;
            let made = vault
                .coordinator()
                .and_then(|c| c.create_recovery_kit())
                .map_err(|err| vault_error(err, data_dir));
            lock(vault, data_dir)?;
            let made = made?;
            outln!("RECOVERY KIT — write this down now; it is shown only once.")?;
            outln!("handle:     {}", made.handle)?;
            outln!("passphrase: {}", made.passphrase.text())?;
            outln!(
                "Keep it off this laptop (a safe, a lawyer). It unlocks as a coordinator: use it only to recover, then add a new coordinator and remove the kit."
            )?;
        }
        UserCommand::Remove(remove) => {
            let mut vault = unlock(data_dir, &remove.auth)?;
            let mut show = reencryption_progress("under a new master key");
            let report = vault
                .remove_user_and_rekey(&remove.handle, &mut show)
                .map_err(|err| vault_error(err, data_dir));
            lock(vault, data_dir)?;
            let report = report?;
            outln!("removed {}", remove.handle)?;
            if report.rekeyed {
                outln!("the vault has a new master key: nothing they kept opens it")?;
                if report.coordinator_key_replaced {
                    outln!(
                        "a coordinator left: the coordinator key and the bundle key are new. Give every laptop the new bundle key (`hotline keys coordinator`)"
                    )?;
                }
            } else {
                outln!(
                    "no new master key yet: {} users still have an old key slot (they unlock once, or are removed)",
                    report.old_slots
                )?;
            }
        }
    }
    Ok(())
}
