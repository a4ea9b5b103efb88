import { describe, expect, it } from 'vitest';
import type { UiError } from './api';
import { fieldSelector, flaggedIn, placeRefusal, type FormRoot } from './refusal';

/** A form holding only the fields matched by `selectors`. */
function formWith(...selectors: string[]): FormRoot {
  return { querySelector: (s: string) => (selectors.includes(s) ? ({} as Element) : null) } as FormRoot;
}

describe('placeRefusal', () => {
  const tooLong: UiError = { code: 'too_long', message: 'salute.size is too long', field: 'salute.size', limit: 1024 };

  it('puts a refusal next to the field it names, in the interface language', () => {
    const placed = placeRefusal(formWith('[data-field="salute.size"]'), 'es', tooLong);
    expect(placed).toEqual({ field: { field: 'salute.size', number: undefined, text: expect.stringContaining('Tamaño') } });
  });

  it('names a list item by its number', () => {
    expect(fieldSelector('followups.what', 2)).toBe('[data-field="followups.what"][data-number="2"]');
    const err: UiError = { code: 'control_character', message: 'x', field: 'followups.what', number: 2 };
    expect('field' in placeRefusal(formWith(fieldSelector('followups.what', 2)), 'en', err)).toBe(true);
    expect('message' in placeRefusal(formWith(fieldSelector('followups.what', 1)), 'en', err)).toBe(true);
  });

  it('shows above the form a refusal of a field the form does not have, or of none', () => {
    expect(placeRefusal(formWith(), 'en', tooLong)).toEqual({ message: expect.stringContaining('Size') });
    expect('message' in placeRefusal(null, 'en', { code: 'locked', message: 'locked' })).toBe(true);
  });
});

describe('flaggedIn', () => {
  it('asks the notes check about notes, never about blank ones', async () => {
    const asked: string[] = [];
    const check = async (notes: string) => {
      asked.push(notes);
      return [{ kind: 'a_number' as const, start: 0, end: 4 }];
    };
    expect(await flaggedIn('  \n', check)).toEqual([]);
    expect(await flaggedIn('A123', check)).toHaveLength(1);
    expect(asked).toEqual(['A123']);
  });
});
