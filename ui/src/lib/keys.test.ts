import { describe, expect, it } from 'vitest';
import { ctrlChord, inTextField, plainKey, type ChordLike } from './keys';

function key(k: string, mods: Partial<ChordLike> = {}): ChordLike {
  return { key: k, altKey: false, ctrlKey: false, metaKey: false, ...mods };
}

describe('keyboard commands', () => {
  it('reads a Ctrl chord in lower case, and nothing with Alt or Meta', () => {
    expect(ctrlChord(key('S', { ctrlKey: true }))).toBe('s');
    expect(ctrlChord(key('Enter', { ctrlKey: true }))).toBe('enter');
    expect(ctrlChord(key('s'))).toBeNull();
    expect(ctrlChord(key('s', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(ctrlChord(key('s', { ctrlKey: true, metaKey: true }))).toBeNull();
  });

  it('reads a plain key only without modifiers', () => {
    expect(plainKey(key('E'))).toBe('e');
    expect(plainKey(key('e', { ctrlKey: true }))).toBeNull();
    expect(plainKey(key('e', { altKey: true }))).toBeNull();
  });

  it('knows no text field outside a page', () => {
    expect(inTextField(null)).toBe(false);
  });
});
