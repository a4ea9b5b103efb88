//! Referral directory commands: list and search (everyone), save, remove,
//! import and export (coordinators; the core enforces it). Every rule lives
//! in `hotline_core::referrals`; these only move data across.

use chrono::{Local, NaiveDate};
use hotline_core::referrals::{self, Referral, ReferralError, ReferralView};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{ErrorCode, UiError};
use crate::state::AppState;

/// An entry as the coordinator's form sends it; `id` is absent for a new one.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReferralInput {
    /// The entry being edited, or none for a new entry.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// What they do, in English.
    pub about_en: String,
    /// What they do, in Spanish.
    pub about_es: String,
    /// Language tags.
    pub languages: Vec<String>,
    /// Hours.
    pub hours: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Web address.
    pub web: Option<String>,
    /// Area served.
    pub area: Option<String>,
    /// Kinds of resource.
    pub kinds: Vec<String>,
    /// Where the facts come from.
    pub source: Option<String>,
    /// When they were checked (YYYY-MM-DD), or empty.
    pub verified_on: Option<String>,
}

/// What an import did.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ReferralImport"))]
pub struct ReferralImportDto {
    /// New entries.
    pub added: usize,
    /// Entries replaced.
    pub updated: usize,
    /// Entries already identical.
    pub unchanged: usize,
}

/// A date typed as YYYY-MM-DD, or none when empty.
fn parse_date(text: Option<&str>) -> Result<Option<NaiveDate>, UiError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                UiError::from(ReferralError::Invalid {
                    field: "verified_on",
                    reason: "write the date as YYYY-MM-DD",
                })
            }),
    }
}

/// Every entry still offered, by name.
#[tauri::command]
pub fn referrals_list(state: State<'_, AppState>) -> Result<Vec<ReferralView>, UiError> {
    state.with_session(|s| {
        Ok(referrals::list(&s.vault)?
            .into_iter()
            .map(ReferralView::from)
            .collect())
    })
}

/// Entries matching every word of `query`, of any of `kinds` when given.
#[tauri::command]
pub fn referrals_search(
    state: State<'_, AppState>,
    query: String,
    kinds: Vec<String>,
) -> Result<Vec<ReferralView>, UiError> {
    state.with_session(|s| {
        Ok(referrals::search(&s.vault, &query, &kinds)?
            .into_iter()
            .map(ReferralView::from)
            .collect())
    })
}

/// Add a new entry or replace the one with `entry.id` (coordinator only).
#[tauri::command]
pub fn referral_save(
    state: State<'_, AppState>,
    entry: ReferralInput,
) -> Result<ReferralView, UiError> {
    let verified_on = parse_date(entry.verified_on.as_deref())?;
    let existing = entry
        .id
        .as_deref()
        .map(referrals::parse_id)
        .transpose()
        .map_err(UiError::from)?;
    let id = match existing {
        Some(id) => id,
        None => referrals::new_id().map_err(UiError::from)?,
    };
    let referral = Referral {
        id,
        name: entry.name,
        about_en: entry.about_en,
        about_es: entry.about_es,
        languages: entry.languages,
        hours: entry.hours,
        phone: entry.phone,
        web: entry.web,
        area: entry.area,
        kinds: entry.kinds,
        source: entry.source,
        verified_on,
    };
    state.with_session(|s| {
        if existing.is_some() {
            referrals::edit(&s.vault.coordinator()?, referral)?;
        } else {
            referrals::add(&s.vault.coordinator()?, referral)?;
        }
        Ok(ReferralView::from(referrals::get(&s.vault, id)?))
    })
}

/// Stop offering an entry (coordinator only); calls that name it keep it.
#[tauri::command]
pub fn referral_remove(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    let id = referrals::parse_id(&id)?;
    state.with_session(|s| Ok(referrals::remove(&s.vault.coordinator()?, id)?))
}

/// Import a directory file's text, merging by id (coordinator only).
#[tauri::command]
pub fn referrals_import(
    state: State<'_, AppState>,
    text: String,
) -> Result<ReferralImportDto, UiError> {
    state.with_session(|s| {
        let report = referrals::import_file(&s.vault.coordinator()?, &text)?;
        Ok(ReferralImportDto {
            added: report.added,
            updated: report.updated,
            unchanged: report.unchanged,
        })
    })
}

/// Write the directory file to the exports folder; returns its path.
#[tauri::command]
pub fn referrals_export(state: State<'_, AppState>) -> Result<String, UiError> {
    let folder = state.data_dir.join(hotline_core::paths::EXPORTS_DIR);
    std::fs::create_dir_all(&folder)
        .map_err(|err| UiError::new(ErrorCode::Internal, err.to_string()))?;
    let path = folder.join(format!("referrals-{}.json", Local::now().date_naive()));
    state.with_session(|s| {
        referrals::write_export(&s.vault, &path, true)?;
        Ok(path.display().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(err: UiError) -> serde_json::Value {
        serde_json::to_value(err).unwrap()
    }

    #[test]
    fn a_refused_field_reaches_the_ui_with_its_name() {
        let err = ReferralError::Invalid {
            field: "web",
            reason: "x",
        };
        let value = json(UiError::from(err));
        assert_eq!(value["code"], "invalid_referral");
        assert_eq!(value["field"], "web");
        assert!(value.get("number").is_none());
    }

    #[test]
    fn a_refused_file_entry_names_the_entry_and_the_field() {
        let err = ReferralError::InEntry {
            number: 3,
            total: 4,
            source: Box::new(ReferralError::TooMany {
                field: "kinds",
                limit: 12,
            }),
        };
        let value = json(UiError::from(err));
        assert_eq!(value["code"], "invalid_referral_entry");
        assert_eq!(value["field"], "kinds");
        assert_eq!(value["number"], 3);
    }

    #[test]
    fn other_errors_carry_no_referral_details_and_dates_are_checked() {
        let value = json(UiError::from(ReferralError::WrongFormat));
        assert_eq!(value["code"], "invalid_referral_file");
        assert!(value.get("field").is_none() && value.get("number").is_none());
        let bad = parse_date(Some("1 Dec 2026")).map(|_| ()).unwrap_err();
        assert_eq!(json(bad)["field"], "verified_on");
        assert_eq!(parse_date(Some(" ")).ok(), Some(None));
    }
}
