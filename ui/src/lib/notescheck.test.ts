import { describe, expect, it } from 'vitest';
import { notesPieces } from './notescheck';

describe('notesPieces', () => {
  it('cuts the notes at the findings, counting UTF-16 units as the core does', () => {
    const text = 'Niño 😀: A123456789 y sin papeles.';
    const start = text.indexOf('A1');
    const sin = text.indexOf('sin');
    const pieces = notesPieces(text, [
      { kind: 'a_number', start, end: start + 10 },
      { kind: 'status_word', start: sin, end: sin + 11 },
    ]);
    expect(pieces).toEqual([
      { text: 'Niño 😀: ', kind: null },
      { text: 'A123456789', kind: 'a_number' },
      { text: ' y ', kind: null },
      { text: 'sin papeles', kind: 'status_word' },
      { text: '.', kind: null },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });

  it('ignores spans that no longer fit the text', () => {
    expect(notesPieces('short', [{ kind: 'a_number', start: 2, end: 40 }])).toEqual([{ text: 'short', kind: null }]);
  });
});
