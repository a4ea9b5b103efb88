//! Areas: the coordinator-managed list a call's area is chosen from,
//! seeded with Madison neighbourhoods and Dane County municipalities.
//!
//! Areas are never deleted (old calls keep theirs); a coordinator can
//! deactivate one so it is no longer offered, and adding a deactivated
//! name again reactivates it. A rename changes the name on every call in
//! the area too (calls and counts refer to the area, not its name). Names
//! are unique without regard to case. Adding, renaming and deactivating
//! are audited.

use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::json;

use super::{CallError, text};
use crate::vault::{Coordinator, Vault};

/// The areas a new vault starts with, in the order they are listed.
pub const SEED_AREAS: &[&str] = &[
    "Downtown/Capitol",
    "Isthmus East",
    "Near West",
    "Far West",
    "South Madison",
    "Southwest",
    "North Side",
    "East Side/Far East",
    "Fitchburg",
    "Middleton",
    "Sun Prairie",
    "Verona",
    "Monona",
    "McFarland",
    "Stoughton",
    "Waunakee",
    "DeForest",
    "Cottage Grove",
    "Oregon",
    "Mount Horeb",
    "Other Dane County",
    "Outside Dane County",
];

/// One area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Area {
    /// Its name, as shown and as used in call JSON.
    pub name: String,
    /// Whether it is offered for new calls.
    pub active: bool,
}

/// The areas in list order; inactive ones only if `include_inactive`.
pub fn list_areas(vault: &Vault, include_inactive: bool) -> Result<Vec<Area>, CallError> {
    let mut stmt = vault
        .read()
        .prepare_cached("SELECT name, active FROM areas WHERE active = 1 OR ?1 ORDER BY id")?;
    let areas = stmt
        .query_map([include_inactive], |r| {
            Ok(Area {
                name: r.get(0)?,
                active: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(areas)
}

/// Add an area, or reactivate a deactivated one of the same name
/// (coordinators only; audited).
pub fn add_area(vault: &Coordinator<'_>, name: &str) -> Result<(), CallError> {
    text::check_area_name(name)?;
    let mut tx = vault.write()?;
    let existing: Option<bool> = tx
        .prepare_cached("SELECT active FROM areas WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    match existing {
        Some(true) => return Err(CallError::AreaExists),
        Some(false) => {
            tx.execute("UPDATE areas SET active = 1 WHERE name = ?1", [name])?;
        }
        None => {
            tx.execute("INSERT INTO areas (name) VALUES (?1)", [name])?;
        }
    }
    tx.audit("area.add", json!({ "name": name }));
    tx.commit()?;
    Ok(())
}

/// Stop offering an area for new calls (coordinators only; audited).
/// Calls already in it keep it.
pub fn deactivate_area(vault: &Coordinator<'_>, name: &str) -> Result<(), CallError> {
    let mut tx = vault.write()?;
    let changed = tx.execute(
        "UPDATE areas SET active = 0 WHERE name = ?1 AND active = 1",
        [name],
    )?;
    if changed == 0 {
        return Err(CallError::UnknownArea);
    }
    tx.audit("area.deactivate", json!({ "name": name }));
    tx.commit()?;
    Ok(())
}

/// Rename an area (coordinators only; audited). Calls in it, old ones too,
/// show the new name; a change of case alone is allowed.
pub fn rename_area(vault: &Coordinator<'_>, name: &str, new_name: &str) -> Result<(), CallError> {
    text::check_area_name(new_name)?;
    let mut tx = vault.write()?;
    let id: i64 = tx
        .prepare_cached("SELECT id FROM areas WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .ok_or(CallError::UnknownArea)?;
    let taken: Option<i64> = tx
        .prepare_cached("SELECT id FROM areas WHERE name = ?1 AND id != ?2")?
        .query_row((new_name, id), |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(CallError::AreaExists);
    }
    tx.execute("UPDATE areas SET name = ?2 WHERE id = ?1", (id, new_name))?;
    tx.audit("area.rename", json!({ "from": name, "to": new_name }));
    tx.commit()?;
    Ok(())
}
