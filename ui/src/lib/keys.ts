// The desk's keyboard commands, read the same way everywhere: Ctrl chords
// (Ctrl+N, Ctrl+S, Ctrl+E …) and plain letters that are commands only
// outside a text field. Unit-tested in keys.test.ts.

/** The keyboard event's fields these helpers read. */
export interface ChordLike {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** The key of a Ctrl chord, in lower case (`n`, `s`, `enter`); null without Ctrl or with Alt or Meta. */
export function ctrlChord(event: ChordLike): string | null {
  if (!event.ctrlKey || event.altKey || event.metaKey) return null;
  return event.key.toLowerCase();
}

/** A key pressed with no Ctrl, Alt or Meta, in lower case; null otherwise. */
export function plainKey(event: ChordLike): string | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  return event.key.toLowerCase();
}

/** Whether `target` takes typed text, so that a plain letter there is typing, not a command. */
export function inTextField(target: EventTarget | null): boolean {
  return (
    typeof HTMLElement !== 'undefined' &&
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}
