// This file was generated with the bindings (src-tauri/src/bindings.rs). Do not edit it.

import type { ErrorCode } from './ErrorCode';
import type { Category } from './Category';
import type { Agency } from './Agency';
import type { Verification } from './Verification';
import type { CallerRelation } from './CallerRelation';
import type { IdentifiedBy } from './IdentifiedBy';
import type { Urgency } from './Urgency';

/** Error codes a command may reject with: every `ErrorCode`, in the core's order. */
export const ERROR_CODES = [
  'internal',
  'locked',
  'no_vault',
  'already_exists',
  'unknown_handle',
  'wrong_handle_or_passphrase',
  'too_many_users',
  'too_soon',
  'weak_passphrase',
  'passphrase_change_required',
  'invalid_handle',
  'handle_taken',
  'not_coordinator',
  'last_coordinator',
  'cannot_remove_self',
  'invalid_setting',
  'invalid_retention',
  'damaged_vault',
  'vault_read_only',
  'schema_too_new',
  'damaged_backup',
  'audit_altered',
  'backup_exists',
  'invalid_input',
  'too_long',
  'too_many',
  'control_character',
  'invalid_field',
  'invalid_json',
  'invalid_transition',
  'not_found',
  'not_confirmed',
  'follow_up_not_found',
  'case_open_follow_ups',
  'invalid_case_document',
  'unknown_area',
  'area_exists',
  'shredded',
  'threshold_too_low',
  'invalid_period',
  'output_exists',
  'no_coordinator_key',
  'invalid_recipient',
  'invalid_bundle',
  'invalid_pack',
  'not_utf8',
  'pack_too_large',
  'reserved_pack_id',
  'unknown_pack',
  'cannot_remove_builtin',
  'paragraph_mismatch',
  'not_seed_article',
  'pack_unusable',
  'script_move',
  'no_data_dir',
  'invalid_referral',
  'invalid_referral_entry',
  'invalid_referral_file',
  'unknown_referral',
  'referral_not_found',
  'panic_erase_off',
  'received_in_future',
  'older_than_retention',
  'unknown_volunteer',
  'data_dir_not_a_folder',
  'data_dir_not_writable',
  'threshold_too_high',
  'broken_text',
  'notes_flagged',
  'no_team',
  'already_in_team',
  'not_team_coordinator',
  'invalid_enrolment',
  'not_enrolled',
  'unknown_laptop',
  'packet_not_for_this_laptop',
  'packet_altered',
  'packet_unsigned',
  'packet_forged',
  'packet_not_allowed',
  'packet_replayed',
  'packet_revoked_sender',
  'packet_foreign_team',
  'packet_unknown_sender',
  'packet_newer_format',
  'packet_early',
  'packet_wrong_kind',
  'team_folder',
  'managed_by_team',
  'update_not_shared',
  'update_stale',
  'update_invalid',
  'team_pin_pending',
] as const satisfies readonly ErrorCode[];

/** Call categories: every `Category`, in the core's order. */
export const CATEGORIES = [
  'ice_home_door',
  'ice_public',
  'workplace_operation',
  'traffic_stop_local_police',
  'arrest_or_detention',
  'courthouse',
  'ice_office_checkin',
  'info_or_referral',
  'rumour_check',
  'other',
] as const satisfies readonly Category[];

/** Agencies: every `Agency`, in the core's order. */
export const AGENCIES = [
  'ice_ero',
  'hsi',
  'cbp',
  'local_police',
  'county_sheriff',
  'state_patrol',
  'unknown',
  'possible_impersonator',
] as const satisfies readonly Agency[];

/** Verification outcomes: every `Verification`, in the core's order. */
export const VERIFICATIONS = [
  'unverified',
  'dispatched',
  'confirmed',
  'false_alarm',
  'local_police',
  'unable_to_verify',
] as const satisfies readonly Verification[];

/** Who calls: every `CallerRelation`, in the core's order. */
export const RELATIONS = [
  'self',
  'family',
  'witness',
  'organization',
  'other',
] as const satisfies readonly CallerRelation[];

/** How the agency was identified: every `IdentifiedBy`, in the core's order. */
export const IDENTIFIED_BY = [
  'uniform_text',
  'vehicle',
  'said_so',
  'unknown',
] as const satisfies readonly IdentifiedBy[];

/** Urgencies: every `Urgency`, in the core's order. */
export const URGENCIES = [
  'low',
  'normal',
  'urgent',
] as const satisfies readonly Urgency[];
