//! The team folder on real vaults: a coordinator laptop and member laptops
//! in temporary folders, exchanging packets through one shared folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use tempfile::TempDir;
use uuid::Uuid;

use super::packet::{self, Stream};
use super::testing::join;
use super::*;
use crate::calls::{self, CallerRelation, NewCall, OldCalls};
use crate::codes::Category;
use crate::errors::ErrorCode;
use crate::vault::{Passphrase, Vault};

const PASS: &str = "maple kettle harbor 42";
const CANARY: &str = "CANARY-91c2-team-folder";

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

    fn id(&self) -> Uuid {
        Uuid::parse_str(&laptop(&self.vault).unwrap().laptop_id).unwrap()
    }

    fn sync(&self, folder: &Path) -> SyncReport {
        sync(&self.vault, folder, &mut |_| {}, &AtomicBool::new(false)).unwrap()
    }

    fn team(&self) -> TeamInfo {
        team_info(&self.vault).unwrap().unwrap()
    }
}

/// A coordinator laptop and enrolled laptops, and the shared folder.
struct Net {
    folder: TempDir,
    coordinator: Laptop,
    members: Vec<Laptop>,
}

impl Net {
    fn new(members: &[&str]) -> Self {
        let coordinator = Laptop::new("river-7");
        create_team(&coordinator.vault.coordinator().unwrap(), "Dane hotline").unwrap();
        let members = members
            .iter()
            .map(|handle| {
                let laptop = Laptop::new(handle);
                join(
                    &coordinator.vault,
                    &laptop.vault,
                    handle,
                    coordinator.dir.path(),
                );
                laptop
            })
            .collect();
        Self {
            folder: tempfile::tempdir().unwrap(),
            coordinator,
            members,
        }
    }

    fn dir(&self) -> &Path {
        self.folder.path()
    }

    /// The folder of packets for `laptop`.
    fn inbox(&self, laptop: &Laptop) -> PathBuf {
        let team = self.coordinator.team().team_id;
        self.dir().join(team).join(format!("to-{}", laptop.id()))
    }

    fn enrol(&self, handle: &str) -> Laptop {
        let laptop = Laptop::new(handle);
        join(
            &self.coordinator.vault,
            &laptop.vault,
            handle,
            self.coordinator.dir.path(),
        );
        laptop
    }
}

/// The file names in `dir`, sorted (none if it does not exist).
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Everything of the team a laptop stores that a packet could change.
fn team_tables(vault: &Vault) -> (String, Vec<(String, String, i64)>, i64, i64) {
    let conn = vault.conn();
    let record: String = conn
        .query_row("SELECT record FROM team_membership", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT sender, stream, last_seq FROM team_streams ORDER BY sender, stream")
        .unwrap();
    let streams = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let held: i64 = conn
        .query_row("SELECT count(*) FROM team_held_packets", [], |r| r.get(0))
        .unwrap();
    let next_seq: i64 = conn
        .query_row("SELECT next_seq FROM team_laptop", [], |r| r.get(0))
        .unwrap();
    (record, streams, held, next_seq)
}

/// Seal a packet by hand from `from` to laptop `to`, signed with `from`'s
/// laptop key, whatever the kind demands.
fn seal_by_hand(from: &Vault, to: &Laptop, kind: PacketKind, payload: &[u8]) -> Vec<u8> {
    let (team, keys) = member_team(from.read(), from.coordinator_public()).unwrap();
    let recipient = member_team(to.vault.read(), to.vault.coordinator_public())
        .unwrap()
        .0
        .member(&to.id())
        .unwrap()
        .recipient
        .clone();
    let tx = from.write().unwrap();
    let (bytes, _) = packet::seal(
        &tx,
        &team,
        (keys.id, &keys.signing),
        packet::Outgoing {
            to: Stream::Laptop(to.id()),
            kind,
            payload,
        },
        &[keys::recipient(&recipient).unwrap()],
    )
    .unwrap();
    tx.commit().unwrap();
    bytes
}

#[test]
fn the_team_record_travels_so_a_revocation_and_a_new_laptop_reach_every_laptop() {
    let net = Net::new(&["ana-1", "cy-3"]);
    let (c, a, cy) = (&net.coordinator, &net.members[0], &net.members[1]);
    assert_eq!(a.team().members.len(), 2, "A enrolled before C");

    let sent = c.sync(net.dir());
    assert_eq!(sent.sent, 2, "one record for each member");
    assert_eq!(
        c.sync(net.dir()).sent,
        0,
        "the same content is not sent twice"
    );
    let got = a.sync(net.dir());
    assert_eq!((got.applied, got.deleted), (1, 1), "{got:?}");
    assert_eq!(a.team().members.len(), 3, "A now knows C");
    assert!(names(&net.inbox(a)).is_empty(), "the applied file is gone");

    // The coordinator revokes C; C sends A a packet after its cut-off
    // before A has synced.
    let cut = team_tables(&cy.vault).3 as u64 - 1;
    revoke(&c.vault.coordinator().unwrap(), &cy.id().to_string(), cut).unwrap();
    assert_eq!(c.sync(net.dir()).sent, 1, "only A: C is revoked");
    let late = seal_by_hand(&cy.vault, a, PacketKind::SummaryBundle, b"{}");
    let late_name = format!("{}-{}.hdpacket", cy.id(), cut + 1);
    std::fs::write(net.inbox(a).join(&late_name), &late).unwrap();
    let got = a.sync(net.dir());
    assert_eq!(got.applied, 1, "the new record first");
    assert_eq!(got.refused.len(), 1, "{got:?}");
    assert_eq!(got.refused[0].file, late_name);
    assert_eq!(got.refused[0].code, ErrorCode::PacketRevokedSender);
    assert!(net.inbox(a).join(&late_name).exists(), "a refusal stays");
    let mine = a.team();
    let revoked = mine
        .members
        .iter()
        .find(|m| m.laptop_id == cy.id().to_string())
        .unwrap();
    assert_eq!(revoked.revoked_after, Some(cut));

    // A laptop enrolled later is known to A after a sync; it gets the
    // record too and applies it as not newer.
    let d = net.enrol("dee-4");
    let sent = c.sync(net.dir());
    assert_eq!(sent.sent, 2, "A and D");
    a.sync(net.dir());
    assert!(a.team().members.iter().any(|m| m.name == "dee-4"));
    let got = d.sync(net.dir());
    assert_eq!((got.applied, got.deleted), (1, 1), "{got:?}");
    assert_eq!(d.team().revision, c.team().revision);
    // C, revoked, got nothing after its revocation.
    assert_eq!(names(&net.inbox(cy)).len(), 1, "only the first record");
}

#[test]
fn a_packet_that_comes_early_is_held_then_applied() {
    let net = Net::new(&["ana-1"]);
    let (c, a) = (&net.coordinator, &net.members[0]);
    c.sync(net.dir());
    let first = names(&net.inbox(a));
    assert_eq!(first.len(), 1);
    let _b = net.enrol("bo-2");
    c.sync(net.dir());
    let both = names(&net.inbox(a));
    assert_eq!(both.len(), 2);
    let away = net.dir().join("away");
    std::fs::rename(net.inbox(a).join(&first[0]), &away).unwrap();

    let got = a.sync(net.dir());
    assert_eq!(got.applied, 0);
    assert_eq!(got.held.len(), 1, "{got:?}");
    let seq_first: u64 = first[0]
        .trim_end_matches(".hdpacket")
        .rsplit_once('-')
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert_eq!(
        got.held[0].waiting_for, seq_first,
        "it names the missing one"
    );
    assert_eq!(team_tables(&a.vault).2, 1, "held in the vault");
    assert_eq!(a.team().members.len(), 2, "nothing applied");
    assert_eq!(names(&net.inbox(a)).len(), 1, "the held file stays");

    std::fs::rename(&away, net.inbox(a).join(&first[0])).unwrap();
    let got = a.sync(net.dir());
    assert_eq!((got.applied, got.deleted), (2, 2), "{got:?}");
    assert!(got.held.is_empty());
    assert_eq!(team_tables(&a.vault).2, 0);
    assert_eq!(a.team().members.len(), 3);
    assert!(names(&net.inbox(a)).is_empty());
}

#[test]
fn forged_replayed_foreign_and_volunteer_team_packets_are_refused_and_change_nothing() {
    let net = Net::new(&["ana-1", "bo-2"]);
    let (c, a, b) = (&net.coordinator, &net.members[0], &net.members[1]);
    c.sync(net.dir());
    let applied = names(&net.inbox(a));
    let record = std::fs::read(net.inbox(a).join(&applied[0])).unwrap();
    a.sync(net.dir());
    let before = team_tables(&a.vault);
    let inbox = net.inbox(a);

    // A replay of the applied file: deleted, nothing changes.
    std::fs::write(inbox.join(&applied[0]), &record).unwrap();
    // An altered byte.
    let mut altered = record.clone();
    let at = altered.len() - 10;
    altered[at] ^= 1;
    let c_id = c.id();
    std::fs::write(inbox.join(format!("{c_id}-90.hdpacket")), &altered).unwrap();
    // A forged team record: the plaintext changed and sealed again to A.
    let identity = super::enrol::laptop_identity(a.vault.read()).unwrap();
    let plain = {
        let decryptor = age::Decryptor::new_buffered(&record[..]).unwrap();
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap();
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut buf).unwrap();
        buf
    };
    let mut forged = plain.clone();
    let at = forged.len() - 100;
    forged[at] ^= 1;
    let forged = crate::export::testing_encrypt(&identity.to_public().to_string(), &forged);
    std::fs::write(inbox.join(format!("{c_id}-91.hdpacket")), &forged).unwrap();
    // A volunteer laptop (B) sealing a team kind with its own key.
    let pushed = seal_by_hand(&b.vault, a, PacketKind::TeamRecord, &plain);
    std::fs::write(inbox.join(format!("{}-92.hdpacket", b.id())), &pushed).unwrap();
    // The coordinator laptop sealing a team kind with its laptop key.
    let laptop_signed = seal_by_hand(&c.vault, a, PacketKind::TeamRecord, &plain);
    std::fs::write(inbox.join(format!("{c_id}-93.hdpacket")), &laptop_signed).unwrap();
    // Another team's coordinator, to A's key.
    let other = Laptop::new("oz-8");
    create_team(&other.vault.coordinator().unwrap(), "elsewhere").unwrap();
    let foreign = {
        let (team, keys) =
            member_team(other.vault.read(), other.vault.coordinator_public()).unwrap();
        let tx = other.vault.write().unwrap();
        let (bytes, _) = packet::seal(
            &tx,
            &team,
            (keys.id, &keys.signing),
            packet::Outgoing {
                to: Stream::Laptop(a.id()),
                kind: PacketKind::SummaryBundle,
                payload: b"{}",
            },
            &[identity.to_public()],
        )
        .unwrap();
        tx.commit().unwrap();
        bytes
    };
    std::fs::write(inbox.join(format!("{}-1.hdpacket", other.id())), &foreign).unwrap();
    // Foreign files of the folder are not packets: ignored, untouched.
    std::fs::write(inbox.join(".syncthing.x.hdpacket.tmp"), b"half").unwrap();
    std::fs::write(inbox.join("README.txt"), b"notes").unwrap();

    let got = a.sync(net.dir());
    assert_eq!(got.applied, 0, "{got:?}");
    assert_eq!(got.deleted, 1, "the replay is removed");
    let mut codes: Vec<(String, ErrorCode)> = got
        .refused
        .iter()
        .map(|r| (r.file.clone(), r.code))
        .collect();
    codes.sort_by(|x, y| x.0.cmp(&y.0));
    let mut expected = vec![
        (format!("{c_id}-90.hdpacket"), ErrorCode::PacketAltered),
        (format!("{c_id}-91.hdpacket"), ErrorCode::PacketForged),
        (
            format!("{}-92.hdpacket", b.id()),
            ErrorCode::PacketNotAllowed,
        ),
        (format!("{c_id}-93.hdpacket"), ErrorCode::PacketForged),
        (
            format!("{}-1.hdpacket", other.id()),
            ErrorCode::PacketForeignTeam,
        ),
    ];
    expected.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(codes, expected, "each refused once, with its code");
    assert_eq!(team_tables(&a.vault), before, "nothing changed");
    let left = names(&inbox);
    assert_eq!(
        left.len(),
        7,
        "every refused file and the foreign ones stay"
    );
    assert!(!left.contains(&applied[0]));
    // Refused again at the next sync, still changing nothing.
    let again = a.sync(net.dir());
    assert_eq!(again.refused.len(), 5);
    assert_eq!(team_tables(&a.vault), before);
}

#[test]
fn a_stopped_sync_ends_after_the_packet_in_hand_and_the_next_one_finishes() {
    let net = Net::new(&["ana-1", "bo-2", "cy-3"]);
    let c = &net.coordinator;
    let stop = AtomicBool::new(false);
    let mut seen = Vec::new();
    let report = sync(
        &c.vault,
        net.dir(),
        &mut |p| {
            seen.push(p);
            stop.store(true, Ordering::SeqCst);
        },
        &stop,
    )
    .unwrap();
    assert!(report.stopped);
    assert_eq!(report.sent, 1, "the packet in hand was finished");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].stage, SyncStage::Sending);
    assert_eq!(seen[0].total, 3);
    let report = c.sync(net.dir());
    assert!(!report.stopped);
    assert_eq!(report.sent, 2, "the rest, and not the first again");
    for m in &net.members {
        assert_eq!(names(&net.inbox(m)).len(), 1);
        assert_eq!(m.sync(net.dir()).applied, 1);
    }
}

#[test]
fn the_folder_holds_only_ciphertext_and_a_sender_removes_its_expired_files() {
    let net = Net::new(&["ana-1", "bo-2"]);
    let c = &net.coordinator;
    for laptop in std::iter::once(c).chain(&net.members) {
        let mut call = NewCall::required(
            chrono::Utc::now() - chrono::Duration::days(1),
            "es",
            CallerRelation::Witness,
            Category::ALL[0],
        );
        call.notes = format!("seen near the school {CANARY}");
        calls::create_many(&laptop.vault, vec![call], OldCalls::Accept).unwrap();
    }
    c.sync(net.dir());
    net.members[0].sync(net.dir());
    let mut files = Vec::new();
    let mut stack = vec![net.dir().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert_eq!(files.len(), 1, "B's record is still in flight");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in [CANARY, "Dane hotline", "river-7", "ana-1"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in {}",
                file.display()
            );
        }
        assert!(bytes.starts_with(b"age-encryption.org/v1"));
    }

    // Older than the expiry: the sender deletes it; B reports nothing to apply.
    c.vault
        .conn()
        .execute(
            "UPDATE team_outbox SET written_at = written_at - ?1",
            [i64::try_from(PACKET_EXPIRY_DAYS * 86_400 + 60).unwrap()],
        )
        .unwrap();
    let report = c.sync(net.dir());
    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(report.sent, 0);
    assert!(names(&net.inbox(&net.members[1])).is_empty());
    assert_eq!(c.sync(net.dir()).expired, 0, "once");
}

#[test]
fn a_sync_needs_a_folder_and_a_team() {
    let net = Net::new(&[]);
    let missing = net.dir().join("nowhere");
    let err = sync(
        &net.coordinator.vault,
        &missing,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(matches!(err, TeamError::Folder { .. }), "{err}");
    assert!(err.to_string().contains("nowhere"));
    let alone = Laptop::new("solo-1");
    let err = sync(
        &alone.vault,
        net.dir(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(matches!(err, TeamError::NoTeam), "{err}");
}

/// `docs/TEAM.md` states the folder's layout, the expiry and the kind.
#[test]
fn the_team_page_states_the_folder_rules() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TEAM.md"))
        .expect("docs/TEAM.md is readable");
    assert!(page.contains(&format!(
        "DIR/<team id>/to-<laptop id>/<sender laptop id>-<seq>.{PACKET_EXTENSION}"
    )));
    assert!(page.contains(&format!("more than **{PACKET_EXPIRY_DAYS} days** ago")));
    assert!(page.contains(&format!("`{}`", PacketKind::TeamRecord.as_str())));
    assert!(page.contains("## Setting up Syncthing for a team"));
}

/// Anyone syncs; only a coordinator's session on the coordinator laptop
/// sends the team record (it alone opens the team key).
#[test]
fn a_volunteer_syncs_but_only_a_coordinator_sends_the_team_record() {
    let net = Net::new(&["ana-1"]);
    let (c, a) = (&net.coordinator, &net.members[0]);
    for laptop in [c, a] {
        laptop
            .vault
            .coordinator()
            .unwrap()
            .add_user(
                "vol-4",
                crate::vault::Role::Volunteer,
                &Passphrase::from(PASS),
            )
            .unwrap();
    }
    let volunteer = |l: &Laptop| Vault::unlock(l.dir.path(), "vol-4", &Passphrase::from(PASS));
    let on_c = volunteer(c).unwrap();
    let report = sync(&on_c, net.dir(), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(report.sent, 0, "a volunteer's session holds no team key");
    drop(on_c);
    assert_eq!(c.sync(net.dir()).sent, 1);
    let on_a = volunteer(a).unwrap();
    let report = sync(&on_a, net.dir(), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(report.applied, 1, "a volunteer receives");
}

/// A coordinator's settings reach every member through the folder, applied
/// in a volunteer's session and read there as signed by the team; an
/// authentic update of a kind the team no longer shares is used up (its
/// file deleted, reported) and does not hold back the packets after it.
#[test]
fn coordinator_updates_reach_every_member_through_the_folder() {
    let net = Net::new(&["ana-1", "cy-3"]);
    let (c, a, cy) = (&net.coordinator, &net.members[0], &net.members[1]);
    let coordinator = c.vault.coordinator().unwrap();
    share(
        &coordinator,
        &[UpdateKind::Retention, UpdateKind::AutoLock],
        true,
    )
    .unwrap();
    calls::set_retention_days(&coordinator, 45).unwrap();
    coordinator.set_auto_lock_minutes(12).unwrap();
    assert_eq!(
        c.sync(net.dir()).sent,
        6,
        "the record and two updates for each member"
    );
    a.vault
        .coordinator()
        .unwrap()
        .add_user(
            "vol-4",
            crate::vault::Role::Volunteer,
            &Passphrase::from(PASS),
        )
        .unwrap();
    let on_a = Vault::unlock(a.dir.path(), "vol-4", &Passphrase::from(PASS)).unwrap();
    let report = sync(&on_a, net.dir(), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!((report.applied, report.refused.len()), (3, 0), "{report:?}");
    assert_eq!(calls::retention_days(&on_a).unwrap(), 45);
    assert_eq!(on_a.auto_lock_minutes().unwrap(), 12);
    assert!(
        crate::vault::signed::refusals_now(on_a.read(), on_a.coordinator_public())
            .unwrap()
            .is_empty(),
        "the team's records verify on A"
    );
    drop(on_a);
    assert_eq!(cy.sync(net.dir()).applied, 3);
    assert_eq!(calls::retention_days(&cy.vault).unwrap(), 45);
    assert!(names(&net.inbox(a)).is_empty(), "applied files are deleted");

    // An update sealed while auto-lock was shared, delivered after the
    // record that stops sharing it.
    let coordinator = c.vault.coordinator().unwrap();
    let (team, key) = coordinated_team(&coordinator).unwrap();
    coordinator.set_auto_lock_minutes(20).unwrap();
    let member = team.member(&a.id()).unwrap().clone();
    let (_, _, stale) = updates::outgoing(&coordinator, &member, &|_| 0)
        .unwrap()
        .into_iter()
        .find(|(kind, _, _)| *kind == UpdateKind::AutoLock)
        .unwrap();
    share(&coordinator, &[UpdateKind::AutoLock], false).unwrap();
    c.sync(net.dir());
    let (team, _) = coordinated_team(&c.vault.coordinator().unwrap()).unwrap();
    let tx = c.vault.write().unwrap();
    let (bytes, header) = packet::seal(
        &tx,
        &team,
        (c.id(), &key),
        packet::Outgoing {
            to: Stream::Laptop(a.id()),
            kind: PacketKind::CoordinatorUpdate,
            payload: &stale,
        },
        &[keys::recipient(&member.recipient).unwrap()],
    )
    .unwrap();
    tx.commit().unwrap();
    let name = format!("{}-{}.{PACKET_EXTENSION}", c.id(), header.seq);
    std::fs::write(net.inbox(a).join(&name), bytes).unwrap();
    calls::set_retention_days(&c.vault.coordinator().unwrap(), 60).unwrap();
    c.sync(net.dir());

    let report = a.sync(net.dir());
    assert_eq!(report.applied, 2, "the record and the new retention");
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert_eq!(report.refused[0].file, name);
    assert_eq!(report.refused[0].code, ErrorCode::UpdateNotShared);
    assert!(
        names(&net.inbox(a)).is_empty(),
        "the used-up file is deleted"
    );
    assert_eq!(calls::retention_days(&a.vault).unwrap(), 60);
    assert_eq!(a.vault.auto_lock_minutes().unwrap(), 12, "left as it was");
}
