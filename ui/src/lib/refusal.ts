// A call form's refusals and the notes warning, as the intake and a saved
// call's edit both show them: next to the field the core's error names
// (`data-field`, and `data-number` for a list item) when the form has it,
// otherwise above the form; the notes check's findings, and the first
// flagged words selected to be corrected. Unit-tested in refusal.test.ts.

import type { NotesFinding, UiError } from './api';
import { describeError } from './errors';
import type { Lang } from './i18n';
import type { FieldError } from './text';

/** Where the form's elements are looked for: the dialog, or the page. */
export type FormRoot = Pick<ParentNode, 'querySelector'>;

/** The selector of the form field named `field` (list item `number`, from 1). */
export function fieldSelector(field: string, number?: number): string {
  return `[data-field="${field}"]${number === undefined ? '' : `[data-number="${number}"]`}`;
}

/** How a refusal is shown: next to its field, or as a message above the form. */
export type Placed = { field: FieldError } | { message: string };

/** Where `err` is shown in the form under `root`, translated into `lang`. */
export function placeRefusal(root: FormRoot | null, lang: Lang, err: UiError): Placed {
  const text = describeError(lang, err);
  if (err.field && root?.querySelector(fieldSelector(err.field, err.number))) {
    return { field: { field: err.field, number: err.number, text } };
  }
  return { message: text };
}

/** Move the focus to the field under `root` that a refusal names. */
export function focusField(root: FormRoot | null, place: { field: string; number?: number }): void {
  root?.querySelector<HTMLElement>(fieldSelector(place.field, place.number))?.focus();
}

/** What the notes check finds in `notes` (blank notes are not sent). */
export async function flaggedIn(
  notes: string,
  check: (notes: string) => Promise<NotesFinding[]>,
): Promise<NotesFinding[]> {
  return notes.trim() === '' ? [] : check(notes);
}

/** Back to the notes field, with the first flagged words selected so typing replaces them. */
export function selectFirstFinding(field: HTMLElement | null, findings: NotesFinding[] | null): void {
  if (typeof HTMLTextAreaElement === 'undefined' || !(field instanceof HTMLTextAreaElement)) return;
  field.focus();
  const first = findings?.[0];
  if (first) field.setSelectionRange(first.start, first.end);
}
