//! Generates the Tauri context and the permissions of the app's own commands.
//!
//! Every app command is listed here; none is reachable from the webview unless
//! a capability file (`capabilities/`) also grants it.

/// Commands the shell exposes. Keep in step with `tauri::generate_handler!`.
const COMMANDS: &[&str] = &[
    "app_info",
    "audit_view",
    "vault_status",
    "vault_create",
    "vault_unlock",
    "vault_integrity",
    "vault_lock",
    "session_touch",
    "users_list",
    "users_add",
    "users_remove",
    "continuity_get",
    "recovery_kit_create",
    "passphrase_change",
    "passphrase_suggest",
    "settings_set_auto_lock",
    "settings_set_panic_erase",
    "vault_panic_erase",
    "vault_migration",
    "guidance_pack",
    "draft_save",
    "draft_load",
    "draft_clear",
    "call_create",
    "call_update",
    "notes_check",
    "call_get",
    "calls_list",
    "calls_search",
    "followups_due",
    "followup_add",
    "followup_done",
    "areas_list",
    "call_hold",
    "call_close",
    "call_reopen",
    "call_share",
    "call_alert",
    "call_alert_copy",
    "retention_get",
    "retention_set",
    "dashboard",
    "summary_preview",
    "summary_write",
    "today",
    "prefs_lang",
    "prefs_set_lang",
    "player_start",
    "player_choose",
    "player_back",
    "player_restart",
    "packs_list",
    "pack_import",
    "pack_use",
    "pack_remove",
    "pack_attach_text",
    "citation_text",
    "referrals_list",
    "referrals_search",
    "referral_save",
    "referral_remove",
    "referrals_import",
    "referrals_export",
    // The team card: the team folder.
    "team_card",
    "team_folder_choose",
    "team_sync",
    "team_sync_progress",
    // Coordinator screens: backup, restore, areas, holds, erase.
    "backup_write",
    "restore_choose",
    "vault_restore",
    "areas_all",
    "area_add",
    "area_rename",
    "area_deactivate",
    "calls_held",
    "vault_erase",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {err:#}");
    }
}
