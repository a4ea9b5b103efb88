import { describe, expect, it } from 'vitest';
import type { Call } from './api';
import { blankCall } from './callform';
import { callChanges, editableForm, isEmptyUpdate } from './edit.svelte';

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
