// @vitest-environment happy-dom
// The coordinator's erase, confirmed twice: nothing reaches the shell until
// both the word and the coordinator's own handle are typed, and Cancel goes
// back to the first step.

import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import EraseCard from './EraseCard.svelte';

function mockShell(): { erased: Record<string, unknown>[] } {
  const shell = { erased: [] as Record<string, unknown>[] };
  mockIPC((cmd, args) => {
    if (cmd !== 'vault_erase') throw new Error(`unexpected command ${cmd}`);
    shell.erased.push({ ...(args as Record<string, unknown>) });
    return null;
  });
  return shell;
}

const button = (testid: string) => screen.getByTestId<HTMLButtonElement>(testid);

async function type(testid: string, text: string) {
  await fireEvent.input(screen.getByTestId<HTMLInputElement>(testid), { target: { value: text } });
}

afterEach(() => clearMocks());

describe('EraseCard', () => {
  it('erases only after the word and then the own handle', async () => {
    const shell = mockShell();
    render(EraseCard, { self: 'river-7' });
    await fireEvent.click(button('erase-open'));
    expect(screen.getByTestId('erase-body').textContent).toContain('cannot be undone');
    expect(button('erase-next').disabled).toBe(true);
    await type('erase-word', 'erase');
    expect(button('erase-next').disabled).toBe(true);
    await type('erase-word', 'ERASE');
    expect(button('erase-next').disabled).toBe(false);
    await fireEvent.click(button('erase-next'));

    expect(button('erase-confirm').disabled).toBe(true);
    await type('erase-handle', 'someone-else');
    expect(button('erase-confirm').disabled).toBe(true);
    await type('erase-handle', 'River-7');
    expect(shell.erased).toEqual([]);
    await fireEvent.click(button('erase-confirm'));
    await waitFor(() => expect(screen.getByTestId('erase-done')).toBeTruthy());
    expect(shell.erased).toEqual([{ word: 'ERASE', handle: 'River-7' }]);
  });

  it('cancel at the second step starts again from the first', async () => {
    const shell = mockShell();
    render(EraseCard, { self: 'river-7' });
    await fireEvent.click(button('erase-open'));
    await type('erase-word', 'ERASE');
    await fireEvent.click(button('erase-next'));
    await fireEvent.click(button('erase-cancel'));
    await fireEvent.click(button('erase-open'));
    expect(screen.getByTestId<HTMLInputElement>('erase-word').value).toBe('');
    expect(button('erase-next').disabled).toBe(true);
    expect(shell.erased).toEqual([]);
  });
});
