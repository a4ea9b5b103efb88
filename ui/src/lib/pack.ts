// Small helpers for showing pack content.

import type { Citation, PackText } from './api';

/** The text in `lang`, falling back to English, then to any language. */
export function packText(text: PackText, lang: string): string {
  return text[lang] ?? text.en ?? Object.values(text)[0] ?? '';
}

/** "3, 5–7" from paragraph numbers [3, 5, 6, 7]. */
export function paragraphList(paragraphs: readonly number[]): string {
  const sorted = [...new Set(paragraphs)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** A one-line label for a citation: publisher and date. */
export function citationLabel(cite: Citation): string {
  return cite.date ? `${cite.publisher}, ${cite.date}` : cite.publisher;
}
