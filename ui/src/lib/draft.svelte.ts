// The open call's draft: what is on the form, whether it changed since the
// vault last kept it, restoring it after a crash or a lock, and saving the
// call. The intake component draws the form; this module decides when the
// draft is written, kept or cleared. Its storage is passed in, so tests run
// it without a window or a vault.

import type { NewCall } from './api';

/** What a draft holds: the form and when the call started (ms since 1970). */
export interface DraftBody {
  form: NewCall;
  startedAt: number;
}

/** Where drafts and calls go (the shell's commands in the app). */
export interface DraftStore {
  load(): Promise<{ body: unknown } | null>;
  save(body: DraftBody): Promise<unknown>;
  clear(): Promise<unknown>;
  /** Save the call; `notesOk`: the volunteer confirmed notes the notes check flags. */
  create(call: NewCall, notesOk: boolean): Promise<unknown>;
}

/** What the call form edits: a call (or none), marked changed on every edit. */
export interface FormHost {
  /** The call on the form; null when none is open. */
  form: NewCall | null;
  /** When the form was last kept as a draft, if it is. */
  readonly savedAt: Date | null;
  /** The form changed. */
  touch(): void;
}

/** Whether `value` has the shape of a draft this version wrote. */
export function isDraftBody(value: unknown): value is DraftBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'form' in value &&
    typeof (value as DraftBody).form === 'object' &&
    (value as DraftBody).form !== null &&
    typeof (value as DraftBody).startedAt === 'number'
  );
}

/** The open call and its draft. */
export class CallDraft implements FormHost {
  /** The open call's form; null when no call is open. */
  form = $state<NewCall | null>(null);
  /** When the open call started (ms since 1970). */
  startedAt = $state(0);
  /** Whether the form changed since the draft was last kept. */
  dirty = $state(false);
  /** Whether the open call came back from a kept draft. */
  restored = $state(false);
  /** When the draft was last kept. */
  savedAt = $state<Date | null>(null);

  readonly #store: DraftStore;

  constructor(store: DraftStore) {
    this.#store = store;
  }

  /** Bring back a kept draft, unless a call is already open; true if one came back. */
  async restore(): Promise<boolean> {
    const kept = await this.#store.load();
    if (!kept || !isDraftBody(kept.body) || this.form !== null) return false;
    this.form = kept.body.form;
    this.startedAt = kept.body.startedAt;
    this.restored = true;
    this.dirty = false;
    return true;
  }

  /** Open a new call with `form`, started at `at`; it is kept at the next autosave. */
  open(form: NewCall, at: number) {
    this.form = form;
    this.startedAt = at;
    this.dirty = true;
    this.restored = false;
  }

  /** The form changed. */
  touch() {
    if (this.form) this.dirty = true;
  }

  /** Keep the draft if it changed; on failure it stays dirty and the next autosave retries. */
  async autosave(): Promise<void> {
    if (!this.form || !this.dirty) return;
    this.dirty = false;
    try {
      await this.#store.save({ form: $state.snapshot<unknown>(this.form) as NewCall, startedAt: this.startedAt });
      this.savedAt = new Date();
    } catch {
      this.dirty = true;
    }
  }

  /**
   * Save the open call as `call` (the form prepared for saving), then close
   * it and clear its draft. If saving fails the call stays open, unchanged,
   * and the error is thrown for the form to show. `notesOk`: the volunteer
   * confirmed notes the notes check flags.
   */
  async commit(call: NewCall, notesOk = false): Promise<void> {
    await this.#store.create(call, notesOk);
    this.close();
    await this.#store.clear().catch(() => {});
  }

  /** Throw the open call away, and its draft. */
  async discard(): Promise<void> {
    this.close();
    await this.#store.clear().catch(() => {});
  }

  private close() {
    this.form = null;
    this.dirty = false;
    this.restored = false;
  }
}
