// Pure translation helpers (no Svelte state), so they can be unit-tested.

import { en, es, type MessageKey } from './messages';

/** Languages the interface speaks. */
export type Lang = 'en' | 'es';

/** All interface languages, in the order the switch shows them. */
export const LANGS: readonly Lang[] = ['en', 'es'];

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, es };

/** Parse a stored or browser language tag into a supported language. */
export function parseLang(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  const base = tag.toLowerCase().split(/[-_]/)[0];
  return base === 'en' || base === 'es' ? base : null;
}

/**
 * Translate `key` into `lang`, replacing `{name}` placeholders with `params`.
 * Placeholder values are inserted as plain text; the UI never renders
 * translations as HTML.
 */
export function translate(
  lang: Lang,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  const template = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Every message key, for completeness checks. */
export function messageKeys(): MessageKey[] {
  return Object.keys(en) as MessageKey[];
}
