//! Three laptops on real vaults in temporary folders: a coordinator's and
//! two volunteers' laptops, enrolled through the files people carry, and
//! every refusal of a bundle.

use std::path::Path;

use chrono::{DateTime, Utc};
use tempfile::TempDir;

use super::packet::{self, PacketError, Stream};
use super::testing::{join, seal_from, unseal};
use super::*;
use crate::calls::{self, CallerRelation, NewCall, OldCalls};
use crate::codes::Category;
use crate::export::{self, ExportError, Format, SummaryOptions};
use crate::vault::{Passphrase, Role, Vault, VaultError};

const PASS: &str = "maple kettle harbor 42";
const CANARY: &str = "CANARY-7f3a-team-packet";

/// A laptop: a vault with its coordinator signed in.
struct Laptop {
    dir: TempDir,
    vault: Vault,
}

impl Laptop {
    fn new(handle: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path(), handle, &Passphrase::from(PASS)).unwrap();
        Self { dir, vault }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Log `n` calls in March 2025, the first with the canary in its notes.
    fn log_calls(&self, n: usize, salt: usize) {
        let calls: Vec<NewCall> = (0..n)
            .map(|i| {
                let j = i * 5 + salt;
                let at: DateTime<Utc> =
                    DateTime::parse_from_rfc3339(&format!("2025-03-{:02}T10:00:00Z", 3 + j % 25))
                        .unwrap()
                        .with_timezone(&Utc);
                let mut call = NewCall::required(
                    at,
                    "es",
                    CallerRelation::Witness,
                    Category::ALL[j % Category::ALL.len()],
                );
                if i == 0 {
                    call.notes = format!("seen near the school {CANARY}");
                }
                call
            })
            .collect();
        calls::create_many(&self.vault, calls, OldCalls::Accept).unwrap();
    }

    /// Export a bundle of March 2025 to a new file; its bytes.
    fn bundle(&self, name: &str) -> Vec<u8> {
        let out = self.path(name);
        export::export_bundle(&self.vault.coordinator().unwrap(), &march(), &out, false).unwrap();
        std::fs::read(out).unwrap()
    }
}

fn march() -> SummaryOptions {
    SummaryOptions {
        from: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
        to: Some(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
        k: 5,
        include_synthetic: true,
    }
}

/// A coordinator laptop with a team and two enrolled laptops.
struct Team3 {
    coordinator: Laptop,
    a: Laptop,
    b: Laptop,
}

fn team3() -> Team3 {
    let coordinator = Laptop::new("river-7");
    let created = create_team(&coordinator.vault.coordinator().unwrap(), "Dane hotline").unwrap();
    assert!(created.coordinator_laptop);
    assert_eq!(created.members.len(), 1);
    let a = Laptop::new("ana-1");
    let b = Laptop::new("bo-2");
    for (laptop, name) in [(&a, "laptop a"), (&b, "laptop b")] {
        let (on_laptop, on_coordinator, team) = join(
            &coordinator.vault,
            &laptop.vault,
            name,
            coordinator.dir.path(),
        );
        assert_eq!(
            on_laptop, on_coordinator,
            "the laptop's fingerprint matches"
        );
        assert_eq!(team.fingerprint, created.fingerprint, "the team's too");
        assert_eq!(on_laptop.split(' ').count(), FINGERPRINT_WORDS);
        assert!(!team.coordinator_laptop);
    }
    Team3 { coordinator, a, b }
}

/// What a refused merge must leave as it was.
fn state(vault: &Vault) -> (i64, i64, i64, i64) {
    let count = |sql: &str| -> i64 { vault.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    (
        count("SELECT count(*) FROM imported_bundles"),
        count("SELECT coalesce(sum(last_seq), 0) FROM team_streams"),
        count("SELECT count(*) FROM team_held_packets"),
        count("SELECT count(*) FROM audit_log WHERE action = 'export.merge'"),
    )
}

fn merge(vault: &Vault, bundles: &[Vec<u8>]) -> Result<export::Merged, ExportError> {
    export::merge_bundles(&vault.coordinator().unwrap(), bundles, 3)
}

fn write(vault: &Vault, merged: &export::Merged, out: &Path) {
    export::write_merged(
        &vault.coordinator().unwrap(),
        merged,
        Format::Json,
        out,
        false,
    )
    .unwrap();
}

/// The grand total of a merged summary's agency table.
fn total(merged: &export::Merged) -> u64 {
    merged.contributions.iter().map(|c| c.calls).sum()
}

fn refused(result: Result<export::Merged, ExportError>) -> (usize, PacketError) {
    match result {
        Err(ExportError::Packet { number, source }) => (number, source),
        other => panic!("expected a refused packet, got {other:?}"),
    }
}

#[test]
fn two_laptops_enrol_and_their_signed_bundles_merge_to_the_sum() {
    let t = team3();
    t.a.log_calls(40, 1);
    t.b.log_calls(25, 2);
    let bundle_a = t.a.bundle("a.age");
    let bundle_b = t.b.bundle("b.age");

    let merged = merge(&t.coordinator.vault, &[bundle_a.clone(), bundle_b.clone()]).unwrap();
    let parts: Vec<(&str, usize, u64)> = merged
        .contributions
        .iter()
        .map(|c| (c.laptop.as_str(), c.bundles, c.calls))
        .collect();
    assert_eq!(parts, [("laptop a", 1, 40), ("laptop b", 1, 25)]);
    assert_eq!(total(&merged), 65);
    // The same as the summary of every call on one laptop.
    let combined = Laptop::new("cy-3");
    combined.log_calls(40, 1);
    combined.log_calls(25, 2);
    let mut expected = export::summary(
        &combined.vault.coordinator().unwrap(),
        &SummaryOptions { k: 3, ..march() },
    )
    .unwrap();
    expected.include_synthetic = merged.summary.include_synthetic;
    assert_eq!(merged.summary, expected);
    assert!(merged.held.is_empty());
    write(&t.coordinator.vault, &merged, &t.coordinator.path("m.json"));

    // Sent again: a replay, refused, nothing changes.
    let before = state(&t.coordinator.vault);
    let (number, err) = refused(merge(&t.coordinator.vault, &[bundle_b]));
    assert_eq!(number, 1);
    assert!(matches!(err, PacketError::Replayed { .. }), "{err}");
    assert_eq!(state(&t.coordinator.vault), before);

    // A canary from a call is in no file that travels, nor in a bundle's
    // plaintext.
    for name in ["laptop a.request", "laptop a.team"] {
        let bytes = std::fs::read(t.coordinator.path(name)).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(CANARY), "{name}");
    }
    for bytes in [&bundle_a, &unseal(&t.coordinator.vault, &bundle_a)] {
        assert!(!String::from_utf8_lossy(bytes).contains(CANARY));
        assert!(!String::from_utf8_lossy(bytes).contains("school"));
    }
    // The ciphertext shows no structure.
    let text = String::from_utf8_lossy(&bundle_a);
    for word in ["hotline-desk packet", "summary_bundle", "bundle_id"] {
        assert!(!text.contains(word), "{word}");
    }
}

#[test]
fn forged_altered_revoked_and_foreign_bundles_are_refused_and_change_nothing() {
    let t = team3();
    t.a.log_calls(12, 3);
    let coordinator = &t.coordinator.vault;
    let recipient = export::coordinator_key(&coordinator.coordinator().unwrap()).unwrap();
    let good = t.a.bundle("good.age");
    let plain = unseal(coordinator, &good);
    let before = state(coordinator);

    // Unsigned: a well-formed bundle document anyone can encrypt to the
    // coordinator's public key (the attack that used to add k to cells).
    let doc_start = plain
        .windows(10)
        .position(|w| w == b"{\"schema\":")
        .unwrap();
    let doc_end = plain.len() - 64;
    let unsigned = export::testing_encrypt(&recipient, &plain[doc_start..doc_end]);
    let (_, err) = refused(merge(coordinator, &[unsigned]));
    assert_eq!(err, PacketError::Unsigned);

    // An altered byte of the file: age refuses it.
    let mut altered = good.clone();
    let at = altered.len() - 20;
    altered[at] ^= 1;
    let (_, err) = refused(merge(coordinator, &[altered]));
    assert_eq!(err, PacketError::Altered);

    // An altered byte of the signed plaintext, encrypted again: forged.
    let mut changed = plain.clone();
    let at = doc_start + 30;
    changed[at] ^= 1;
    let (_, err) = refused(merge(
        coordinator,
        &[export::testing_encrypt(&recipient, &changed)],
    ));
    assert!(matches!(err, PacketError::Forged { .. }), "{err}");

    // Signed by a laptop that was never enrolled, claiming to be laptop A,
    // or under its own id.
    let stranger = Laptop::new("zed-9");
    let other = Laptop::new("oz-8");
    create_team(&other.vault.coordinator().unwrap(), "elsewhere").unwrap();
    join(&other.vault, &stranger.vault, "stranger", other.dir.path());
    stranger.log_calls(9, 4);
    let foreign = unseal(&other.vault, &stranger.bundle("s.age"));
    let (_, err) = refused(merge(
        coordinator,
        &[export::testing_encrypt(&recipient, &foreign)],
    ));
    assert_eq!(err, PacketError::ForeignTeam, "another team's packet");
    let (_, err) = refused(merge(coordinator, &[stranger.bundle("s2.age")]));
    assert_eq!(
        err,
        PacketError::NotForThisLaptop,
        "for another coordinator"
    );
    let team_id = team_info(&t.a.vault).unwrap().unwrap().team_id;
    let a_id = team_info(&t.a.vault).unwrap().unwrap().this_laptop;
    let s_id = team_info(&stranger.vault).unwrap().unwrap().this_laptop;
    let other_team = team_info(&stranger.vault).unwrap().unwrap().team_id;
    let retarget = |from: &str, to: &str| -> Vec<u8> {
        let bytes = replace(&replace(&foreign, &other_team, &team_id), from, to);
        export::testing_encrypt(&recipient, &bytes)
    };
    let (_, err) = refused(merge(coordinator, &[retarget(&s_id, &a_id)]));
    assert!(
        matches!(err, PacketError::Forged { .. }),
        "signed by a non-enrolled key: {err}"
    );
    let (_, err) = refused(merge(coordinator, &[retarget(&s_id, &s_id)]));
    assert!(matches!(err, PacketError::UnknownSender { .. }), "{err}");

    // A newer format waits with "update this laptop".
    let mut newer = plain.clone();
    newer[20..22].copy_from_slice(&2u16.to_be_bytes());
    let (_, err) = refused(merge(
        coordinator,
        &[export::testing_encrypt(&recipient, &newer)],
    ));
    assert!(matches!(err, PacketError::NewerFormat { .. }), "{err}");
    assert!(err.to_string().contains("update this laptop"));

    assert_eq!(state(coordinator), before, "nothing changed");

    // Revoked after its first bundle: that one merges, the next is refused.
    let seq = packet_seq(coordinator, &good);
    revoke(&coordinator.coordinator().unwrap(), &a_id[..8], seq).unwrap();
    let late = t.a.bundle("late.age");
    let (_, err) = refused(merge(coordinator, &[good.clone(), late.clone()]));
    assert!(
        matches!(err, PacketError::Revoked { after, .. } if after == seq),
        "{err}"
    );
    assert_eq!(state(coordinator), before);
    let merged = merge(coordinator, std::slice::from_ref(&good)).unwrap();
    assert_eq!(total(&merged), 12);
    // The refusals have their own codes, in the window's catalogue.
    use crate::errors::{Coded, ErrorCode};
    assert_eq!(
        ExportError::Packet {
            number: 1,
            source: err
        }
        .code(),
        ErrorCode::PacketRevokedSender
    );
}

/// `bytes` with every `from` replaced by `to` (of the same length).
fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from.as_bytes() {
            out[i..i + from.len()].copy_from_slice(to.as_bytes());
            i += from.len();
        } else {
            i += 1;
        }
    }
    out
}

/// A packet's sequence number, read from its header.
fn packet_seq(coordinator: &Vault, ciphertext: &[u8]) -> u64 {
    let plain = unseal(coordinator, ciphertext);
    let len = u32::from_be_bytes(plain[22..26].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&plain[26..26 + len]).unwrap();
    header["seq"].as_u64().unwrap()
}

#[test]
fn a_bundle_before_an_earlier_one_is_held_until_the_gap_fills() {
    let t = team3();
    t.a.log_calls(10, 5);
    t.b.log_calls(7, 6);
    let first = t.a.bundle("a1.age");
    let second = t.a.bundle("a2.age");
    let from_b = t.b.bundle("b1.age");
    let coordinator = &t.coordinator.vault;

    // Only the later one: nothing can be merged, and the refusal names the
    // missing number.
    let (number, err) = refused(merge(coordinator, std::slice::from_ref(&second)));
    assert_eq!(number, 1);
    let first_seq = packet_seq(coordinator, &first);
    assert!(
        matches!(err, PacketError::Gap { waiting_for, .. } if waiting_for == first_seq),
        "{err}"
    );

    // With B's: B's merges, A's second is held and reported.
    let merged = merge(coordinator, &[second.clone(), from_b]).unwrap();
    assert_eq!(total(&merged), 7);
    assert_eq!(merged.held.len(), 1);
    assert_eq!(merged.held[0].waiting_for, first_seq);
    write(coordinator, &merged, &t.coordinator.path("m1.json"));
    assert_eq!(state(coordinator).2, 1, "held in the vault");

    // A later merge without the missing one still reports it.
    let third = t.a.bundle("a3.age");
    let merged = merge(coordinator, std::slice::from_ref(&third)).unwrap_err();
    assert!(matches!(
        merged,
        ExportError::Packet {
            source: PacketError::Gap { .. },
            ..
        }
    ));

    // The missing one arrives: it and the held one merge, in order; the
    // third, given again, too.
    let merged = merge(coordinator, &[third, first]).unwrap();
    assert_eq!(merged.contributions.len(), 1);
    assert_eq!(merged.contributions[0].bundles, 3);
    assert_eq!(total(&merged), 30);
    assert!(merged.held.is_empty());
    write(coordinator, &merged, &t.coordinator.path("m2.json"));
    assert_eq!(state(coordinator).2, 0, "the held packet was applied");
    // The second, sent again, is a replay.
    let (_, err) = refused(merge(coordinator, &[second]));
    assert!(matches!(err, PacketError::Replayed { .. }), "{err}");
}

#[test]
fn only_the_coordinator_laptop_signs_for_the_team() {
    let t = team3();
    // A volunteer on the coordinator laptop.
    t.coordinator
        .vault
        .coordinator()
        .unwrap()
        .add_user("vol-4", Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    let volunteer =
        Vault::unlock(t.coordinator.dir.path(), "vol-4", &Passphrase::from(PASS)).unwrap();
    let request =
        read_request(&std::fs::read(t.coordinator.path("laptop a.request")).unwrap()).unwrap();
    assert!(matches!(
        volunteer.coordinator().map(|_| ()),
        Err(VaultError::NotCoordinator)
    ));
    // Even inside the crate, its session cannot open the team key.
    let sealed: Vec<u8> = volunteer
        .conn()
        .query_row("SELECT sealed FROM team_key", [], |r| r.get(0))
        .unwrap();
    let team_id = uuid::Uuid::parse_str(&team_info(&volunteer).unwrap().unwrap().team_id).unwrap();
    assert!(matches!(
        keys::open_team_key(&volunteer, &team_id, &sealed),
        Err(TeamError::NotTeamCoordinator)
    ));
    drop(volunteer);
    // A member laptop's own coordinator holds no team key.
    let out = t.b.path("x.team");
    let err = invite(&t.b.vault.coordinator().unwrap(), &request, &out, false).unwrap_err();
    assert!(matches!(err, TeamError::NotTeamCoordinator), "{err}");
    assert!(!out.exists());
    // A team record edited in a member's database does not verify.
    t.b.vault
        .conn()
        .execute(
            "UPDATE team_membership SET record = replace(record, 'laptop a', 'laptop z')",
            [],
        )
        .unwrap();
    assert!(matches!(
        team_info(&t.b.vault),
        Err(TeamError::Damaged { .. })
    ));
    // Enrolling twice with the same keys changes nothing; a team file for
    // another laptop is refused.
    let again = invite(
        &t.coordinator.vault.coordinator().unwrap(),
        &request,
        &t.coordinator.path("again.team"),
        false,
    )
    .unwrap();
    assert!(again.already_enrolled);
    let err = enrol(
        &t.b.vault.coordinator().unwrap(),
        &std::fs::read(t.coordinator.path("again.team")).unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(err, TeamError::Damaged { .. } | TeamError::NotEnrolled),
        "{err}"
    );
    let c = Laptop::new("cy-5");
    laptop(&c.vault).unwrap();
    let err = enrol(
        &c.vault.coordinator().unwrap(),
        &std::fs::read(t.coordinator.path("again.team")).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, TeamError::NotEnrolled), "{err}");
    // A laptop not in a team exports no bundle.
    let err = export::export_bundle(
        &c.vault.coordinator().unwrap(),
        &march(),
        &c.path("n.age"),
        false,
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::Team(TeamError::NoTeam)), "{err}");
}

#[test]
fn requests_are_checked_and_packets_name_their_stream() {
    let t = team3();
    let path = t.coordinator.path("laptop b.request");
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // An altered request (a handle added) fails its own signature.
    let altered = text.replace("bo-2", "bo-3");
    assert!(matches!(
        read_request(altered.as_bytes()),
        Err(TeamError::InvalidRequest { .. })
    ));
    assert!(matches!(
        read_request(b"{}"),
        Err(TeamError::InvalidRequest { .. })
    ));
    let request = read_request(text.as_bytes()).unwrap();
    assert_eq!(request.handles, ["bo-2"]);
    // A packet sealed for the coordinator stream is refused where another
    // stream is expected.
    let sealed = seal_from(&t.a.vault, PacketKind::SummaryBundle, b"{}");
    let plain = zeroize::Zeroizing::new(unseal(&t.coordinator.vault, &sealed));
    let (team, _) = coordinated_team(&t.coordinator.vault.coordinator().unwrap()).unwrap();
    let err = packet::open_plaintext(plain.clone(), &team, &[Stream::Team]).unwrap_err();
    assert_eq!(err, PacketError::NotForThisLaptop);
    let opened = packet::open_plaintext(plain, &team, &[Stream::Coordinator]).unwrap();
    assert_eq!(opened.header.prev, 0);
    assert_eq!(opened.sender_name, "laptop a");
    // A bundle of bad content, correctly signed, is refused as a bundle.
    let bad = seal_from(&t.a.vault, PacketKind::SummaryBundle, b"{\"schema\":\"x\"}");
    let err = merge(&t.coordinator.vault, &[bad]).unwrap_err();
    assert!(matches!(err, ExportError::ForeignSchema { .. }), "{err}");
}

/// `docs/TEAM.md` lists every refusal of a packet, and the format version.
#[test]
fn the_team_page_lists_every_packet_refusal() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TEAM.md"))
        .expect("docs/TEAM.md is readable");
    for code in crate::errors::ErrorCode::ALL {
        let update = [
            "managed_by_team",
            "update_not_shared",
            "update_stale",
            "update_invalid",
            "team_pin_pending",
        ];
        if code.as_str().starts_with("packet_") || update.contains(&code.as_str()) {
            assert!(page.contains(&format!("`{}`", code.as_str())), "{code:?}");
        }
    }
    assert!(page.contains(&format!("reads **{PACKET_FORMAT}**")));
    assert!(page.contains(&format!("`{}`", PacketKind::SummaryBundle.as_str())));
    assert!(page.contains(&format!("`{}`", PacketKind::CoordinatorUpdate.as_str())));
    assert!(page.contains(&format!("`{}`", PacketKind::CaseDocument.as_str())));
    for kind in UpdateKind::ALL {
        assert!(
            page.contains(&format!("| `{}` |", kind.as_str())),
            "{kind:?}"
        );
    }
}

/// Each vault's laptop keys are made once; the stored age identity is the
/// one its recipient names, and the seed is not the public key.
#[test]
fn laptop_keys_are_made_once_and_match() {
    let a = Laptop::new("ana-1");
    let first = laptop(&a.vault).unwrap();
    assert_eq!(laptop(&a.vault).unwrap(), first, "made once");
    let (identity, recipient, seed): (String, String, Vec<u8>) = a
        .vault
        .conn()
        .query_row(
            "SELECT age_identity, recipient, signing_seed FROM team_laptop",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let parsed: age::x25519::Identity = identity.parse().unwrap();
    assert_eq!(parsed.to_public().to_string(), recipient);
    let key = keys::SigningSeed::from_bytes(&seed, keys::KeyRole::Laptop).unwrap();
    assert_ne!(key.public().to_hex(), hex::encode(&seed));
    let other = laptop(&Laptop::new("bo-2").vault).unwrap();
    assert_ne!(other.fingerprint, first.fingerprint);
    assert_ne!(other.laptop_id, first.laptop_id);
}
