// The notes check's findings as the window shows them: the notes cut into
// plain and highlighted pieces (rendered as text, never HTML). The check
// itself is the core's (`notesCheck` in api.ts). Unit-tested in
// notescheck.test.ts.

import type { NotesFinding, NotesFindingKind } from './api';

/** A piece of the notes: flagged (with its kind) or not. */
export interface NotesPiece {
  text: string;
  kind: NotesFindingKind | null;
}

/** `text` cut at the findings (UTF-16 spans, in order, not overlapping). */
export function notesPieces(text: string, findings: readonly NotesFinding[]): NotesPiece[] {
  const pieces: NotesPiece[] = [];
  let at = 0;
  for (const f of findings) {
    if (f.start < at || f.end > text.length || f.end <= f.start) continue;
    if (f.start > at) pieces.push({ text: text.slice(at, f.start), kind: null });
    pieces.push({ text: text.slice(f.start, f.end), kind: f.kind });
    at = f.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), kind: null });
  return pieces;
}
