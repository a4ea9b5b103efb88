//! Suggested passphrases: words drawn uniformly at random, with the
//! operating system's random number generator, from the EFF large word
//! list (7,776 words, about 12.9 bits each). The list comes compiled in from
//! the `diceware_wordlists` crate; its licence and attribution are in
//! `core/licenses/EFF-large-wordlist.md` (installed as `/usr/share/doc/hotline-desk/EFF-large-wordlist.md`) and [`WORDLIST_ATTRIBUTION`].

use zeroize::Zeroizing;

use super::{Passphrase, VaultError};

/// A suggested passphrase, meant to be shown to the person who will use it
/// (and only to them). Its text is wiped when dropped; `Debug` does not
/// print it.
pub struct SuggestedPassphrase(Zeroizing<String>);

impl SuggestedPassphrase {
    /// The words, separated by spaces, to show.
    pub fn text(&self) -> &str {
        &self.0
    }

    /// The suggestion as a passphrase to set.
    pub fn to_passphrase(&self) -> Passphrase {
        Passphrase::from(self.text())
    }
}

impl std::fmt::Debug for SuggestedPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SuggestedPassphrase(<redacted>)")
    }
}

/// Words in a suggested passphrase by default: about 77 bits.
pub const DEFAULT_WORDS: usize = 6;
/// Fewest words a suggestion may have (about 64 bits).
pub const MIN_WORDS: usize = 5;
/// Most words a suggestion may have.
pub const MAX_WORDS: usize = 12;

/// Who made the word list and under which licence, as shown in the About
/// card and by `hotline about`.
pub const WORDLIST_ATTRIBUTION: &str = "Suggested passphrases use the EFF Large Wordlist for Passphrases by the Electronic Frontier Foundation (eff.org/dice), licensed under CC BY 3.0 US.";

/// The EFF large word list.
fn words() -> &'static [&'static str] {
    &diceware_wordlists::EFF_LONG_WORDLIST
}

/// A new passphrase of `count` words (clamped to
/// [`MIN_WORDS`]..=[`MAX_WORDS`]) separated by spaces.
pub fn suggest_passphrase(count: usize) -> Result<SuggestedPassphrase, VaultError> {
    let list = words();
    // Room for the longest words, so the text never reallocates (a
    // reallocation would leave an unwiped copy behind).
    let mut text = Zeroizing::new(String::with_capacity(MAX_WORDS * 10));
    for i in 0..count.clamp(MIN_WORDS, MAX_WORDS) {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(list[uniform_index(list.len())?]);
    }
    Ok(SuggestedPassphrase(text))
}

/// A uniformly random index below `len`, by rejection sampling (no modulo
/// bias).
fn uniform_index(len: usize) -> Result<usize, VaultError> {
    let len = u32::try_from(len).map_err(|_| VaultError::Random)?;
    // The largest multiple of `len` that fits in a u32.
    let zone = u32::MAX - (u32::MAX % len);
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|_| VaultError::Random)?;
        let value = u32::from_le_bytes(bytes);
        if value < zone {
            return usize::try_from(value % len).map_err(|_| VaultError::Random);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_list_is_the_eff_large_list() {
        let list = words();
        assert_eq!(list.len(), 7776);
        assert_eq!(list.first(), Some(&"abacus"));
        assert_eq!(list.last(), Some(&"zoom"));
        let distinct: HashSet<_> = list.iter().collect();
        assert_eq!(distinct.len(), 7776, "no word twice");
    }

    #[test]
    fn suggestions_are_list_words_and_pass_the_strength_check() {
        let list: HashSet<_> = words().iter().copied().collect();
        let mut seen = HashSet::new();
        for count in [0, MIN_WORDS, DEFAULT_WORDS, 40] {
            let phrase = suggest_passphrase(count).unwrap();
            let parts: Vec<&str> = phrase.text().split(' ').collect();
            assert_eq!(parts.len(), count.clamp(MIN_WORDS, MAX_WORDS));
            assert!(parts.iter().all(|w| list.contains(w)), "{parts:?}");
            super::super::rules::check_passphrase(&phrase.to_passphrase(), "ana").unwrap();
            assert!(seen.insert(phrase.text().to_owned()), "never twice");
            assert!(!format!("{phrase:?}").contains(parts[0]));
        }
    }

    #[test]
    fn indices_cover_the_range_evenly() {
        let mut counts = [0u32; 6];
        for _ in 0..6000 {
            counts[uniform_index(6).unwrap()] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    /// The About card credits the list with the same sentence.
    #[test]
    fn the_window_shows_the_attribution() {
        let messages = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/src/lib/messages.ts"
        ))
        .expect("messages.ts is readable");
        let entry = format!("'about.wordlistCredit': '{WORDLIST_ATTRIBUTION}',");
        assert_eq!(messages.matches(&entry).count(), 1, "{entry}");
        let licence = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/licenses/EFF-large-wordlist.md"
        ))
        .expect("the licence notice is readable");
        assert!(licence.contains("CC BY 3.0 US"));
    }
}
