// Typed calls into the Rust shell. This is the only module that calls
// `invoke`. The types of every command's arguments and results, the error
// shape and the lists of codes are generated from the Rust types into
// `./bindings/` (`make bindings`; a test fails when they drift); this module
// re-exports them and declares only the calls themselves.

import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { findBrokenText } from './text';
import type {
  AlertText,
  AppInfo,
  Area,
  BackupDone,
  AuditView,
  CallDetail,
  CallListFilter,
  CallSummary,
  CallUpdate,
  ChildrenPresent,
  CitationText,
  Continuity,
  Dashboard,
  Draft,
  FollowUpDue,
  Guidance,
  Integrity,
  Lang,
  Migration,
  NewCall,
  NewFollowUp,
  NotesFinding,
  PackEntry,
  PackImport,
  PackIssue,
  Packs,
  PlayerView,
  RecoveryKit,
  ReferralImport,
  ReferralInput,
  ReferralView,
  RestoreChoice,
  RestoreDone,
  Role,
  Session,
  SummaryPreview,
  SummaryRequest,
  SyncProgress,
  SyncReport,
  TeamCard,
  UiError,
  UiLang,
  UserSummary,
  VaultStatus,
} from './bindings';
import { ERROR_CODES } from './bindings/codes';

export type * from './bindings';
export * from './bindings/codes';

/** Text in every pack language, keyed by language code. */
export type PackText = PackEntry['title'];

/** Whether children were present, in the order the form offers them ("unknown" first). */
export const CHILDREN = ['unknown', 'yes', 'no'] as const satisfies readonly ChildrenPresent[];
// Does not compile when the core adds an answer that the list above lacks.
const childrenComplete: [Exclude<ChildrenPresent, (typeof CHILDREN)[number]>] extends [never] ? true : never = true;
void childrenComplete;

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
      reason: typeof raw.reason === 'string' ? raw.reason : undefined,
    };
  }
  return { code: 'internal', message: String(err) };
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

/** A page of the audit log before entry `before` (the newest when null), with its verification (coordinator only). */
export const auditView = (before: number | null) => invoke<AuditView>('audit_view', { before });

/** Users of this vault (coordinator only). */
export const usersList = () => invoke<UserSummary[]>('users_list');

/** Add a user with a first passphrase (coordinator only). */
export const usersAdd = (handle: string, role: Role, passphrase: string) =>
  invoke<void>('users_add', { handle, role, passphrase });

/** How many holders of the coordinator key the vault has (coordinator only). */
export const continuityGet = () => invoke<Continuity>('continuity_get');

/** Make a recovery kit, returned once to be written down (coordinator only). */
export const recoveryKitCreate = () => invoke<RecoveryKit>('recovery_kit_create');

/** Remove a user (coordinator only). */
export const usersRemove = (handle: string) => invoke<void>('users_remove', { handle });

/** A passphrase of random words (EFF large list), to show and set; nothing is stored. */
export const passphraseSuggest = () => invoke<string>('passphrase_suggest');

/** Change the signed-in user's passphrase. */
export const passphraseChange = (current: string, next: string) =>
  invoke<Session>('passphrase_change', { current, next });

/** Set the idle minutes before auto-lock (coordinator only). */
export const setAutoLock = (minutes: number) => invoke<Session>('settings_set_auto_lock', { minutes });

/** Switch panic erase at the lock screen on or off (coordinator); returns the new state. */
export const setPanicErase = (on: boolean) => invoke<boolean>('settings_set_panic_erase', { on });

/** The running one-time re-encryption's progress, or null when none runs. */
export const vaultMigration = () => invoke<Migration | null>('vault_migration');

/** Panic erase at the lock screen, no key needed: `word` is the confirming word typed. */
export const vaultPanicErase = (word: string) => invoke<void>('vault_panic_erase', { word });

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
export const prefsLang = () => invoke<UiLang>('prefs_lang');

/** Save the interface language. */
export const prefsSetLang = (lang: UiLang) => invoke<void>('prefs_set_lang', { lang });

export const draftSave = (body: unknown) => invoke<void>('draft_save', { body });
export const draftLoad = () => invoke<Draft | null>('draft_load');
export const draftClear = () => invoke<void>('draft_clear');
/** Save a new call; flagged notes are refused unless `notesOk` (the volunteer confirmed them). */
export const callCreate = (call: NewCall, notesOk = false) => invoke<string>('call_create', { call, notesOk });
/** Change a saved call; changed notes are checked as in `callCreate`. */
export const callUpdate = (id: string, update: CallUpdate, notesOk = false) =>
  invoke<void>('call_update', { id, update, notesOk });
/** What the core's notes check finds in `notes` (A-numbers, birth countries, status words). */
export const notesCheck = (notes: string) => invoke<NotesFinding[]>('notes_check', { notes });
export const callGet = (id: string) => invoke<CallDetail>('call_get', { id });
export const callsList = (filter: CallListFilter) => invoke<CallSummary[]>('calls_list', { filter });
export const callsSearch = (query: string) => invoke<CallSummary[]>('calls_search', { query });
export const followupsDue = () => invoke<FollowUpDue[]>('followups_due');
export const followupAdd = (id: string, task: NewFollowUp) =>
  invoke<void>('followup_add', { id, task });
export const followupDone = (id: number, done: boolean) =>
  invoke<void>('followup_done', { id, done });
export const areasList = () => invoke<Area[]>('areas_list');
export const callHold = (id: string, hold: boolean) => invoke<void>('call_hold', { id, hold });
/** Close a call's case (refused while a follow-up task is open). */
export const callClose = (id: string) => invoke<void>('call_close', { id });
/** Open a call's closed case again. */
export const callReopen = (id: string) => invoke<void>('call_reopen', { id });
/** Mark a call "share with the next shift", or take the mark off. */
export const callShare = (id: string, share: boolean) => invoke<void>('call_share', { id, share });
/** The alert text of a confirmed sighting, in English and Spanish. */
export const callAlert = (id: string) => invoke<AlertText>('call_alert', { id });
/** Copy the alert text in `lang` to the clipboard (audited); returns the seconds until it is cleared if unchanged. */
export const callAlertCopy = (id: string, lang: Lang) => invoke<number>('call_alert_copy', { id, lang });
export const retentionGet = () => invoke<number>('retention_get');
export const retentionSet = (days: number) => invoke<void>('retention_set', { days });

export const dashboard = (from: string, to: string, shareableK: number | null) =>
  invoke<Dashboard>('dashboard', { from, to, shareableK });
export const summaryPreview = (request: SummaryRequest) =>
  invoke<SummaryPreview>('summary_preview', { request });
export const summaryWrite = (request: SummaryRequest) => invoke<string>('summary_write', { request });
export const today = () => invoke<string>('today');

/** Every directory entry still offered, by name. */
export const referralsList = () => invoke<ReferralView[]>('referrals_list');

/** Entries matching every word of `query` (any language, accents ignored), of any of `kinds`. */
export const referralsSearch = (query: string, kinds: string[]) =>
  invoke<ReferralView[]>('referrals_search', { query, kinds });

/** Add (no id) or replace an entry (coordinators). */
export const referralSave = (entry: ReferralInput) => invoke<ReferralView>('referral_save', { entry });

/** Stop offering an entry (coordinators); calls that name it keep it. */
export const referralRemove = (id: string) => invoke<void>('referral_remove', { id });

/** Import a directory file's text, merging by id (coordinators). */
export const referralsImport = (text: string) => invoke<ReferralImport>('referrals_import', { text });

/** Write the directory file to the exports folder; resolves to its path. */
export const referralsExport = () => invoke<string>('referrals_export');

// The team card: the team folder. The shell opens the folder chooser and
// keeps the path; the sync runs off the window's thread.

/** This laptop's team, or null when it is in none. */
export const teamCard = () => invoke<TeamCard | null>('team_card');

/** Choose the team folder (native dialog); its path, or null if cancelled. */
export const teamFolderChoose = (lang: UiLang) => invoke<string | null>('team_folder_choose', { lang });

/** Sync with the chosen team folder; resolves to the report. */
export const teamSync = () => invoke<SyncReport>('team_sync');

/** Where the running sync stands, or null when none runs. */
export const teamSyncProgress = () => invoke<SyncProgress | null>('team_sync_progress');

// Coordinator screens: backup, restore, areas, legal holds, erase. The
// shell opens the native file choosers and keeps the paths chosen.

/** Ask where to write a backup, then write it (coordinator); null if cancelled. */
export const backupWrite = (lang: UiLang) => invoke<BackupDone | null>('backup_write', { lang });

/** Choose the backup to restore (set-up and unlock screens); null if cancelled. */
export const restoreChoose = (lang: UiLang) => invoke<RestoreChoice | null>('restore_choose', { lang });

/** Restore the chosen backup as `handle` (a user in it) and sign in. */
export const vaultRestore = (handle: string, passphrase: string) =>
  invoke<RestoreDone>('vault_restore', { handle, passphrase });

/** Every area, deactivated ones too (coordinator). */
export const areasAll = () => invoke<Area[]>('areas_all');

/** Add an area, or offer a deactivated one again (coordinator). */
export const areaAdd = (name: string) => invoke<void>('area_add', { name });

/** Rename an area (coordinator); its calls show the new name. */
export const areaRename = (name: string, newName: string) =>
  invoke<void>('area_rename', { name, newName });

/** Stop offering an area for new calls (coordinator); calls keep it. */
export const areaDeactivate = (name: string) => invoke<void>('area_deactivate', { name });

/** The calls on legal hold, newest first. */
export const callsHeld = () => invoke<CallSummary[]>('calls_held');

/** Erase the vault (coordinator): the confirming word, then the coordinator's own handle. */
export const vaultErase = (word: string, handle: string) => invoke<void>('vault_erase', { word, handle });
