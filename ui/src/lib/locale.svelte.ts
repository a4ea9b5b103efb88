// The interface language as reactive Svelte state, remembered between runs.
// Only the language choice is stored in the webview; never caller data.

import { parseLang, translate, type Lang } from './i18n';
import type { MessageKey } from './messages';

const STORAGE_KEY = 'hotline.lang';

function initialLang(): Lang {
  return parseLang(localStorage.getItem(STORAGE_KEY)) ?? 'en';
}

let current = $state<Lang>(initialLang());
document.documentElement.lang = current;

/** The current interface language, readable and settable. */
export const locale = {
  get lang(): Lang {
    return current;
  },
  set lang(next: Lang) {
    current = next;
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
  },
};

/** Translate into the current interface language (reactive in templates). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(current, key, params);
}
