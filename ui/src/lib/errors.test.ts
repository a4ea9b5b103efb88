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
});
