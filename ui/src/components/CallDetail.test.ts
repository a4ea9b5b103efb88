// @vitest-environment happy-dom
// A saved call as the volunteer opens it: every saved field shown, edited
// with the intake's form by keyboard, the notes check's warning, follow-ups
// added and completed. The shell's commands are answered by an in-memory
// call through Tauri's IPC mock (the same `invoke` calls the app makes).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { CallDetail as Detail, CallUpdate, NewFollowUp, NotesFinding, Session } from '../lib/api';
import { blankCall } from '../lib/callform';
import { en } from '../lib/messages';
import { locale } from '../lib/locale.svelte';
import CallDetail from './CallDetail.svelte';

const ID = '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b';
const REFERRAL = '6f1c2f4e-7a55-4c1e-9a3e-2d0c1b9e8f01';

/** The core's notes check, as far as these tests need it: the A-number A123456789. */
function flagged(notes: string): NotesFinding[] {
  const start = notes.indexOf('A123456789');
  return start < 0 ? [] : [{ kind: 'a_number', start, end: start + 10 }];
}

/** A saved call with SALUTE texts, a referral, a script path and a follow-up. */
function savedDetail(): Detail {
  const base = blankCall(new Date(Date.UTC(2026, 11, 1, 15, 0)), 'es');
  return {
    call: {
      ...base,
      id: ID,
      duration_seconds: 300,
      volunteer: 'river-7',
      notes: 'two cars on Park St',
      referrals: [REFERRAL],
      salute: { ...base.salute, size: 'two SUVs', uniform: 'vests: POLICE' },
      script_path: { flow: 'sighting', steps: [{ node: 'start' }, { node: 'where' }] },
      followups: [{ id: 7, what: 'call the verifier back', due: '2026-12-02', done: false, done_at: null }],
      legal_hold: false,
      synthetic: false,
      created_at: '2026-12-01T15:05:00Z',
      created_by: 'river-7',
      updated_at: '2026-12-01T15:05:00Z',
      shredded_at: null,
      case_state: 'open',
      origin_laptop: null,
      share_text: false,
    },
    shred_at: '2027-03-01T15:00:00Z',
    history: [{ at: '2026-12-01T15:05:00Z', editor: 'river-7', action: 'created', fields: [] }],
  };
}

/** The shell: the one call, every update and task, and every command asked for. */
function mockShell() {
  const shell = {
    detail: savedDetail(),
    updates: [] as { update: CallUpdate; notesOk: unknown }[],
    tasks: [] as NewFollowUp[],
    done: [] as [number, boolean][],
    commands: [] as string[],
    /** A refusal call_update answers with, if set. */
    refuse: null as null | Record<string, unknown>,
  };
  mockIPC((cmd, args) => {
    shell.commands.push(cmd);
    const payload = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case 'call_get':
        return structuredClone(shell.detail);
      case 'referrals_list':
        return [{ id: REFERRAL, name: 'Legal aid line' }];
      case 'areas_list':
        return [{ name: 'Eastside', active: true }];
      case 'users_list':
        return [
          { handle: 'river-7', role: 'coordinator' },
          { handle: 'bo-3', role: 'volunteer' },
        ];
      case 'notes_check':
        return flagged(String(payload.notes));
      case 'call_update': {
        if (shell.refuse) throw shell.refuse;
        const update = payload.update as CallUpdate;
        shell.updates.push({ update, notesOk: payload.notesOk });
        const call = shell.detail.call;
        const fields = [];
        if (update.category) {
          fields.push({ field: 'category', from: call.category, to: update.category });
          call.category = update.category;
        }
        if (update.notes !== undefined) {
          fields.push({ field: 'notes' });
          call.notes = update.notes;
        }
        shell.detail.history.push({ at: '2026-12-01T16:00:00Z', editor: 'river-7', action: 'edited', fields });
        return null;
      }
      case 'followup_add':
        shell.tasks.push(payload.task as NewFollowUp);
        shell.detail.call.followups.push({ id: 8, ...(payload.task as NewFollowUp), done_at: null });
        return null;
      case 'call_close':
      case 'call_reopen': {
        const open = shell.detail.call.followups.filter((f) => !f.done).length;
        if (cmd === 'call_close' && open > 0) {
          throw { code: 'case_open_follow_ups', message: 'open follow-ups', field: 'followups' };
        }
        shell.detail.call.case_state = cmd === 'call_close' ? 'closed' : 'open';
        return null;
      }
      case 'call_share':
        shell.detail.call.share_text = payload.share as boolean;
        return null;
      case 'followup_done': {
        shell.done.push([payload.id as number, payload.done as boolean]);
        const task = shell.detail.call.followups.find((f) => f.id === payload.id);
        if (task) task.done = payload.done as boolean;
        return null;
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return shell;
}

const session: Session = { handle: 'river-7', role: 'volunteer', must_change_passphrase: false } as unknown as Session;

function renderDetail(as: Session = session) {
  // happy-dom's dialog may lack showModal; the component only needs it to open.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  return render(CallDetail, { id: ID, session: as, onClose: vi.fn(), onChanged: vi.fn() });
}

const dialog = () => screen.getByTestId('call-detail');
const key = (k: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(dialog(), { key: k, ...init });

afterEach(() => {
  clearMocks();
  locale.lang = 'en';
});

describe('CallDetail', () => {
  it('shows every saved field: SALUTE, referrals by name, the script path, follow-ups, history', async () => {
    mockShell();
    renderDetail();
    await waitFor(() => expect(screen.getByTestId('detail-notes').textContent).toBe('two cars on Park St'));
    expect(screen.getByTestId('detail-salute-size').textContent).toBe('two SUVs');
    expect(screen.getByTestId('detail-salute-uniform').textContent).toBe('vests: POLICE');
    await waitFor(() => expect(screen.getByTestId('detail-referrals').textContent).toContain('Legal aid line'));
    expect(screen.getByTestId('detail-script').textContent).toContain('start → where');
    expect(screen.getByTestId('detail-followups').textContent).toContain('call the verifier back');
    expect(screen.getByTestId('detail-volunteer').textContent).toBe('river-7');
    expect(screen.getByTestId('detail-history').textContent).toContain(en['history.created']);
  });

  it('edits fields by keyboard with the intake form and shows the change in the history', async () => {
    const shell = mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');

    await key('e');
    const notes = await within(dialog()).findByTestId<HTMLTextAreaElement>('call-notes');
    expect(notes.value).toBe('two cars on Park St');
    expect(document.activeElement).toBe(notes);
    await fireEvent.click(within(dialog()).getByTestId('category-courthouse'));
    await fireEvent.input(notes, { target: { value: 'two cars on Park St; verifier says false alarm' } });
    await key('s', { ctrlKey: true });

    await waitFor(() => expect(shell.updates).toHaveLength(1));
    expect(shell.updates[0]).toEqual({
      update: { category: 'courthouse', notes: 'two cars on Park St; verifier says false alarm' },
      notesOk: false,
    });
    await waitFor(() => expect(screen.getByTestId('detail-message').textContent).toBe(en['detail.saved']));
    expect(screen.queryByTestId('call-notes'), 'back to the record').toBeNull();
    const history = screen.getByTestId('detail-history').textContent ?? '';
    expect(history).toContain('Category: Other → Courthouse');
    expect(history).toContain('Notes edited');
    expect(history, 'the history never shows the text').not.toContain('false alarm');
  });

  it('shows a refused edit next to the field the core names, in the dialog, keeping what was typed', async () => {
    const shell = mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');
    await key('e');
    const size = await within(dialog()).findByTestId<HTMLInputElement>('salute-size');
    await fireEvent.input(size, { target: { value: 'six agents' } });
    shell.refuse = { code: 'control_character', message: 'salute.size contains a control character', field: 'salute.size' };
    await key('s', { ctrlKey: true });
    const refusal = await within(dialog()).findByTestId('salute-size-error');
    expect(refusal.textContent).toContain('“Size: how many agents, vehicles” contains an invisible control character');
    expect(document.activeElement).toBe(size);
    expect(size.value).toBe('six agents');
    expect(size.getAttribute('aria-describedby')).toBe('edit-salute-size-note');
  });

  it('cancels an edit with Esc, sending nothing', async () => {
    const shell = mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');
    await key('e', { ctrlKey: true });
    const notes = await within(dialog()).findByTestId<HTMLTextAreaElement>('call-notes');
    await fireEvent.input(notes, { target: { value: 'changed my mind' } });
    await fireEvent(dialog(), new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByTestId('call-notes')).toBeNull());
    expect(screen.getByTestId('detail-notes').textContent).toBe('two cars on Park St');
    expect(shell.updates).toHaveLength(0);
  });

  it('warns of an A-number in edited notes, in English and Spanish, until it is corrected', async () => {
    const shell = mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');
    await key('e');
    const notes = await within(dialog()).findByTestId<HTMLTextAreaElement>('call-notes');
    await fireEvent.input(notes, { target: { value: 'A123456789' } });
    await key('Enter', { ctrlKey: true });

    const warning = await within(dialog()).findByTestId('notes-warning');
    expect(warning.textContent).toContain(en['notes.kind.a_number']);
    expect(shell.updates).toHaveLength(0);
    locale.lang = 'es';
    await waitFor(() => expect(within(dialog()).getByTestId('notes-warning').textContent).toContain('parece un número A'));

    await fireEvent.click(within(dialog()).getByTestId('notes-correct'));
    expect(document.activeElement).toBe(notes);
    await fireEvent.input(notes, { target: { value: 'number given by phone, not written' } });
    expect(within(dialog()).queryByTestId('notes-warning')).toBeNull();
    await key('s', { ctrlKey: true });
    await waitFor(() => expect(shell.updates).toHaveLength(1));
    expect(shell.updates[0]?.update).toEqual({ notes: 'number given by phone, not written' });
  });

  it('offers a coordinator the users to hand the call to, and a volunteer no such choice', async () => {
    // (happy-dom cannot change a bound <select>: the choice itself is driven in the real window.)
    mockShell();
    const view = renderDetail({ ...session, role: 'coordinator' } as Session);
    await screen.findByTestId('detail-notes');
    await key('e');
    const select = await within(dialog()).findByTestId<HTMLSelectElement>('call-volunteer');
    await waitFor(() => expect([...select.options].map((o) => o.value)).toEqual(['river-7', 'bo-3']));
    view.unmount();

    mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');
    await key('e');
    await within(dialog()).findByTestId('call-notes');
    expect(within(dialog()).queryByTestId('call-volunteer')).toBeNull();
  });

  it('shows the case state, refuses to close it with an open task, closes and reopens it', async () => {
    const shell = mockShell();
    renderDetail();
    await waitFor(() => expect(screen.getByTestId('detail-case').textContent).toBe(en['case.open']));
    const toggle = () => screen.getByTestId('detail-case-toggle');
    expect(toggle().textContent?.trim()).toBe(en['case.close']);
    await fireEvent.click(toggle());
    await waitFor(() => expect(dialog().textContent).toContain(en['error.case_open_follow_ups']));
    expect(screen.getByTestId('detail-case').textContent).toBe(en['case.open']);
    for (const task of shell.detail.call.followups) task.done = true;
    await fireEvent.click(toggle());
    await waitFor(() => expect(screen.getByTestId('detail-case').textContent).toBe(en['case.closed']));
    expect(toggle().textContent?.trim()).toBe(en['case.reopen']);
    await fireEvent.click(toggle());
    await waitFor(() => expect(screen.getByTestId('detail-case').textContent).toBe(en['case.open']));
    expect(shell.commands.filter((c) => c.startsWith('call_c') || c === 'call_reopen')).toEqual([
      'call_close',
      'call_close',
      'call_reopen',
    ]);
    locale.lang = 'es';
    await waitFor(() => expect(screen.getByTestId('detail-case').textContent).toBe('Caso abierto'));
  });

  it('marks a call to share with the next shift, off by default', async () => {
    const shell = mockShell();
    renderDetail();
    const box = await waitFor(() => screen.getByTestId('detail-share') as HTMLInputElement);
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await waitFor(() => expect(shell.detail.call.share_text).toBe(true));
    expect(shell.commands).toContain('call_share');
    await waitFor(() => expect((screen.getByTestId('detail-share') as HTMLInputElement).checked).toBe(true));
    expect(screen.queryByTestId('detail-handed-in')).toBeNull();
  });

  it('adds a follow-up task to the saved call and completes one', async () => {
    const shell = mockShell();
    renderDetail();
    await screen.findByTestId('detail-notes');
    await fireEvent.input(screen.getByTestId('detail-followup-what'), { target: { value: 'check on the family' } });
    await fireEvent.submit(screen.getByTestId('detail-followup-form'));
    await waitFor(() => expect(shell.tasks).toHaveLength(1));
    expect(shell.tasks[0]?.what).toBe('check on the family');
    await waitFor(() => expect(screen.getByTestId('detail-followups').textContent).toContain('check on the family'));

    await fireEvent.click(screen.getByTestId('detail-followup-done-0'));
    await waitFor(() => expect(shell.done).toEqual([[7, true]]));
  });
});
