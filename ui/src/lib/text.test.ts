import { describe, expect, it } from 'vitest';
import {
  callTextProblem,
  charCount,
  fieldCount,
  findBrokenText,
  hasBrokenText,
  hasControlCharacter,
  readUtf8,
} from './text';

describe('charCount', () => {
  it('counts characters as a person does, not bytes or UTF-16 units', () => {
    expect(charCount('')).toBe(0);
    expect(charCount('detención')).toBe(9);
    expect(charCount('👍🏽')).toBe(1);
    expect(charCount('🇲🇽 ok')).toBe(4);
  });
});

describe('fieldCount', () => {
  it('limits bytes underneath while counting characters', () => {
    expect(fieldCount('ñ'.repeat(512), 1024)).toEqual({ chars: 512, bytes: 1024, over: false });
    expect(fieldCount('ñ'.repeat(513), 1024)).toEqual({ chars: 513, bytes: 1026, over: true });
    expect(fieldCount(null, 64)).toEqual({ chars: 0, bytes: 0, over: false });
  });
});

describe('broken text and control characters', () => {
  it('finds a lone surrogate but not a whole emoji', () => {
    expect(hasBrokenText('a\ud800b')).toBe(true);
    expect(hasBrokenText('end\udc00')).toBe(true);
    expect(hasBrokenText('👍 fine')).toBe(false);
  });

  it('refuses the control characters the core refuses, not line breaks or tabs', () => {
    expect(hasControlCharacter('a\u0000b')).toBe(true);
    expect(hasControlCharacter('esc\u001b[2J')).toBe(true);
    expect(hasControlCharacter('line\nbreak\ttab\r\n')).toBe(false);
  });

  it('names the field of a broken text as the core names fields', () => {
    expect(findBrokenText({ query: 'x\ud800' })).toEqual({ field: 'query' });
    expect(findBrokenText({ call: { notes: 'ok', salute: { size: 'two\udc00' } } })).toEqual({ field: 'salute.size' });
    expect(
      findBrokenText({ id: 'c1', update: { followups: [{ what: 'fine' }, { what: 'bad\ud83d' }] } }),
    ).toEqual({ field: 'followups.what', number: 2 });
    expect(findBrokenText({ call: { notes: 'all 👍 fine' } })).toBeNull();
  });
});

describe('callTextProblem', () => {
  const call = () => ({
    notes: 'ok',
    exact_location: null,
    contact_name: null,
    contact_phone: null,
    salute: { size: null, activity: 'standing', location: null, uniform: null, time: null, equipment: null },
    followups: [{ what: 'call back' }],
  });

  it('passes a call the core would take', () => {
    expect(callTextProblem(call())).toBeNull();
  });

  it('names the first refused field with the reason and limit', () => {
    expect(callTextProblem({ ...call(), contact_phone: '6'.repeat(65) })).toMatchObject({
      code: 'too_long',
      field: 'contact_phone',
      limit: 64,
    });
    const salute = { ...call().salute, uniform: 'é'.repeat(513) };
    expect(callTextProblem({ ...call(), salute })).toMatchObject({ code: 'too_long', field: 'salute.uniform', limit: 1024 });
    expect(callTextProblem({ ...call(), followups: [{ what: 'a' }, { what: 'b\u0000' }] })).toMatchObject({
      code: 'control_character',
      field: 'followups.what',
      number: 2,
    });
    expect(callTextProblem({ ...call(), notes: 'x\ud800' })).toMatchObject({ code: 'broken_text', field: 'notes' });
  });
});

describe('readUtf8', () => {
  it('reads UTF-8 and refuses Latin-1 instead of replacing é', async () => {
    await expect(readUtf8(new Blob([new TextEncoder().encode('detención')]))).resolves.toBe('detención');
    const latin1 = new Uint8Array([0x64, 0x65, 0x74, 0x65, 0x6e, 0x63, 0x69, 0xf3, 0x6e]);
    await expect(readUtf8(new Blob([latin1]))).rejects.toMatchObject({ code: 'not_utf8' });
  });
});
