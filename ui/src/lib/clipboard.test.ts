import { describe, expect, it } from 'vitest';
import { clearIfStill } from './clipboard';

/** A clipboard in memory; `readable`/`writable` false make those calls throw. */
function fake(initial: string, readable = true, writable = true) {
  const board = {
    value: initial,
    async readText() {
      if (!readable) throw new Error('not allowed');
      return board.value;
    },
    async writeText(text: string) {
      if (!writable) throw new Error('not allowed');
      board.value = text;
    },
  };
  return board;
}

describe('clearIfStill', () => {
  it('clears the clipboard when it still holds the text', async () => {
    const board = fake('ALERT');
    expect(await clearIfStill('ALERT', board)).toBe('cleared');
    expect(board.value).toBe('');
  });

  it('leaves something else the person copied since', async () => {
    const board = fake('other text');
    expect(await clearIfStill('ALERT', board)).toBe('keptOther');
    expect(board.value).toBe('other text');
  });

  it('clears unconditionally when the clipboard cannot be read', async () => {
    const board = fake('other text', false);
    expect(await clearIfStill('ALERT', board)).toBe('clearedUnchecked');
    expect(board.value).toBe('');
  });

  it('says so when the clipboard cannot be cleared', async () => {
    const board = fake('ALERT', true, false);
    expect(await clearIfStill('ALERT', board)).toBe('clearFailed');
    expect(board.value).toBe('ALERT');
  });
});
