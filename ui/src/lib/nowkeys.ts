// The "right now" keys: Alt+1 and Alt+2 open the two urgent scripts from
// anywhere on the desk. Alt+digit never types a character into a field.

import type { MessageKey } from './messages';

/** One "right now" entry: its flow id in the pack, its key and its label. */
export interface NowFlow {
  flow: string;
  key: '1' | '2';
  label: MessageKey;
}

/** The urgent scripts, in key order. Their ids are fixed by the pack format. */
export const NOW_FLOWS: readonly NowFlow[] = [
  { flow: 'door-now', key: '1', label: 'player.nowDoor' },
  { flow: 'agents-now', key: '2', label: 'player.nowAgents' },
];

/** The keyboard event's fields this module reads. */
export interface KeyLike {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The "right now" flow an event asks for: Alt with 1 or 2 (top row or keypad,
 * whatever the layout prints on the key), and no other modifier.
 */
export function nowFlowFor(event: KeyLike): NowFlow | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  const digit = /^(Digit|Numpad)([12])$/.exec(event.code)?.[2] ?? event.key;
  return NOW_FLOWS.find((f) => f.key === digit) ?? null;
}
