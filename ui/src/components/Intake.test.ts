// @vitest-environment happy-dom
// The intake as the volunteer uses it: Intake.svelte composing CallForm.svelte
// over the draft controller, rendered in a DOM, with the shell's commands
// answered by an in-memory vault through Tauri's IPC mock (the same
// `invoke` calls the app makes).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { NewCall, NotesFinding } from '../lib/api';
import { blankCall } from '../lib/callform';
import type { DraftBody } from '../lib/draft.svelte';
import { en } from '../lib/messages';
import { locale } from '../lib/locale.svelte';
import Intake from './Intake.svelte';

/** What the shell holds: the kept draft, the saved calls, and every command asked for. */
interface Vault {
  kept: { body: unknown } | null;
  created: NewCall[];
  commands: string[];
  refuseCreate: boolean;
}

/** The core's notes check, as far as these tests need it: the A-number A123456789. */
function flagged(notes: string): NotesFinding[] {
  const start = notes.indexOf('A123456789');
  return start < 0 ? [] : [{ kind: 'a_number', start, end: start + 10 }];
}

function mockVault(kept: { body: unknown } | null = null): Vault {
  const vault: Vault = { kept, created: [], commands: [], refuseCreate: false };
  mockIPC((cmd, args) => {
    vault.commands.push(cmd);
    const payload = (args ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case 'areas_list':
        return [{ name: 'Eastside', active: true }];
      case 'draft_load':
        return vault.kept;
      case 'draft_save':
        vault.kept = { body: structuredClone(payload.body) };
        return null;
      case 'draft_clear':
        vault.kept = null;
        return null;
      case 'notes_check':
        return flagged(String(payload.notes));
      case 'call_create':
        if (vault.refuseCreate) {
          throw { code: 'too_long', message: 'notes is too long', field: 'notes', limit: 65536 };
        }
        if (payload.notesOk !== true && flagged((payload.call as NewCall).notes).length > 0) {
          throw { code: 'notes_flagged', message: 'notes flagged', field: 'notes' };
        }
        vault.created.push(payload.call as NewCall);
        return 'call-1';
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return vault;
}

function renderIntake() {
  const onSaved = vi.fn();
  const view = render(Intake, { script: null, directory: [], onSaved });
  return { ...view, onSaved };
}

const notes = () => screen.getByTestId<HTMLTextAreaElement>('call-notes');

/** Let the autosave timer fire and its command finish. */
async function autosave() {
  await vi.advanceTimersByTimeAsync(3000);
}

const started = Date.UTC(2026, 11, 1, 15, 0);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(started + 90_000);
});

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe('Intake', () => {
  it('restores a kept draft into the form, with its timer, and discards it on request', async () => {
    const form: NewCall = { ...blankCall(new Date(started), 'es'), notes: 'two vans on Main St', category: 'courthouse' };
    const vault = mockVault({ body: { form, startedAt: started } satisfies DraftBody });
    renderIntake();

    await waitFor(() => expect(notes().value).toBe('two vans on Main St'));
    expect(screen.getByTestId('draft-restored').textContent).toContain(en['call.draftRestored']);
    expect(screen.getByTestId('category-courthouse').getAttribute('aria-checked')).toBe('true');
    expect(screen.getByTestId('call-timer').textContent).toBe('1:30');

    await autosave();
    expect(vault.commands, 'an untouched restored draft is not written again').not.toContain('draft_save');

    await fireEvent.click(screen.getByRole('button', { name: en['call.draftDiscard'] }));
    await waitFor(() => expect(screen.queryByTestId('call-notes')).toBeNull());
    expect(vault.kept).toBeNull();
  });

  it('ignores a kept draft of another shape', async () => {
    const vault = mockVault({ body: { notes: 'old format' } });
    renderIntake();
    await waitFor(() => expect(vault.commands).toContain('draft_load'));
    expect(screen.queryByTestId('call-notes')).toBeNull();
    expect(screen.getByText(en['call.none'])).toBeTruthy();
  });

  it('keeps the draft when the form changed, and only then', async () => {
    const vault = mockVault();
    renderIntake();
    await fireEvent.click(screen.getByTestId('call-new'));
    await waitFor(() => expect(notes()).toBeTruthy());

    await autosave();
    expect(vault.commands.filter((c) => c === 'draft_save')).toHaveLength(1);
    expect(screen.getByTestId('draft-saved')).toBeTruthy();
    await autosave();
    expect(vault.commands.filter((c) => c === 'draft_save'), 'nothing changed since').toHaveLength(1);

    await fireEvent.input(notes(), { target: { value: 'agents at the door' } });
    await autosave();
    expect(vault.commands.filter((c) => c === 'draft_save'), 'typed text').toHaveLength(2);
    expect((vault.kept?.body as DraftBody).form.notes).toBe('agents at the door');

    await fireEvent.click(screen.getByTestId('agency-hsi'));
    await autosave();
    expect(vault.commands.filter((c) => c === 'draft_save'), 'a choice').toHaveLength(3);
    expect((vault.kept?.body as DraftBody).form.agency).toBe('hsi');
  });

  it('saves the call and clears the draft; a refused save keeps the form and the draft', async () => {
    const vault = mockVault();
    const { onSaved } = renderIntake();
    await fireEvent.click(screen.getByTestId('call-new'));
    await waitFor(() => expect(notes()).toBeTruthy());
    await fireEvent.input(notes(), { target: { value: 'checkpoint on Route 9' } });
    await fireEvent.input(screen.getByTestId('salute-size'), { target: { value: '   ' } });
    await autosave();

    vault.refuseCreate = true;
    await fireEvent.click(screen.getByTestId('call-save'));
    // The refusal is shown next to the field it names, which gets the focus.
    await waitFor(() => expect(screen.getByTestId('call-notes-error').textContent).toContain('“Notes” is too long to save'));
    expect(document.activeElement).toBe(notes());
    expect(screen.queryByTestId('call-error')).toBeNull();
    expect(notes().value).toBe('checkpoint on Route 9');
    expect(vault.kept).not.toBeNull();
    expect(onSaved).not.toHaveBeenCalled();

    vault.refuseCreate = false;
    await fireEvent.click(screen.getByTestId('call-save'));
    await waitFor(() => expect(screen.getByTestId('call-message').textContent).toBe(en['call.saved']));
    expect(vault.created).toHaveLength(1);
    expect(vault.created[0]?.notes).toBe('checkpoint on Route 9');
    expect(vault.created[0]?.salute.size, 'blank texts are sent as absent').toBeNull();
    expect(vault.created[0]?.duration_seconds, 'the seconds since the call started').toBe(3);
    expect(screen.queryByTestId('call-notes')).toBeNull();
    expect(vault.kept).toBeNull();
    expect(onSaved).toHaveBeenCalledTimes(1);
  });

  it('warns of flagged notes in both languages, and saves them corrected or when told to', async () => {
    const vault = mockVault();
    renderIntake();
    await fireEvent.click(screen.getByTestId('call-new'));
    await waitFor(() => expect(notes()).toBeTruthy());
    await fireEvent.input(notes(), { target: { value: 'Her number is A123456789, two cars' } });

    await fireEvent.click(screen.getByTestId('call-save'));
    const warning = await screen.findByTestId('notes-warning');
    expect(warning.textContent).toContain(en['notes.warning.why']);
    expect(screen.getByTestId('notes-findings').querySelector('mark')?.textContent).toBe('A123456789');
    expect(vault.created, 'nothing is saved while the warning stands').toHaveLength(0);
    expect(document.activeElement).toBe(screen.getByTestId('notes-correct'));
    locale.lang = 'es';
    await waitFor(() => expect(screen.getByTestId('notes-warning').textContent).toContain('Nunca anote el estatus migratorio'));
    locale.lang = 'en';

    // "Correct the notes" goes back to them with the number selected.
    await fireEvent.click(screen.getByTestId('notes-correct'));
    expect(document.activeElement).toBe(notes());
    expect([notes().selectionStart, notes().selectionEnd]).toEqual([14, 24]);
    // "Save anyway" saves them as they are, confirmed.
    await fireEvent.click(screen.getByTestId('notes-save-anyway'));
    await waitFor(() => expect(vault.created).toHaveLength(1));
    expect(vault.created[0]?.notes).toBe('Her number is A123456789, two cars');

    // A corrected note saves at once; the warning goes as soon as the notes change.
    await fireEvent.click(screen.getByTestId('call-new'));
    await waitFor(() => expect(notes().value).toBe(''));
    await fireEvent.input(notes(), { target: { value: 'A123456789' } });
    await fireEvent.click(screen.getByTestId('call-save'));
    await screen.findByTestId('notes-warning');
    await fireEvent.input(notes(), { target: { value: 'number given, not written' } });
    await waitFor(() => expect(screen.queryByTestId('notes-warning')).toBeNull());
    await fireEvent.click(screen.getByTestId('call-save'));
    await waitFor(() => expect(vault.created).toHaveLength(2));
  });

  it('refuses to save notes over the limit without asking the vault', async () => {
    const vault = mockVault();
    renderIntake();
    await fireEvent.click(screen.getByTestId('call-new'));
    await waitFor(() => expect(notes()).toBeTruthy());
    await fireEvent.input(notes(), { target: { value: 'é'.repeat(33 * 1024) } });
    expect(notes().getAttribute('aria-invalid')).toBe('true');

    await fireEvent.click(screen.getByTestId('call-save'));
    // Counted in characters as a person counts them; the limit is in bytes underneath.
    expect(screen.getByTestId('call-notes-count').textContent).toContain('33792 characters: 2048 bytes too long');
    await waitFor(() => expect(screen.getByTestId('call-notes-error').textContent).toContain('at most 65536 bytes'));
    expect(vault.commands).not.toContain('call_create');
    expect(notes().value).toHaveLength(33 * 1024);
  });
});
