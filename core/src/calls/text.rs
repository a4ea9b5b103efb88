//! Limits and rules for every text a call holds.
//!
//! Lengths are counted in bytes of UTF-8 (what the database stores), so a
//! limit holds however the text is written. Text is stored exactly as given
//! (HTML, SQL-looking text, emoji, right-to-left text and combining marks
//! round-trip unchanged) with two exceptions, applied to every free-text
//! field:
//!
//! - line endings are normalised: `\r\n` and a lone `\r` become `\n`;
//! - any other control character (U+0000–U+001F except tab and line feed,
//!   U+007F, and U+0080–U+009F) is refused with
//!   [`CallError::ControlCharacter`], naming the field. Formatting
//!   characters that text needs (right-to-left marks, zero-width joiners in
//!   emoji) are not control characters and are kept.
//!
//! An empty optional text is stored as absent.

use super::CallError;

/// Longest `notes`: 64 KiB.
pub const NOTES_MAX_BYTES: usize = 64 * 1024;
/// Longest SALUTE text (each of `salute.size` … `salute.equipment`).
pub const SALUTE_MAX_BYTES: usize = 1024;
/// Longest `exact_location`.
pub const EXACT_LOCATION_MAX_BYTES: usize = 1024;
/// Longest `contact_name`.
pub const CONTACT_NAME_MAX_BYTES: usize = 256;
/// Longest `contact_phone`.
pub const CONTACT_PHONE_MAX_BYTES: usize = 64;
/// Longest follow-up task text (`followups[].what`).
pub const FOLLOWUP_MAX_BYTES: usize = 1024;
/// Most follow-up tasks on one call.
pub const MAX_FOLLOWUPS: usize = 20;
/// Most referrals on one call.
pub const MAX_REFERRALS: usize = 50;
/// Longest referral (a resource id) and longest `pack_id`.
pub const ID_MAX_BYTES: usize = 64;
/// Longest `pack_version`.
pub const PACK_VERSION_MAX_BYTES: usize = 32;
/// Longest `language` tag.
pub const LANGUAGE_MAX_BYTES: usize = 35;
/// Largest `script_path`, as compact JSON.
pub const SCRIPT_PATH_MAX_BYTES: usize = 64 * 1024;
/// Largest draft, as compact JSON.
pub const DRAFT_MAX_BYTES: usize = 256 * 1024;
/// Longest area name.
pub const AREA_NAME_MAX_BYTES: usize = 80;
/// Largest `people_affected`.
pub const MAX_PEOPLE_AFFECTED: u32 = 100_000;
/// Largest `duration_seconds` (one day).
pub const MAX_DURATION_SECONDS: u32 = 86_400;

/// Whether `c` is refused in text (a control character other than `\t`
/// and `\n`; `\r` is normalised before this check).
fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Normalise line endings, refuse control characters, enforce `limit`.
pub(crate) fn clean(field: &'static str, text: String, limit: usize) -> Result<String, CallError> {
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    if text.chars().any(is_refused_control) {
        return Err(CallError::ControlCharacter { field });
    }
    if text.len() > limit {
        return Err(CallError::TooLong { field, limit });
    }
    Ok(text)
}

/// [`clean`] for an optional text; an empty text becomes `None`.
pub(crate) fn clean_opt(
    field: &'static str,
    text: Option<String>,
    limit: usize,
) -> Result<Option<String>, CallError> {
    match text {
        None => Ok(None),
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => clean(field, t, limit).map(|t| if t.is_empty() { None } else { Some(t) }),
    }
}

/// Check an identifier (a resource id or a pack id): 1 to 64 ASCII
/// letters, digits, `.`, `_` or `-`.
pub(crate) fn check_id(field: &'static str, id: &str) -> Result<(), CallError> {
    if id.is_empty() {
        return Err(CallError::Invalid {
            field,
            reason: "an id cannot be empty",
        });
    }
    if id.len() > ID_MAX_BYTES {
        return Err(CallError::TooLong {
            field,
            limit: ID_MAX_BYTES,
        });
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(CallError::Invalid {
            field,
            reason: "an id uses only ASCII letters, digits, '.', '_' and '-'",
        });
    }
    Ok(())
}

/// Check a pack version: 1 to 32 printable ASCII characters, no spaces.
pub(crate) fn check_version(field: &'static str, version: &str) -> Result<(), CallError> {
    if version.len() > PACK_VERSION_MAX_BYTES {
        return Err(CallError::TooLong {
            field,
            limit: PACK_VERSION_MAX_BYTES,
        });
    }
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CallError::Invalid {
            field,
            reason: "a version is printable ASCII without spaces",
        });
    }
    Ok(())
}

/// Check a language tag such as `es`, `en`, `hmn` or `es-MX`: a primary
/// subtag of 2 or 3 ASCII letters, then `-`-separated subtags of 1 to 8
/// ASCII letters or digits.
pub(crate) fn check_language(language: &str) -> Result<(), CallError> {
    const FIELD: &str = "language";
    if language.len() > LANGUAGE_MAX_BYTES {
        return Err(CallError::TooLong {
            field: FIELD,
            limit: LANGUAGE_MAX_BYTES,
        });
    }
    let mut parts = language.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(CallError::Invalid {
            field: FIELD,
            reason: "use a language tag such as es, en, hmn or es-MX",
        })
    }
}

/// Check an area name: 1 to 80 bytes, no control characters, no leading
/// or trailing spaces.
pub(crate) fn check_area_name(name: &str) -> Result<(), CallError> {
    const FIELD: &str = "area";
    if name.len() > AREA_NAME_MAX_BYTES {
        return Err(CallError::TooLong {
            field: FIELD,
            limit: AREA_NAME_MAX_BYTES,
        });
    }
    if name.chars().any(char::is_control) {
        return Err(CallError::ControlCharacter { field: FIELD });
    }
    if name.trim().is_empty() || name.trim() != name {
        return Err(CallError::Invalid {
            field: FIELD,
            reason: "an area name is not empty and has no leading or trailing spaces",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_normalised_and_tabs_kept() {
        let out = clean("notes", "a\r\nb\rc\td\n".to_owned(), 100).unwrap();
        assert_eq!(out, "a\nb\nc\td\n");
    }

    #[test]
    fn control_characters_are_refused_with_the_field() {
        for bad in [
            "a\u{0}b",
            "\u{7}",
            "x\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
        ] {
            let err = clean("salute.size", bad.to_owned(), 100).unwrap_err();
            assert!(
                matches!(
                    err,
                    CallError::ControlCharacter {
                        field: "salute.size"
                    }
                ),
                "{bad:?}: {err:?}"
            );
        }
    }

    #[test]
    fn formatting_characters_are_kept() {
        // Right-to-left mark, zero-width joiner, bidi override, BOM.
        let text = "\u{200f}שלום\u{200d}👩\u{200d}👧 \u{202e}abc\u{feff}";
        assert_eq!(clean("notes", text.to_owned(), 1000).unwrap(), text);
    }

    #[test]
    fn limits_count_bytes() {
        let text = "é".repeat(51); // 102 bytes
        let err = clean("contact_name", text, 100).unwrap_err();
        assert!(matches!(
            err,
            CallError::TooLong {
                field: "contact_name",
                limit: 100
            }
        ));
        assert!(clean("contact_name", "é".repeat(50), 100).is_ok());
    }

    #[test]
    fn empty_optional_text_is_absent() {
        assert_eq!(clean_opt("x", Some(String::new()), 10).unwrap(), None);
        assert_eq!(clean_opt("x", None, 10).unwrap(), None);
        assert_eq!(
            clean_opt("x", Some("a".into()), 10).unwrap(),
            Some("a".into())
        );
    }

    #[test]
    fn ids_languages_and_versions() {
        assert!(check_id("referrals", "ice-detainee-locator").is_ok());
        assert!(check_id("referrals", "").is_err());
        assert!(check_id("referrals", "a b").is_err());
        assert!(check_id("referrals", &"a".repeat(65)).is_err());
        for ok in ["es", "en", "hmn", "es-MX", "zh-Hant-TW"] {
            assert!(check_language(ok).is_ok(), "{ok}");
        }
        for bad in ["", "e", "spanish", "es_MX", "es-", "<b>"] {
            assert!(check_language(bad).is_err(), "{bad}");
        }
        assert!(check_version("pack_version", "1.0.0").is_ok());
        assert!(check_version("pack_version", "1 0").is_err());
    }

    #[test]
    fn area_names() {
        assert!(check_area_name("Downtown/Capitol").is_ok());
        assert!(check_area_name(" East").is_err());
        assert!(check_area_name("").is_err());
        assert!(check_area_name("a\nb").is_err());
    }
}
