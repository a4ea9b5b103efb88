//! The referral directory: organisations and services volunteers refer
//! callers to, kept by coordinators in the encrypted vault.
//!
//! - [`list`], [`search`] (English and Spanish, without regard to accents,
//!   optionally limited to kinds of resource), [`get`];
//! - coordinator-only [`add`], [`edit`] and [`remove`], audited with ids only;
//! - the shared directory file: [`import_file`] (merges by id),
//!   [`export_file`], [`parse_file`] and its schema ([`file_schema_text`]).
//!
//! Each entry has a UUID that stays the same on every laptop and in every
//! export; a call's `referrals` are these ids. An entry without a source or
//! without the date it was last checked is shown to volunteers as
//! unverified ([`Referral::is_verified`]). The kinds a script step asks for
//! are defined by the guidance pack; here a kind is any lowercase tag.
//!
//! A new vault starts with the entries of [`BUILTIN`]: only services an
//! official page names, with that page and the date it was checked, and no
//! detail the page does not state.

mod error;
mod file;
mod model;
mod store;

#[cfg(test)]
mod tests;

use uuid::Uuid;

pub use error::ReferralError;
pub use file::{
    FILE_FORMAT, FILE_VERSION, ImportReport, MAX_FILE_ENTRIES, export_file, file_schema_text,
    file_text, import_file, parse_file, write_export,
};
pub use model::{
    ABOUT_MAX_BYTES, KIND_MAX_BYTES, MAX_TAGS, NAME_MAX_BYTES, NOTE_MAX_BYTES, PHONE_MAX_BYTES,
    Referral, ReferralView, WEB_MAX_BYTES, check_kind, new_id, parse_id,
};
pub use store::{add, edit, get, list, remove, search};

pub(crate) use file::replace_directory;
pub(crate) use store::first_unknown;

/// Ids of the entries a new vault starts with (written by the store's
/// migration 8): ICE's online detainee locator, EOIR's list of pro bono
/// legal service providers, and EOIR's automated case information.
pub const BUILTIN: &[Uuid] = &[
    Uuid::from_u128(0xd8f08dc7_189f_42b4_a7df_a91c0d8e9c89),
    Uuid::from_u128(0x4182e82a_396e_4ac5_8690_6bb6e8ee88b4),
    Uuid::from_u128(0x092d4795_46ee_4a00_afae_67e27c052356),
];
