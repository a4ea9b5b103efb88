// Turns a shell error into a translated, actionable sentence.

import { translate, type Lang } from './i18n';
import { en, type MessageKey } from './messages';
import type { UiError } from './api';

/** The message key for an error code; unknown codes fall back to the generic text. */
export function errorKey(err: UiError): MessageKey {
  const key = `error.${err.code}`;
  return key in en ? (key as MessageKey) : 'error.generic';
}

/** A translated sentence for `err`, with its details filled in. */
export function describeError(lang: Lang, err: UiError): string {
  const seconds = Math.max(1, Math.ceil((err.wait_ms ?? 0) / 1000));
  return translate(lang, errorKey(err), {
    seconds,
    expected: err.expected ?? '?',
    found: err.found ?? '?',
    field: fieldLabel(lang, err.field),
    limit: err.limit ?? '?',
    number: err.number ?? '?',
    reason: weakReason(lang, err.reason),
    note: translate(lang, 'passphrase.english_dictionaries'),
  });
}

/** Why a passphrase was refused (`passphrase.weak.<reason>`), in `lang`. */
export function weakReason(lang: Lang, reason: string | undefined): string {
  const key = `passphrase.weak.${reason ?? 'guessable'}`;
  return translate(lang, key in en ? (key as MessageKey) : 'passphrase.weak.guessable');
}

/** The call form's label of each call field, named as in the call JSON. */
const CALL_FIELD_LABELS: Record<string, MessageKey> = {
  notes: 'call.notes',
  'salute.size': 'call.salute.size',
  'salute.activity': 'call.salute.activity',
  'salute.location': 'call.salute.location',
  'salute.uniform': 'call.salute.uniform',
  'salute.time': 'call.salute.time',
  'salute.equipment': 'call.salute.equipment',
  exact_location: 'call.exactLocation',
  contact_name: 'call.contactName',
  contact_phone: 'call.contactPhone',
  'followups.what': 'call.followupWhat',
  'followups.due': 'call.followupDue',
  followups: 'call.followups',
  people_affected: 'call.people',
  referrals: 'call.referrals',
  language: 'call.language',
  query: 'list.search',
  received_at: 'field.received_at',
  duration_seconds: 'call.timer',
  volunteer: 'field.volunteer',
  caller_relation: 'call.relation',
  category: 'field.category',
  agency: 'field.agency',
  identified_by: 'call.identifiedBy',
  area: 'call.area',
  verification: 'call.verification',
  children_present: 'call.children',
  urgency: 'call.urgency',
  possibly_malicious: 'field.possibly_malicious',
  script_path: 'field.script_path',
  pack_id: 'field.pack_id',
  pack_version: 'field.pack_version',
};

/** The form's label of a field (a call's or a referral entry's), in `lang`; the raw name if unknown. */
export function fieldLabel(lang: Lang, field: string | undefined): string {
  if (!field) return '?';
  const callKey = CALL_FIELD_LABELS[field];
  if (callKey) return translate(lang, callKey);
  const key = `referral.field.${field}`;
  return key in en ? translate(lang, key as MessageKey) : field;
}
