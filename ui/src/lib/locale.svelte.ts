// The interface language as reactive Svelte state. The choice is saved by
// the shell in the data folder (the webview runs without persistent storage,
// so nothing it renders is cached on disk).

import { translate, type Lang } from './i18n';
import type { MessageKey } from './messages';
import { prefsLang, prefsSetLang } from './api';

let current = $state<Lang>('en');

function apply(next: Lang) {
  current = next;
  document.documentElement.lang = next;
}

/** The current interface language, readable and settable. */
export const locale = {
  get lang(): Lang {
    return current;
  },
  set lang(next: Lang) {
    apply(next);
    prefsSetLang(next).catch(() => {
      // Not saved: the choice still holds for this run.
    });
  },
};

/** Load the saved language; call once at start-up. */
export async function loadLocale(): Promise<void> {
  try {
    apply(await prefsLang());
  } catch {
    apply('en');
  }
}

/** Translate into the current interface language (reactive in templates). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(current, key, params);
}
