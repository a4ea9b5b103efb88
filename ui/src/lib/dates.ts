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
