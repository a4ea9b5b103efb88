import { describe, expect, it } from 'vitest';
import { describeChange } from './history';

const names = new Map([['r-1', 'Legal aid line']]);

describe('describeChange', () => {
  it('names a structured field by its label with translated values', () => {
    expect(describeChange('en', { field: 'urgency', from: 'normal', to: 'urgent' }, names)).toBe(
      'Urgency: Normal → Urgent',
    );
    expect(describeChange('es', { field: 'category', from: 'other', to: 'courthouse' }, names)).toBe(
      'Categoría: Otro → Tribunal',
    );
  });

  it('names referrals by the directory and an absent value as none', () => {
    expect(describeChange('en', { field: 'referrals', from: '', to: 'r-1' }, names)).toBe(
      'Referrals made: none → Legal aid line',
    );
  });

  it('writes a changed call length as the timer does', () => {
    expect(describeChange('en', { field: 'duration_seconds', from: '5', to: '390' }, names)).toBe(
      'Call time: 0:05 → 6:30',
    );
  });

  it('says only that a free-text field was edited, never its text', () => {
    expect(describeChange('en', { field: 'notes' }, names)).toBe('Notes edited');
    expect(describeChange('es', { field: 'notes' }, names)).toBe('Notas: editado');
  });
});
