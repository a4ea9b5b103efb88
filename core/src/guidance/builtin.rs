//! The "Madison & Dane County" pack, compiled into the binary so it is always
//! available, whatever packs a coordinator imports.

use std::sync::LazyLock;

use super::Pack;

/// File name the built-in pack is reported under.
pub const BUILTIN_FILE_NAME: &str = "madison-dane.toml";

/// The built-in pack's TOML text, exactly as shipped.
pub const BUILTIN_SOURCE: &str = include_str!("../../packs/madison-dane.toml");

static BUILTIN: LazyLock<Pack> = LazyLock::new(|| {
    // The test suite parses and validates this text, so it cannot fail in a
    // build that passed its tests.
    Pack::parse(BUILTIN_SOURCE, BUILTIN_FILE_NAME)
        .expect("the built-in pack parses (checked by the test suite)")
});

impl Pack {
    /// The built-in "Madison & Dane County" pack, parsed once.
    pub fn builtin() -> &'static Pack {
        &BUILTIN
    }
}
