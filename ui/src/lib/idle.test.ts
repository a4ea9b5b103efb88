import { describe, expect, it } from 'vitest';
import { IdleClock } from './idle';

describe('IdleClock', () => {
  it('expires only after the limit without activity', () => {
    const clock = new IdleClock(5 * 60_000, 20_000, 0);
    expect(clock.expired(4 * 60_000)).toBe(false);
    clock.activity(4 * 60_000);
    expect(clock.expired(8 * 60_000)).toBe(false);
    expect(clock.expired(9 * 60_000)).toBe(true);
  });

  it('reports activity to the shell at most every interval', () => {
    const clock = new IdleClock(60_000, 20_000, 0);
    expect(clock.activity(1)).toBe(true);
    expect(clock.activity(5_000)).toBe(false);
    expect(clock.activity(20_001)).toBe(true);
  });
});
