//! One entry of the referral directory and the rules its fields keep.

use chrono::{NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ReferralError;

/// Longest `name`.
pub const NAME_MAX_BYTES: usize = 200;
/// Longest `about_en` and `about_es`.
pub const ABOUT_MAX_BYTES: usize = 2000;
/// Longest `hours`, `area` and `source`.
pub const NOTE_MAX_BYTES: usize = 500;
/// Longest `phone`.
pub const PHONE_MAX_BYTES: usize = 64;
/// Longest `web` address.
pub const WEB_MAX_BYTES: usize = 500;
/// Most `languages` and most `kinds` on one entry.
pub const MAX_TAGS: usize = 12;
/// Longest kind tag.
pub const KIND_MAX_BYTES: usize = 40;

/// An organisation or service a volunteer can refer a caller to.
///
/// The id is a UUID chosen when the entry is first made and kept on every
/// laptop and in every export, so directory files from several
/// coordinators merge by it. Empty optional fields are unknown: nothing is
/// ever filled in without a source. This is also one entry of a directory
/// file (`docs/referrals.schema.json`) and what the window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "FileEntry",
    description = "One entry of the file. Optional fields left out or `null` are unknown."
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Referral {
    /// Stable id (a UUID), the same on every laptop; importing merges by it.
    #[schemars(with = "super::file::FileId")]
    pub id: Uuid,
    /// Name of the organisation or service.
    pub name: String,
    /// What they do, in English.
    #[serde(default)]
    pub about_en: String,
    /// What they do, in Spanish.
    #[serde(default)]
    pub about_es: String,
    /// Languages they serve in, as language tags such as `en`, `es`, `hmn`.
    #[serde(default)]
    pub languages: Vec<String>,
    /// When they can be reached, as the source states it.
    #[serde(default)]
    pub hours: Option<String>,
    /// Phone number, as the source writes it.
    #[serde(default)]
    pub phone: Option<String>,
    /// Web address, starting with https://.
    #[serde(default)]
    pub web: Option<String>,
    /// Area served.
    #[serde(default)]
    pub area: Option<String>,
    /// Kinds of resource: lowercase tags such as `legal-aid` or `detainee-locator`.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Where the entry's facts come from. Without it the entry is shown as unverified.
    #[serde(default)]
    pub source: Option<String>,
    /// When the facts were last checked against the source (YYYY-MM-DD).
    /// Without it the entry is shown as unverified.
    #[serde(default)]
    pub verified_on: Option<NaiveDate>,
}

/// An entry as the window shows it: the entry and whether it counts as
/// verified (it has both a source and a date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferralView {
    /// The entry.
    #[serde(flatten)]
    pub entry: Referral,
    /// Whether it has both a source and a date; otherwise shown as unverified.
    pub verified: bool,
}

impl From<Referral> for ReferralView {
    fn from(entry: Referral) -> Self {
        Self {
            verified: entry.is_verified(),
            entry,
        }
    }
}

impl Referral {
    /// An entry with a fresh random id, this name and nothing else known.
    pub fn new(name: &str) -> Result<Self, ReferralError> {
        Ok(Self {
            id: new_id()?,
            name: name.to_owned(),
            about_en: String::new(),
            about_es: String::new(),
            languages: Vec::new(),
            hours: None,
            phone: None,
            web: None,
            area: None,
            kinds: Vec::new(),
            source: None,
            verified_on: None,
        })
    }

    /// Whether volunteers may rely on it: it names its source and the date
    /// it was last checked. Anything else is shown as "unverified".
    pub fn is_verified(&self) -> bool {
        self.source.is_some() && self.verified_on.is_some()
    }

    /// Whether it has at least one of `kinds` (any entry when `kinds` is empty).
    pub fn has_any_kind(&self, kinds: &[String]) -> bool {
        kinds.is_empty() || self.kinds.iter().any(|k| kinds.contains(k))
    }

    /// Check every field and return the entry cleaned: surrounding spaces
    /// trimmed, line endings normalised, empty optional texts absent, tags
    /// in lower case without repeats.
    pub fn checked(self) -> Result<Self, ReferralError> {
        let name = text("name", &self.name, NAME_MAX_BYTES)?;
        if name.is_empty() {
            return Err(ReferralError::Invalid {
                field: "name",
                reason: "give the organisation's name",
            });
        }
        let web = optional("web", self.web, WEB_MAX_BYTES)?;
        if let Some(address) = &web {
            check_web(address)?;
        }
        let phone = optional("phone", self.phone, PHONE_MAX_BYTES)?;
        if let Some(number) = &phone {
            check_phone(number)?;
        }
        if self
            .verified_on
            .is_some_and(|d| d > Utc::now().date_naive() + chrono::Days::new(1))
        {
            return Err(ReferralError::Invalid {
                field: "verified_on",
                reason: "the date it was checked cannot be in the future",
            });
        }
        Ok(Self {
            id: self.id,
            name,
            about_en: text("about_en", &self.about_en, ABOUT_MAX_BYTES)?,
            about_es: text("about_es", &self.about_es, ABOUT_MAX_BYTES)?,
            languages: tags("languages", self.languages, check_language)?,
            hours: optional("hours", self.hours, NOTE_MAX_BYTES)?,
            phone,
            web,
            area: optional("area", self.area, NOTE_MAX_BYTES)?,
            kinds: tags("kinds", self.kinds, check_kind)?,
            source: optional("source", self.source, NOTE_MAX_BYTES)?,
            verified_on: self.verified_on,
        })
    }
}

/// A fresh random (version 4) id.
pub fn new_id() -> Result<Uuid, ReferralError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| ReferralError::Random)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// Parse a referral id (a UUID, in any case, surrounding spaces ignored).
pub fn parse_id(text: &str) -> Result<Uuid, ReferralError> {
    Uuid::try_parse(text.trim()).map_err(|_| ReferralError::InvalidId)
}

/// Whether `c` is refused in text (a control character other than tab
/// and line feed).
fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Trim, normalise line endings, refuse control characters, enforce `limit`.
fn text(field: &'static str, value: &str, limit: usize) -> Result<String, ReferralError> {
    let value = value.trim().replace("\r\n", "\n").replace('\r', "\n");
    if value.chars().any(is_refused_control) {
        return Err(ReferralError::Invalid {
            field,
            reason: "only line breaks and tabs are allowed among control characters",
        });
    }
    if value.len() > limit {
        return Err(ReferralError::TooLong { field, limit });
    }
    Ok(value)
}

/// [`text`] for an optional field; an empty text becomes `None`.
fn optional(
    field: &'static str,
    value: Option<String>,
    limit: usize,
) -> Result<Option<String>, ReferralError> {
    match value {
        None => Ok(None),
        Some(v) => text(field, &v, limit).map(|t| (!t.is_empty()).then_some(t)),
    }
}

/// A web address: `https://` or `http://`, then a host, no spaces.
fn check_web(address: &str) -> Result<(), ReferralError> {
    let rest = address
        .strip_prefix("https://")
        .or_else(|| address.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !address.contains(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => Err(ReferralError::Invalid {
            field: "web",
            reason: "a web address starts with https:// (or http://) and has no spaces",
        }),
    }
}

/// A phone number: digits with `+ - ( ) . ` spaces, and at least 3 digits.
fn check_phone(number: &str) -> Result<(), ReferralError> {
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | ' '));
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if allowed && digits >= 3 {
        Ok(())
    } else {
        Err(ReferralError::Invalid {
            field: "phone",
            reason: "a phone number has digits and only + - ( ) . or spaces",
        })
    }
}

/// Check a list of tags with `rule`, lower-cased, without repeats.
fn tags(
    field: &'static str,
    values: Vec<String>,
    rule: fn(&str) -> bool,
) -> Result<Vec<String>, ReferralError> {
    if values.len() > MAX_TAGS {
        return Err(ReferralError::TooMany {
            field,
            limit: MAX_TAGS,
        });
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let tag = value.trim().to_ascii_lowercase();
        if !rule(&tag) {
            return Err(ReferralError::Invalid {
                field,
                reason: if field == "kinds" {
                    "a kind is a tag of lowercase letters, digits and '-', such as legal-aid"
                } else {
                    "use language tags such as en, es, hmn or es-mx"
                },
            });
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

/// A kind of resource: 1 to 40 of `a-z`, `0-9` and `-`, not starting or
/// ending with `-`. (The kinds script steps ask for are the pack's.)
pub fn check_kind(kind: &str) -> bool {
    (1..=KIND_MAX_BYTES).contains(&kind.len())
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !kind.starts_with('-')
        && !kind.ends_with('-')
}

/// A language tag in lower case: 2–3 letters, then `-` parts of 1–8
/// letters or digits.
fn check_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
