import { describe, expect, it } from 'vitest';
import type { CallFields } from './api';
import { applyScript, blankCall, formatDuration, forSaving, parseDuration } from './callform';
import { utf8Length } from './text';

describe('intake form helpers', () => {
  it('starts a blank call at the given time and language', () => {
    const call = blankCall(new Date('2026-03-02T10:00:00Z'), 'es');
    expect(call.received_at).toBe('2026-03-02T10:00:00.000Z');
    expect(call.language).toBe('es');
    expect(call.verification).toBe('unverified');
    expect(Object.keys(call).some((k) => /status|citizen|visa|immigration/.test(k))).toBe(false);
  });

  it('counts UTF-8 bytes like the core (emoji and accents are several bytes)', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('ñ')).toBe(2);
    expect(utf8Length('👩🏽‍⚖️')).toBeGreaterThan(10);
  });

  it('formats the timer', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('reads a typed length back in both of the timer\'s forms', () => {
    for (const seconds of [0, 75, 390, 3725]) expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    expect(parseDuration(' 6:30 ')).toBe(390);
    expect(parseDuration('')).toBeNull();
    for (const bad of ['6', '6:3', '6:60', '1:60:00', 'abc', '-1:00']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('applies only known codes from the script and keeps the path', () => {
    const call = blankCall(new Date(0), 'en');
    const path = { pack: 'madison-dane', pack_version: '1.0.0', flow: 'who', steps: [] };
    // A code this version does not know, as an older or newer shell might send.
    const fields = { agency: 'ice_ero', category: 'bogus' } as unknown as CallFields;
    const next = applyScript(call, fields, path);
    expect(next.agency).toBe('ice_ero');
    expect(next.category).toBe('other');
    expect(next.script_path).toEqual(path);
    expect(next.pack_id).toBe('madison-dane');
  });

  it('drops blank texts, the exact location unless dispatched, and empty tasks', () => {
    const call = {
      ...blankCall(new Date(0), 'en'),
      area: ' ',
      exact_location: '123 Main',
      followups: [{ what: '', due: '2026-01-01', done: false }],
    };
    const saved = forSaving(call, 61.4);
    expect(saved.area).toBeNull();
    expect(saved.exact_location).toBeNull();
    expect(saved.followups).toEqual([]);
    expect(saved.duration_seconds).toBe(61);
    expect(forSaving({ ...call, verification: 'dispatched' }, 1).exact_location).toBe('123 Main');
  });
});
