//! Tauri commands: each takes the state, calls one core function and maps
//! the error. Data crosses to the webview as small serializable DTOs; key
//! material never does.

pub mod about;
pub mod admin;
pub mod audit;
pub mod backup;
pub mod calls;
pub mod guidance;
pub mod packs;
pub mod prefs;
pub mod referrals;
pub mod reports;
pub mod team;
pub mod vault;
