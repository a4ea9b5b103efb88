//! The "Madison & Dane County" pack, compiled into the binary so it is always
//! available, whatever packs a coordinator imports.

use std::sync::{Arc, LazyLock};

use super::Pack;

/// File name the built-in pack is reported under.
pub const BUILTIN_FILE_NAME: &str = "madison-dane.toml";

/// The built-in pack's TOML text, exactly as shipped.
pub const BUILTIN_SOURCE: &str = include_str!("../../packs/madison-dane.toml");

static BUILTIN: LazyLock<Arc<Pack>> = LazyLock::new(|| {
    // The test suite parses and validates this text, so it cannot fail in a
    // build that passed its tests.
    Arc::new(
        Pack::parse(BUILTIN_SOURCE, BUILTIN_FILE_NAME)
            .expect("the built-in pack parses (checked by the test suite)"),
    )
});

impl Pack {
    /// The built-in "Madison & Dane County" pack, parsed once.
    pub fn builtin() -> &'static Pack {
        &BUILTIN
    }

    /// The built-in pack as a shared handle, for holders of "the active pack"
    /// that may also be an imported one.
    pub fn builtin_shared() -> Arc<Pack> {
        Arc::clone(&BUILTIN)
    }
}
