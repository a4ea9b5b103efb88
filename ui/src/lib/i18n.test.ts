import { describe, expect, it } from 'vitest';
import { en, es } from './messages';
import { messageKeys, parseLang, translate } from './i18n';

describe('message dictionaries', () => {
  it('have the same keys in English and Spanish', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty message', () => {
    for (const key of messageKeys()) {
      expect(en[key].trim(), key).not.toBe('');
      expect(es[key].trim(), key).not.toBe('');
    }
  });

  it('keep the same placeholders in both languages', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of messageKeys()) {
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
  });
});

describe('translate', () => {
  it('returns the Spanish text for Spanish', () => {
    expect(translate('es', 'about.title')).toBe('Acerca de esta computadora');
    expect(translate('en', 'about.title')).toBe('About this laptop');
  });

  it('fills placeholders as text and leaves unknown ones visible', () => {
    // A key without placeholders is unchanged by params.
    expect(translate('en', 'app.name', { x: 1 })).toBe('Hotline Desk');
  });
});

describe('parseLang', () => {
  it('accepts language tags and rejects others', () => {
    expect(parseLang('es-MX')).toBe('es');
    expect(parseLang('EN_us')).toBe('en');
    expect(parseLang('fr')).toBeNull();
    expect(parseLang(null)).toBeNull();
  });
});
