import { describe, expect, it } from 'vitest';
import type { ReferralView } from './api';
import { blankReferral, fromForm, splitTags, toForm } from './referralform';
import { describeError, fieldLabel } from './errors';
import { asUiError } from './api';

const entry: ReferralView = {
  id: 'd8f08dc7-189f-42b4-a7df-a91c0d8e9c89',
  name: 'Locator',
  about_en: 'Finds people held by ICE.',
  about_es: 'Encuentra a personas detenidas por ICE.',
  languages: ['en', 'es'],
  hours: null,
  phone: null,
  web: 'https://locator.ice.gov/odls/',
  area: null,
  kinds: ['detainee-locator'],
  source: 'ICE',
  verified_on: '2026-12-01',
  verified: true,
};

describe('referral form', () => {
  it('round-trips an entry, leaving unknown facts absent', () => {
    const input = fromForm(toForm(entry));
    expect(input.id).toBe(entry.id);
    expect(input.kinds).toEqual(['detainee-locator']);
    expect(input.languages).toEqual(['en', 'es']);
    expect(input.phone).toBeNull();
    expect(input.hours).toBeNull();
    expect(input.verified_on).toBe('2026-12-01');
  });

  it('sends a new entry without an id and blanks as absent', () => {
    const input = fromForm({ ...blankReferral(), name: 'Clinic', web: '  ' });
    expect(input.id).toBeNull();
    expect(input.web).toBeNull();
    expect(input.source).toBeNull();
    expect(input.kinds).toEqual([]);
  });

  it('splits tags on commas and spaces', () => {
    expect(splitTags('legal-aid, crisis ,,  detainee-locator')).toEqual(['legal-aid', 'crisis', 'detainee-locator']);
  });

  it('names the refused field in the error, in both languages', () => {
    const err = asUiError({ code: 'invalid_referral', message: 'invalid web', field: 'web' });
    expect(describeError('en', err)).toBe('The entry was not saved: check “Web address”.');
    expect(describeError('es', err)).toBe('La entrada no se guardó: revise «Sitio web».');
    const file = asUiError({ code: 'invalid_referral_entry', message: '', field: 'kinds', number: 3 });
    expect(describeError('en', file)).toContain('entry 3');
    expect(fieldLabel('es', 'unheard-of')).toBe('unheard-of');
  });
});
