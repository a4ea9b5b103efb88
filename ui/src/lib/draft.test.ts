import { describe, expect, it } from 'vitest';
import { blankCall } from './callform';
import type { NewCall } from './api';
import { CallDraft, type DraftBody, type DraftStore } from './draft.svelte';

/** An in-memory store that records what the controller asked for. */
function memoryStore(kept: { body: unknown } | null = null) {
  const log: string[] = [];
  const state = { kept, created: [] as NewCall[], failSave: false, failCreate: false };
  const store: DraftStore = {
    load: async () => state.kept,
    save: async (body: DraftBody) => {
      log.push('save');
      if (state.failSave) throw new Error('disk full');
      state.kept = { body: structuredClone(body) };
    },
    clear: async () => {
      log.push('clear');
      state.kept = null;
    },
    create: async (call: NewCall) => {
      log.push('create');
      if (state.failCreate) throw { code: 'too_long', message: 'notes is too long' };
      state.created.push(call);
    },
  };
  return { store, state, log };
}

const started = Date.UTC(2026, 11, 1, 15, 0);

describe('CallDraft', () => {
  it('restores a kept draft with its start time, and only when no call is open', async () => {
    const form = { ...blankCall(new Date(started), 'es'), notes: 'two vans' };
    const { store } = memoryStore({ body: { form, startedAt: started } });
    const draft = new CallDraft(store);
    expect(await draft.restore()).toBe(true);
    expect(draft.form?.notes).toBe('two vans');
    expect(draft.startedAt).toBe(started);
    expect(draft.restored).toBe(true);
    expect(draft.dirty).toBe(false);

    const busy = new CallDraft(store);
    busy.open(blankCall(new Date(), 'en'), started + 5);
    expect(await busy.restore()).toBe(false);
    expect(busy.form?.notes).toBe('');
  });

  it('ignores a kept body of another shape', async () => {
    const draft = new CallDraft(memoryStore({ body: { notes: 'old format' } }).store);
    expect(await draft.restore()).toBe(false);
    expect(draft.form).toBeNull();
  });

  it('keeps the draft only when it changed, and retries after a failure', async () => {
    const { store, state, log } = memoryStore();
    const draft = new CallDraft(store);
    await draft.autosave();
    expect(log).toEqual([]);
    draft.open(blankCall(new Date(started), 'en'), started);
    await draft.autosave();
    expect(log).toEqual(['save']);
    await draft.autosave();
    expect(log, 'nothing changed since').toEqual(['save']);

    draft.form!.notes = 'agents at the door';
    draft.touch();
    state.failSave = true;
    await draft.autosave();
    expect(draft.dirty).toBe(true);
    state.failSave = false;
    await draft.autosave();
    expect(draft.dirty).toBe(false);
    expect((state.kept?.body as DraftBody).form.notes).toBe('agents at the door');
  });

  it('saves the call, then clears the draft; a refused save loses nothing', async () => {
    const { store, state, log } = memoryStore();
    const draft = new CallDraft(store);
    draft.open({ ...blankCall(new Date(started), 'en'), notes: 'keep me' }, started);
    await draft.autosave();

    state.failCreate = true;
    await expect(draft.commit(draft.form!)).rejects.toMatchObject({ code: 'too_long' });
    expect(draft.form?.notes).toBe('keep me');
    expect(state.kept).not.toBeNull();

    state.failCreate = false;
    await draft.commit(draft.form!);
    expect(state.created.map((c) => c.notes)).toEqual(['keep me']);
    expect(draft.form).toBeNull();
    expect(state.kept).toBeNull();
    expect(log.slice(-2)).toEqual(['create', 'clear']);
  });

  it('discards the open call and its draft', async () => {
    const { store, state } = memoryStore();
    const draft = new CallDraft(store);
    draft.open(blankCall(new Date(started), 'en'), started);
    await draft.autosave();
    await draft.discard();
    expect(draft.form).toBeNull();
    expect(state.kept).toBeNull();
  });
});
