// @vitest-environment happy-dom
// Removing a user re-encrypts the vault for everyone who stays: while the
// shell works, the card shows how far it has got (from `vault_migration`),
// and the remove buttons wait.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import UsersCard from './UsersCard.svelte';

afterEach(() => {
  clearMocks();
  vi.unstubAllGlobals();
});

describe('UsersCard', () => {
  it('shows the re-encryption progress while a user is removed', async () => {
    let finish: () => void = () => {};
    const removed = new Promise<null>((resolve) => {
      finish = () => resolve(null);
    });
    const coordinator = { handle: 'river-7', role: 'coordinator', old_slot: false };
    let users = [coordinator, { handle: 'bo-3', role: 'volunteer', old_slot: false }];
    mockIPC((cmd) => {
      switch (cmd) {
        case 'users_list':
          return users;
        case 'users_remove':
          return removed;
        case 'vault_migration':
          return { percent: 40, writing_back: false };
        default:
          throw new Error(`unexpected command ${cmd}`);
      }
    });
    vi.stubGlobal('confirm', () => true);
    render(UsersCard, { self: 'river-7' });
    const remove = await screen.findByRole('button', { name: 'Remove' });
    await fireEvent.click(remove);
    await waitFor(() => expect(screen.getByTestId('users-rekeying').textContent).toContain('40%'));
    expect(screen.getByTestId('users-rekeying').textContent).toContain('bo-3');
    expect(remove.hasAttribute('disabled')).toBe(true);
    users = [coordinator];
    finish();
    await waitFor(() => expect(screen.queryByTestId('users-rekeying')).toBeNull());
    expect(screen.getByRole('status').textContent).toContain('bo-3 was removed.');
  });
});
