//! Areas: the coordinator-managed list a call's area is chosen from,
//! seeded with Madison neighbourhoods and Dane County municipalities.
//!
//! Areas are never deleted (old calls keep theirs); a coordinator can
//! deactivate one so it is no longer offered, and adding a deactivated
//! name again reactivates it. A rename changes the name on every call in
//! the area too (calls and counts refer to the area, not its name). Names
//! are unique without regard to case. Adding, renaming and deactivating
//! are audited.
//!
//! The list is a coordinator-signed setting (`vault::signed`): each change
//! signs the whole list (names in order, and whether each is offered) in
//! its write, and what is offered is read from that record, so an area
//! added, renamed or switched on in the database around the app is not
//! offered, and is reported at the next coordinator unlock.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use super::{CallError, text};
use crate::vault::coordinator_key::{CoordinatorKey, CoordinatorPublic};
use crate::vault::signed::{self, RefusalReason, SettingKind, Signed};
use crate::vault::{Coordinator, Reader, Vault, VaultError, Write};

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

/// An area as signed: its name and whether it is offered.
type SignedArea = (String, bool);

/// The areas in list order; inactive ones only if `include_inactive`.
pub fn list_areas(vault: &Vault, include_inactive: bool) -> Result<Vec<Area>, CallError> {
    Ok(areas_in_use(vault.read(), vault.coordinator_public())?
        .into_iter()
        .filter(|(_, active)| include_inactive || *active)
        .map(|(name, active)| Area { name, active })
        .collect())
}

/// The areas as the table holds them, in list order.
fn table_areas(conn: Reader<'_>) -> Result<Vec<SignedArea>, VaultError> {
    Ok(conn
        .prepare_cached("SELECT name, active FROM areas ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?)
}

/// The areas to use: the signed list (checked against `public`); the table
/// in a vault without a coordinator key yet; the seed areas while the
/// signed record is refused.
fn areas_in_use(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<SignedArea>, VaultError> {
    Ok(
        match signed::read::<Vec<SignedArea>>(conn, public, SettingKind::Areas)? {
            Signed::Valid(list) => list,
            Signed::Unprotected => table_areas(conn)?,
            Signed::Refused(_) => SEED_AREAS.iter().map(|n| ((*n).to_owned(), true)).collect(),
        },
    )
}

/// The row id of the area `name` if it is offered for new calls, by the
/// signed list (any case); [`CallError::UnknownArea`] otherwise.
pub(crate) fn offered_area_id(tx: &Write<'_>, name: &str) -> Result<i64, CallError> {
    let offered = areas_in_use(tx.read(), tx.authority().public())?
        .into_iter()
        .any(|(n, active)| active && n.to_lowercase() == name.to_lowercase());
    if !offered {
        return Err(CallError::UnknownArea);
    }
    tx.prepare_cached("SELECT id FROM areas WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .ok_or(CallError::UnknownArea)
}

/// Sign the areas as the table now holds them, in `tx` (a coordinator's).
fn sign(tx: &Write<'_>) -> Result<(), VaultError> {
    signed::write(tx, SettingKind::Areas, &table_areas(tx.read())?)
}

/// Sign the areas as they stand (when the coordinator key is created, or
/// at the first coordinator unlock after the upgrade that signs them).
pub(crate) fn sign_current(
    conn: &Connection,
    key: &CoordinatorKey,
    actor: &str,
) -> Result<(), VaultError> {
    signed::write_with(
        conn,
        key,
        actor,
        SettingKind::Areas,
        &table_areas(conn.into())?,
    )
}

/// What the signed list says against the table: its refusal, for the sweep
/// at unlock.
pub(crate) fn refusals(
    conn: Reader<'_>,
    public: Option<&CoordinatorPublic>,
) -> Result<Vec<(SettingKind, RefusalReason)>, VaultError> {
    Ok(
        match signed::read::<Vec<SignedArea>>(conn, public, SettingKind::Areas)? {
            Signed::Valid(list) if !matches_table(conn, &list)? => {
                vec![(SettingKind::Areas, RefusalReason::ChangedWithoutSignature)]
            }
            Signed::Valid(_) | Signed::Unprotected => vec![],
            Signed::Refused(reason) => vec![(SettingKind::Areas, reason)],
        },
    )
}

/// Whether the table holds the signed `list`: exactly, for the
/// coordinator's own record; for the team's, every area of the list with
/// its name and whether it is offered, and every other area of the table
/// not offered (areas are never deleted, and this laptop's ids keep their
/// order).
fn matches_table(conn: Reader<'_>, list: &[SignedArea]) -> Result<bool, VaultError> {
    let table = table_areas(conn)?;
    if table == list {
        return Ok(true);
    }
    if signed::signer_of(conn, SettingKind::Areas)? != Some(signed::Signer::Team) {
        return Ok(false);
    }
    Ok(table.iter().all(|(name, active)| {
        match list
            .iter()
            .find(|(n, _)| n.to_lowercase() == name.to_lowercase())
        {
            Some((n, a)) => n == name && a == active,
            None => !active,
        }
    }) && list
        .iter()
        .all(|(n, _)| table.iter().any(|(name, _)| name == n)))
}

/// Make the table hold the team's `list` (on a member laptop, in the write
/// applying the team's update): each area named (without regard to case)
/// takes the list's name and whether it is offered, a new one is added,
/// and an area the list does not name stops being offered. Calls keep
/// their areas.
pub(crate) fn store_team_list(tx: &Write<'_>, list: &[SignedArea]) -> Result<(), CallError> {
    for (i, (name, _)) in list.iter().enumerate() {
        text::check_area_name(name)?;
        if list[..i]
            .iter()
            .any(|(n, _)| n.to_lowercase() == name.to_lowercase())
        {
            return Err(CallError::AreaExists);
        }
    }
    let table = table_areas(tx.read())?;
    for (name, _) in &table {
        let named = list
            .iter()
            .any(|(n, _)| n.to_lowercase() == name.to_lowercase());
        if !named {
            tx.execute("UPDATE areas SET active = 0 WHERE name = ?1", [name])?;
        }
    }
    for (name, active) in list {
        let changed = tx.execute(
            "UPDATE areas SET name = ?1, active = ?2 WHERE name = ?1 COLLATE NOCASE",
            (name, active),
        )?;
        if changed == 0 {
            tx.execute(
                "INSERT INTO areas (name, active) VALUES (?1, ?2)",
                (name, active),
            )?;
        }
    }
    Ok(())
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
    sign(&tx)?;
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
    sign(&tx)?;
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
    sign(&tx)?;
    tx.audit("area.rename", json!({ "from": name, "to": new_name }));
    tx.commit()?;
    Ok(())
}
