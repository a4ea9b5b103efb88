//! The call log: what volunteers record about each call, in the encrypted
//! vault. The record and its rules are documented in `docs/CALLS.md`; the
//! import format's JSON schema is `docs/call.schema.json`.
//!
//! - [`create`] (with the rules on time and volunteer in [`OldCalls`] and
//!   [`MAX_AHEAD`]), [`update`] (with an edit [`history`]), [`get`], [`list`],
//!   the notes check before either stores notes ([`check_notes`],
//!   [`FlaggedNotes`]),
//!   [`search`] (FTS5), follow-up tasks ([`followups`], [`add_followup`],
//!   [`set_followup_done`]), a call's case ([`close_case`], [`reopen_case`]);
//! - one autosaved [`Draft`] per user ([`save_draft`], [`load_draft`],
//!   [`clear_draft`]);
//! - the verification workflow ([`check_transition`]) and the alert text of
//!   a confirmed sighting ([`alert_text`], [`record_alert_copied`]);
//! - areas ([`list_areas`], [`add_area`], [`rename_area`], [`deactivate_area`]);
//! - retention ([`purge_expired`], [`purge_preview`], [`set_retention_days`],
//!   [`set_legal_hold`], [`shred_at`]);
//! - call JSON ([`parse_calls`], [`parse_update`], [`example`], [`call_schema`]); synthetic
//!   calls are in [`crate::demo`] (feature `demo`).
//!
//! Every function takes the unlocked [`Vault`](crate::vault::Vault) and acts
//! as its user. Nothing here ever stores a person's immigration,
//! citizenship or visa situation.

mod admission;
mod alert;
pub(crate) mod areas;
pub(crate) mod cases;
mod drafts;
mod error;
mod fields;
mod followups;
pub(crate) mod handoff;
mod history;
mod import;
mod model;
mod notes_check;
pub(crate) mod retention;
mod schema;
mod search;
pub(crate) mod store;
pub mod text;
mod verification;

#[cfg(test)]
mod tests;

pub use admission::{MAX_AHEAD, OldCalls};
pub use alert::{AlertTemplate, AlertText, alert_text, record_alert_copied};
pub use areas::{Area, SEED_AREAS, add_area, deactivate_area, list_areas, rename_area};
pub use cases::{close_case, reopen_case};
pub use drafts::{Draft, clear_draft, load_draft, save_draft};
pub use error::CallError;
pub use fields::{CALL_FIELDS, CallField, FieldKind, fts_schema_sql};
pub use followups::{FollowUpDue, add_followup, followups, set_followup_done};
pub use handoff::{
    Applied, CASE_FORMAT, CaseDocument, Event, Handoff, Hlc, SharedText, apply_case_document,
    case_document_for, set_share_text,
};
pub use history::{FieldChange, HistoryAction, HistoryEntry, history};
pub use import::{example, example_json, parse_calls, parse_update};
pub use model::{
    Call, CallFilter, CallId, CallSummary, CallUpdate, CallerRelation, CaseState, ChildrenPresent,
    FollowUp, FollowUpId, IdentifiedBy, MAX_LIST_LIMIT, NewCall, NewFollowUp, Salute, Urgency,
    is_final,
};
pub use notes_check::{
    BIRTH_PHRASES, FlaggedNotes, NotesFinding, NotesFindingKind, ORIGIN_WORDS, PERSON_WINDOW,
    PERSON_WORDS, STATUS_PHRASES, check_notes,
};
pub use retention::{
    DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, PurgePreview, PurgeReport,
    held_calls, purge_expired, purge_preview, retention_days, set_legal_hold, set_retention_days,
    shred_at, shred_time,
};
pub use schema::{call_schema, call_schema_text};
pub use search::{fts_query, search};
pub use store::{
    create, create_many, create_many_with, create_with, get, list, update, update_with,
};
pub use verification::check_transition;
