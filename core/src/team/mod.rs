//! One hotline, many laptops: the team, its members, their keys, and the
//! signed packets that travel between them. `docs/TEAM.md` states the
//! format and the rules; this module keeps them.
//!
//! - [`keys`]: the TEAM signing key (sealed under the coordinator key, on
//!   the laptop that created the team) and each vault's LAPTOP keys (an
//!   Ed25519 signing key and an age X25519 identity), and fingerprints;
//! - [`enrol`]: creating a team, a new laptop's enrolment request, the
//!   coordinator's invitation (the team record, signed with the team key,
//!   listing every member laptop with its keys, handles, first sequence
//!   number and revocation cut-off), joining, revoking;
//! - [`packet`]: the envelope of everything that travels (format version,
//!   team, sender, sequence number, stream, kind, payload; signed by the
//!   sender, encrypted with age to its recipients), its checks on receipt,
//!   each sender's sequence state and the packets held until a gap fills;
//! - [`sync`]: the team folder, where each laptop finds the packets for it
//!   and leaves those for the others (the team record travels this way);
//! - [`updates`]: coordinator updates (the active pack, areas, referrals,
//!   retention, auto-lock), each a team-signed snapshot with a version,
//!   and how a member laptop applies them;
//! - [`restore`]: restore as a new laptop forgets the old laptop's team
//!   keys and state, so that it enrols afresh.
//!
//! Aggregate bundles (`export::export_bundle`, `export::merge_bundles`)
//! are packets of kind [`PacketKind::SummaryBundle`].

mod enrol;
pub(crate) mod keys;
pub(crate) mod packet;
mod restore;
mod sync;
pub(crate) mod updates;

#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;

pub use enrol::{
    EnrolmentRequest, Invited, LaptopInfo, MemberInfo, TeamInfo, create_team, enrol, invite,
    laptop, read_request, request_enrolment, revoke, share, team_info,
};
pub(crate) use enrol::{
    coordinated_team, member_team, pinned_team_key, resign_pin, sign_pending_pin,
};
pub use keys::FINGERPRINT_WORDS;
pub(crate) use keys::{TEAM_KEY_ROTATION_SQL, carry_team_key, settle_team_key};
pub use packet::{PACKET_FORMAT, PacketError, PacketKind};
pub use restore::ForgottenLaptop;
pub(crate) use restore::forget_laptop;
pub(crate) use sync::TEAM_OUTBOX_SQL;
pub use sync::{
    HeldPacket, PACKET_EXPIRY_DAYS, PACKET_EXTENSION, RefusedFile, SyncProgress, SyncReport,
    SyncStage, sync,
};
pub use updates::UpdateKind;
pub(crate) use updates::{UPDATES_SQL, refuse_if_managed, verifies_setting};

use crate::vault::VaultError;

/// Migration SQL of the team tables: this laptop's keys and sequence
/// counter, the team key (coordinator laptop only, sealed under the
/// coordinator key), the signed team record this laptop trusts, the last
/// packet sent and applied on each stream, and the packets held until a
/// gap fills. Idempotent (`IF NOT EXISTS`): running it again on a
/// database whose `user_version` was set back below it keeps the tables.
pub(crate) const TEAM_SQL: &str = "
    CREATE TABLE IF NOT EXISTS team_laptop (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        laptop_id    TEXT NOT NULL,
        signing_seed BLOB NOT NULL CHECK (length(signing_seed) = 32),
        age_identity TEXT NOT NULL,
        recipient    TEXT NOT NULL,
        next_seq     INTEGER NOT NULL CHECK (next_seq >= 1),
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS team_key (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        team_id    TEXT NOT NULL,
        sealed     BLOB NOT NULL,
        public     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS team_membership (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        team_id   TEXT NOT NULL,
        team_key  TEXT NOT NULL,
        revision  INTEGER NOT NULL,
        record    TEXT NOT NULL CHECK (json_valid(record)),
        joined_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS team_sent (
        stream   TEXT PRIMARY KEY NOT NULL,
        last_seq INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS team_streams (
        sender   TEXT NOT NULL,
        stream   TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (sender, stream)
    ) STRICT;
    CREATE TABLE IF NOT EXISTS team_held_packets (
        sender   TEXT NOT NULL,
        seq      INTEGER NOT NULL,
        stream   TEXT NOT NULL,
        prev     INTEGER NOT NULL,
        kind     TEXT NOT NULL,
        packet   BLOB NOT NULL,
        held_at  INTEGER NOT NULL,
        PRIMARY KEY (sender, seq)
    ) STRICT;
";

/// Everything that can go wrong with a team. Messages never contain keys
/// or anything about a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TeamError {
    /// This laptop belongs to no team.
    #[error(
        "this laptop is not in a team: create one (`hotline team create`) or enrol it (`hotline team request`, then `hotline team enrol`)"
    )]
    NoTeam,
    /// This laptop belongs to a team already.
    #[error("this laptop is already in team {team}; it cannot create or join another")]
    AlreadyInTeam {
        /// The team's name.
        team: String,
    },
    /// Only the coordinator laptop's coordinators hold the team key.
    #[error(
        "only a coordinator on the laptop that created the team can sign for it (enrol, revoke)"
    )]
    NotTeamCoordinator,
    /// An enrolment request file cannot be used.
    #[error("the enrolment request cannot be used: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: &'static str,
    },
    /// A team file cannot be used.
    #[error("the team file cannot be used: {reason}")]
    InvalidTeamFile {
        /// What is wrong.
        reason: &'static str,
    },
    /// The team file does not enrol this laptop with its keys.
    #[error("the team file does not enrol this laptop (it was made for another laptop's request)")]
    NotEnrolled,
    /// A field of a request or a command breaks a rule.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// No member laptop has that id.
    #[error("no laptop of the team has the id {id}")]
    UnknownLaptop {
        /// The id given.
        id: String,
    },
    /// A laptop id with those first characters is not unique.
    #[error("more than one laptop of the team has an id starting with {id}; give more of it")]
    AmbiguousLaptop {
        /// The prefix given.
        id: String,
    },
    /// A packet was refused.
    #[error(transparent)]
    Packet(#[from] PacketError),
    /// A coordinator update of a kind the team record this laptop holds
    /// does not share.
    #[error("the team does not share {kind} updates; this laptop refuses them")]
    UpdateNotShared {
        /// The update's kind.
        kind: &'static str,
    },
    /// A coordinator update not newer than the one applied.
    #[error(
        "this {kind} update (version {version}) is not newer than the one this laptop applied (version {have}): a replay or a stale copy"
    )]
    UpdateStale {
        /// The update's kind.
        kind: &'static str,
        /// Its version.
        version: u64,
        /// The version applied here.
        have: u64,
    },
    /// A coordinator update that cannot be applied as it is.
    #[error("the coordinator update cannot be used: {reason}")]
    UpdateInvalid {
        /// What is wrong.
        reason: &'static str,
    },
    /// The team key this laptop trusts waits for its coordinator's signature.
    #[error(
        "the team key this laptop trusts is not signed by its coordinator yet: a coordinator must unlock this laptop once"
    )]
    PinPending,
    /// A coordinator update's pack was refused.
    #[error("the coordinator update's pack was refused: {0}")]
    Pack(#[from] Box<crate::guidance::PackLibraryError>),
    /// A coordinator update's referral directory was refused.
    #[error("the coordinator update's referral directory was refused: {0}")]
    Referrals(#[from] Box<crate::referrals::ReferralError>),
    /// A case document was refused, or could not be built.
    #[error("the case document was refused: {0}")]
    Cases(#[from] Box<crate::calls::CallError>),
    /// Stored team data is damaged.
    #[error("the stored team data is damaged: {reason}")]
    Damaged {
        /// What is wrong.
        reason: &'static str,
    },
    /// The team folder cannot be read or written.
    #[error("the team folder {path} cannot be used: {reason}")]
    Folder {
        /// The folder or file.
        path: String,
        /// Why (the operating system's reason, or that it is not a folder).
        reason: String,
    },
    /// An output file exists and overwriting was not asked for.
    #[error("{path} already exists; pass --force to overwrite it")]
    OutputExists {
        /// The file.
        path: String,
    },
    /// An output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// A cipher failed.
    #[error("a cryptographic operation failed")]
    Crypto,
    /// The vault refused.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A database operation failed.
    #[error("database error: {0}")]
    Database(#[source] rusqlite::Error),
}

crate::store::damage_aware_from_sqlite!(TeamError);

/// Write `bytes` to `path`: a new file, or (with `force`) over an existing one.
pub(crate) fn write_output(
    path: &std::path::Path,
    bytes: &[u8],
    force: bool,
) -> Result<(), TeamError> {
    use crate::output::OutputError;
    crate::output::write_file(path, bytes, force).map_err(|err| match err {
        OutputError::Exists => TeamError::OutputExists {
            path: path.display().to_string(),
        },
        OutputError::Io(source) => TeamError::Write {
            path: path.display().to_string(),
            source,
        },
    })
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for tests: enrol a laptop, and seal or unseal packets by hand.

    use std::path::Path;

    use super::packet::{self, Stream};
    use super::{PacketKind, TeamInfo, enrol, invite, read_request, request_enrolment};
    use crate::vault::Vault;

    /// Enrol `laptop` into `coordinator`'s team through the files a person
    /// would carry (written in `dir`), and return the fingerprints each
    /// side showed: (laptop on its screen, laptop on the coordinator's,
    /// team on the laptop's).
    pub(crate) fn join(
        coordinator: &Vault,
        laptop: &Vault,
        name: &str,
        dir: &Path,
    ) -> (String, String, TeamInfo) {
        let request = dir.join(format!("{name}.request"));
        let team_file = dir.join(format!("{name}.team"));
        let shown = request_enrolment(&laptop.coordinator().unwrap(), name, &request, false)
            .unwrap()
            .fingerprint;
        let read = read_request(&std::fs::read(&request).unwrap()).unwrap();
        let invited = invite(
            &coordinator.coordinator().unwrap(),
            &read,
            &team_file,
            false,
        )
        .unwrap();
        let team = enrol(
            &laptop.coordinator().unwrap(),
            &std::fs::read(&team_file).unwrap(),
        )
        .unwrap();
        (shown, invited.laptop.fingerprint, team)
    }

    /// Seal `payload` as a packet of `kind` from `laptop` (its next number),
    /// encrypted to its team's coordinator.
    pub(crate) fn seal_from(laptop: &Vault, kind: PacketKind, payload: &[u8]) -> Vec<u8> {
        let (team, keys) = super::member_team(laptop.read(), laptop.coordinator_public()).unwrap();
        let recipient = super::keys::recipient(team.coordinator_recipient()).unwrap();
        let tx = laptop.write().unwrap();
        let (bytes, _) = packet::seal(
            &tx,
            &team,
            (keys.id, &keys.signing),
            packet::Outgoing {
                to: Stream::Coordinator,
                kind,
                payload,
            },
            &[recipient],
        )
        .unwrap();
        tx.commit().unwrap();
        bytes
    }

    /// The plaintext of a packet for `coordinator`'s bundle key.
    pub(crate) fn unseal(coordinator: &Vault, ciphertext: &[u8]) -> Vec<u8> {
        crate::export::testing_decrypt(coordinator, ciphertext)
    }
}
