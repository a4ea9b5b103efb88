//! What counts as a valid handle and a strong-enough passphrase.
//!
//! Handles are pseudonyms, never legal names: 2 to 32 characters, each an
//! ASCII letter, digit, `.`, `_` or `-`. Handles are compared without regard
//! to case (`Ana` and `ana` are the same user).
//!
//! Passphrases: at least 12 characters, at least 5 different characters,
//! at most 1024 characters, and not the handle itself. That is deliberately
//! simple: a few ordinary words ("correct horse battery") pass, while short
//! or trivially repetitive strings ("aaaaaaaaaaaa", "abababababab",
//! "123123123123") do not. Argon2id makes each guess expensive; this rule
//! only keeps out the guesses an attacker would try first.

use std::collections::HashSet;

use super::VaultError;
use super::secret::Passphrase;

/// Shortest allowed passphrase, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Fewest different characters a passphrase must contain.
pub const MIN_DISTINCT_CHARS: usize = 5;
/// Longest accepted passphrase, in characters.
pub const MAX_PASSPHRASE_CHARS: usize = 1024;
/// Shortest handle, in characters.
pub const MIN_HANDLE_CHARS: usize = 2;
/// Longest handle, in characters.
pub const MAX_HANDLE_CHARS: usize = 32;

/// Check a handle: 2–32 characters from `A–Z a–z 0–9 . _ -`.
pub fn check_handle(handle: &str) -> Result<(), VaultError> {
    let len = handle.chars().count();
    if !(MIN_HANDLE_CHARS..=MAX_HANDLE_CHARS).contains(&len) {
        return Err(VaultError::InvalidHandle {
            reason: "a handle has 2 to 32 characters",
        });
    }
    if !handle
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(VaultError::InvalidHandle {
            reason: "a handle uses only letters, digits, '.', '_' and '-' (a pseudonym, not a legal name)",
        });
    }
    Ok(())
}

/// Check that `passphrase` meets the minimum strength for `handle`.
/// The reason names the rule broken, never anything about the passphrase.
pub fn check_passphrase(passphrase: &Passphrase, handle: &str) -> Result<(), VaultError> {
    let text = passphrase.expose();
    let len = text.chars().count();
    if len < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::WeakPassphrase {
            reason: "use at least 12 characters; a few ordinary words like \"correct horse battery\" are fine",
        });
    }
    if len > MAX_PASSPHRASE_CHARS {
        return Err(VaultError::WeakPassphrase {
            reason: "use at most 1024 characters",
        });
    }
    let distinct: HashSet<char> = text.chars().collect();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(VaultError::WeakPassphrase {
            reason: "it repeats too few characters; use at least 5 different characters",
        });
    }
    if text.eq_ignore_ascii_case(handle) {
        return Err(VaultError::WeakPassphrase {
            reason: "it must not be the handle",
        });
    }
    Ok(())
}

/// Whether two handles name the same user.
pub(crate) fn same_handle(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        for ok in ["ab", "ana", "night.owl_3", "A-Z", &"x".repeat(32)] {
            assert!(check_handle(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "",
            &"x".repeat(33),
            "ana maria",
            "ana@x",
            "josé",
            "a/b",
        ] {
            assert!(
                matches!(check_handle(bad), Err(VaultError::InvalidHandle { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn passphrases() {
        let check = |p: &str| check_passphrase(&Passphrase::from(p), "ana");
        for ok in [
            "correct horse battery",
            "tres palabras largas",
            "Zq8!mP2@vL9#",
            "ñandú ñandú ñandú",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "short one",
            "aaaaaaaaaaaaaaaa",
            "abababababab",
            "123123123123",
            "abcdabcdabcd",
        ] {
            assert!(
                matches!(check(bad), Err(VaultError::WeakPassphrase { .. })),
                "{bad}"
            );
        }
        assert!(check_passphrase(&"night.owl.42x".into(), "Night.Owl.42X").is_err());
        assert!(check(&"ab cd ef gh ".repeat(100)).is_err(), "too long");
    }

    #[test]
    fn reasons_never_quote_the_passphrase() {
        let err = check_passphrase(&"hunter2hunte".into(), "ana");
        if let Err(err) = err {
            assert!(!err.to_string().contains("hunter"));
        }
        let err = check_passphrase(&"hunter".into(), "ana").unwrap_err();
        assert!(!err.to_string().contains("hunter"));
    }
}
