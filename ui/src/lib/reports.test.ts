import { describe, expect, it } from 'vitest';
import { MAX_K, MIN_K, dimensionPrefix, readK } from './reports';

describe('readK', () => {
  it('accepts whole numbers from 3 to 100', () => {
    expect(readK(MIN_K)).toEqual({ ok: true, k: 3 });
    expect(readK(MAX_K)).toEqual({ ok: true, k: 100 });
    expect(readK('12')).toEqual({ ok: true, k: 12 });
  });

  it('names why anything else is refused', () => {
    expect(readK(null)).toEqual({ ok: false, reason: 'empty' });
    expect(readK('')).toEqual({ ok: false, reason: 'empty' });
    expect(readK('abc')).toEqual({ ok: false, reason: 'not_whole' });
    expect(readK(4.5)).toEqual({ ok: false, reason: 'not_whole' });
    expect(readK(0)).toEqual({ ok: false, reason: 'range' });
    expect(readK(2)).toEqual({ ok: false, reason: 'range' });
    expect(readK(1e9)).toEqual({ ok: false, reason: 'range' });
  });
});

describe('dimensionPrefix', () => {
  it('maps coded dimensions to their message keys and leaves names alone', () => {
    expect(dimensionPrefix('caller_relation')).toBe('relation');
    expect(dimensionPrefix('category')).toBe('category');
    expect(dimensionPrefix('area')).toBeNull();
    expect(dimensionPrefix('language')).toBeNull();
  });
});
