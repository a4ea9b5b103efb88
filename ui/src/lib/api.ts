// Typed calls into the Rust shell. This is the only module that calls
// `invoke`; every command's argument and result types are declared here and
// mirror the DTOs in `src-tauri/src/commands/`.

import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { findBrokenText } from './text';

/**
 * Error codes the shell may return: `ErrorCode` in `core/src/errors.rs`, in
 * the same order (a core test fails when this list misses one).
 */
export const ERROR_CODES = [
  'internal', 'locked', 'no_vault', 'already_exists', 'unknown_handle', 'wrong_passphrase',
  'too_soon', 'weak_passphrase', 'invalid_handle', 'handle_taken', 'not_coordinator',
  'last_coordinator', 'cannot_remove_self', 'invalid_setting', 'invalid_retention', 'damaged_vault',
  'vault_read_only', 'schema_too_new', 'damaged_backup', 'backup_exists', 'invalid_input',
  'too_long', 'too_many', 'control_character', 'invalid_field', 'invalid_json',
  'invalid_transition', 'not_found', 'follow_up_not_found', 'unknown_area', 'area_exists',
  'shredded', 'threshold_too_low', 'invalid_period', 'output_exists', 'no_coordinator_key',
  'invalid_recipient', 'invalid_bundle', 'invalid_pack', 'not_utf8', 'pack_too_large',
  'reserved_pack_id', 'unknown_pack', 'cannot_remove_builtin', 'paragraph_mismatch',
  'not_seed_article', 'pack_unusable', 'script_move', 'no_data_dir', 'invalid_referral',
  'invalid_referral_entry', 'invalid_referral_file', 'unknown_referral', 'referral_not_found',
  'received_in_future', 'older_than_retention', 'unknown_volunteer', 'data_dir_not_a_folder',
  'data_dir_not_writable', 'threshold_too_high', 'broken_text',
] as const;

/** One error code (see `ERROR_CODES`). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem of a refused pack (mirrors `PackIssueDto`). */
export interface PackIssue {
  /** 1-based line in the file. */
  line: number;
  /** `node`, `flow`, `source`, `resource` or `card row`, when an item is concerned. */
  item_kind: string | null;
  /** Id of that item. */
  item_id: string | null;
  /** What is wrong (English, from the pack checker). */
  message: string;
  /** True for a problem that does not refuse the pack (docs/PACKS.md, "Errors and warnings"). */
  warning: boolean;
}

/** The error shape every command rejects with. */
export interface UiError {
  code: ErrorCode;
  message: string;
  /** For `too_soon`: milliseconds to wait before the next attempt. */
  wait_ms?: number;
  /** For unlock failures: failed attempts in a row so far. */
  failures?: number;
  /** For `invalid_pack` and `pack_unusable`: every problem found. */
  issues?: PackIssue[];
  /** For `paragraph_mismatch`: paragraphs the pack declares. */
  expected?: number;
  /** For `paragraph_mismatch`: paragraphs found in the text. */
  found?: number;
  /** For errors about one field: the field, named as in the call JSON (`salute.size`). */
  field?: string;
  /** For `too_long` and `too_many`: the limit (bytes or entries). */
  limit?: number;
  /** Which entry of a file, or item of a call's list, from 1. */
  number?: number;
}

/** Narrow one element of an `issues` list; `null` if it has the wrong shape. */
function asPackIssue(raw: unknown): PackIssue | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.line !== 'number' || typeof r.message !== 'string') return null;
  return {
    line: r.line,
    item_kind: typeof r.item_kind === 'string' ? r.item_kind : null,
    item_id: typeof r.item_id === 'string' ? r.item_id : null,
    message: r.message,
    warning: r.warning === true,
  };
}

/**
 * Call a shell command. A text with a lone UTF-16 surrogate cannot travel
 * to Rust; it is refused here, naming its field, as the core would refuse
 * any other bad text.
 */
function invoke<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const broken = args ? findBrokenText(args) : null;
  if (broken) {
    const refusal: UiError = {
      code: 'broken_text',
      message: `${broken.field} holds a broken character`,
      field: broken.field,
      number: broken.number,
    };
    return Promise.reject(refusal);
  }
  return tauriInvoke<T>(command, args);
}

/** Narrow an unknown rejection into a `UiError`. */
export function asUiError(err: unknown): UiError {
  if (typeof err === 'object' && err !== null && 'code' in err && 'message' in err) {
    const raw = err as Record<string, unknown>;
    const code = ERROR_CODES.find((c) => c === raw.code) ?? 'internal';
    return {
      code,
      message: typeof raw.message === 'string' ? raw.message : '',
      wait_ms: typeof raw.wait_ms === 'number' ? raw.wait_ms : undefined,
      failures: typeof raw.failures === 'number' ? raw.failures : undefined,
      issues: Array.isArray(raw.issues)
        ? raw.issues.map(asPackIssue).filter((i): i is PackIssue => i !== null)
        : undefined,
      expected: typeof raw.expected === 'number' ? raw.expected : undefined,
      found: typeof raw.found === 'number' ? raw.found : undefined,
      field: typeof raw.field === 'string' ? raw.field : undefined,
      limit: typeof raw.limit === 'number' ? raw.limit : undefined,
      number: typeof raw.number === 'number' ? raw.number : undefined,
    };
  }
  return { code: 'internal', message: String(err) };
}

/** Facts about this installation (mirrors `AppInfoDto`). */
export interface AppInfo {
  version: string;
  data_dir: string;
  vault_exists: boolean;
  sqlcipher_version: string;
}

/** A user's role. */
export type Role = 'coordinator' | 'volunteer';

/**
 * Where the background integrity check of the open vault stands (mirrors
 * `Integrity`): `damaged` means saving is switched off for this session.
 */
export type Integrity = 'checking' | 'sound' | 'damaged' | 'unknown';

/** The signed-in user (mirrors `SessionDto`). */
export interface Session {
  handle: string;
  role: Role;
  auto_lock_minutes: number;
  integrity: Integrity;
}

/** Whether a vault exists, failed attempts, and the open session if any. */
export interface VaultStatus {
  exists: boolean;
  failed_attempts: number;
  session: Session | null;
}

/** One user as listed to a coordinator. */
export interface UserSummary {
  handle: string;
  role: Role;
}

/** Versions, data folder and whether a vault exists. */
export const appInfo = () => invoke<AppInfo>('app_info');

/** Vault presence, failed attempts and session. */
export const vaultStatus = () => invoke<VaultStatus>('vault_status');

/** Create the vault and its first coordinator, and sign in. */
export const vaultCreate = (handle: string, passphrase: string) =>
  invoke<Session>('vault_create', { handle, passphrase });

/** Unlock the vault as `handle`. */
export const vaultUnlock = (handle: string, passphrase: string) =>
  invoke<Session>('vault_unlock', { handle, passphrase });

/** Where the open vault's background integrity check stands. */
export const vaultIntegrity = () => invoke<Integrity>('vault_integrity');

/** Lock the vault: the shell closes the database and forgets the key. */
export const vaultLock = () => invoke<void>('vault_lock');

/** Tell the shell the person is active (keyboard or mouse), for auto-lock. */
export const sessionTouch = () => invoke<void>('session_touch');

/** Users of this vault (coordinator only). */
export const usersList = () => invoke<UserSummary[]>('users_list');

/** Add a user with a first passphrase (coordinator only). */
export const usersAdd = (handle: string, role: Role, passphrase: string) =>
  invoke<void>('users_add', { handle, role, passphrase });

/** Remove a user (coordinator only). */
export const usersRemove = (handle: string) => invoke<void>('users_remove', { handle });

/** Change the signed-in user's passphrase. */
export const passphraseChange = (current: string, next: string) =>
  invoke<void>('passphrase_change', { current, next });

/** Set the idle minutes before auto-lock (coordinator only). */
export const setAutoLock = (minutes: number) => invoke<Session>('settings_set_auto_lock', { minutes });

/** Text in every pack language, keyed by language code. */
export type PackText = Record<string, string>;

/** A citation resolved to its source. */
export interface Citation {
  source: string;
  title: string;
  publisher: string;
  date: string | null;
  link: string | null;
  paragraphs: number[];
}

/** Citations and volatility of a statement. */
export interface Evidence {
  cites: Citation[];
  volatile: boolean;
  as_of: string | null;
}

/** A referral resource. */
export interface ResourceInfo {
  id: string;
  name: PackText;
  description: PackText;
  url: string | null;
  phone: string | null;
  languages: string[];
  hours: PackText;
}

/** Kind of a script node. */
export type NodeKind = 'question' | 'advice' | 'say' | 'action' | 'end';

/** The node the player is on. */
export interface PlayerNode {
  id: string;
  kind: NodeKind;
  text: PackText;
  options: { label: PackText }[];
  has_next: boolean;
  evidence: Evidence;
  resources: ResourceInfo[];
  /** Kinds of resource to refer the caller to, such as `legal-aid` or `crisis`. */
  refer: string[];
}

/** Call fields a script can set. */
export interface CallFields {
  category?: string;
  agency?: string;
  verification?: string;
}

/** The path through a flow, saved with the call (opaque to the UI). */
export type PlayerPath = Record<string, unknown>;

/** What the player shows. */
export interface PlayerView {
  flow: string;
  flow_title: PackText;
  node: PlayerNode;
  can_back: boolean;
  call_fields: CallFields;
  path: PlayerPath;
}

/** One row of the at-a-glance card. */
export interface GlanceRow {
  label: PackText;
  local: PackText;
  ice: PackText;
  evidence: Evidence;
}

/** The active guidance pack. */
export interface Guidance {
  id: string;
  title: PackText;
  version: string;
  reviewed_on: string | null;
  notice: PackText;
  /** Legal standing: whether counsel approved the pack, when and who. */
  counsel: { approved: boolean; approved_on: string | null; organisation: string | null };
  languages: string[];
  /** `urgent`: a "right now" flow whose first screen is the words to say. */
  flows: { id: string; title: PackText; urgent: boolean }[];
  glance: { title: PackText; local: PackText; ice: PackText; rows: GlanceRow[] } | null;
  resources: ResourceInfo[];
  /** The built-in pack stands in for a chosen pack that could not be loaded. */
  fallback: boolean;
}

/** The active pack's flows, card and resources. */
export const guidancePack = () => invoke<Guidance>('guidance_pack');

/** Start a script flow. */
export const playerStart = (flow: string) => invoke<PlayerView>('player_start', { flow });

/** Choose option `option` of the current node (0 = continue). */
export const playerChoose = (option: number) => invoke<PlayerView>('player_choose', { option });

/** Go back one step. */
export const playerBack = () => invoke<PlayerView>('player_back');

/** Go back to the first step of the flow. */
export const playerRestart = () => invoke<PlayerView>('player_restart');

/** A seed-article source of a listed pack (mirrors the core's `SeedSourceEntry`). */
export interface SeedSource {
  id: string;
  title: string;
  paragraphs: number;
  attached: boolean;
}

/** One pack in the Script packs card (mirrors the core's `PackEntry`). */
export interface PackEntry {
  id: string;
  title: PackText;
  version: string;
  reviewed_on: string | null;
  builtin: boolean;
  active: boolean;
  /** When it was imported (seconds since 1970); null for the built-in pack. */
  imported_at: number | null;
  imported_by: string | null;
  seed_sources: SeedSource[];
  /** Why a stored pack cannot be used, if it cannot. */
  problem: string | null;
}

/** Every pack (mirrors `PacksDto`). */
export interface Packs {
  packs: PackEntry[];
  /** Set when the chosen pack could not be loaded at unlock. */
  fallback: string | null;
}

/** What an import did (mirrors `ImportDto`). */
export interface PackImport {
  id: string;
  version: string;
  replaced_version: string | null;
  active: boolean;
  /** Problems that did not refuse the pack, for the coordinator to fix. */
  warnings: PackIssue[];
}

/** The cited paragraphs of an attached article (mirrors `CitationTextDto`). */
export interface CitationText {
  attached: boolean;
  paragraphs: { number: number; text: string }[];
}

/** The built-in pack and the imported ones, with the active one marked. */
export const packsList = () => invoke<Packs>('packs_list');

/** Import a pack file's text (coordinator only); refused packs reject with `invalid_pack`. */
export const packImport = (text: string, fileName: string) =>
  invoke<PackImport>('pack_import', { text, fileName });

/** Make a pack active (coordinator only); `builtin` chooses the built-in pack. */
export const packUse = (id: string) => invoke<Packs>('pack_use', { id });

/** Remove an imported pack (coordinator only). */
export const packRemove = (id: string) => invoke<Packs>('pack_remove', { id });

/** Attach the text of a pack's seed article (coordinator only). */
export const packAttachText = (pack: string, source: string, text: string) =>
  invoke<Packs>('pack_attach_text', { pack, source, text });

/** The text of the cited paragraphs of `source` in the active pack, if attached. */
export const citationText = (source: string, paragraphs: number[]) =>
  invoke<CitationText>('citation_text', { source, paragraphs });

/** The saved interface language. */
export const prefsLang = () => invoke<'en' | 'es'>('prefs_lang');

/** Save the interface language. */
export const prefsSetLang = (lang: 'en' | 'es') => invoke<void>('prefs_set_lang', { lang });

/** Call category codes (mirrors `codes::Category`). */
export const CATEGORIES = [
  'ice_home_door', 'ice_public', 'workplace_operation', 'traffic_stop_local_police',
  'arrest_or_detention', 'courthouse', 'ice_office_checkin', 'info_or_referral',
  'rumour_check', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Agency codes (mirrors `codes::Agency`). */
export const AGENCIES = [
  'ice_ero', 'hsi', 'cbp', 'local_police', 'county_sheriff', 'state_patrol', 'unknown',
  'possible_impersonator',
] as const;
export type Agency = (typeof AGENCIES)[number];

/** Verification codes (mirrors `codes::Verification`). */
export const VERIFICATIONS = [
  'unverified', 'dispatched', 'confirmed', 'false_alarm', 'local_police', 'unable_to_verify',
] as const;
export type Verification = (typeof VERIFICATIONS)[number];

export const RELATIONS = ['self', 'family', 'witness', 'organization', 'other'] as const;
export type CallerRelation = (typeof RELATIONS)[number];
export const IDENTIFIED_BY = ['uniform_text', 'vehicle', 'said_so', 'unknown'] as const;
export type IdentifiedBy = (typeof IDENTIFIED_BY)[number];
export const CHILDREN = ['unknown', 'yes', 'no'] as const;
export type ChildrenPresent = (typeof CHILDREN)[number];
export const URGENCIES = ['low', 'normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Sighting details: Size, Activity, Location, Uniform, Time, Equipment. */
export interface Salute {
  size: string | null;
  activity: string | null;
  location: string | null;
  uniform: string | null;
  time: string | null;
  equipment: string | null;
}

/** A follow-up task on a new call. */
export interface NewFollowUp {
  what: string;
  due: string;
  done: boolean;
}

/** A call as entered (mirrors `calls::NewCall`, the documented call JSON). */
export interface NewCall {
  received_at: string;
  duration_seconds: number | null;
  language: string;
  caller_relation: CallerRelation;
  category: Category;
  agency: Agency;
  identified_by: IdentifiedBy;
  area: string | null;
  exact_location: string | null;
  salute: Salute;
  verification: Verification;
  people_affected: number | null;
  children_present: ChildrenPresent;
  urgency: Urgency;
  referrals: string[];
  followups: NewFollowUp[];
  notes: string;
  contact_name: string | null;
  contact_phone: string | null;
  possibly_malicious: boolean;
  script_path: PlayerPath | null;
  pack_id: string | null;
  pack_version: string | null;
}

/** A saved follow-up task. */
export interface FollowUp {
  id: number;
  what: string;
  due: string;
  done: boolean;
  done_at: string | null;
}

/** A saved call (mirrors `calls::Call`). */
export interface Call extends Omit<NewCall, 'followups'> {
  id: string;
  volunteer: string;
  followups: FollowUp[];
  legal_hold: boolean;
  synthetic: boolean;
  created_at: string;
  created_by: string;
  updated_at: string;
  shredded_at: string | null;
}

/** A line of the call list (mirrors `calls::CallSummary`). */
export interface CallSummary {
  id: string;
  received_at: string;
  duration_seconds: number | null;
  volunteer: string;
  language: string;
  category: Category;
  agency: Agency;
  area: string | null;
  verification: Verification;
  urgency: Urgency;
  possibly_malicious: boolean;
  legal_hold: boolean;
  synthetic: boolean;
  shredded: boolean;
}

/** One entry of a call's edit history. */
export interface HistoryEntry {
  at: string;
  editor: string;
  action: string;
  fields: { field: string }[];
}

/** A call with its shred date and history. */
export interface CallDetail {
  call: Call;
  shred_at: string | null;
  history: HistoryEntry[];
}

/** A follow-up that is due or overdue. */
export interface FollowUpDue {
  id: number;
  call: string;
  what: string;
  due: string;
  overdue: boolean;
  call_received_at: string;
  category: Category;
  urgency: Urgency;
}

/** Filters of the call list. */
export interface CallFilter {
  verification?: Verification;
  category?: Category;
  area?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** A changed subset of a call's fields. */
export type CallUpdate = Partial<Omit<NewCall, 'followups'>>;

/** A draft as saved. */
export interface Draft {
  body: unknown;
  saved_at: string;
}

export const draftSave = (body: unknown) => invoke<void>('draft_save', { body });
export const draftLoad = () => invoke<Draft | null>('draft_load');
export const draftClear = () => invoke<void>('draft_clear');
export const callCreate = (call: NewCall) => invoke<string>('call_create', { call });
export const callUpdate = (id: string, update: CallUpdate) =>
  invoke<void>('call_update', { id, update });
export const callGet = (id: string) => invoke<CallDetail>('call_get', { id });
export const callsList = (filter: CallFilter) => invoke<CallSummary[]>('calls_list', { filter });
export const callsSearch = (query: string) => invoke<CallSummary[]>('calls_search', { query });
export const followupsDue = () => invoke<FollowUpDue[]>('followups_due');
export const followupAdd = (id: string, task: NewFollowUp) =>
  invoke<void>('followup_add', { id, task });
export const followupDone = (id: number, done: boolean) =>
  invoke<void>('followup_done', { id, done });
export const areasList = () => invoke<{ name: string; active: boolean }[]>('areas_list');
export const callHold = (id: string, hold: boolean) => invoke<void>('call_hold', { id, hold });
export const retentionGet = () => invoke<number>('retention_get');
export const retentionSet = (days: number) => invoke<void>('retention_set', { days });

/** One counted key of the dashboard; `count` is null when hidden. */
export interface DashboardCount {
  key: string;
  count: number | null;
}

/** One mark of a chart (mirrors `export::chart::Mark`), in SVG user units. */
export type ChartMark =
  | { kind: 'bar'; x: number; y: number; width: number; height: number; hidden: boolean; title: string }
  | {
      kind: 'text';
      x: number;
      y: number;
      text: string;
      anchor: 'start' | 'end';
      role: 'label' | 'value';
      rotate: number | null;
    }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number };

/** A chart computed by the core (mirrors `export::chart::Chart`). */
export interface Chart {
  width: number;
  height: number;
  marks: ChartMark[];
}

/** The dashboard's counts (mirrors `export::Dashboard`). */
export interface Dashboard {
  from: string;
  to: string;
  shareable: boolean;
  k: number | null;
  total: number | null;
  weeks: DashboardCount[];
  categories: DashboardCount[];
  agencies: DashboardCount[];
  verification: DashboardCount[];
  open_followups: number | null;
  /** The weekly counts as the core's chart model (the HTML report draws the same). */
  week_chart: Chart;
}

/** What summary to build. */
export interface SummaryRequest {
  from: string | null;
  to: string | null;
  k: number;
  format: 'csv' | 'json' | 'html';
  lang: 'en' | 'es';
  include_synthetic: boolean;
}

export const dashboard = (from: string, to: string, shareableK: number | null) =>
  invoke<Dashboard>('dashboard', { from, to, shareableK });
/** The published counts of one dimension of a summary (mirrors `export::PreviewTable`). */
export interface PreviewTable {
  /** `category`, `area`, `agency`, `verification`, `language` or `caller_relation`. */
  dimension: string;
  rows: DashboardCount[];
}

/** A summary as the window previews it (mirrors `export::SummaryPreview`). */
export interface SummaryPreview {
  from: string;
  to: string;
  k: number;
  include_synthetic: boolean;
  total: number | null;
  week_chart: Chart;
  tables: PreviewTable[];
  /** Rows the written file holds (every cell and total, zeros included). */
  file_rows: number;
}

export const summaryPreview = (request: SummaryRequest) =>
  invoke<{ preview: SummaryPreview; file_name: string }>('summary_preview', { request });
export const summaryWrite = (request: SummaryRequest) => invoke<string>('summary_write', { request });
export const today = () => invoke<string>('today');

/** One entry of the referral directory (mirrors `referrals::ReferralView`). */
export interface Referral {
  /** Stable id (a UUID): what a call's `referrals` hold. */
  id: string;
  name: string;
  about_en: string;
  about_es: string;
  languages: string[];
  hours: string | null;
  phone: string | null;
  web: string | null;
  area: string | null;
  kinds: string[];
  source: string | null;
  /** When the facts were last checked (YYYY-MM-DD). */
  verified_on: string | null;
  /** False when the source or the date is missing: shown as unverified. */
  verified: boolean;
}

/** An entry as the coordinator's form sends it (mirrors `ReferralInput`); no id for a new one. */
export interface ReferralInput {
  id: string | null;
  name: string;
  about_en: string;
  about_es: string;
  languages: string[];
  hours: string | null;
  phone: string | null;
  web: string | null;
  area: string | null;
  kinds: string[];
  source: string | null;
  verified_on: string | null;
}

/** What a directory import did (mirrors `ReferralImportDto`). */
export interface ReferralImport {
  added: number;
  updated: number;
  unchanged: number;
}

/** Every directory entry still offered, by name. */
export const referralsList = () => invoke<Referral[]>('referrals_list');

/** Entries matching every word of `query` (any language, accents ignored), of any of `kinds`. */
export const referralsSearch = (query: string, kinds: string[]) =>
  invoke<Referral[]>('referrals_search', { query, kinds });

/** Add (no id) or replace an entry (coordinators). */
export const referralSave = (entry: ReferralInput) => invoke<Referral>('referral_save', { entry });

/** Stop offering an entry (coordinators); calls that name it keep it. */
export const referralRemove = (id: string) => invoke<void>('referral_remove', { id });

/** Import a directory file's text, merging by id (coordinators). */
export const referralsImport = (text: string) => invoke<ReferralImport>('referrals_import', { text });

/** Write the directory file to the exports folder; resolves to its path. */
export const referralsExport = () => invoke<string>('referrals_export');
