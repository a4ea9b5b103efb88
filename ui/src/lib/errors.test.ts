import { describe, expect, it } from 'vitest';
import { asUiError } from './api';
import { describeError, errorKey } from './errors';

describe('errors', () => {
  it('maps each code to its own message in both languages', () => {
    const err = asUiError({ code: 'wrong_passphrase', message: 'wrong passphrase' });
    expect(errorKey(err)).toBe('error.wrong_passphrase');
    expect(describeError('en', err)).toMatch(/^Wrong passphrase/);
    expect(describeError('es', err)).toMatch(/^Frase de contraseña incorrecta/);
  });

  it('rounds the wait up to whole seconds', () => {
    const err = asUiError({ code: 'too_soon', message: '', wait_ms: 1500, failures: 4 });
    expect(describeError('en', err)).toContain('Wait 2 seconds');
    expect(err.failures).toBe(4);
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
