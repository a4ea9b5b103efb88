// Pure helpers for the intake form: a blank call, limits, the timer's text,
// and applying what the script set. Unit-tested in callform.test.ts.

import type { CallFields, NewCall, PlayerPath } from './api';
import { AGENCIES, CATEGORIES, VERIFICATIONS } from './api';

/** A blank call received at `now`, in the interface language. */
export function blankCall(now: Date, language: string): NewCall {
  return {
    received_at: now.toISOString(),
    duration_seconds: null,
    volunteer: null,
    language,
    caller_relation: 'self',
    category: 'other',
    agency: 'unknown',
    identified_by: 'unknown',
    area: null,
    exact_location: null,
    salute: { size: null, activity: null, location: null, uniform: null, time: null, equipment: null },
    verification: 'unverified',
    people_affected: null,
    children_present: 'unknown',
    urgency: 'normal',
    referrals: [],
    followups: [],
    notes: '',
    contact_name: null,
    contact_phone: null,
    possibly_malicious: false,
    script_path: null,
    pack_id: null,
    pack_version: null,
  };
}

/** "m:ss", or "h:mm:ss" past an hour. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A call length typed as "m:ss" or "h:mm:ss" ({@link formatDuration}'s
 * forms), in seconds; null for an empty field, undefined when it cannot be
 * read.
 */
export function parseDuration(text: string): number | null | undefined {
  const typed = text.trim();
  if (typed === '') return null;
  const parts = /^(?:(\d+):)?(\d+):([0-5]\d)$/.exec(typed);
  if (!parts) return undefined;
  const [hours, minutes, seconds] = [Number(parts[1] ?? 0), Number(parts[2]), Number(parts[3])];
  if (parts[1] !== undefined && minutes > 59) return undefined;
  return hours * 3600 + minutes * 60 + seconds;
}

/** Copy what the script set onto the call, and remember the path. */
export function applyScript(call: NewCall, fields: CallFields, path: PlayerPath | null): NewCall {
  const next: NewCall = { ...call, script_path: path };
  const category = CATEGORIES.find((c) => c === fields.category);
  const agency = AGENCIES.find((a) => a === fields.agency);
  const verification = VERIFICATIONS.find((v) => v === fields.verification);
  if (category) next.category = category;
  if (agency) next.agency = agency;
  if (verification) next.verification = verification;
  if (path && typeof path.pack === 'string') next.pack_id = path.pack;
  if (path && typeof path.pack_version === 'string') next.pack_version = path.pack_version;
  return next;
}

/** Empty strings become null, so optional text fields are truly absent. */
export function nullIfBlank(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/** The call as it should be sent: blank optional texts removed, duration set. */
export function forSaving(call: NewCall, elapsedSeconds: number): NewCall {
  return { ...cleaned(call), duration_seconds: Math.round(elapsedSeconds) };
}

/** The call with blank optional texts removed, the exact location only while dispatched, and unfinished tasks left out. */
export function cleaned(call: NewCall): NewCall {
  const s = call.salute;
  const salute = {
    size: nullIfBlank(s.size),
    activity: nullIfBlank(s.activity),
    location: nullIfBlank(s.location),
    uniform: nullIfBlank(s.uniform),
    time: nullIfBlank(s.time),
    equipment: nullIfBlank(s.equipment),
  };
  return {
    ...call,
    area: nullIfBlank(call.area),
    exact_location: call.verification === 'dispatched' ? nullIfBlank(call.exact_location) : null,
    contact_name: nullIfBlank(call.contact_name),
    contact_phone: nullIfBlank(call.contact_phone),
    salute,
    followups: call.followups.filter((f) => f.what.trim() !== '' && f.due !== ''),
  };
}
