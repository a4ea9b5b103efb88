//! Hotline Desk: the Tauri shell.
//!
//! Thin on purpose: it resolves the data directory, opens the window and
//! forwards each command to `hotline-core`. No business logic lives here.

#[cfg(test)]
mod bindings;
mod clipboard;
mod commands;
mod error;
mod file_dialog;
mod idle;
mod lifecycle;
mod state;
mod window;

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(err) = hotline_core::hardening::harden_process() {
        eprintln!("hotline-desk: {err}");
        return ExitCode::from(2);
    }
    if !has_display() {
        eprintln!(
            "hotline-desk: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n\
             Run it from a desktop session, or on a headless machine with: xvfb-run -a hotline-desk"
        );
        return ExitCode::from(2);
    }
    let state = match state::AppState::from_environment() {
        Ok(state) => state,
        Err(err) => {
            eprintln!("hotline-desk: {err}");
            return ExitCode::from(2);
        }
    };
    let result = tauri::Builder::default()
        .manage(state)
        .setup(|app| {
            window::open_main(app)?;
            idle::spawn_watchdog(app.handle().clone());
            lifecycle::lock_on_signals(app.handle().clone())?;
            Ok(())
        })
        .on_window_event(lifecycle::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::about::app_info,
            commands::audit::audit_view,
            commands::vault::vault_status,
            commands::vault::vault_create,
            commands::vault::vault_unlock,
            commands::vault::vault_integrity,
            commands::vault::vault_lock,
            commands::vault::session_touch,
            commands::vault::users_list,
            commands::vault::users_add,
            commands::vault::users_remove,
            commands::vault::continuity_get,
            commands::vault::recovery_kit_create,
            commands::vault::passphrase_change,
            commands::vault::passphrase_suggest,
            commands::vault::settings_set_auto_lock,
            commands::vault::vault_panic_erase,
            commands::vault::vault_migration,
            commands::vault::settings_set_panic_erase,
            commands::guidance::guidance_pack,
            commands::calls::draft_save,
            commands::calls::draft_load,
            commands::calls::draft_clear,
            commands::calls::call_create,
            commands::calls::call_update,
            commands::calls::notes_check,
            commands::calls::call_get,
            commands::calls::calls_list,
            commands::calls::calls_search,
            commands::calls::followups_due,
            commands::calls::followup_add,
            commands::calls::followup_done,
            commands::calls::areas_list,
            commands::calls::call_hold,
            commands::calls::call_close,
            commands::calls::call_reopen,
            commands::calls::call_share,
            commands::calls::call_alert,
            commands::calls::call_alert_copy,
            commands::calls::retention_get,
            commands::calls::retention_set,
            commands::reports::dashboard,
            commands::reports::summary_preview,
            commands::reports::summary_write,
            commands::reports::today,
            commands::prefs::prefs_lang,
            commands::prefs::prefs_set_lang,
            commands::guidance::player_start,
            commands::guidance::player_choose,
            commands::guidance::player_back,
            commands::guidance::player_restart,
            commands::packs::packs_list,
            commands::packs::pack_import,
            commands::packs::pack_use,
            commands::packs::pack_remove,
            commands::packs::pack_attach_text,
            commands::packs::citation_text,
            commands::referrals::referrals_list,
            commands::referrals::referrals_search,
            commands::referrals::referral_save,
            commands::referrals::referral_remove,
            commands::referrals::referrals_import,
            commands::referrals::referrals_export,
            // The team card: the team folder.
            commands::team::team_card,
            commands::team::team_folder_choose,
            commands::team::team_sync,
            commands::team::team_sync_progress,
            // Coordinator screens: backup, restore, areas, holds, erase.
            commands::backup::backup_write,
            commands::backup::restore_choose,
            commands::backup::vault_restore,
            commands::admin::areas_all,
            commands::admin::area_add,
            commands::admin::area_rename,
            commands::admin::area_deactivate,
            commands::admin::calls_held,
            commands::admin::vault_erase,
        ])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => {
            let status = app.run_return(|handle, event| lifecycle::on_run_event(handle, &event));
            ExitCode::from(u8::try_from(status).unwrap_or(1))
        }
        Err(err) => {
            eprintln!("hotline-desk: the window could not be opened: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a graphical display is available to open a window on.
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}
