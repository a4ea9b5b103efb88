import { describe, expect, it } from 'vitest';
import { calendarDay, dateTime, fromLocal, localDay, localTime, timeOfDay } from './dates';

describe('local dates and times', () => {
  it('gives the local calendar day, not the UTC one', () => {
    const lateEvening = new Date(2026, 11, 1, 23, 30);
    expect(localDay(lateEvening)).toBe('2026-12-01');
    const justAfterMidnight = new Date(2026, 0, 1, 0, 5);
    expect(localDay(justAfterMidnight)).toBe('2026-01-01');
  });

  it('writes times in 24 hours in Spanish and with AM/PM in English', () => {
    const evening = new Date(2026, 11, 1, 18, 5);
    expect(timeOfDay(evening, 'es')).toBe('18:05');
    expect(timeOfDay(evening, 'en')).toMatch(/^6:05\s?PM$/);
    expect(dateTime(evening.toISOString(), 'es')).toContain('18:05');
    expect(dateTime(evening.toISOString(), 'es')).not.toMatch(/[AP]\.?\s?M/i);
  });

  it('writes a calendar day without shifting it by the time zone', () => {
    expect(calendarDay('2026-12-01', 'en')).toContain('Dec');
    expect(calendarDay('2026-12-01', 'en')).toContain('1');
    expect(calendarDay('2026-12-01', 'es')).toContain('dic');
  });

  it('reads a local day and time back as the moment they name', () => {
    const evening = new Date(2026, 11, 1, 18, 5);
    expect(localTime(evening)).toBe('18:05');
    expect(fromLocal(localDay(evening), localTime(evening))?.getTime()).toBe(evening.getTime());
    expect(fromLocal('2026-12-01', '')).toBeNull();
    expect(fromLocal('', '18:05')).toBeNull();
    expect(fromLocal('2026-02-30', '18:05')).toBeNull();
    expect(fromLocal('2026-12-01', '24:00')).toBeNull();
  });
});
