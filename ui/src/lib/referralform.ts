// The coordinator's referral form: plain strings while editing, turned
// into the shell's `ReferralInput` on save. Pure, so it is unit-tested.

import type { ReferralInput, ReferralView } from './api';

/** What the form's fields hold; lists are comma-separated text. */
export interface ReferralForm {
  id: string | null;
  name: string;
  about_en: string;
  about_es: string;
  languages: string;
  kinds: string;
  hours: string;
  phone: string;
  web: string;
  area: string;
  source: string;
  verified_on: string;
}

/** An empty form for a new entry. */
export function blankReferral(): ReferralForm {
  return {
    id: null, name: '', about_en: '', about_es: '', languages: '', kinds: '', hours: '',
    phone: '', web: '', area: '', source: '', verified_on: '',
  };
}

/** The form filled with an existing entry. */
export function toForm(r: ReferralView): ReferralForm {
  return {
    id: r.id,
    name: r.name,
    about_en: r.about_en,
    about_es: r.about_es,
    languages: r.languages.join(', '),
    kinds: r.kinds.join(', '),
    hours: r.hours ?? '',
    phone: r.phone ?? '',
    web: r.web ?? '',
    area: r.area ?? '',
    source: r.source ?? '',
    verified_on: r.verified_on ?? '',
  };
}

/** Comma- or space-separated tags, without blanks. */
export function splitTags(text: string): string[] {
  return text.split(/[,\s]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A blank text as absent. */
function optional(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/** What the shell receives; the core checks every rule. */
export function fromForm(f: ReferralForm): ReferralInput {
  return {
    id: f.id,
    name: f.name,
    about_en: f.about_en,
    about_es: f.about_es,
    languages: splitTags(f.languages),
    kinds: splitTags(f.kinds),
    hours: optional(f.hours),
    phone: optional(f.phone),
    web: optional(f.web),
    area: optional(f.area),
    source: optional(f.source),
    verified_on: optional(f.verified_on),
  };
}
