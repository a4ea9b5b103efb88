//! Restore as a new laptop: the restored vault forgets the old laptop's
//! team keys and team state, so that it enrols afresh with keys of its own
//! and the old laptop can be revoked (`docs/TEAM.md`, "Restore as a new
//! laptop").

use rusqlite::OptionalExtension;
use serde_json::json;

use crate::vault::{Vault, VaultError};

/// Every table that holds this laptop's team keys or team state: its keys
/// and counter, the team key (coordinator laptop), the team record it
/// trusts, its sent and applied streams, its held packets, the bundle
/// key pair (the coordinator laptop's age identity bundles are encrypted
/// to), the folder's outbox, the pin waiting for its signature, and the
/// versions of coordinator updates sent and applied. A new laptop keeps
/// none of them.
const LAPTOP_STATE_TABLES: [&str; 11] = [
    "team_laptop",
    "team_key",
    "team_membership",
    "team_sent",
    "team_streams",
    "team_held_packets",
    "coordinator_keys",
    "team_outbox",
    "team_pin_pending",
    "team_update_versions",
    "team_updates_applied",
];

/// Team tables a new laptop keeps (none yet). Every table named `team_…`
/// is in this list or in [`LAPTOP_STATE_TABLES`] (a test reads the schema).
#[cfg(test)]
const KEPT_TEAM_TABLES: [&str; 0] = [];

/// What a restore as a new laptop forgot: what the team's coordinator needs
/// to revoke the old laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgottenLaptop {
    /// The old laptop's id.
    pub laptop_id: String,
    /// The last sequence number it had used when the backup was made (0:
    /// none): revoke it after this number.
    pub last_seq: u64,
    /// The id of the team it was in, if it was in one.
    pub team_id: Option<String>,
    /// Whether it was the team's coordinator laptop (it held the team key):
    /// the team must then be created again.
    pub held_team_key: bool,
}

/// Drop this laptop's team keys and team state in one audited write
/// (`team.forget_laptop`); what was dropped, or `None` when the vault had
/// no laptop keys (and nothing is written). The calls, the merged bundle
/// ids and everything else stay.
pub(crate) fn forget_laptop(vault: &Vault) -> Result<Option<ForgottenLaptop>, VaultError> {
    let mut tx = vault.write()?;
    let laptop: Option<(String, i64)> = tx
        .query_row(
            "SELECT laptop_id, next_seq FROM team_laptop WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((laptop_id, next_seq)) = laptop else {
        return Ok(None);
    };
    let team_id: Option<String> = tx
        .query_row(
            "SELECT team_id FROM team_membership WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let held_team_key = tx
        .query_row("SELECT 1 FROM team_key WHERE id = 1", [], |_| Ok(()))
        .optional()?
        .is_some();
    for table in LAPTOP_STATE_TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let forgotten = ForgottenLaptop {
        laptop_id,
        last_seq: u64::try_from(next_seq.saturating_sub(1)).unwrap_or(0),
        team_id,
        held_team_key,
    };
    tx.audit(
        "team.forget_laptop",
        json!({
            "laptop": forgotten.laptop_id,
            "last_seq": forgotten.last_seq,
            "team": forgotten.team_id,
            "team_key": forgotten.held_team_key,
        }),
    );
    tx.commit()?;
    Ok(Some(forgotten))
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::super::testing::join;
    use super::super::{PacketError, create_team, laptop, revoke, team_info};
    use crate::export::{self, ExportError, Format, SummaryOptions};
    use crate::vault::{Passphrase, Vault};

    const PASS: &str = "maple kettle harbor 42";

    fn vault(dir: &TempDir, handle: &str) -> Vault {
        Vault::create(dir.path(), handle, &Passphrase::from(PASS)).unwrap()
    }

    fn march() -> SummaryOptions {
        SummaryOptions {
            from: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
            to: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
            k: 5,
            include_synthetic: true,
        }
    }

    fn bundle(vault: &Vault, out: &std::path::Path) -> Vec<u8> {
        export::export_bundle(&vault.coordinator().unwrap(), &march(), out, false).unwrap();
        std::fs::read(out).unwrap()
    }

    /// Merge `bundles` on the coordinator laptop and record them.
    fn merge(coordinator: &Vault, bundles: &[Vec<u8>], out: &std::path::Path) {
        let c = coordinator.coordinator().unwrap();
        let merged = export::merge_bundles(&c, bundles, 3).unwrap();
        export::write_merged(&c, &merged, Format::Json, out, false).unwrap();
    }

    fn rows(vault: &Vault) -> i64 {
        super::LAPTOP_STATE_TABLES
            .iter()
            .map(|t| -> i64 {
                vault
                    .conn()
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap()
            })
            .sum()
    }

    fn restore_new(
        backup: &std::path::Path,
        dir: &TempDir,
        handle: &str,
    ) -> (Vault, super::ForgottenLaptop) {
        let target = dir.path().join("restored");
        let (vault, report) = Vault::restore_as_new_laptop(
            &target,
            backup,
            handle,
            &Passphrase::from(PASS),
            &mut |_| {},
        )
        .unwrap();
        assert!(report.rekey.rekeyed);
        (
            vault,
            report.old_laptop.expect("the backup had laptop keys"),
        )
    }

    #[test]
    fn a_laptop_restored_as_new_enrols_afresh_and_the_old_one_is_revoked() {
        let (cdir, adir, tmp) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let coordinator = vault(&cdir, "river-7");
        let team = create_team(&coordinator.coordinator().unwrap(), "Dane hotline").unwrap();
        let old = vault(&adir, "ana-1");
        join(&coordinator, &old, "laptop a", tmp.path());
        let old_id = laptop(&old).unwrap().laptop_id;
        merge(
            &coordinator,
            &[bundle(&old, &tmp.path().join("1.age"))],
            &tmp.path().join("m1.json"),
        );
        let backup = tmp.path().join("a.hlbk");
        old.coordinator().unwrap().backup(&backup).unwrap();

        let (new, forgotten) = restore_new(&backup, &tmp, "ana-1");
        assert_eq!(
            forgotten,
            super::ForgottenLaptop {
                laptop_id: old_id.clone(),
                last_seq: 1,
                team_id: Some(team.team_id.clone()),
                held_team_key: false,
            }
        );
        assert_eq!(rows(&new), 0, "no team key or state is left");
        assert!(team_info(&new).unwrap().is_none());
        let audited: i64 = new
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'team.forget_laptop'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 1);

        // It enrols afresh, with keys of its own ...
        let (_, _, joined) = join(&coordinator, &new, "laptop a, restored", tmp.path());
        assert_ne!(joined.this_laptop, old_id);
        // ... and the old laptop is revoked after its last packet.
        revoke(
            &coordinator.coordinator().unwrap(),
            &old_id,
            forgotten.last_seq,
        )
        .unwrap();
        let late = bundle(&old, &tmp.path().join("2.age"));
        let c = coordinator.coordinator().unwrap();
        match export::merge_bundles(&c, &[late], 3) {
            Err(ExportError::Packet { source, .. }) => {
                assert!(matches!(source, PacketError::Revoked { .. }), "{source}");
            }
            other => panic!("the old laptop's packet was not refused: {other:?}"),
        }
        merge(
            &coordinator,
            &[bundle(&new, &tmp.path().join("3.age"))],
            &tmp.path().join("m2.json"),
        );
    }

    #[test]
    fn a_coordinator_laptop_restored_as_new_drops_the_team_key_and_creates_a_new_team() {
        let (cdir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let coordinator = vault(&cdir, "river-7");
        let c = coordinator.coordinator().unwrap();
        let team = create_team(&c, "Dane hotline").unwrap();
        let bundle_key = export::coordinator_key(&c).unwrap();
        let backup = tmp.path().join("c.hlbk");
        c.backup(&backup).unwrap();

        let (new, forgotten) = restore_new(&backup, &tmp, "river-7");
        assert!(forgotten.held_team_key);
        assert_eq!(forgotten.team_id, Some(team.team_id.clone()));
        assert_eq!(
            rows(&new),
            0,
            "the team key and the bundle key pair are gone too"
        );
        let c = new.coordinator().unwrap();
        let again = create_team(&c, "Dane hotline").unwrap();
        assert_ne!(again.team_id, team.team_id);
        assert_ne!(again.fingerprint, team.fingerprint);
        assert_ne!(export::coordinator_key(&c).unwrap(), bundle_key);
    }

    /// Every team table is either dropped or kept on purpose, and
    /// docs/TEAM.md names every table dropped.
    #[test]
    fn every_team_table_is_dropped_or_kept_and_the_team_page_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let vault = vault(&dir, "river-7");
        let tables: Vec<String> = vault
            .conn()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'team\\_%' ESCAPE '\\'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(tables.len() >= 6, "{tables:?}");
        for table in &tables {
            assert!(
                super::LAPTOP_STATE_TABLES.contains(&table.as_str())
                    || super::KEPT_TEAM_TABLES.contains(&table.as_str()),
                "{table}: does a restore as a new laptop drop it or keep it?"
            );
        }
        let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TEAM.md"))
            .unwrap();
        let section = page
            .split("**Restore as a new laptop**")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("TEAM.md has the section");
        for table in super::LAPTOP_STATE_TABLES {
            assert!(section.contains(&format!("`{table}`")), "{table}");
        }
    }

    #[test]
    fn a_vault_with_no_laptop_keys_is_restored_as_new_with_nothing_to_forget() {
        let (cdir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let alone = vault(&cdir, "river-7");
        let backup = tmp.path().join("v.hlbk");
        alone.coordinator().unwrap().backup(&backup).unwrap();
        let (_, report) = Vault::restore_as_new_laptop(
            &tmp.path().join("restored"),
            &backup,
            "river-7",
            &Passphrase::from(PASS),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(report.old_laptop, None);
    }
}
