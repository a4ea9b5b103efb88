//! What counts as a valid handle and a strong-enough passphrase.
//!
//! Handles are pseudonyms, never legal names: 2 to 32 characters, each an
//! ASCII letter, digit, `.`, `_` or `-`. Handles are compared without regard
//! to case (`Ana` and `ana` are the same user).
//!
//! Passphrases: at most 1024 characters, at least 12, and hard to guess
//! by the estimate of `zxcvbn` (score 3 of 4 at least, that is more than
//! about 10^8 guesses), which is told the handle and the app's own words
//! ([`APP_WORDS`]) as the first guesses an attacker would try. A refusal
//! names one [`WeakReason`], never anything about the passphrase itself.
//! zxcvbn's dictionaries are English: a Spanish phrase of unrelated words
//! may need one more word than an English one.

use super::VaultError;
use super::secret::Passphrase;

/// Shortest allowed passphrase, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Lowest accepted zxcvbn score (0 to 4).
pub const MIN_SCORE: u8 = 3;
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

/// Words an attacker who knows what this app is for would try first: the
/// app's name, its subject, the built-in pack's places and organisations.
/// zxcvbn gets them (with the handle) as known inputs.
pub const APP_WORDS: &[&str] = &[
    "hotline",
    "desk",
    "hotlinedesk",
    "hotline desk",
    "ice",
    "migra",
    "la migra",
    "immigration",
    "immigrant",
    "immigrants",
    "inmigrante",
    "inmigrantes",
    "rights",
    "derechos",
    "raid",
    "redada",
    "deportation",
    "deportacion",
    "sanctuary",
    "santuario",
    "volunteer",
    "voluntario",
    "voluntaria",
    "coordinator",
    "coordinador",
    "coordinadora",
    "vault",
    "passphrase",
    "madison",
    "dane",
    "county",
    "condado",
    "wisconsin",
    "mpd",
    "voces",
    "frontera",
    "voces de la frontera",
    "rapid response",
    "know your rights",
];

/// Why a passphrase was refused: a short, stable code for the window
/// (`passphrase.weak.<code>` in its catalogue) and a sentence in English
/// and Spanish for the command line. Derived from zxcvbn's feedback, folded
/// into a few reasons of our own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakReason {
    /// Fewer than [`MIN_PASSPHRASE_CHARS`] characters.
    TooShort,
    /// More than [`MAX_PASSPHRASE_CHARS`] characters.
    TooLong,
    /// It contains the user's handle.
    Handle,
    /// It leans on the app's own words ([`APP_WORDS`]).
    AppWords,
    /// It is, or is close to, a commonly used password.
    Common,
    /// Keys next to each other on the keyboard.
    Keyboard,
    /// Repeated characters or groups.
    Repeats,
    /// A sequence such as `abc` or `6543`.
    Sequence,
    /// Dates or years.
    Dates,
    /// Names or surnames.
    Names,
    /// A single dictionary word.
    SingleWord,
    /// Guessable for another reason: too few uncommon words.
    Guessable,
    /// The same as the current passphrase: a change must change it (a
    /// passphrase a coordinator set stays known to them otherwise).
    Unchanged,
}

impl WeakReason {
    /// Every reason, for the tests that keep the translations complete.
    pub const ALL: &'static [WeakReason] = &[
        Self::TooShort,
        Self::TooLong,
        Self::Handle,
        Self::AppWords,
        Self::Common,
        Self::Keyboard,
        Self::Repeats,
        Self::Sequence,
        Self::Dates,
        Self::Names,
        Self::SingleWord,
        Self::Guessable,
        Self::Unchanged,
    ];

    /// The stable code (`too_short`, `common` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Handle => "handle",
            Self::AppWords => "app_words",
            Self::Common => "common",
            Self::Keyboard => "keyboard",
            Self::Repeats => "repeats",
            Self::Sequence => "sequence",
            Self::Dates => "dates",
            Self::Names => "names",
            Self::SingleWord => "single_word",
            Self::Guessable => "guessable",
            Self::Unchanged => "unchanged",
        }
    }

    /// The reason in English (the window has the same sentences in
    /// `ui/src/lib/messages.ts`; a test keeps them equal).
    pub fn english(self) -> &'static str {
        match self {
            Self::TooShort => "Use at least 12 characters: four or five unrelated words are best.",
            Self::TooLong => "Use at most 1024 characters.",
            Self::Handle => "It contains the handle. Leave the handle out.",
            Self::AppWords => {
                "It leans on words about this hotline, the first an attacker tries. Use unrelated words."
            }
            Self::Common => "It is a commonly used password, or close to one.",
            Self::Keyboard => "Rows of keys next to each other are easy to guess.",
            Self::Repeats => "Repeated characters or groups are easy to guess.",
            Self::Sequence => "Sequences like abc or 6543 are easy to guess.",
            Self::Dates => "Dates and years are easy to guess.",
            Self::Names => "Names and surnames are easy to guess.",
            Self::SingleWord => "A word by itself is easy to guess. Add a few unrelated words.",
            Self::Guessable => "It is too easy to guess. Add another uncommon word or two.",
            Self::Unchanged => "It is the passphrase you have now. Choose a new one.",
        }
    }

    /// The reason in Spanish.
    pub fn spanish(self) -> &'static str {
        match self {
            Self::TooShort => {
                "Use al menos 12 caracteres: lo mejor son cuatro o cinco palabras sin relación entre sí."
            }
            Self::TooLong => "Use como máximo 1024 caracteres.",
            Self::Handle => "Contiene el identificador. Déjelo fuera.",
            Self::AppWords => {
                "Se apoya en palabras sobre esta línea de ayuda, las primeras que prueba un atacante. Use palabras sin relación."
            }
            Self::Common => "Es una contraseña muy usada, o se parece a una.",
            Self::Keyboard => "Las filas de teclas vecinas son fáciles de adivinar.",
            Self::Repeats => "Los caracteres o grupos repetidos son fáciles de adivinar.",
            Self::Sequence => "Las secuencias como abc o 6543 son fáciles de adivinar.",
            Self::Dates => "Las fechas y los años son fáciles de adivinar.",
            Self::Names => "Los nombres y apellidos son fáciles de adivinar.",
            Self::SingleWord => {
                "Una palabra sola es fácil de adivinar. Añada unas cuantas palabras sin relación."
            }
            Self::Guessable => {
                "Es demasiado fácil de adivinar. Añada otra palabra poco común, o dos."
            }
            Self::Unchanged => "Es la frase de contraseña que tiene ahora. Elija una nueva.",
        }
    }
}

impl std::fmt::Display for WeakReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.english())
    }
}

/// Said with every refusal, in English: the estimate's dictionaries are
/// English.
pub const ENGLISH_DICTIONARIES_EN: &str = "The estimate uses English dictionaries, so a Spanish phrase of unrelated words may need one more word.";
/// The same in Spanish.
pub const ENGLISH_DICTIONARIES_ES: &str = "La estimación usa diccionarios en inglés, así que una frase en español de palabras sin relación puede necesitar una palabra más.";

/// Check that `passphrase` is strong enough for `handle`.
/// The reason names the rule broken, never anything about the passphrase.
pub fn check_passphrase(passphrase: &Passphrase, handle: &str) -> Result<(), VaultError> {
    let weak = |reason| Err(VaultError::WeakPassphrase { reason });
    let text = passphrase.expose();
    let len = text.chars().count();
    if len < MIN_PASSPHRASE_CHARS {
        return weak(WeakReason::TooShort);
    }
    if len > MAX_PASSPHRASE_CHARS {
        return weak(WeakReason::TooLong);
    }
    let mut inputs: Vec<&str> = Vec::with_capacity(APP_WORDS.len() + 1);
    inputs.push(handle);
    inputs.extend_from_slice(APP_WORDS);
    let estimate = zxcvbn::zxcvbn(text, &inputs);
    if u8::from(estimate.score()) >= MIN_SCORE && !text.eq_ignore_ascii_case(handle) {
        return Ok(());
    }
    weak(reason_for(&estimate, handle))
}

/// Fold zxcvbn's verdict into one of our reasons: a known input first (the
/// handle, then the app's words), then its warning.
fn reason_for(estimate: &zxcvbn::Entropy, handle: &str) -> WeakReason {
    use zxcvbn::feedback::Warning as W;
    use zxcvbn::matching::patterns::MatchPattern;
    let known = |word: &str| {
        estimate.sequence().iter().any(|m| match &m.pattern {
            MatchPattern::Dictionary(d) => d.matched_word.eq_ignore_ascii_case(word),
            _ => false,
        })
    };
    if known(handle) {
        return WeakReason::Handle;
    }
    if APP_WORDS.iter().any(|word| known(word)) {
        return WeakReason::AppWords;
    }
    match estimate
        .feedback()
        .and_then(zxcvbn::feedback::Feedback::warning)
    {
        Some(
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword,
        ) => WeakReason::Common,
        Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => {
            WeakReason::Keyboard
        }
        Some(
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        ) => WeakReason::Repeats,
        Some(W::SequencesLikeAbcAreEasyToGuess) => WeakReason::Sequence,
        Some(W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess) => WeakReason::Dates,
        Some(
            W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess,
        ) => WeakReason::Names,
        Some(W::AWordByItselfIsEasyToGuess) => WeakReason::SingleWord,
        None => WeakReason::Guessable,
    }
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

    fn reason(passphrase: &str, handle: &str) -> Option<WeakReason> {
        match check_passphrase(&Passphrase::from(passphrase), handle) {
            Ok(()) => None,
            Err(VaultError::WeakPassphrase { reason }) => Some(reason),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn the_audited_weak_passphrases_are_refused() {
        assert_eq!(reason("123456789012", "ana"), Some(WeakReason::Sequence));
        assert_eq!(reason("password1234", "ana"), Some(WeakReason::Common));
        assert_eq!(reason("qwertyuiopas", "ana"), Some(WeakReason::Common));
    }

    #[test]
    fn diceware_phrases_and_long_random_strings_pass() {
        for ok in [
            "abacus gravity mocha uncle snowshoe",
            "canopy reptile wobble dinghy mustang",
            "Zq8!mP2@vL9#",
            "tortuga cuaderno relámpago pimienta",
        ] {
            assert_eq!(reason(ok, "ana"), None, "{ok}");
        }
    }

    #[test]
    fn each_refusal_names_its_reason() {
        assert_eq!(reason("short one", "ana"), Some(WeakReason::TooShort));
        assert_eq!(reason("", "ana"), Some(WeakReason::TooShort));
        assert_eq!(
            reason(&"ab cd ef gh ".repeat(100), "ana"),
            Some(WeakReason::TooLong)
        );
        assert_eq!(reason("aaaaaaaaaaaaaaaa", "ana"), Some(WeakReason::Repeats));
        assert_eq!(reason("abcdefghijklmn", "ana"), Some(WeakReason::Sequence));
        assert_eq!(
            reason("night.owl.42x", "Night.Owl.42X"),
            Some(WeakReason::Handle)
        );
        assert_eq!(
            reason("riverseven2024", "riverseven"),
            Some(WeakReason::Handle)
        );
        assert_eq!(reason("madisonhotline", "ana"), Some(WeakReason::AppWords));
    }

    #[test]
    fn every_reason_has_a_code_and_two_sentences() {
        let mut codes = std::collections::HashSet::new();
        for reason in WeakReason::ALL {
            assert!(codes.insert(reason.as_str()));
            assert!(!reason.english().is_empty() && !reason.spanish().is_empty());
            assert_ne!(reason.english(), reason.spanish());
        }
    }

    /// The window shows the same sentences as the command line: each
    /// reason's English and Spanish sentence is in `ui/src/lib/messages.ts`
    /// under `passphrase.weak.<code>`, as is the note on English dictionaries.
    #[test]
    fn the_window_has_the_same_sentences() {
        let messages = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/src/lib/messages.ts"
        ))
        .expect("messages.ts is readable");
        for reason in WeakReason::ALL {
            let key = format!("'passphrase.weak.{}'", reason.as_str());
            for sentence in [reason.english(), reason.spanish()] {
                let entry = format!("{key}: '{sentence}',");
                assert_eq!(messages.matches(&entry).count(), 1, "{entry}");
            }
        }
        for note in [ENGLISH_DICTIONARIES_EN, ENGLISH_DICTIONARIES_ES] {
            let entry = format!("'passphrase.english_dictionaries': '{note}',");
            assert_eq!(messages.matches(&entry).count(), 1, "{entry}");
        }
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
