// @vitest-environment happy-dom
// The coordinator's unlock notice: failed unlocks and a tampered counter
// file are shown, and failed unlocks alone get their own title.

import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import NoticeBanner from './NoticeBanner.svelte';
import type { FailedUnlocks, UnlockNotice } from '../lib/api';

function notice(failed_unlocks: FailedUnlocks): UnlockNotice {
  return {
    refused: [],
    audit: {
      entries: 3,
      checkpointed_to: 3,
      unchecked_from: null,
      chained_at_upgrade_to: 0,
      problems: [],
    },
    failed_unlocks,
  };
}

describe('NoticeBanner', () => {
  it('counts failed unlocks under their own title', () => {
    render(NoticeBanner, { notice: notice({ failures: 4, problems: [] }) });
    expect(screen.getByTestId('notice-failures').textContent).toContain('4 failed unlock attempt');
    expect(screen.getByTestId('unlock-notice').textContent).toContain('Failed unlock attempts');
    expect(screen.queryByTestId('notice-counter')).toBeNull();
  });

  it('says the counter file was deleted, as something done outside the app', () => {
    render(NoticeBanner, {
      notice: notice({ failures: 0, problems: [{ problem: 'missing', found_at_unix: 1 }] }),
    });
    expect(screen.getByTestId('notice-counter').textContent).toContain('was deleted');
    expect(screen.getByTestId('unlock-notice').textContent).toContain('Changes were made outside the app');
    expect(screen.queryByTestId('notice-failures')).toBeNull();
  });
});
