import { describe, expect, it } from 'vitest';
import { nowFlowFor, type KeyLike } from './nowkeys';

function press(over: Partial<KeyLike>): KeyLike {
  return { key: '', code: '', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...over };
}

describe('right-now keys', () => {
  it('maps Alt+1 to the door script and Alt+2 to the agents script', () => {
    expect(nowFlowFor(press({ key: '1', code: 'Digit1', altKey: true }))?.flow).toBe('door-now');
    expect(nowFlowFor(press({ key: '2', code: 'Digit2', altKey: true }))?.flow).toBe('agents-now');
    expect(nowFlowFor(press({ key: '2', code: 'Numpad2', altKey: true }))?.flow).toBe('agents-now');
  });

  it('reads the physical key when the layout prints another character', () => {
    expect(nowFlowFor(press({ key: '¡', code: 'Digit1', altKey: true }))?.flow).toBe('door-now');
  });

  it('ignores the digits alone, other digits and other modifiers', () => {
    expect(nowFlowFor(press({ key: '1', code: 'Digit1' }))).toBeNull();
    expect(nowFlowFor(press({ key: '3', code: 'Digit3', altKey: true }))).toBeNull();
    expect(nowFlowFor(press({ key: '1', code: 'Digit1', altKey: true, ctrlKey: true }))).toBeNull();
    expect(nowFlowFor(press({ key: '!', code: 'Digit1', altKey: true, shiftKey: true }))).toBeNull();
  });
});
