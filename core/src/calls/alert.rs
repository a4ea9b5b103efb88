//! The alert text of a confirmed sighting: what a volunteer pastes into the
//! rapid-response group, in English and Spanish.
//!
//! Only structured fields reach it: the agency (as a fixed phrase), the
//! call's area name, the time of the call rounded down to the hour and an
//! expiry time, both in the laptop's local time with its UTC offset. Never
//! the exact location, notes, SALUTE text, names or contact details. The
//! wording comes from a template ([`AlertTemplate`]): the built-in
//! [`AlertTemplate::builtin`] unless the active pack has an `[alert]` table.
//! The app sends nothing: the volunteer copies the text.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use serde::Serialize;
use serde_json::json;

use super::{CallError, CallId, get};
use crate::codes::{Agency, Verification};
use crate::export::Lang;
use crate::guidance::{DEFAULT_ALERT_HOURS, Pack};
use crate::vault::Vault;

/// The wording of an alert, per language, with placeholders
/// ([`crate::guidance::ALERT_PLACEHOLDERS`]) and how many hours after the sighting's hour
/// it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertTemplate {
    /// The English template.
    pub en: String,
    /// The Spanish template.
    pub es: String,
    /// Hours from the sighting's hour to the expiry time (1 to
    /// [`crate::guidance::MAX_ALERT_HOURS`]).
    pub hours: u8,
}

impl AlertTemplate {
    /// The template used when the active pack has none. It states no legal
    /// fact, names no organisation, phone number or address.
    pub fn builtin() -> Self {
        Self {
            en: "CONFIRMED by the hotline: {agency} seen in the {area} area around {time}. \
                 Stay calm and share only verified information. \
                 This alert expires at {expires}."
                .to_owned(),
            es: "CONFIRMADO por la línea de ayuda: {agency} en la zona de {area} alrededor de las {time}. \
                 Mantenga la calma y comparta solo información verificada. \
                 Esta alerta vence a las {expires}."
                .to_owned(),
            hours: DEFAULT_ALERT_HOURS,
        }
    }

    /// The template of `pack`'s `[alert]` table; the built-in one when it
    /// has none (a language the pack lacks also comes from the built-in one).
    pub fn of_pack(pack: &Pack) -> Self {
        let builtin = Self::builtin();
        let Some(alert) = pack.alert() else {
            return builtin;
        };
        let text =
            |lang: &str, fallback: String| alert.text.get(lang).map_or(fallback, str::to_owned);
        Self {
            en: text("en", builtin.en),
            es: text("es", builtin.es),
            hours: alert.expires_after_hours,
        }
    }

    fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

/// The alert text of one confirmed call, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AlertText {
    /// English.
    pub en: String,
    /// Spanish.
    pub es: String,
    /// When the alert stops being current (as stated in the text).
    pub expires_at: DateTime<Utc>,
}

impl AlertText {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

/// The alert text of call `id`, with times in the zone `offset` (pass the
/// laptop's: `chrono::Local::now().offset().fix()`).
///
/// Refused with [`CallError::NotConfirmed`] unless the call's verification
/// is `confirmed`, and with [`CallError::Invalid`] (field `area`) when the
/// call has no area.
pub fn alert_text(
    vault: &Vault,
    id: CallId,
    template: &AlertTemplate,
    offset: FixedOffset,
) -> Result<AlertText, CallError> {
    let call = get(vault, id)?;
    compose(
        call.verification,
        call.agency,
        call.area.as_deref(),
        call.received_at,
        template,
        offset,
    )
}

/// Audit that the alert text of call `id` was copied in `lang` (the entry
/// `alert_copied` holds the call id and the language, never the text).
/// Refused like [`alert_text`] for a call that is not confirmed.
pub fn record_alert_copied(vault: &Vault, id: CallId, lang: Lang) -> Result<(), CallError> {
    let call = get(vault, id)?;
    if call.verification != Verification::Confirmed {
        return Err(CallError::NotConfirmed);
    }
    let mut tx = vault.write()?;
    tx.audit("alert_copied", json!({ "call": id, "lang": lang }));
    tx.commit()?;
    Ok(())
}

/// Compose the texts from the structured fields only (the signature takes
/// nothing else, so no free text can reach them).
fn compose(
    verification: Verification,
    agency: Agency,
    area: Option<&str>,
    received_at: DateTime<Utc>,
    template: &AlertTemplate,
    offset: FixedOffset,
) -> Result<AlertText, CallError> {
    if verification != Verification::Confirmed {
        return Err(CallError::NotConfirmed);
    }
    let area = area.ok_or(CallError::Invalid {
        field: "area",
        reason: "an alert needs the call's area",
    })?;
    let local = received_at.with_timezone(&offset);
    let hour = local
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(local);
    let expires = hour + Duration::hours(i64::from(template.hours));
    let fill = |lang: Lang| {
        template
            .text(lang)
            .replace("{agency}", agency_phrase(agency, lang))
            .replace("{area}", area)
            .replace("{time}", &clock(hour))
            .replace("{expires}", &clock(expires))
    };
    Ok(AlertText {
        en: fill(Lang::En),
        es: fill(Lang::Es),
        expires_at: expires.with_timezone(&Utc),
    })
}

/// A time as an alert states it: `14:00 (UTC-06:00, 2026-12-01)`.
fn clock(at: DateTime<FixedOffset>) -> String {
    format!(
        "{} (UTC{}, {})",
        at.format("%H:%M"),
        at.format("%:z"),
        at.format("%Y-%m-%d")
    )
}

/// The agency as the subject of an alert's sentence.
fn agency_phrase(agency: Agency, lang: Lang) -> &'static str {
    let (en, es) = match agency {
        Agency::IceEro => ("ICE (ERO)", "ICE (ERO)"),
        Agency::Hsi => ("HSI (ICE)", "HSI (ICE)"),
        Agency::Cbp => ("CBP (Border Patrol)", "CBP (Patrulla Fronteriza)"),
        Agency::LocalPolice => ("Local police", "Policía local"),
        Agency::CountySheriff => ("The county sheriff", "El alguacil del condado"),
        Agency::StatePatrol => ("The state patrol", "La patrulla estatal"),
        Agency::Unknown => (
            "Agents (agency not identified)",
            "Agentes (agencia sin identificar)",
        ),
        Agency::PossibleImpersonator => (
            "People who may be posing as officers",
            "Personas que podrían hacerse pasar por agentes",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Es => es,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    fn central() -> FixedOffset {
        FixedOffset::west_opt(6 * 3600).expect("an offset")
    }

    #[test]
    fn rounds_to_the_hour_in_the_given_zone_and_states_expiry() {
        let text = compose(
            Verification::Confirmed,
            Agency::IceEro,
            Some("South Madison"),
            at("2026-12-01T20:47:12Z"),
            &AlertTemplate::builtin(),
            central(),
        )
        .expect("confirmed");
        assert!(text.en.contains("ICE (ERO) seen in the South Madison area"));
        assert!(text.en.contains("around 14:00 (UTC-06:00, 2026-12-01)"));
        assert!(text.en.contains("expires at 17:00 (UTC-06:00, 2026-12-01)"));
        assert!(
            text.es
                .contains("zona de South Madison alrededor de las 14:00")
        );
        assert!(
            text.es
                .contains("vence a las 17:00 (UTC-06:00, 2026-12-01)")
        );
        assert_eq!(text.expires_at, at("2026-12-01T23:00:00Z"));
        for body in [&text.en, &text.es] {
            assert!(!body.contains('{'), "{body}");
            assert!(!body.contains("14:47"), "{body}");
        }
    }

    #[test]
    fn refuses_every_verification_but_confirmed() {
        for v in Verification::ALL
            .iter()
            .copied()
            .filter(|v| *v != Verification::Confirmed)
        {
            let err = compose(
                v,
                Agency::Cbp,
                Some("Verona"),
                Utc::now(),
                &AlertTemplate::builtin(),
                central(),
            )
            .unwrap_err();
            assert!(matches!(err, CallError::NotConfirmed), "{v}");
        }
    }

    #[test]
    fn refuses_a_call_without_area() {
        let err = compose(
            Verification::Confirmed,
            Agency::Cbp,
            None,
            Utc::now(),
            &AlertTemplate::builtin(),
            central(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid area: an alert needs the call's area"
        );
    }

    #[test]
    fn every_agency_has_a_phrase_in_both_languages() {
        for agency in Agency::ALL {
            for lang in [Lang::En, Lang::Es] {
                assert!(!agency_phrase(*agency, lang).is_empty());
            }
        }
    }

    #[test]
    fn the_builtin_template_passes_the_pack_rules_and_names_no_contact() {
        let t = AlertTemplate::builtin();
        for body in [&t.en, &t.es] {
            assert!(
                crate::guidance::alert_template_problems(body).is_empty(),
                "{body}"
            );
            assert!(!body.chars().any(|c| c.is_ascii_digit()), "{body}");
            assert!(!body.contains('@') && !body.contains("http"), "{body}");
        }
    }
}
