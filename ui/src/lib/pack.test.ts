import { describe, expect, it } from 'vitest';
import { citationLabel, packText, paragraphList } from './pack';

describe('pack helpers', () => {
  it('picks the language, then English, then anything', () => {
    expect(packText({ en: 'Door', es: 'Puerta' }, 'es')).toBe('Puerta');
    expect(packText({ en: 'Door' }, 'es')).toBe('Door');
    expect(packText({ fr: 'Porte' }, 'es')).toBe('Porte');
    expect(packText({}, 'es')).toBe('');
  });

  it('compresses paragraph runs', () => {
    expect(paragraphList([7, 3, 5, 6])).toBe('3, 5–7');
    expect(paragraphList([4])).toBe('4');
    expect(paragraphList([])).toBe('');
  });

  it('labels citations with publisher and date', () => {
    const cite = { source: 's', title: 't', publisher: 'P', date: '2019-06', link: null, paragraphs: [] };
    expect(citationLabel(cite)).toBe('P, 2019-06');
    expect(citationLabel({ ...cite, date: null })).toBe('P');
  });
});
