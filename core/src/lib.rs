//! `hotline-core`: everything Hotline Desk knows, with no user interface.
//!
//! The Tauri shell (`src-tauri`) and the command line (`cli`) are thin layers
//! over this crate. It must never depend on Tauri, wry or WebKit, so it builds
//! and tests on any machine.

pub mod about;
pub mod calls;
pub mod codes;
#[cfg(feature = "demo")]
pub mod demo;
pub mod errors;
pub mod export;
pub mod guidance;
pub mod hardening;
mod output;
pub mod paths;
pub mod prefs;
pub mod referrals;
pub(crate) mod store;
pub mod team;
pub mod vault;

/// Version of the core, shared by the app and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod roles_tests;
