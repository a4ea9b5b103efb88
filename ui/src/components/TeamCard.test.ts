// @vitest-environment happy-dom
// The team card: hidden on a laptop in no team; otherwise the folder is
// chosen in the shell, the sync is sent without any path, and the report
// lists every held and refused file with its reason.

import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import TeamCard from './TeamCard.svelte';
import type { SyncReport, TeamCard as Team } from '../lib/api';

const TEAM: Team = {
  name: 'Dane hotline',
  laptop: 'shift laptop',
  fingerprint: 'acorn badge cider delta ember fable',
  members: 3,
  folder: null,
};

const REPORT: SyncReport = {
  sent: 0,
  applied: 2,
  held: [{ laptop_id: 'c0ffee00-0000-4000-8000-000000000000', laptop: 'coordinator', seq: 9, waiting_for: 7 }],
  refused: [{ file: 'a-1.hdpacket', code: 'packet_forged', message: 'forged' }],
  deleted: 2,
  expired: 0,
  stopped: false,
};

function mockShell(team: Team | null): { calls: [string, unknown][] } {
  const shell = { calls: [] as [string, unknown][] };
  mockIPC((cmd, args) => {
    shell.calls.push([cmd, args]);
    switch (cmd) {
      case 'team_card':
        return team;
      case 'team_folder_choose':
        return '/media/usb/team';
      case 'team_sync':
        return REPORT;
      case 'team_sync_progress':
        return null;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return shell;
}

const button = (testid: string) => screen.getByTestId<HTMLButtonElement>(testid);

afterEach(() => clearMocks());

describe('TeamCard', () => {
  it('shows nothing on a laptop in no team', async () => {
    const shell = mockShell(null);
    render(TeamCard);
    await waitFor(() => expect(shell.calls.length).toBe(1));
    expect(screen.queryByTestId('team-card')).toBeNull();
  });

  it('syncs the chosen folder and lists what was held and refused', async () => {
    const shell = mockShell(TEAM);
    render(TeamCard);
    await waitFor(() => expect(screen.getByTestId('team-card')).toBeTruthy());
    expect(screen.getByTestId('team-fingerprint').textContent).toBe(TEAM.fingerprint);
    expect(button('team-sync').disabled).toBe(true);
    await fireEvent.click(button('team-choose'));
    await waitFor(() => expect(screen.getByTestId('team-folder').textContent).toContain('/media/usb/team'));
    expect(button('team-sync').disabled).toBe(false);
    await fireEvent.click(button('team-sync'));
    await waitFor(() => expect(screen.getByTestId('team-report')).toBeTruthy());
    const report = screen.getByTestId('team-report').textContent ?? '';
    expect(report).toContain('Sent 0, applied 2, held 1, refused 1');
    expect(report).toContain('Packet 9 from coordinator waits for its packet 7');
    expect(screen.getByTestId('team-refused').textContent).toContain('a-1.hdpacket was refused');
    expect(screen.getByTestId('team-refused').textContent).toContain('signature');
    const sync = shell.calls.find(([cmd]) => cmd === 'team_sync');
    expect(sync?.[1]).toEqual({});
  });
});
