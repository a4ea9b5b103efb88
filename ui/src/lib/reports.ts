// Pure helpers of the reports screen: reading the k field, and the label
// prefix of each dimension of a summary preview. Unit-tested in reports.test.ts.

/** The smallest threshold accepted (mirrors `export::MIN_K`). */
export const MIN_K = 3;
/** The largest threshold accepted (mirrors `export::MAX_K`). */
export const MAX_K = 100;

/** The k field read: a threshold, or why it cannot be one. */
export type KReading = { ok: true; k: number } | { ok: false; reason: 'empty' | 'not_whole' | 'range' };

/**
 * Read what is in the k field (a number input gives a number, or null or ''
 * when it is empty or holds no number).
 */
export function readK(value: unknown): KReading {
  if (value === null || value === undefined || value === '') return { ok: false, reason: 'empty' };
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || !Number.isInteger(n)) return { ok: false, reason: 'not_whole' };
  if (n < MIN_K || n > MAX_K) return { ok: false, reason: 'range' };
  return { ok: true, k: n };
}

/** Message-key prefix of a dimension's values (`category.ice_public`); null: shown as they are. */
export function dimensionPrefix(dimension: string): string | null {
  switch (dimension) {
    case 'category':
      return 'category';
    case 'agency':
      return 'agency';
    case 'verification':
      return 'verification';
    case 'caller_relation':
      return 'relation';
    default:
      return null;
  }
}
