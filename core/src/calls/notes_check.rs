//! The notes check: before a call's notes are stored, look for what must
//! never be written about a caller — an alien registration number, a birth
//! country next to a person, and words about immigration status. If the
//! laptop is seized, such notes could harm the very people the hotline
//! serves.
//!
//! It is a warning, not a refusal: a volunteer may be quoting a flyer, so
//! [`create_with`](super::create_with) and [`update_with`](super::update_with)
//! store flagged notes when told to ([`FlaggedNotes::Accept`]); the plain
//! [`create`](super::create) and [`update`](super::update) refuse them
//! ([`CallError::NotesFlagged`](super::CallError::NotesFlagged)). The window
//! runs [`check_notes`] before saving and highlights what it found.
//!
//! What it looks for (all matching ignores case and Spanish accents):
//! - **A-numbers**: "A" and 8 or 9 digits, with optional spaces, dashes, "#"
//!   or the words "number"/"no."/"número" between ("A123456789",
//!   "A# 123-456-789", "A-number 12345678"). USCIS gives every alien
//!   registration number this form: "A" followed by 7 to 9 digits, written
//!   as 9 digits today (uscis.gov, "A-Number", Glossary). Seven-digit forms
//!   are left out: they are old and collide with phone numbers.
//! - **A birth country next to a person**: [`BIRTH_PHRASES`] followed by a
//!   country ("born in Mexico", "nacida en Guatemala"), or [`ORIGIN_WORDS`]
//!   followed by a country with one of [`PERSON_WORDS`] in the
//!   [`PERSON_WINDOW`] words before ("my husband is from Honduras", "mi
//!   esposo es de El Salvador"). Country names, in English and Spanish, are
//!   ISO 3166-1's short names from `core/data/countries.tsv`.
//! - **Status words**: [`STATUS_PHRASES`] ("undocumented", "sin papeles",
//!   "green card", "visa vencida", "overstayed" …). "Visa" alone is not one
//!   (a Visa card), nor "illegal" alone (an illegal search is what a
//!   volunteer must write down).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Whether notes the check flags may be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlaggedNotes {
    /// Refuse them ([`super::CallError::NotesFlagged`]).
    #[default]
    Refuse,
    /// Store them: the person saw the warning and confirmed.
    Accept,
}

/// What a finding of the notes check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NotesFindingKind {
    /// Something shaped like an alien registration number.
    ANumber,
    /// A country named as where a person was born or comes from.
    BirthCountry,
    /// A word or phrase about immigration status.
    StatusWord,
}

impl NotesFindingKind {
    /// What the finding is, in English (for the command line).
    pub fn describe(self) -> &'static str {
        match self {
            Self::ANumber => "an A-number (alien registration number)",
            Self::BirthCountry => "a birth country next to a person",
            Self::StatusWord => "a word about immigration status",
        }
    }
}

/// One thing the notes check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotesFinding {
    /// What it is.
    pub kind: NotesFindingKind,
    /// Where it starts, in UTF-16 code units (as the window counts).
    pub start: usize,
    /// Where it ends (exclusive), in UTF-16 code units.
    pub end: usize,
    /// Where it is, in bytes of the UTF-8 text.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub bytes: Range<usize>,
}

impl NotesFinding {
    /// The 1-based line of `text` the finding starts on.
    pub fn line(&self, text: &str) -> usize {
        text.get(..self.bytes.start)
            .map_or(1, |before| before.matches('\n').count() + 1)
    }
}

/// Words a birth place follows, always flagged when a country comes next.
pub const BIRTH_PHRASES: &[&[&str]] = &[
    &["born", "in"],
    &["native", "of"],
    &["nacio", "en"],
    &["nacido", "en"],
    &["nacida", "en"],
    &["nacidos", "en"],
    &["nacidas", "en"],
    &["natural", "de"],
    &["originario", "de"],
    &["originaria", "de"],
    &["oriundo", "de"],
    &["oriunda", "de"],
];

/// Words an origin follows, flagged when a country comes next and a person
/// word is near before.
pub const ORIGIN_WORDS: &[&str] = &["from", "de"];

/// Words naming a person (compared as written, lower-cased, so Spanish "él"
/// is not the article "el").
pub const PERSON_WORDS: &[&str] = &[
    // English
    "i",
    "me",
    "my",
    "we",
    "our",
    "he",
    "she",
    "they",
    "him",
    "her",
    "his",
    "them",
    "their",
    "husband",
    "wife",
    "partner",
    "son",
    "daughter",
    "child",
    "children",
    "kid",
    "kids",
    "mother",
    "mom",
    "father",
    "dad",
    "parents",
    "brother",
    "sister",
    "cousin",
    "uncle",
    "aunt",
    "grandmother",
    "grandfather",
    "nephew",
    "niece",
    "neighbor",
    "neighbour",
    "friend",
    "caller",
    "man",
    "woman",
    "boy",
    "girl",
    "family",
    "person",
    "worker",
    "coworker",
    "tenant",
    // Spanish
    "yo",
    "mi",
    "mis",
    "nosotros",
    "él",
    "ella",
    "ellos",
    "ellas",
    "su",
    "sus",
    "es",
    "son",
    "soy",
    "esposo",
    "esposa",
    "marido",
    "mujer",
    "pareja",
    "hijo",
    "hija",
    "hijos",
    "hijas",
    "niño",
    "niña",
    "niños",
    "niñas",
    "madre",
    "mamá",
    "mama",
    "padre",
    "papá",
    "papa",
    "padres",
    "hermano",
    "hermana",
    "primo",
    "prima",
    "tío",
    "tía",
    "tio",
    "tia",
    "abuela",
    "abuelo",
    "sobrino",
    "sobrina",
    "vecino",
    "vecina",
    "vecinos",
    "amigo",
    "amiga",
    "señor",
    "señora",
    "persona",
    "familia",
    "trabajador",
    "trabajadora",
];

/// How many words before an origin word a person word may be.
pub const PERSON_WINDOW: usize = 6;

/// Words that may stand between a phrase and a country ("born in the …").
const FILLERS: &[&str] = &["the", "el", "la", "los", "las"];

/// Words and phrases about immigration status, accents left out.
pub const STATUS_PHRASES: &[&[&str]] = &[
    // English
    &["undocumented"],
    &["illegals"],
    &["illegally"],
    &["illegal", "immigrant"],
    &["illegal", "immigrants"],
    &["illegal", "alien"],
    &["illegal", "aliens"],
    &["is", "illegal"],
    &["are", "illegal"],
    &["no", "papers"],
    &["without", "papers"],
    &["daca"],
    &["green", "card"],
    &["overstay"],
    &["overstayed"],
    &["overstaying"],
    &["expired", "visa"],
    &["visa", "expired"],
    &["tps"],
    &["asylum"],
    &["deportation", "order"],
    &["removal", "order"],
    &["not", "a", "citizen"],
    &["no", "status"],
    &["out", "of", "status"],
    // Spanish
    &["indocumentado"],
    &["indocumentada"],
    &["indocumentados"],
    &["indocumentadas"],
    &["sin", "papeles"],
    &["sin", "documentos"],
    &["ilegales"],
    &["es", "ilegal"],
    &["son", "ilegales"],
    &["esta", "ilegal"],
    &["estan", "ilegales"],
    &["tarjeta", "verde"],
    &["mica"],
    &["visa", "vencida"],
    &["visa", "expirada"],
    &["orden", "de", "deportacion"],
    &["no", "es", "ciudadano"],
    &["no", "es", "ciudadana"],
    &["sin", "estatus"],
    &["solicitante", "de", "asilo"],
    &["pidio", "asilo"],
    &["caso", "de", "asilo"],
];

/// ISO 3166-1 short names in English and Spanish (see `scripts/countries.py`).
const COUNTRIES_TSV: &str = include_str!("../../data/countries.tsv");

/// Country names as folded words, by their first word.
static COUNTRIES: LazyLock<HashMap<String, Vec<Vec<String>>>> = LazyLock::new(|| {
    let mut by_first: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    let names = COUNTRIES_TSV
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split('\t').skip(1));
    for name in names {
        let words: Vec<String> = words(name).into_iter().map(|w| w.folded).collect();
        if let Some(first) = words.first() {
            let list = by_first.entry(first.clone()).or_default();
            if !list.contains(&words) {
                list.push(words);
            }
        }
    }
    for list in by_first.values_mut() {
        // Longest first, so "Guinea-Bissau" wins over "Guinea".
        list.sort_by_key(|w| std::cmp::Reverse(w.len()));
    }
    by_first
});

/// An A-number: "A", optional "#", "-", "number", "no." or "número", then
/// 8 or 9 digits with optional single spaces or dashes between them.
static A_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bA(?:[ \t]*-?[ \t]*(?:number|no\.|n[úu]mero|n[úu]m\.))?[ \t]*[#:]?[ \t]*-?[ \t]*(?:\d[ \t-]?){7,8}\d\b",
    )
    .expect("the A-number pattern is valid")
});

/// One word of the notes: as written (lower-cased), folded (accents off)
/// and where it is.
struct Word {
    lower: String,
    folded: String,
    bytes: Range<usize>,
}

/// A Spanish (Latin-1) letter without its accent.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// The words of `text` (runs of letters and digits).
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let mut push = |from: usize, to: usize| {
        let lower = text[from..to].to_lowercase();
        let folded = lower.chars().map(fold).collect();
        out.push(Word {
            lower,
            folded,
            bytes: from..to,
        });
    };
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                push(from, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        push(from, text.len());
    }
    out
}

/// Whether `phrase` (folded words) starts at word `at`.
fn phrase_at(words: &[Word], at: usize, phrase: &[&str]) -> bool {
    words.len() >= at + phrase.len() && phrase.iter().zip(&words[at..]).all(|(p, w)| w.folded == *p)
}

/// The word after the last of a country's name starting at word `at`
/// (a filler word may come first), if a country starts there.
fn country_at(words: &[Word], at: usize) -> Option<usize> {
    let direct = |at: usize| {
        let first = words.get(at)?;
        COUNTRIES.get(&first.folded)?.iter().find_map(|name| {
            let names: Vec<&str> = name.iter().map(String::as_str).collect();
            phrase_at(words, at, &names).then_some(at + name.len())
        })
    };
    direct(at).or_else(|| {
        let filler = FILLERS.contains(&words.get(at)?.folded.as_str());
        if filler { direct(at + 1) } else { None }
    })
}

/// Findings about birth countries among `words`, as word ranges.
fn birth_countries(words: &[Word]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let birth = BIRTH_PHRASES
            .iter()
            .find(|p| phrase_at(words, i, p))
            .and_then(|p| country_at(words, i + p.len()));
        let origin = || {
            let word = &words[i];
            if !ORIGIN_WORDS.contains(&word.folded.as_str()) {
                return None;
            }
            let person = words[i.saturating_sub(PERSON_WINDOW)..i]
                .iter()
                .any(|w| PERSON_WORDS.contains(&w.lower.as_str()));
            if person {
                country_at(words, i + 1)
            } else {
                None
            }
        };
        match birth.or_else(origin) {
            Some(end) => {
                found.push(i..end);
                i = end;
            }
            None => i += 1,
        }
    }
    found
}

/// Findings about status words among `words`, as word ranges.
fn status_words(words: &[Word]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let longest = STATUS_PHRASES
            .iter()
            .filter(|p| phrase_at(words, i, p))
            .map(|p| p.len())
            .max();
        match longest {
            Some(n) => {
                found.push(i..i + n);
                i += n;
            }
            None => i += 1,
        }
    }
    found
}

/// The UTF-16 offset of byte `at` of `text`.
fn utf16_at(text: &str, at: usize) -> usize {
    text.get(..at)
        .map_or(0, |before| before.encode_utf16().count())
}

/// What the notes `text` hold that must never be written, in order of
/// where each starts; findings do not overlap.
pub fn check_notes(text: &str) -> Vec<NotesFinding> {
    let words = words(text);
    let word_bytes = |r: Range<usize>| words[r.start].bytes.start..words[r.end - 1].bytes.end;
    let mut spans: Vec<(NotesFindingKind, Range<usize>)> = A_NUMBER
        .find_iter(text)
        .map(|m| (NotesFindingKind::ANumber, m.range()))
        .collect();
    spans.extend(
        birth_countries(&words)
            .into_iter()
            .map(|r| (NotesFindingKind::BirthCountry, word_bytes(r))),
    );
    spans.extend(
        status_words(&words)
            .into_iter()
            .map(|r| (NotesFindingKind::StatusWord, word_bytes(r))),
    );
    spans.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<NotesFinding> = Vec::new();
    for (kind, bytes) in spans {
        if out.last().is_some_and(|last| bytes.start < last.bytes.end) {
            continue;
        }
        out.push(NotesFinding {
            kind,
            start: utf16_at(text, bytes.start),
            end: utf16_at(text, bytes.end),
            bytes,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotesFindingKind::{ANumber, BirthCountry, StatusWord};

    /// The kinds and flagged texts found in `text`.
    fn found(text: &str) -> Vec<(NotesFindingKind, &str)> {
        check_notes(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.bytes]))
            .collect()
    }

    #[test]
    fn a_numbers_in_their_usual_forms_are_found() {
        for text in [
            "A123456789",
            "A12345678",
            "a123456789",
            "A# 123-456-789",
            "A#123456789",
            "A-123-456-789",
            "A 123 456 789",
            "A-number 123456789",
            "A number: 123456789",
            "A no. 12345678",
            "A número 123456789",
        ] {
            let notes = format!("Caller gave {text} for her brother.");
            assert_eq!(found(&notes), vec![(ANumber, text)], "{notes}");
        }
    }

    #[test]
    fn things_like_a_numbers_are_not() {
        for text in [
            "A1 Auto Repair on Park St",
            "A 2024 report from the county",
            "Call back at 608-555-0123",
            "Plate ABC1234",
            "Apt 4A, 12345678 was the order count",
            "A1234567 is too short, A12345678901 too long",
            "Ask for A.J. at 555 0123",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn birth_countries_next_to_a_person_are_found() {
        let cases = [
            ("Her husband was born in Mexico.", "born in Mexico"),
            (
                "He was born in the Dominican Republic",
                "born in the Dominican Republic",
            ),
            ("Mi esposo nació en Guatemala.", "nació en Guatemala"),
            (
                "La señora es natural de El Salvador",
                "natural de El Salvador",
            ),
            ("my husband is from Honduras", "from Honduras"),
            ("She's from mexico, the caller said", "from mexico"),
            ("mi esposo es de Honduras", "de Honduras"),
            ("Su hija es de México", "de México"),
            ("Ella viene de Venezuela", "de Venezuela"),
        ];
        for (text, flagged) in cases {
            assert_eq!(found(text), vec![(BirthCountry, flagged)], "{text}");
        }
    }

    #[test]
    fn countries_without_a_person_or_a_birth_are_not() {
        for text in [
            "Agents from Mexico City police? No: from ICE.",
            "The flyer came from Guatemala Street church",
            "Truck with a Texas plate parked on Mexico Avenue",
            "Agentes de ICE en la calle",
            "Born in 1980, asked about a lawyer",
            "He is from the east side",
            "El carro era de color gris",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn status_words_are_found_in_both_languages() {
        let cases = [
            ("The caller is undocumented", "undocumented"),
            ("she has no papers", "no papers"),
            ("Dijo que está sin papeles", "sin papeles"),
            ("Es indocumentado", "indocumentado"),
            ("He has DACA", "DACA"),
            ("asked about her green card", "green card"),
            ("tiene la visa vencida", "visa vencida"),
            ("He overstayed", "overstayed"),
            ("tiene su mica", "mica"),
            ("they said he is illegal", "is illegal"),
            ("Tiene orden de deportación", "orden de deportación"),
        ];
        for (text, flagged) in cases {
            assert_eq!(found(text), vec![(StatusWord, flagged)], "{text}");
        }
    }

    #[test]
    fn everyday_words_near_status_words_are_not() {
        for text in [
            "Paid with a Visa card at the store",
            "Agents made an illegal search of the car",
            "Showed a card from the know-your-rights flyer",
            "Papers were left on the door",
            "La tarjeta de la organización",
            "Se fue sin decir nada",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn the_demo_notes_raise_nothing() {
        for notes in crate::demo::NOTES {
            assert_eq!(found(notes), vec![], "{notes}");
        }
    }

    #[test]
    fn spans_count_utf16_units_and_lines_count_from_one() {
        let text = "Niño 😀 llamó.\nEs indocumentado";
        let findings = check_notes(text);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16(&utf16[f.start..f.end]).unwrap(),
            "indocumentado"
        );
        assert_eq!(f.line(text), 2);
    }

    #[test]
    fn several_findings_come_in_order_without_overlap() {
        let text = "A123456789: undocumented, born in Honduras";
        let kinds: Vec<_> = check_notes(text).into_iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec![ANumber, StatusWord, BirthCountry]);
    }

    #[test]
    fn every_country_line_has_both_names() {
        let rows: Vec<&str> = COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(rows.len() >= 249, "{}", rows.len());
        for row in rows {
            let cols: Vec<&str> = row.split('\t').collect();
            assert_eq!(cols.len(), 3, "{row}");
            assert!(cols.iter().all(|c| !c.trim().is_empty()), "{row}");
        }
    }
}
