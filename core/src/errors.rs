//! The one error map. Every error the core returns names its stable
//! [`ErrorCode`] (what the app's window branches on to show a translated
//! sentence) and, through the code, the exit status of the `hotline`
//! command. The shell and the CLI read this map; neither keeps its own.
//!
//! Each `impl Coded` below matches its enum exhaustively, so a new variant
//! does not compile until someone decides how it reaches a person. Only
//! faults nobody can explain to a volunteer (a database or I/O failure, a
//! failed random number generator) map to [`ErrorCode::Internal`].

use serde::Serialize;

use crate::about::AboutError;
use crate::calls::CallError;
use crate::export::ExportError;
use crate::guidance::{PackLibraryError, PlayerError};
use crate::hardening::HardeningError;
use crate::paths::PathError;
use crate::prefs::PrefsError;
use crate::referrals::ReferralError;
use crate::team::{PacketError, TeamError};
use crate::vault::VaultError;

/// Exit status of `hotline` for a failure nobody could explain.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of `hotline` for a failed authentication.
pub const EXIT_AUTH: u8 = 3;
/// Exit status of `hotline` for damaged or incompatible vault files.
pub const EXIT_DAMAGED: u8 = 4;
/// Exit status of `hotline` for a command line it cannot use (an unknown
/// option, a missing or malformed argument, a form that was retired).
pub const EXIT_USAGE: u8 = 2;

/// Every exit status of `hotline` other than 0, with what it means: the
/// list its `--help` prints. The codes behind each come from
/// [`ErrorCode::exit_status`].
pub const EXIT_STATUSES: &[(u8, &str)] = &[
    (EXIT_FAILURE, "refused or failed"),
    (EXIT_USAGE, "wrong usage"),
    (EXIT_AUTH, "authentication failed"),
    (EXIT_DAMAGED, "damaged or incompatible vault files"),
];

/// The error codes that end `hotline` with `status`, in declaration order.
pub fn codes_with_exit_status(status: u8) -> impl Iterator<Item = ErrorCode> {
    ErrorCode::ALL
        .iter()
        .copied()
        .filter(move |code| code.exit_status() == status)
}

/// Declares [`ErrorCode`] with its wire names in one list, so the list of
/// codes ([`ErrorCode::ALL`]) cannot miss one.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )+) => {
        /// Stable codes an error is known by outside the core (snake_case on
        /// the wire, `error.<code>` in the window's message catalogue).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as it travels (`wrong_handle_or_passphrase`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }
        }
    };
}

error_codes! {
    /// Something unexpected inside the app.
    Internal = "internal",
    /// The vault is locked.
    Locked = "locked",
    /// No vault exists yet.
    NoVault = "no_vault",
    /// A vault exists already.
    AlreadyExists = "already_exists",
    /// No user has that handle (a coordinator naming a user).
    UnknownHandle = "unknown_handle",
    /// The handle and passphrase open no key slot: which of the two is
    /// wrong cannot be told.
    WrongHandleOrPassphrase = "wrong_handle_or_passphrase",
    /// Every key slot is in use (`limit`).
    TooManyUsers = "too_many_users",
    /// Wait before the next unlock attempt.
    TooSoon = "too_soon",
    /// The new passphrase is too weak.
    WeakPassphrase = "weak_passphrase",
    /// The passphrase was set by a coordinator and must be changed first.
    PassphraseChangeRequired = "passphrase_change_required",
    /// The handle breaks the handle rules.
    InvalidHandle = "invalid_handle",
    /// The handle is in use.
    HandleTaken = "handle_taken",
    /// Needs a coordinator.
    NotCoordinator = "not_coordinator",
    /// Would remove the last coordinator.
    LastCoordinator = "last_coordinator",
    /// A coordinator tried to remove themselves.
    CannotRemoveSelf = "cannot_remove_self",
    /// A setting is out of range.
    InvalidSetting = "invalid_setting",
    /// The retention period is out of range.
    InvalidRetention = "invalid_retention",
    /// Vault files are damaged or do not match.
    DamagedVault = "damaged_vault",
    /// The vault was found damaged during this session: saving is switched
    /// off until it is restored from a backup.
    VaultReadOnly = "vault_read_only",
    /// The vault is from a newer app.
    SchemaTooNew = "schema_too_new",
    /// A backup file is damaged or not a backup.
    DamagedBackup = "damaged_backup",
    /// The audit log's chain or checkpoints show it was altered.
    AuditAltered = "audit_altered",
    /// The backup file exists already.
    BackupExists = "backup_exists",
    /// The request does not make sense (for example no script is running).
    InvalidInput = "invalid_input",
    /// A field is over its length limit (`field`, `limit`).
    TooLong = "too_long",
    /// A list has too many entries (`field`, `limit`).
    TooMany = "too_many",
    /// A text field holds a control character (`field`).
    ControlCharacter = "control_character",
    /// A field's value breaks a rule (`field`).
    InvalidField = "invalid_field",
    /// Call JSON could not be read.
    InvalidJson = "invalid_json",
    /// The verification step is not allowed.
    InvalidTransition = "invalid_transition",
    /// The call does not exist.
    NotFound = "not_found",
    /// An alert needs a call whose verification is `confirmed`.
    NotConfirmed = "not_confirmed",
    /// The follow-up task does not exist.
    FollowUpNotFound = "follow_up_not_found",
    /// A case cannot be closed while follow-up tasks are open.
    CaseOpenFollowUps = "case_open_follow_ups",
    /// A case document from another laptop cannot be applied.
    InvalidCaseDocument = "invalid_case_document",
    /// The area is not on the coordinator's list.
    UnknownArea = "unknown_area",
    /// An area with that name exists already.
    AreaExists = "area_exists",
    /// The call's free text was shredded by retention.
    Shredded = "shredded",
    /// The anonymity threshold is too low.
    ThresholdTooLow = "threshold_too_low",
    /// The period of an export is not usable.
    InvalidPeriod = "invalid_period",
    /// The export's output file exists already.
    OutputExists = "output_exists",
    /// The vault has no coordinator key yet.
    NoCoordinatorKey = "no_coordinator_key",
    /// The text is not a coordinator public key.
    InvalidRecipient = "invalid_recipient",
    /// A bundle cannot be merged (wrong key, damaged, foreign, duplicate).
    InvalidBundle = "invalid_bundle",
    /// A pack file has problems; `issues` lists each with its line and node.
    InvalidPack = "invalid_pack",
    /// A file is not UTF-8 text.
    NotUtf8 = "not_utf8",
    /// A pack file or text is over its size limit.
    PackTooLarge = "pack_too_large",
    /// The pack uses the built-in pack's id.
    ReservedPackId = "reserved_pack_id",
    /// No imported pack has that id, or the pack has no such source.
    UnknownPack = "unknown_pack",
    /// The built-in pack cannot be removed.
    CannotRemoveBuiltin = "cannot_remove_builtin",
    /// An attached text's paragraphs do not match the source (`expected`, `found`).
    ParagraphMismatch = "paragraph_mismatch",
    /// The source is not a seed article, so no text can be attached.
    NotSeedArticle = "not_seed_article",
    /// A stored pack no longer passes the checks.
    PackUnusable = "pack_unusable",
    /// A script move is not possible (the pack changed, or the script ended).
    ScriptMove = "script_move",
    /// No data folder could be found.
    NoDataDir = "no_data_dir",
    /// A referral directory entry breaks a rule (`field`).
    InvalidReferral = "invalid_referral",
    /// An entry of a referral directory file breaks a rule (`number`, `field`).
    InvalidReferralEntry = "invalid_referral_entry",
    /// The file is not a referral directory file (or not valid JSON).
    InvalidReferralFile = "invalid_referral_file",
    /// A call names a referral that is not in the directory (`number`).
    UnknownReferral = "unknown_referral",
    /// No directory entry has that id.
    ReferralNotFound = "referral_not_found",
    /// Panic erase at the lock screen is switched off.
    PanicEraseOff = "panic_erase_off",
    /// A call is dated more than a day ahead (`field`).
    ReceivedInFuture = "received_in_future",
    /// A call is older than the retention period, and that was not
    /// confirmed: its free text would be shredded at once (`field`).
    OlderThanRetention = "older_than_retention",
    /// A call names a volunteer this vault does not know (`field`).
    UnknownVolunteer = "unknown_volunteer",
    /// The data folder is a file, or is inside one.
    DataDirNotAFolder = "data_dir_not_a_folder",
    /// The data folder cannot be written.
    DataDirNotWritable = "data_dir_not_writable",
    /// The anonymity threshold is too high (`field`, `limit`).
    ThresholdTooHigh = "threshold_too_high",
    /// A text holds a broken character, a lone UTF-16 surrogate such as
    /// half an emoji (`field`). Rust strings cannot hold one, so the window
    /// finds it before a request is sent (`ui/src/lib/text.ts`).
    BrokenText = "broken_text",
    /// The notes hold an A-number, a birth country next to a person or an
    /// immigration status word, and storing them was not confirmed (`field`).
    NotesFlagged = "notes_flagged",
    /// This laptop is in no team yet.
    NoTeam = "no_team",
    /// This laptop is in a team already.
    AlreadyInTeam = "already_in_team",
    /// Only a coordinator on the laptop that created the team signs for it.
    NotTeamCoordinator = "not_team_coordinator",
    /// An enrolment request or team file cannot be used.
    InvalidEnrolment = "invalid_enrolment",
    /// The team file does not enrol this laptop.
    NotEnrolled = "not_enrolled",
    /// No laptop of the team has that id (or several start with it).
    UnknownLaptop = "unknown_laptop",
    /// A packet is not encrypted to this laptop (`number`).
    PacketNotForThisLaptop = "packet_not_for_this_laptop",
    /// A packet was altered or damaged after it was sealed (`number`).
    PacketAltered = "packet_altered",
    /// A packet (an old bundle) carries no signature (`number`).
    PacketUnsigned = "packet_unsigned",
    /// A packet's signature does not verify: forged (`number`).
    PacketForged = "packet_forged",
    /// A packet's sender may not send its kind (`number`).
    PacketNotAllowed = "packet_not_allowed",
    /// A packet was received before: a replay or a duplicate (`number`).
    PacketReplayed = "packet_replayed",
    /// A packet's sender was revoked before it sent it (`number`).
    PacketRevokedSender = "packet_revoked_sender",
    /// A packet belongs to another team (`number`).
    PacketForeignTeam = "packet_foreign_team",
    /// A packet's sender is not enrolled in the team (`number`).
    PacketUnknownSender = "packet_unknown_sender",
    /// A packet is of a newer format: update this laptop (`number`).
    PacketNewerFormat = "packet_newer_format",
    /// A packet came before an earlier one of its sender (`number`).
    PacketEarly = "packet_early",
    /// A packet is of another kind than expected (`number`).
    PacketWrongKind = "packet_wrong_kind",
    /// The team folder cannot be read or written.
    TeamFolder = "team_folder",
    // Coordinator updates (team step 2).
    /// A setting is managed by the team on this member laptop (`field`).
    ManagedByTeam = "managed_by_team",
    /// A coordinator update of a kind the team record does not share.
    UpdateNotShared = "update_not_shared",
    /// A coordinator update older than (or as old as) the one applied.
    UpdateStale = "update_stale",
    /// A coordinator update that is not well formed or not signed as it must be.
    UpdateInvalid = "update_invalid",
    /// The team key this laptop trusts is not signed by its coordinator yet.
    TeamPinPending = "team_pin_pending",
}

impl ErrorCode {
    /// Exit status of the `hotline` command for an error with this code.
    pub fn exit_status(self) -> u8 {
        match self {
            Self::WrongHandleOrPassphrase | Self::TooSoon => EXIT_AUTH,
            Self::DamagedVault
            | Self::VaultReadOnly
            | Self::SchemaTooNew
            | Self::DamagedBackup
            | Self::AuditAltered => EXIT_DAMAGED,
            _ => EXIT_FAILURE,
        }
    }
}

/// An error that knows how it reaches a person.
pub trait Coded: std::error::Error {
    /// Its stable code.
    fn code(&self) -> ErrorCode;

    /// The field concerned, named as in the call JSON (`notes`,
    /// `salute.size` …), where the error is about one field.
    fn field(&self) -> Option<&'static str> {
        None
    }

    /// The limit broken (bytes or entries), where there is one.
    fn limit(&self) -> Option<usize> {
        None
    }

    /// Which entry of a file, or item of a list, from 1, where the error is
    /// about one.
    fn number(&self) -> Option<usize> {
        None
    }

    /// Exit status of the `hotline` command for this error.
    fn exit_status(&self) -> u8 {
        self.code().exit_status()
    }
}

impl Coded for VaultError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::NoVault => C::NoVault,
            Self::AlreadyExists | Self::RestoreTargetExists => C::AlreadyExists,
            Self::UnknownHandle => C::UnknownHandle,
            Self::WrongHandleOrPassphrase => C::WrongHandleOrPassphrase,
            Self::TooManyUsers { .. } => C::TooManyUsers,
            Self::TooSoon { .. } => C::TooSoon,
            Self::WeakPassphrase { .. } => C::WeakPassphrase,
            Self::PassphraseChangeRequired => C::PassphraseChangeRequired,
            Self::InvalidHandle { .. } => C::InvalidHandle,
            Self::HandleTaken => C::HandleTaken,
            Self::NotCoordinator => C::NotCoordinator,
            Self::LastCoordinator => C::LastCoordinator,
            Self::CannotRemoveSelf => C::CannotRemoveSelf,
            Self::InvalidSetting { .. } => C::InvalidSetting,
            Self::ManagedByTeam { .. } => C::ManagedByTeam,
            Self::DamagedDatabase { .. }
            | Self::DamagedKeyFile { .. }
            | Self::KeySlotMismatch
            | Self::BadSignature => C::DamagedVault,
            Self::WritesRefused => C::VaultReadOnly,
            Self::SchemaTooNew { .. } => C::SchemaTooNew,
            Self::DamagedBackup { .. } => C::DamagedBackup,
            Self::AuditAltered { .. } => C::AuditAltered,
            Self::BackupExists => C::BackupExists,
            Self::PanicEraseOff => C::PanicEraseOff,
            Self::Retention(inner) => inner.code(),
            Self::InvalidAuditAction
            | Self::Io { .. }
            | Self::Database(_)
            | Self::KeyDerivation(_)
            | Self::Random
            | Self::Crypto => C::Internal,
        }
    }

    fn limit(&self) -> Option<usize> {
        match self {
            Self::TooManyUsers { limit } => Some(*limit),
            Self::Retention(inner) => inner.limit(),
            _ => None,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::ManagedByTeam { setting } => Some(setting),
            Self::Retention(inner) => inner.field(),
            _ => None,
        }
    }
}

impl Coded for CallError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::TooLong { .. } => C::TooLong,
            Self::TooMany { .. } => C::TooMany,
            Self::ControlCharacter { .. } => C::ControlCharacter,
            Self::Invalid { .. } => C::InvalidField,
            Self::InvalidTransition { .. } => C::InvalidTransition,
            Self::NotFound => C::NotFound,
            Self::NotConfirmed => C::NotConfirmed,
            Self::FollowUpNotFound => C::FollowUpNotFound,
            Self::CaseHasOpenFollowUps { .. } => C::CaseOpenFollowUps,
            Self::CaseDocument { .. } => C::InvalidCaseDocument,
            Self::InvalidId | Self::Json { .. } => C::InvalidJson,
            Self::UnknownArea => C::UnknownArea,
            Self::AreaExists => C::AreaExists,
            Self::Shredded => C::Shredded,
            Self::InvalidRetention { .. } => C::InvalidRetention,
            Self::UnknownReferral { .. } => C::UnknownReferral,
            Self::InFuture { .. } => C::ReceivedInFuture,
            Self::OlderThanRetention { .. } => C::OlderThanRetention,
            Self::UnknownVolunteer { .. } => C::UnknownVolunteer,
            Self::NotesFlagged { .. } => C::NotesFlagged,
            Self::InBatch { source, .. } => source.code(),
            Self::Vault(inner) => inner.code(),
            Self::Random | Self::Database(_) => C::Internal,
        }
    }

    fn number(&self) -> Option<usize> {
        match self {
            Self::UnknownReferral { number, .. } => Some(*number),
            Self::InBatch { source, .. } => source.number(),
            _ => None,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::TooLong { field, .. }
            | Self::TooMany { field, .. }
            | Self::ControlCharacter { field }
            | Self::Invalid { field, .. } => Some(field),
            Self::InFuture { .. } | Self::OlderThanRetention { .. } => Some("received_at"),
            Self::UnknownVolunteer { .. } => Some("volunteer"),
            Self::UnknownReferral { .. } => Some("referrals"),
            Self::NotesFlagged { .. } => Some("notes"),
            Self::CaseHasOpenFollowUps { .. } => Some("followups"),
            Self::InBatch { source, .. } => source.field(),
            Self::Vault(inner) => inner.field(),
            _ => None,
        }
    }

    fn limit(&self) -> Option<usize> {
        match self {
            Self::TooLong { limit, .. } | Self::TooMany { limit, .. } => Some(*limit),
            Self::InBatch { source, .. } => source.limit(),
            _ => None,
        }
    }
}

impl Coded for ExportError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::ThresholdTooLow { .. } => C::ThresholdTooLow,
            Self::ThresholdTooHigh { .. } => C::ThresholdTooHigh,
            Self::InvalidRange { .. } => C::InvalidPeriod,
            Self::OutputExists { .. } => C::OutputExists,
            Self::NoCoordinatorKey => C::NoCoordinatorKey,
            Self::InvalidRecipient => C::InvalidRecipient,
            Self::Decrypt { .. }
            | Self::ForeignSchema { .. }
            | Self::InvalidBundle { .. }
            | Self::DuplicateBundle { .. }
            | Self::AlreadyImported { .. }
            | Self::NoBundles => C::InvalidBundle,
            Self::Packet { source, .. } => source.code(),
            Self::Team(inner) => inner.code(),
            Self::Vault(inner) => inner.code(),
            Self::Write { .. }
            | Self::Encrypt
            | Self::InvalidData { .. }
            | Self::Random
            | Self::Render(_)
            | Self::Database(_) => C::Internal,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::ThresholdTooLow { .. } | Self::ThresholdTooHigh { .. } => Some("k"),
            Self::InvalidRange { .. } => Some("period"),
            Self::OutputExists { .. }
            | Self::NoCoordinatorKey
            | Self::InvalidRecipient
            | Self::Decrypt { .. }
            | Self::ForeignSchema { .. }
            | Self::InvalidBundle { .. }
            | Self::DuplicateBundle { .. }
            | Self::AlreadyImported { .. }
            | Self::NoBundles
            | Self::Packet { .. }
            | Self::Team(_)
            | Self::Vault(_)
            | Self::Write { .. }
            | Self::Encrypt
            | Self::InvalidData { .. }
            | Self::Random
            | Self::Render(_)
            | Self::Database(_) => None,
        }
    }

    fn limit(&self) -> Option<usize> {
        match self {
            Self::ThresholdTooHigh { max, .. } => usize::try_from(*max).ok(),
            _ => None,
        }
    }

    fn number(&self) -> Option<usize> {
        match self {
            Self::Packet { number, .. }
            | Self::Decrypt { number }
            | Self::ForeignSchema { number, .. }
            | Self::InvalidBundle { number, .. }
            | Self::DuplicateBundle { number, .. }
            | Self::AlreadyImported { number, .. } => Some(*number),
            _ => None,
        }
    }
}

impl Coded for TeamError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::NoTeam => C::NoTeam,
            Self::AlreadyInTeam { .. } => C::AlreadyInTeam,
            Self::NotTeamCoordinator => C::NotTeamCoordinator,
            Self::InvalidRequest { .. } | Self::InvalidTeamFile { .. } => C::InvalidEnrolment,
            Self::NotEnrolled => C::NotEnrolled,
            Self::InvalidField { .. } => C::InvalidField,
            Self::UnknownLaptop { .. } | Self::AmbiguousLaptop { .. } => C::UnknownLaptop,
            Self::Packet(inner) => inner.code(),
            Self::UpdateNotShared { .. } => C::UpdateNotShared,
            Self::UpdateStale { .. } => C::UpdateStale,
            Self::UpdateInvalid { .. } => C::UpdateInvalid,
            Self::PinPending => C::TeamPinPending,
            Self::Pack(inner) => inner.code(),
            Self::Cases(inner) => inner.code(),
            Self::Referrals(inner) => inner.code(),
            Self::Damaged { .. } => C::DamagedVault,
            Self::OutputExists { .. } => C::OutputExists,
            Self::Folder { .. } => C::TeamFolder,
            Self::Vault(inner) => inner.code(),
            Self::Write { .. } | Self::Random | Self::Crypto | Self::Database(_) => C::Internal,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvalidField { field, .. } => Some(field),
            Self::UnknownLaptop { .. } | Self::AmbiguousLaptop { .. } => Some("laptop"),
            Self::Pack(inner) => inner.field(),
            Self::Cases(inner) => inner.field(),
            Self::Referrals(inner) => inner.field(),
            Self::Vault(inner) => inner.field(),
            _ => None,
        }
    }
}

impl Coded for PacketError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::NotForThisLaptop => C::PacketNotForThisLaptop,
            Self::Altered => C::PacketAltered,
            Self::Unsigned => C::PacketUnsigned,
            Self::Forged { .. } => C::PacketForged,
            Self::NotAllowed { .. } => C::PacketNotAllowed,
            Self::Replayed { .. } => C::PacketReplayed,
            Self::Revoked { .. } => C::PacketRevokedSender,
            Self::ForeignTeam => C::PacketForeignTeam,
            Self::UnknownSender { .. } => C::PacketUnknownSender,
            Self::NewerFormat { .. } => C::PacketNewerFormat,
            Self::Gap { .. } => C::PacketEarly,
            Self::WrongKind { .. } => C::PacketWrongKind,
        }
    }
}

impl Coded for PackLibraryError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::Invalid(_) => C::InvalidPack,
            Self::TooLarge { .. } => C::PackTooLarge,
            Self::NotUtf8 { .. } => C::NotUtf8,
            Self::ReservedId { .. } => C::ReservedPackId,
            Self::UnknownPack { .. } | Self::UnknownSource { .. } => C::UnknownPack,
            Self::CannotRemoveBuiltin => C::CannotRemoveBuiltin,
            Self::NotSeedArticle { .. } => C::NotSeedArticle,
            Self::ParagraphCount { .. } => C::ParagraphMismatch,
            Self::StoredPackBroken { .. } => C::PackUnusable,
            Self::Vault(inner) => inner.code(),
            Self::Io(_) | Self::Database(_) => C::Internal,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::Vault(inner) => inner.field(),
            _ => None,
        }
    }
}

impl Coded for ReferralError {
    fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Self::Invalid { .. } | Self::TooLong { .. } | Self::TooMany { .. } => {
                C::InvalidReferral
            }
            Self::InvalidId | Self::NotFound => C::ReferralNotFound,
            Self::Json { .. } | Self::WrongFormat => C::InvalidReferralFile,
            Self::InEntry { .. } | Self::DuplicateId { .. } => C::InvalidReferralEntry,
            Self::OutputExists { .. } => C::OutputExists,
            Self::Vault(inner) => inner.code(),
            Self::Write { .. } | Self::Random | Self::Database(_) => C::Internal,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { field, .. }
            | Self::TooLong { field, .. }
            | Self::TooMany { field, .. } => Some(field),
            Self::InEntry { source, .. } => source.field(),
            Self::DuplicateId { .. } => Some("id"),
            Self::Vault(inner) => inner.field(),
            _ => None,
        }
    }

    fn limit(&self) -> Option<usize> {
        match self {
            Self::TooLong { limit, .. } | Self::TooMany { limit, .. } => Some(*limit),
            Self::InEntry { source, .. } => source.limit(),
            _ => None,
        }
    }

    fn number(&self) -> Option<usize> {
        match self {
            Self::InEntry { number, .. } | Self::DuplicateId { number } => Some(*number),
            _ => None,
        }
    }
}

impl Coded for PlayerError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownFlow(_)
            | Self::UnknownNode(_)
            | Self::NoSuchOption { .. }
            | Self::AtEnd(_) => ErrorCode::ScriptMove,
        }
    }
}

impl Coded for PathError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NoDataDir => ErrorCode::NoDataDir,
            Self::NotAFolder { .. } => ErrorCode::DataDirNotAFolder,
            Self::NotWritable { .. } => ErrorCode::DataDirNotWritable,
        }
    }
}

impl Coded for PrefsError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Io(_) | Self::Encode(_) => ErrorCode::Internal,
        }
    }
}

impl Coded for HardeningError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::CoreLimit(_) | Self::Dumpable(_) => ErrorCode::Internal,
        }
    }
}

impl Coded for AboutError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Sqlcipher(_) => ErrorCode::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_snake_case_name_matching_serde() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name}"
            );
            let wire = serde_json::to_value(code).expect("a code serialises");
            assert_eq!(wire, serde_json::Value::from(name));
        }
    }

    #[test]
    fn explainable_call_refusals_are_not_internal() {
        let cases = [
            CallError::Shredded,
            CallError::NotConfirmed,
            CallError::AreaExists,
            CallError::ControlCharacter { field: "notes" },
            CallError::FollowUpNotFound,
            CallError::Invalid {
                field: "area",
                reason: "x",
            },
        ];
        for err in cases {
            assert_ne!(err.code(), ErrorCode::Internal, "{err:?}");
        }
        let batch = CallError::InBatch {
            number: 2,
            total: 3,
            source: Box::new(CallError::TooLong {
                field: "salute.size",
                limit: 200,
            }),
        };
        assert_eq!(batch.code(), ErrorCode::TooLong);
        assert_eq!(batch.field(), Some("salute.size"));
        assert_eq!(batch.limit(), Some(200));
    }

    #[test]
    fn exit_statuses_follow_the_code() {
        assert_eq!(VaultError::WrongHandleOrPassphrase.exit_status(), EXIT_AUTH);
        assert_eq!(VaultError::UnknownHandle.exit_status(), EXIT_FAILURE);
        assert_eq!(
            CallError::Vault(VaultError::WritesRefused).exit_status(),
            EXIT_DAMAGED
        );
        assert_eq!(CallError::Shredded.exit_status(), EXIT_FAILURE);
        assert_eq!(
            ExportError::ThresholdTooLow { k: 1 }.code(),
            ErrorCode::ThresholdTooLow
        );
    }

    #[test]
    fn every_code_has_a_listed_exit_status() {
        for code in ErrorCode::ALL {
            let status = code.exit_status();
            assert!(
                EXIT_STATUSES.iter().any(|(listed, _)| *listed == status),
                "{code:?} ends with {status}, which the list does not explain"
            );
        }
        let auth: Vec<_> = codes_with_exit_status(EXIT_AUTH).collect();
        assert_eq!(
            auth,
            [ErrorCode::WrongHandleOrPassphrase, ErrorCode::TooSoon]
        );
        assert_eq!(codes_with_exit_status(EXIT_USAGE).count(), 0);
    }

    /// The window's catalogue (`ui/src/lib/messages.ts`) has an English and
    /// a Spanish sentence for every code, so no explainable refusal falls
    /// back to "something went wrong". (The window's list of codes,
    /// `ERROR_CODES`, is generated from `ErrorCode::ALL` with the bindings;
    /// the shell's bindings test fails when it is stale.)
    #[test]
    fn the_window_knows_every_code_in_both_languages() {
        let ui = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/");
        let messages = std::fs::read_to_string(format!("{ui}messages.ts"))
            .expect("ui/src/lib/messages.ts is readable");
        for code in ErrorCode::ALL {
            let key = format!("'error.{}':", code.as_str());
            let count = messages.matches(&key).count();
            if *code != ErrorCode::Internal {
                assert_eq!(
                    count, 2,
                    "{key} must appear once in English, once in Spanish"
                );
            }
        }
    }
}
