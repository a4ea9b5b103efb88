// Text as a person counts it, and the checks a call's text fields get
// before they are sent: the same limits and rules as the core
// (`calls::text`), so a refusal can be shown next to its field at once.
// Unit-tested in text.test.ts.

/**
 * Byte limits of the call's text fields, as UTF-8 (mirror `calls::text`:
 * a core test reads this list and holds it to the core's constants).
 */
export const TEXT_LIMITS = {
  notes: 65536,
  salute: 1024,
  exact_location: 1024,
  contact_name: 256,
  contact_phone: 64,
  followup: 1024,
} as const;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters of `text` as a person counts them: é, 👍🏽 and 🇲🇽 are one each. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of segmenter.segment(text)) n += 1;
  return n;
}

/** Length of `text` in UTF-8 bytes, as the core counts it. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** What a limited field's counter shows. */
export interface FieldCount {
  /** Characters as a person counts them. */
  chars: number;
  /** Bytes of UTF-8, what the limit is in. */
  bytes: number;
  /** Whether the text is over its limit. */
  over: boolean;
}

/** The counter of a field holding `text` with a limit of `maxBytes`. */
export function fieldCount(text: string | null, maxBytes: number): FieldCount {
  const value = text ?? '';
  const bytes = utf8Length(value);
  return { chars: charCount(value), bytes, over: bytes > maxBytes };
}

/** Whether `text` holds a lone UTF-16 surrogate (half of an emoji, say), which cannot be saved. */
export function hasBrokenText(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Whether `text` holds a control character the core refuses (all but line feed and tab; a carriage return becomes a line break). */
export function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text);
}

/** Where in a command's arguments a text lies: the field, named as in the call JSON, and its list item from 1. */
export interface TextPlace {
  field: string;
  number?: number;
}

/**
 * The first string in a command's arguments with a lone surrogate, named
 * as the core names fields: the argument's own name for a plain value
 * (`query`), the path inside it for an object (`salute.size`), list items
 * by number (`followups.what`, number 2).
 */
export function findBrokenText(args: Record<string, unknown>): TextPlace | null {
  for (const [name, value] of Object.entries(args)) {
    const found =
      typeof value === 'object' && value !== null ? search(value, [], undefined) : search(value, [name], undefined);
    if (found) return found;
  }
  return null;
}

function search(value: unknown, path: string[], number: number | undefined): TextPlace | null {
  if (typeof value === 'string') {
    if (!hasBrokenText(value)) return null;
    const place: TextPlace = { field: path.join('.') || 'text' };
    if (number !== undefined) place.number = number;
    return place;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = search(value[i], path, i + 1);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const found = search(inner, [...path, key], number);
      if (found) return found;
    }
  }
  return null;
}

/** A refusal of one field of a form, shown next to it. */
export interface FieldError {
  /** The field, named as in the call JSON (`salute.size`). */
  field: string;
  /** Which list item (a follow-up task), from 1. */
  number?: number;
  /** The translated sentence. */
  text: string;
}

/** A call's text as the form holds it (the fields `callTextProblem` checks). */
export interface CallText {
  notes: string;
  exact_location: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  salute: { [key in 'size' | 'activity' | 'location' | 'uniform' | 'time' | 'equipment']: string | null };
  followups: { what: string }[];
}

/** The refusal of one text field, shaped as the core's (`UiError`). */
export interface TextProblem {
  code: 'too_long' | 'control_character' | 'broken_text';
  message: string;
  field: string;
  limit?: number;
  number?: number;
}

function problemOf(field: string, text: string | null, limit: number, number?: number): TextProblem | null {
  if (!text) return null;
  const at = number === undefined ? {} : { number };
  if (hasBrokenText(text)) return { code: 'broken_text', message: `${field} holds a broken character`, field, ...at };
  if (hasControlCharacter(text)) {
    return { code: 'control_character', message: `${field} contains a control character`, field, ...at };
  }
  if (utf8Length(text) > limit) return { code: 'too_long', message: `${field} is too long`, field, limit, ...at };
  return null;
}

/**
 * The first text field of a call the core would refuse, in the form's
 * order, so that it is shown next to its field before anything is sent.
 */
export function callTextProblem(call: CallText): TextProblem | null {
  const checks: (() => TextProblem | null)[] = [
    () => problemOf('notes', call.notes, TEXT_LIMITS.notes),
    () => problemOf('exact_location', call.exact_location, TEXT_LIMITS.exact_location),
    ...Object.entries(call.salute).map(([key, value]) => () => problemOf(`salute.${key}`, value, TEXT_LIMITS.salute)),
    ...call.followups.map((task, i) => () => problemOf('followups.what', task.what, TEXT_LIMITS.followup, i + 1)),
    () => problemOf('contact_name', call.contact_name, TEXT_LIMITS.contact_name),
    () => problemOf('contact_phone', call.contact_phone, TEXT_LIMITS.contact_phone),
  ];
  for (const check of checks) {
    const problem = check();
    if (problem) return problem;
  }
  return null;
}

/**
 * A chosen file's text, which must be UTF-8. A file in another encoding
 * (Latin-1, say) is refused as the core refuses it (`not_utf8`) rather than
 * read with its accented letters turned into U+FFFD.
 */
export async function readUtf8(file: Blob): Promise<string> {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const refusal: TextProblemFile = { code: 'not_utf8', message: 'the file is not UTF-8 text' };
    throw refusal;
  }
}

/** The refusal of a file that is not UTF-8, shaped as the core's. */
export interface TextProblemFile {
  code: 'not_utf8';
  message: string;
}
