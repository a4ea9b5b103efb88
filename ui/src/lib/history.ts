// A saved call's edit history as a person reads it: each changed field by
// its form label, structured values translated (from → to), free-text
// fields by name only (the core never keeps their text in the history).
// Unit-tested in history.test.ts.

import type { FieldChange } from './api';
import { formatDuration } from './callform';
import { dateTime } from './dates';
import { fieldLabel } from './errors';
import { translate, type Lang } from './i18n';
import { en, type MessageKey } from './messages';

/** The message-key prefix of each coded field's values. */
const CODE_PREFIX: Record<string, string> = {
  category: 'category',
  agency: 'agency',
  verification: 'verification',
  urgency: 'urgency',
  children_present: 'children',
  identified_by: 'identified',
  caller_relation: 'relation',
  language: 'lang.call',
};

/** A stored value of `field` in `lang`; `names` names referral ids. */
export function historyValue(
  lang: Lang,
  field: string,
  value: string | null | undefined,
  names: ReadonlyMap<string, string>,
): string {
  if (value === null || value === undefined || value === '') return translate(lang, 'history.empty');
  const prefix = CODE_PREFIX[field];
  if (prefix) {
    const key = `${prefix}.${value}`;
    return key in en ? translate(lang, key as MessageKey) : value;
  }
  if (field === 'received_at') return dateTime(value, lang, 'medium');
  if (field === 'duration_seconds' && /^\d+$/.test(value)) return formatDuration(Number(value));
  if (field === 'possibly_malicious') return translate(lang, value === 'true' ? 'detail.yes' : 'detail.no');
  if (field === 'referrals') return value.split(',').map((id) => names.get(id) ?? id).join('; ');
  return value;
}

/** One changed field in `lang`: "Urgency: Normal → Urgent", or "Notes edited". */
export function describeChange(lang: Lang, change: FieldChange, names: ReadonlyMap<string, string>): string {
  const field = fieldLabel(lang, change.field);
  const structured = change.from !== undefined || change.to !== undefined;
  if (!structured) return translate(lang, 'history.textEdited', { field });
  return translate(lang, 'history.change', {
    field,
    from: historyValue(lang, change.field, change.from, names),
    to: historyValue(lang, change.field, change.to, names),
  });
}
