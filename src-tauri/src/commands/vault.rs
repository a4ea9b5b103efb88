//! Vault commands: set-up, unlock, lock, users, passphrase, auto-lock,
//! panic erase.
//!
//! Passphrases arrive as strings and are moved straight into the core's
//! wiping `Passphrase` type; nothing secret is ever returned to the webview.
//! Key derivation takes about half a second, so the commands that run it are
//! `async` and stay off the window's main thread.

use std::sync::Arc;
use std::time::Instant;

use hotline_core::vault::{self, MigrationProgress, Passphrase, Role, UnlockNotice, Vault};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::error::UiError;
use crate::state::{AppState, Integrity, Session};

/// The signed-in user, as the UI sees it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Session"))]
pub struct SessionDto {
    /// Handle (pseudonym).
    pub handle: String,
    /// `coordinator` or `volunteer`.
    pub role: RoleDto,
    /// Idle minutes before auto-lock.
    pub auto_lock_minutes: u32,
    /// Where the background integrity check stands: `checking`, `sound`,
    /// `damaged` (saving is refused) or `unknown`.
    pub integrity: Integrity,
    /// Whether a coordinator set the passphrase: the window then asks for a
    /// new one before showing anything else.
    pub must_change_passphrase: bool,
    /// What a coordinator's unlock found (refused settings, the audit
    /// log's state), when there is anything to tell; a banner shows it.
    pub notice: Option<UnlockNotice>,
}

/// A role on the wire.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Role"))]
pub enum RoleDto {
    /// May manage users, settings and exports.
    Coordinator,
    /// Takes calls.
    Volunteer,
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Coordinator => Self::Coordinator,
            Role::Volunteer => Self::Volunteer,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Coordinator => Self::Coordinator,
            RoleDto::Volunteer => Self::Volunteer,
        }
    }
}

/// Vault presence, failed attempts and the open session.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "VaultStatus"))]
pub struct VaultStatusDto {
    /// Whether vault files exist in the data directory.
    pub exists: bool,
    /// Failed unlock attempts in a row.
    pub failed_attempts: u32,
    /// The open session, if unlocked.
    pub session: Option<SessionDto>,
    /// Whether the lock screen offers panic erase (a coordinator's switch).
    pub panic_erase: bool,
}

/// One user as listed to a coordinator.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "UserSummary"))]
pub struct UserDto {
    /// Handle (pseudonym).
    pub handle: String,
    /// Role.
    pub role: RoleDto,
    /// Whether they still have a slot in the old key file, which shows
    /// their handle until their next unlock.
    pub old_slot: bool,
    /// Whether this is a recovery kit (a coordinator slot kept on paper).
    pub recovery_kit: bool,
}

/// A recovery kit, shown once to be written down: the one other secret
/// that goes to the webview, because the coordinator must see it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "RecoveryKit"))]
pub struct RecoveryKitDto {
    /// The kit's handle.
    pub handle: String,
    /// The kit's passphrase (8 words).
    pub passphrase: String,
}

fn session_dto(session: &Session) -> Result<SessionDto, UiError> {
    let vault = &session.vault;
    Ok(SessionDto {
        handle: vault.user().handle.clone(),
        role: vault.user().role.into(),
        auto_lock_minutes: vault.auto_lock_minutes()?,
        integrity: session.integrity,
        must_change_passphrase: vault.user().must_change_passphrase,
        notice: vault.unlock_notice().filter(|n| !n.is_empty()).cloned(),
    })
}

/// Store a freshly opened vault as the session, start its full integrity
/// check in the background and describe it. Retention (shredding expired
/// free text) runs once the check has found the vault sound, so a write
/// nobody asked for never goes to a damaged vault.
pub(crate) fn start_session(
    app: &AppHandle,
    state: &AppState,
    vault: Vault,
) -> Result<SessionDto, UiError> {
    let check = Arc::new(vault.integrity_check());
    let auto_lock_minutes = vault.auto_lock_minutes()?;
    let session = Session::new(vault, auto_lock_minutes, check);
    let dto = session_dto(&session)?;
    state.open_session(session);
    AppState::start_integrity_check(app, |vault| {
        // A failed purge must not keep a volunteer out mid-shift; it runs
        // again at the next unlock and from `hotline purge`.
        let _ = hotline_core::calls::purge_expired(vault, chrono::Utc::now());
    });
    Ok(dto)
}

/// Whether a vault exists, failed attempts, and the open session if any.
#[tauri::command]
pub fn vault_status(state: State<'_, AppState>) -> Result<VaultStatusDto, UiError> {
    let session = match state.slot().as_ref() {
        Some(session) => Some(session_dto(session)?),
        None => None,
    };
    Ok(VaultStatusDto {
        exists: Vault::exists(&state.data_dir),
        failed_attempts: vault::failed_attempts(&state.data_dir),
        session,
        panic_erase: vault::panic_erase_is_on(&state.data_dir),
    })
}

/// Create the vault with its first coordinator and sign in.
#[tauri::command]
pub async fn vault_create(
    app: AppHandle,
    state: State<'_, AppState>,
    handle: String,
    passphrase: String,
) -> Result<SessionDto, UiError> {
    let passphrase = Passphrase::new(passphrase);
    let vault = Vault::create(&state.data_dir, handle.trim(), &passphrase)?;
    start_session(&app, &state, vault)
}

/// Unlock the vault as `handle`.
#[tauri::command]
pub async fn vault_unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    handle: String,
    passphrase: String,
) -> Result<SessionDto, UiError> {
    let passphrase = Passphrase::new(passphrase);
    let set = |step: Option<MigrationProgress>| {
        *state
            .migration
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = step;
    };
    let unlocked =
        Vault::unlock_with_progress(&state.data_dir, handle.trim(), &passphrase, &mut |step| {
            set(Some(step))
        });
    set(None);
    match unlocked {
        Ok(vault) => start_session(&app, &state, vault),
        Err(err) => {
            let failures = vault::failed_attempts(&state.data_dir);
            let err = UiError::from(err).with_failures(failures);
            if err.code == hotline_core::errors::ErrorCode::DamagedVault {
                // The window may now offer a restore that sets it aside.
                state
                    .damage_seen
                    .store(true, std::sync::atomic::Ordering::SeqCst);
            }
            Err(err)
        }
    }
}

/// Where the open vault's background integrity check stands (the UI polls
/// it after unlocking until it is no longer `checking`).
#[tauri::command]
pub fn vault_integrity(state: State<'_, AppState>) -> Result<Integrity, UiError> {
    state.with_any_session(|session| Ok(session.integrity))
}

/// Lock: stop the integrity check, close the database and wipe the key.
/// Locking twice is harmless. `async` so that waiting for a running check
/// to stop never holds the window's main thread.
#[tauri::command]
pub async fn vault_lock(state: State<'_, AppState>) -> Result<(), UiError> {
    state.lock();
    Ok(())
}

/// How far the one-time re-encryption of a vault from before the erase
/// anchor has got, while an unlock runs it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "Migration"))]
pub struct MigrationDto {
    /// Percent of the pages re-encrypted (100 while writing them back).
    pub percent: u8,
    /// Whether the new pages are being written over the old ones.
    pub writing_back: bool,
}

/// The running migration's progress, or `null` when none runs.
#[tauri::command]
pub fn vault_migration(state: State<'_, AppState>) -> Option<MigrationDto> {
    let step = *state
        .migration
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    step.map(|step| match step {
        MigrationProgress::Reencrypting { done, total } => MigrationDto {
            percent: u8::try_from((done * 100).checked_div(total).unwrap_or(0).min(100))
                .unwrap_or(100),
            writing_back: false,
        },
        MigrationProgress::WritingBack | MigrationProgress::Done => MigrationDto {
            percent: 100,
            writing_back: true,
        },
    })
}

/// The words the lock screen asks to be typed to confirm a panic erase
/// (English, Spanish).
pub(crate) const PANIC_ERASE_WORDS: [&str; 2] = ["ERASE", "BORRAR"];

/// Panic erase at the lock screen, with no key: the second step of the
/// window's confirmation sends the word typed. Refused unless a coordinator
/// switched it on; any open session is locked first.
#[tauri::command]
pub async fn vault_panic_erase(state: State<'_, AppState>, word: String) -> Result<(), UiError> {
    if !PANIC_ERASE_WORDS.contains(&word.trim()) {
        return Err(UiError::new(
            hotline_core::errors::ErrorCode::InvalidInput,
            "the confirming word does not match; nothing was erased",
        ));
    }
    state.lock();
    vault::erase_at_lock_screen(&state.data_dir)?;
    Ok(())
}

/// Switch panic erase at the lock screen on or off (coordinator only).
#[tauri::command]
pub fn settings_set_panic_erase(state: State<'_, AppState>, on: bool) -> Result<bool, UiError> {
    state.with_session(|session| {
        session.vault.coordinator()?.set_panic_erase(on)?;
        Ok(vault::panic_erase_is_on(&state.data_dir))
    })
}

/// Record keyboard or mouse activity for the shell's auto-lock.
#[tauri::command]
pub fn session_touch(state: State<'_, AppState>) -> Result<(), UiError> {
    state.with_any_session(|session| {
        session.last_activity = Instant::now();
        Ok(())
    })
}

/// The vault's users, for any signed-in user (the window shows them to coordinators).
#[tauri::command]
pub fn users_list(state: State<'_, AppState>) -> Result<Vec<UserDto>, UiError> {
    state.with_session(|session| {
        Ok(session
            .vault
            .list_users()?
            .into_iter()
            .map(|user| UserDto {
                handle: user.handle,
                role: user.role.into(),
                old_slot: user.old_slot,
                recovery_kit: user.recovery_kit,
            })
            .collect())
    })
}

/// How many holders of the coordinator key the vault has (coordinators).
#[tauri::command]
pub fn continuity_get(state: State<'_, AppState>) -> Result<vault::Continuity, UiError> {
    state.with_session(|session| {
        session.vault.coordinator()?;
        Ok(session.vault.continuity()?)
    })
}

/// Make a recovery kit (coordinator only), returned once.
#[tauri::command]
pub async fn recovery_kit_create(state: State<'_, AppState>) -> Result<RecoveryKitDto, UiError> {
    state.with_session(|session| {
        let kit = session.vault.coordinator()?.create_recovery_kit()?;
        Ok(RecoveryKitDto {
            handle: kit.handle.clone(),
            passphrase: kit.passphrase.text().to_owned(),
        })
    })
}

/// Add a user with a first passphrase (coordinator only).
#[tauri::command]
pub async fn users_add(
    state: State<'_, AppState>,
    handle: String,
    role: RoleDto,
    passphrase: String,
) -> Result<(), UiError> {
    let passphrase = Passphrase::new(passphrase);
    state.with_session(|session| {
        session
            .vault
            .coordinator()?
            .add_user(handle.trim(), role.into(), &passphrase)?;
        Ok(())
    })
}

/// Remove a user and give everyone who stays a new master key (coordinator
/// only). The re-encryption's progress is what `vault_migration` reports
/// meanwhile, as during an unlock's migration.
#[tauri::command]
pub async fn users_remove(state: State<'_, AppState>, handle: String) -> Result<(), UiError> {
    let set = |step: Option<MigrationProgress>| {
        *state
            .migration
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = step;
    };
    let removed = state.with_session(|session| {
        session
            .vault
            .remove_user_and_rekey(handle.trim(), &mut |step| set(Some(step)))?;
        Ok(())
    });
    set(None);
    removed
}

/// Change the signed-in user's passphrase (the one thing allowed before a
/// passphrase a coordinator set has been changed); returns the session,
/// no longer asking for a change.
#[tauri::command]
pub async fn passphrase_change(
    state: State<'_, AppState>,
    current: String,
    next: String,
) -> Result<SessionDto, UiError> {
    let current = Passphrase::new(current);
    let next = Passphrase::new(next);
    state.with_any_session(|session| {
        session.vault.change_passphrase(&current, &next)?;
        session_dto(session)
    })
}

/// A passphrase of random words from the EFF large word list, for set-up
/// and for a new user: the one secret that goes to the webview, because
/// the person who will use it must see it. Nothing is stored.
#[tauri::command]
pub fn passphrase_suggest() -> Result<String, UiError> {
    let suggestion = vault::suggest_passphrase(vault::DEFAULT_WORDS)?;
    Ok(suggestion.text().to_owned())
}

/// Set the idle minutes before auto-lock (coordinator only).
#[tauri::command]
pub fn settings_set_auto_lock(
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<SessionDto, UiError> {
    state.with_session(|session| {
        session
            .vault
            .coordinator()?
            .set_auto_lock_minutes(minutes)?;
        session.auto_lock = std::time::Duration::from_secs(u64::from(minutes) * 60);
        session_dto(session)
    })
}
