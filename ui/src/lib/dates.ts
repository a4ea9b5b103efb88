// Dates and times as a person at this laptop sees and types them: the
// laptop's own time zone and the interface language (24-hour in Spanish).
// Stored times stay UTC; the core's reports count UTC weeks.
// Unit-tested in dates.test.ts.

import type { Lang } from './i18n';

/** The laptop's calendar day of `d` (its local time zone), as `YYYY-MM-DD`. */
export function localDay(d: Date): string {
  const month = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${month}-${day}`;
}

/** The laptop's time of day of `d`, as `HH:MM` (24-hour, what a time input holds). */
export function localTime(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * The moment a person means by a local day (`YYYY-MM-DD`) and time
 * (`HH:MM`) in the laptop's zone; null unless both are complete and real.
 */
export function fromLocal(day: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const [y, m, dd, h, min] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [number, number, number, number, number];
  const at = new Date(y, m - 1, dd, h, min);
  const real = at.getFullYear() === y && at.getMonth() === m - 1 && at.getDate() === dd && h < 24 && min < 60;
  return real ? at : null;
}

/** The locale used to write dates and times in `lang`. */
function localeOf(lang: Lang): string {
  return lang === 'es' ? 'es-US' : 'en-US';
}

/** A time of day, such as "6:05 PM" in English and "18:05" in Spanish. */
export function timeOfDay(d: Date, lang: Lang): string {
  return d.toLocaleTimeString(localeOf(lang), {
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: lang === 'es' ? 'h23' : 'h12',
  });
}

/** A moment with its date and time, in the laptop's time zone. */
export function dateTime(iso: string, lang: Lang, style: 'short' | 'medium' = 'short'): string {
  return new Date(iso).toLocaleString(localeOf(lang), {
    dateStyle: style,
    timeStyle: 'short',
    hourCycle: lang === 'es' ? 'h23' : 'h12',
  });
}

/** A calendar day (`YYYY-MM-DD`, no time zone) written out in `lang`. */
export function calendarDay(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Date(y, m - 1, d).toLocaleDateString(localeOf(lang), { dateStyle: 'medium' });
}
