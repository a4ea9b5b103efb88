// Editing a saved call: its editable fields as the intake form's call, the
// change to send (only the fields that differ), and the state CallForm
// draws. Pure parts are unit-tested in edit.test.ts.

import type { Call, CallUpdate, NewCall } from './api';
import { cleaned, formatDuration, parseDuration } from './callform';
import { fromLocal, localDay, localTime } from './dates';
import type { MessageKey } from './messages';

/** A saved call's editable fields, as the form edits them (follow-ups are changed on their own). */
export function editableForm(call: Call): NewCall {
  return {
    received_at: call.received_at,
    duration_seconds: call.duration_seconds,
    volunteer: call.volunteer,
    language: call.language,
    caller_relation: call.caller_relation,
    category: call.category,
    agency: call.agency,
    identified_by: call.identified_by,
    area: call.area,
    exact_location: call.exact_location,
    salute: { ...call.salute },
    verification: call.verification,
    people_affected: call.people_affected,
    children_present: call.children_present,
    urgency: call.urgency,
    referrals: [...call.referrals],
    followups: [],
    notes: call.notes,
    contact_name: call.contact_name,
    contact_phone: call.contact_phone,
    possibly_malicious: call.possibly_malicious,
    script_path: call.script_path,
    pack_id: call.pack_id,
    pack_version: call.pack_version,
  };
}

/** The fields of a call an edit may change (not its follow-ups). */
const EDITABLE = [
  'received_at',
  'duration_seconds',
  'volunteer',
  'language',
  'caller_relation',
  'category',
  'agency',
  'identified_by',
  'area',
  'exact_location',
  'salute',
  'verification',
  'people_affected',
  'children_present',
  'urgency',
  'referrals',
  'notes',
  'contact_name',
  'contact_phone',
  'possibly_malicious',
  'script_path',
  'pack_id',
  'pack_version',
] as const satisfies readonly (keyof NewCall & keyof CallUpdate)[];

/** Whether two field values are the same (objects and lists by their JSON). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The change from `before` to `after`: only the fields that differ, once
 * both are cleaned as for saving (a blank text is no text). Empty when
 * nothing changed.
 */
export function callChanges(before: NewCall, after: NewCall): CallUpdate {
  const a = cleaned(before);
  const b = cleaned(after);
  const update: Record<string, unknown> = {};
  for (const key of EDITABLE) {
    if (!same(a[key], b[key])) update[key] = b[key];
  }
  // A number input left empty gives '' or undefined: that clears the count.
  if ('people_affected' in update && typeof update.people_affected !== 'number') update.people_affected = null;
  return update as CallUpdate;
}

/** Whether an update changes anything. */
export function isEmptyUpdate(update: CallUpdate): boolean {
  return Object.keys(update).length === 0;
}

/** The received time and length as the edit form types them: the laptop's own day and time, and "m:ss". */
export interface WhenFields {
  day: string;
  time: string;
  duration: string;
}

/** A call's received time and length as the form shows them. */
export function whenFields(call: Pick<NewCall, 'received_at' | 'duration_seconds'>): WhenFields {
  const at = new Date(call.received_at);
  return {
    day: localDay(at),
    time: localTime(at),
    duration: call.duration_seconds === null ? '' : formatDuration(call.duration_seconds),
  };
}

/** A typed time or length that cannot be read: its field, as the core names it, and why. */
export interface WhenProblem {
  field: 'received_at' | 'duration_seconds';
  key: MessageKey;
}

/**
 * The received time and length typed in `typed`, read onto `form` (a
 * field left as it was shown keeps its stored value to the second), or the
 * first that cannot be read.
 */
export function readWhen(
  form: NewCall,
  shown: WhenFields,
  typed: WhenFields,
): { ok: NewCall } | { problem: WhenProblem } {
  let received_at = form.received_at;
  if (typed.day !== shown.day || typed.time !== shown.time) {
    const at = fromLocal(typed.day, typed.time);
    if (!at) return { problem: { field: 'received_at', key: 'edit.whenMissing' } };
    received_at = at.toISOString();
  }
  let duration_seconds = form.duration_seconds;
  if (typed.duration.trim() !== shown.duration) {
    const seconds = parseDuration(typed.duration);
    if (seconds === undefined) return { problem: { field: 'duration_seconds', key: 'edit.durationUnreadable' } };
    duration_seconds = seconds;
  }
  return { ok: { ...form, received_at, duration_seconds } };
}

/** A saved call open for editing: what CallForm draws and marks changed. */
export class CallEdit {
  /** The call as being edited. */
  form = $state<NewCall | null>(null);
  /** Whether anything was typed since the edit began. */
  dirty = $state(false);
  /** Edits are saved by hand, never kept as drafts. */
  readonly savedAt: Date | null = null;
  /** The call as it was saved. */
  readonly before: NewCall;
  /** The received time and length as typed. */
  when = $state<WhenFields>({ day: '', time: '', duration: '' });
  /** The received time and length as first shown. */
  readonly whenShown: WhenFields;

  constructor(call: Call) {
    this.before = editableForm(call);
    this.form = editableForm(call);
    this.whenShown = whenFields(call);
    this.when = { ...this.whenShown };
  }

  /** The form changed. */
  touch() {
    this.dirty = true;
  }

  /** The change to send, or the typed time or length that cannot be read. */
  changes(): { update: CallUpdate } | { problem: WhenProblem } {
    if (!this.form) return { update: {} };
    const read = readWhen($state.snapshot<unknown>(this.form) as NewCall, this.whenShown, $state.snapshot(this.when));
    if ('problem' in read) return read;
    return { update: callChanges(this.before, read.ok) };
  }
}
