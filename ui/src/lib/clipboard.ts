// Clearing copied text from the clipboard again.

/** Seconds copied alert text stays on the clipboard. */
export const ALERT_CLEAR_SECONDS = 30;

/** What happened when the clipboard was to be cleared (a message key suffix). */
export type ClearOutcome = 'cleared' | 'clearedUnchecked' | 'keptOther' | 'clearFailed';

/**
 * Clear the clipboard if it still holds `text`. When the webview may not
 * read the clipboard, it is cleared whatever it holds (`clearedUnchecked`);
 * when it may not be written either, `clearFailed` (the person must clear it).
 */
export async function clearIfStill(
  text: string,
  clipboard: Pick<Clipboard, 'readText' | 'writeText'> = navigator.clipboard,
): Promise<ClearOutcome> {
  let current: string | null = null;
  try {
    current = await clipboard.readText();
  } catch {
    current = null;
  }
  if (current !== null && current !== text) return 'keptOther';
  try {
    await clipboard.writeText('');
  } catch {
    return 'clearFailed';
  }
  return current === null ? 'clearedUnchecked' : 'cleared';
}
