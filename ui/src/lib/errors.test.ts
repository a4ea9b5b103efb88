import { describe, expect, it } from 'vitest';
import { asUiError } from './api';
import { describeError, errorKey } from './errors';

describe('errors', () => {
  it('maps each code to its own message in both languages', () => {
    const err = asUiError({ code: 'wrong_handle_or_passphrase', message: 'wrong handle or passphrase' });
    expect(errorKey(err)).toBe('error.wrong_handle_or_passphrase');
    expect(describeError('en', err)).toMatch(/^Wrong handle or passphrase/);
    expect(describeError('es', err)).toMatch(/^Identificador o frase de contraseña incorrectos/);
  });

  it('rounds the wait up to whole seconds', () => {
    const err = asUiError({ code: 'too_soon', message: '', wait_ms: 1500, failures: 4 });
    expect(describeError('en', err)).toContain('Wait 2 seconds');
    expect(err.failures).toBe(4);
  });

  it('names the field and its limit from the core error map', () => {
    const err = asUiError({ code: 'too_many', message: 'x', field: 'referrals', limit: 20 });
    expect(err.field).toBe('referrals');
    expect(describeError('en', err)).toContain('“Referrals made” has too many entries (the limit is 20)');
    expect(describeError('es', err)).toContain('«Referencias dadas» tiene demasiadas entradas (el límite es 20)');
  });

  it('explains refusals that used to fall back to the generic text', () => {
    for (const code of ['shredded', 'area_exists', 'threshold_too_low'] as const) {
      const err = asUiError({ code, message: '' });
      expect(errorKey(err)).toBe(`error.${code}`);
      expect(describeError('en', err)).not.toMatch(/Something went wrong/);
      expect(describeError('es', err)).not.toMatch(/Algo falló/);
    }
  });

  it('treats unknown shapes and codes as internal errors', () => {
    expect(asUiError('boom').code).toBe('internal');
    expect(asUiError({ code: 'nope', message: 'x' }).code).toBe('internal');
    expect(errorKey(asUiError(null))).toBe('error.generic');
  });

  it('keeps the problems of a refused pack, dropping malformed ones', () => {
    const err = asUiError({
      code: 'invalid_pack',
      message: 'the pack has 2 problem(s)',
      issues: [
        { line: 12, item_kind: 'node', item_id: 'door', message: 'leads nowhere' },
        { line: 'x', message: 'not a number' },
        { line: 3, message: 'no item', warning: true },
      ],
    });
    expect(err.code).toBe('invalid_pack');
    expect(err.issues).toEqual([
      { line: 12, item_kind: 'node', item_id: 'door', message: 'leads nowhere', warning: false },
      { line: 3, item_kind: null, item_id: null, message: 'no item', warning: true },
    ]);
    expect(describeError('es', err)).toMatch(/^El paquete tiene problemas/);
  });

  it('says how many paragraphs a text has and how many the pack expects', () => {
    const err = asUiError({ code: 'paragraph_mismatch', message: '', expected: 12, found: 11 });
    expect(describeError('en', err)).toContain('The text has 11 paragraphs but the pack expects 12');
    expect(describeError('es', err)).toContain('El texto tiene 11 párrafos, pero el paquete espera 12');
  });
});

describe('refusals of call fields', () => {
  it('name the field by its label and give the limit, in both languages', () => {
    const err = asUiError({ code: 'too_long', message: '', field: 'salute.size', limit: 1024 });
    expect(describeError('en', err)).toContain('“Size: how many agents, vehicles” is too long to save: it holds at most 1024 bytes');
    expect(describeError('es', err)).toContain('admite como máximo 1024 bytes');
    const control = asUiError({ code: 'control_character', message: '', field: 'contact_name' });
    expect(describeError('en', control)).toContain('“Name or nickname” contains an invisible control character');
    const broken = asUiError({ code: 'broken_text', message: '', field: 'query' });
    expect(describeError('en', broken)).toContain('“Search calls” holds a broken character');
    expect(describeError('es', broken)).toContain('«Buscar llamadas» tiene un carácter roto');
  });
});
