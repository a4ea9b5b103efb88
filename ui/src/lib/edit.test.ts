import { describe, expect, it } from 'vitest';
import type { Call } from './api';
import { blankCall } from './callform';
import { callChanges, editableForm, isEmptyUpdate, readWhen, whenFields } from './edit.svelte';

/** A saved call as call_get returns it. */
function saved(): Call {
  const base = blankCall(new Date(Date.UTC(2026, 11, 1, 15, 0)), 'es');
  return {
    ...base,
    id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
    volunteer: 'river-7',
    area: 'Eastside',
    notes: 'two cars',
    referrals: ['r-1'],
    salute: { ...base.salute, size: 'two cars' },
    followups: [],
    legal_hold: false,
    synthetic: false,
    created_at: '2026-12-01T15:05:00Z',
    created_by: 'river-7',
    updated_at: '2026-12-01T15:05:00Z',
    shredded_at: null,
    case_state: 'open',
    origin_laptop: null,
    share_text: false,
  };
}

describe('callChanges', () => {
  it('sends nothing for an untouched call', () => {
    const form = editableForm(saved());
    expect(isEmptyUpdate(callChanges(form, editableForm(saved())))).toBe(true);
  });

  it('sends only the fields that differ', () => {
    const before = editableForm(saved());
    const after = { ...editableForm(saved()), category: 'courthouse' as const, notes: 'two cars, left at 3' };
    expect(callChanges(before, after)).toEqual({ category: 'courthouse', notes: 'two cars, left at 3' });
  });

  it('sends a blanked text as cleared, and a whole SALUTE when one of its texts changed', () => {
    const before = editableForm(saved());
    const after = editableForm(saved());
    after.area = '';
    after.salute.activity = 'standing';
    expect(callChanges(before, after)).toEqual({
      area: null,
      salute: { size: 'two cars', activity: 'standing', location: null, uniform: null, time: null, equipment: null },
    });
  });

  it('sends an emptied count as cleared and a detached referral as the new list', () => {
    const before = { ...editableForm(saved()), people_affected: 3 };
    const after = { ...before, people_affected: '' as unknown as number, referrals: [] };
    expect(callChanges(before, after)).toEqual({ people_affected: null, referrals: [] });
  });
});

describe('readWhen', () => {
  it('keeps the stored time to the second while the day and time are as shown', () => {
    const call = { ...editableForm(saved()), received_at: '2026-12-01T15:00:42.000Z', duration_seconds: 61 };
    const shown = whenFields(call);
    expect(shown.duration).toBe('1:01');
    expect(readWhen(call, shown, { ...shown })).toEqual({ ok: call });
  });

  it('reads a new local day, time and length, and clears an emptied length', () => {
    const call = { ...editableForm(saved()), duration_seconds: 61 };
    const shown = whenFields(call);
    const read = readWhen(call, shown, { day: '2026-11-30', time: '21:15', duration: '6:30' });
    expect(read).toEqual({
      ok: { ...call, received_at: new Date(2026, 10, 30, 21, 15).toISOString(), duration_seconds: 390 },
    });
    expect(readWhen(call, shown, { ...shown, duration: '' })).toEqual({ ok: { ...call, duration_seconds: null } });
  });

  it('names the field that cannot be read', () => {
    const call = editableForm(saved());
    const shown = whenFields(call);
    expect(readWhen(call, shown, { ...shown, time: '' })).toEqual({
      problem: { field: 'received_at', key: 'edit.whenMissing' },
    });
    expect(readWhen(call, shown, { ...shown, duration: 'six' })).toEqual({
      problem: { field: 'duration_seconds', key: 'edit.durationUnreadable' },
    });
  });
});
