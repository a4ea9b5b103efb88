//! The call record: what a volunteer logs about one call, as stored, read
//! back, imported and exported.
//!
//! There is deliberately no field about a person's immigration, citizenship
//! or visa situation, and there never will be: the log records what
//! happened (who was seen, where, what was done), not who someone is.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::CallError;
use crate::codes::{Agency, Category, Verification, code_enum};

code_enum! {
    [JsonSchema]
    /// Who is calling, relative to the people affected.
    CallerRelation, "caller_relation" {
        /// The caller is affected themselves.
        SelfAffected => "self",
        /// A family member of someone affected.
        Family => "family",
        /// A witness or neighbour.
        Witness => "witness",
        /// An organization (a school, a church, a business, another group).
        Organization => "organization",
        /// Anyone else.
        Other => "other",
    }
}

code_enum! {
    [JsonSchema]
    /// How the caller knows which agency it is (default `unknown`).
    #[derive(Default)]
    IdentifiedBy, "identified_by" {
        /// Text on a vest or uniform.
        UniformText => "uniform_text",
        /// A vehicle (markings, plates, type).
        Vehicle => "vehicle",
        /// The officers said so.
        SaidSo => "said_so",
        /// Not known.
        #[default]
        Unknown => "unknown",
    }
}

code_enum! {
    [JsonSchema]
    /// Whether children were present (default `unknown`).
    #[derive(Default)]
    ChildrenPresent, "children_present" {
        /// Children were present.
        Yes => "yes",
        /// No children were present.
        No => "no",
        /// Not known.
        #[default]
        Unknown => "unknown",
    }
}

code_enum! {
    [JsonSchema]
    /// How urgent the call is (default `normal`).
    #[derive(Default)]
    Urgency, "urgency" {
        /// Can wait.
        Low => "low",
        /// The usual.
        #[default]
        Normal => "normal",
        /// Needs action now.
        Urgent => "urgent",
    }
}

code_enum! {
    []
    /// A call's case: open while something is still to be done about it,
    /// closed once a volunteer closes it (`docs/CALLS.md`, "Cases").
    #[derive(Default)]
    CaseState, "case_state" {
        /// Still being followed (the default for a new call).
        #[default]
        Open => "open",
        /// Closed by a volunteer: no open follow-up remains.
        Closed => "closed",
    }
}

/// Whether a verification is a final outcome (anything but `unverified`
/// and `dispatched`).
pub fn is_final(verification: Verification) -> bool {
    !matches!(
        verification,
        Verification::Unverified | Verification::Dispatched
    )
}

/// The id of a call: a random (version 4) UUID. Ids are for the app and
/// the command line; exports never include them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallId(Uuid);

impl CallId {
    /// A new random id from the operating system's generator.
    pub(crate) fn random() -> Result<Self, CallError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| CallError::Random)?;
        Ok(Self(uuid::Builder::from_random_bytes(bytes).into_uuid()))
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for CallId {
    type Err = CallError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Uuid::try_parse(text.trim())
            .map(Self)
            .map_err(|_| CallError::InvalidId)
    }
}

/// The id of a follow-up task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpId(pub i64);

/// What was seen, in the SALUTE form (Size, Activity, Location, Uniform,
/// Time, Equipment). Each is a short free text, removed by retention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Salute {
    /// How many officers and vehicles (free text, at most 1 KiB).
    #[serde(default)]
    pub size: Option<String>,
    /// What they are doing (free text, at most 1 KiB).
    #[serde(default)]
    pub activity: Option<String>,
    /// Where, in general terms (free text, at most 1 KiB).
    #[serde(default)]
    pub location: Option<String>,
    /// Uniforms, vests, markings (free text, at most 1 KiB).
    #[serde(default)]
    pub uniform: Option<String>,
    /// When it was seen (free text, at most 1 KiB).
    #[serde(default)]
    pub time: Option<String>,
    /// Equipment and vehicles (free text, at most 1 KiB).
    #[serde(default)]
    pub equipment: Option<String>,
}

/// A follow-up task as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewFollowUp {
    /// What to do (free text, at most 1 KiB; removed by retention).
    pub what: String,
    /// When it is due (a date, `YYYY-MM-DD`).
    pub due: NaiveDate,
    /// Whether it is done already.
    #[serde(default)]
    pub done: bool,
}

/// A follow-up task as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUp {
    /// Its id, for [`super::set_followup_done`].
    pub id: FollowUpId,
    /// What to do; empty once removed by retention.
    pub what: String,
    /// When it is due.
    pub due: NaiveDate,
    /// Whether it is done.
    pub done: bool,
    /// When it was marked done.
    pub done_at: Option<DateTime<Utc>>,
}

fn unverified() -> Verification {
    Verification::Unverified
}

fn unknown_agency() -> Agency {
    Agency::Unknown
}

/// A call to log: the import format of `hotline call add` and the input of
/// [`super::create`]. Its JSON schema is `docs/call.schema.json`.
///
/// Free-text fields (removed by retention): `notes`, `exact_location`,
/// `contact_name`, `contact_phone`, the six `salute` texts and the
/// follow-up texts. Everything else is structured and kept for statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewCall {
    /// When the call was received (RFC 3339, such as `2025-03-01T14:05:00Z`; stored to the second).
    pub received_at: DateTime<Utc>,
    /// How long the call lasted, in seconds (the call timer), at most one day.
    #[serde(default)]
    pub duration_seconds: Option<u32>,
    /// Handle of the volunteer who took the call. Absent: the user logging it. Only a coordinator may name someone else.
    #[serde(default)]
    pub volunteer: Option<String>,
    /// Language of the call, as a tag such as `es`, `en`, `hmn` or `es-MX`.
    pub language: String,
    /// Who is calling, relative to the people affected.
    pub caller_relation: CallerRelation,
    /// What the call is about.
    pub category: Category,
    /// Which agency was reported.
    #[serde(default = "unknown_agency")]
    pub agency: Agency,
    /// How the agency was identified.
    #[serde(default)]
    pub identified_by: IdentifiedBy,
    /// Area, by name, from the coordinator's list of active areas.
    #[serde(default)]
    pub area: Option<String>,
    /// Exact location (free text, at most 1 KiB). Kept only while verification is `unverified` or `dispatched`; cleared when it reaches a final outcome.
    #[serde(default)]
    pub exact_location: Option<String>,
    /// What was seen, in the SALUTE form.
    #[serde(default)]
    pub salute: Salute,
    /// How far the report has been verified.
    #[serde(default = "unverified")]
    pub verification: Verification,
    /// How many people were affected.
    #[serde(default)]
    pub people_affected: Option<u32>,
    /// Whether children were present.
    #[serde(default)]
    pub children_present: ChildrenPresent,
    /// How urgent the call is.
    #[serde(default)]
    pub urgency: Urgency,
    /// Referrals made: ids (UUIDs) of referral directory entries (at most 50).
    #[serde(default)]
    pub referrals: Vec<String>,
    /// Follow-up tasks (at most 20).
    #[serde(default)]
    pub followups: Vec<NewFollowUp>,
    /// Free-text notes, at most 64 KiB.
    #[serde(default)]
    pub notes: String,
    /// SENSITIVE. Contact name, only if the caller asked to be called back (at most 256 bytes).
    #[serde(default)]
    pub contact_name: Option<String>,
    /// SENSITIVE. Contact phone, only if the caller asked to be called back (at most 64 bytes).
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// The volunteer suspects a false or malicious report.
    #[serde(default)]
    pub possibly_malicious: bool,
    /// The path taken through the guidance script, as saved by the script player (opaque JSON, at most 64 KiB).
    #[serde(default)]
    pub script_path: Option<serde_json::Value>,
    /// Id of the guidance pack used.
    #[serde(default)]
    pub pack_id: Option<String>,
    /// Version of the guidance pack used.
    #[serde(default)]
    pub pack_version: Option<String>,
}

#[cfg(test)]
impl NewCall {
    /// A call with only the required fields; every other field is what the
    /// call JSON gives when it is left out (for tests).
    pub(crate) fn required(
        received_at: DateTime<Utc>,
        language: &str,
        caller_relation: CallerRelation,
        category: Category,
    ) -> Self {
        serde_json::from_value(serde_json::json!({
            "received_at": received_at,
            "language": language,
            "caller_relation": caller_relation,
            "category": category,
        }))
        .expect("the required fields make a call")
    }
}

/// A stored call, as [`super::get`] returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Call {
    /// Its id.
    pub id: CallId,
    /// When the call was received.
    pub received_at: DateTime<Utc>,
    /// Call length in seconds.
    pub duration_seconds: Option<u32>,
    /// Handle of the volunteer who took it.
    pub volunteer: String,
    /// Language tag.
    pub language: String,
    /// Who called.
    pub caller_relation: CallerRelation,
    /// What it is about.
    pub category: Category,
    /// Agency reported.
    pub agency: Agency,
    /// How the agency was identified.
    pub identified_by: IdentifiedBy,
    /// Area name.
    pub area: Option<String>,
    /// Exact location (only while a dispatch may be open).
    pub exact_location: Option<String>,
    /// SALUTE texts.
    pub salute: Salute,
    /// Verification.
    pub verification: Verification,
    /// People affected.
    pub people_affected: Option<u32>,
    /// Children present.
    pub children_present: ChildrenPresent,
    /// Urgency.
    pub urgency: Urgency,
    /// Resource ids referred to.
    pub referrals: Vec<String>,
    /// Follow-up tasks, by due date.
    pub followups: Vec<FollowUp>,
    /// Notes (empty once shredded).
    pub notes: String,
    /// SENSITIVE. Contact name.
    pub contact_name: Option<String>,
    /// SENSITIVE. Contact phone.
    pub contact_phone: Option<String>,
    /// Possibly a malicious report.
    pub possibly_malicious: bool,
    /// Script path (opaque JSON).
    pub script_path: Option<serde_json::Value>,
    /// Guidance pack id.
    pub pack_id: Option<String>,
    /// Guidance pack version.
    pub pack_version: Option<String>,
    /// A coordinator put a legal hold on it: retention skips it.
    pub legal_hold: bool,
    /// Made by `demo-data`, not a real call.
    pub synthetic: bool,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// Who logged it.
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// When retention removed its free text, if it did.
    pub shredded_at: Option<DateTime<Utc>>,
    /// Its case: open or closed.
    pub case_state: CaseState,
    /// The team laptop it was logged on, if not this one (a case handed
    /// in from another laptop; it counts in that laptop's summaries).
    pub origin_laptop: Option<String>,
    /// Marked "share with the next shift": its notes and SALUTE texts
    /// travel when the case is handed off.
    pub share_text: bool,
}

impl Call {
    /// The editable part of the call, as a [`NewCall`] (follow-ups as entered).
    pub(crate) fn editable(&self) -> NewCall {
        NewCall {
            received_at: self.received_at,
            duration_seconds: self.duration_seconds,
            volunteer: Some(self.volunteer.clone()),
            language: self.language.clone(),
            caller_relation: self.caller_relation,
            category: self.category,
            agency: self.agency,
            identified_by: self.identified_by,
            area: self.area.clone(),
            exact_location: self.exact_location.clone(),
            salute: self.salute.clone(),
            verification: self.verification,
            people_affected: self.people_affected,
            children_present: self.children_present,
            urgency: self.urgency,
            referrals: self.referrals.clone(),
            followups: Vec::new(),
            notes: self.notes.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            possibly_malicious: self.possibly_malicious,
            script_path: self.script_path.clone(),
            pack_id: self.pack_id.clone(),
            pack_version: self.pack_version.clone(),
        }
    }
}

/// One line of a call list or search result: structured fields only, no
/// free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallSummary {
    /// Its id.
    pub id: CallId,
    /// When the call was received.
    pub received_at: DateTime<Utc>,
    /// Call length in seconds.
    pub duration_seconds: Option<u32>,
    /// Volunteer handle.
    pub volunteer: String,
    /// Language tag.
    pub language: String,
    /// Category.
    pub category: Category,
    /// Agency reported.
    pub agency: Agency,
    /// Area name.
    pub area: Option<String>,
    /// Verification.
    pub verification: Verification,
    /// Urgency.
    pub urgency: Urgency,
    /// Possibly malicious.
    pub possibly_malicious: bool,
    /// Under legal hold.
    pub legal_hold: bool,
    /// Made by `demo-data`.
    pub synthetic: bool,
    /// Its free text was removed by retention.
    pub shredded: bool,
}

/// Which calls [`super::list`] returns. Every field narrows the list;
/// `Default` lists the newest 100 calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFilter {
    /// Only calls with this verification.
    pub verification: Option<Verification>,
    /// Only calls in this category.
    pub category: Option<Category>,
    /// Only calls in this area (by name; inactive areas count).
    pub area: Option<String>,
    /// Only calls received at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only calls received before this time.
    pub to: Option<DateTime<Utc>>,
    /// At most this many (capped at [`MAX_LIST_LIMIT`]).
    pub limit: u32,
    /// Skip this many of the newest first.
    pub offset: u32,
}

/// The most calls one [`super::list`] or [`super::search`] returns.
pub const MAX_LIST_LIMIT: u32 = 10_000;

impl Default for CallFilter {
    fn default() -> Self {
        Self {
            verification: None,
            category: None,
            area: None,
            from: None,
            to: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// Deserialize a field that may be absent (leave alone), `null` (clear) or
/// a value (set).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A change to a call for [`super::update`]: each field left `None` stays
/// as it is; `Some(None)` clears an optional field. In JSON, an absent key
/// leaves the field alone and `null` clears it. Follow-up tasks are changed
/// with [`super::add_followup`] and [`super::set_followup_done`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct CallUpdate {
    /// New received time.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    /// New duration.
    #[serde(default, deserialize_with = "double_option")]
    pub duration_seconds: Option<Option<u32>>,
    /// New volunteer handle (coordinators only, unless it is the editor's own).
    #[serde(default)]
    pub volunteer: Option<String>,
    /// New language tag.
    #[serde(default)]
    pub language: Option<String>,
    /// New caller relation.
    #[serde(default)]
    pub caller_relation: Option<CallerRelation>,
    /// New category.
    #[serde(default)]
    pub category: Option<Category>,
    /// New agency.
    #[serde(default)]
    pub agency: Option<Agency>,
    /// New identification.
    #[serde(default)]
    pub identified_by: Option<IdentifiedBy>,
    /// New area name.
    #[serde(default, deserialize_with = "double_option")]
    pub area: Option<Option<String>>,
    /// New exact location (ignored, and cleared, once verification is final).
    #[serde(default, deserialize_with = "double_option")]
    pub exact_location: Option<Option<String>>,
    /// New SALUTE texts (all six are replaced).
    #[serde(default)]
    pub salute: Option<Salute>,
    /// New verification; see [`super::check_transition`].
    #[serde(default)]
    pub verification: Option<Verification>,
    /// New count of people affected.
    #[serde(default, deserialize_with = "double_option")]
    pub people_affected: Option<Option<u32>>,
    /// New children-present answer.
    #[serde(default)]
    pub children_present: Option<ChildrenPresent>,
    /// New urgency.
    #[serde(default)]
    pub urgency: Option<Urgency>,
    /// New referral list.
    #[serde(default)]
    pub referrals: Option<Vec<String>>,
    /// New notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// New contact name.
    #[serde(default, deserialize_with = "double_option")]
    pub contact_name: Option<Option<String>>,
    /// New contact phone.
    #[serde(default, deserialize_with = "double_option")]
    pub contact_phone: Option<Option<String>>,
    /// New malicious-report flag.
    #[serde(default)]
    pub possibly_malicious: Option<bool>,
    /// New script path.
    #[serde(default, deserialize_with = "double_option")]
    pub script_path: Option<Option<serde_json::Value>>,
    /// New pack id.
    #[serde(default, deserialize_with = "double_option")]
    pub pack_id: Option<Option<String>>,
    /// New pack version.
    #[serde(default, deserialize_with = "double_option")]
    pub pack_version: Option<Option<String>>,
}

impl CallUpdate {
    /// Apply the update to `call`'s editable fields.
    pub(crate) fn apply(self, mut call: NewCall) -> NewCall {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *slot = value;
            }
        }
        set(&mut call.received_at, self.received_at);
        set(&mut call.duration_seconds, self.duration_seconds);
        set(&mut call.volunteer, self.volunteer.map(Some));
        set(&mut call.language, self.language);
        set(&mut call.caller_relation, self.caller_relation);
        set(&mut call.category, self.category);
        set(&mut call.agency, self.agency);
        set(&mut call.identified_by, self.identified_by);
        set(&mut call.area, self.area);
        set(&mut call.exact_location, self.exact_location);
        set(&mut call.salute, self.salute);
        set(&mut call.verification, self.verification);
        set(&mut call.people_affected, self.people_affected);
        set(&mut call.children_present, self.children_present);
        set(&mut call.urgency, self.urgency);
        set(&mut call.referrals, self.referrals);
        set(&mut call.notes, self.notes);
        set(&mut call.contact_name, self.contact_name);
        set(&mut call.contact_phone, self.contact_phone);
        set(&mut call.possibly_malicious, self.possibly_malicious);
        set(&mut call.script_path, self.script_path);
        set(&mut call.pack_id, self.pack_id);
        set(&mut call.pack_version, self.pack_version);
        call
    }
}
