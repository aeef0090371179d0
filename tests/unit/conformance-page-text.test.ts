// The Chinese conformance page has Chinese for everything the project writes
// itself (the simplifications, what is never compared, the playgrounds that do
// not agree yet); the test data's text is conformance-report-zh.test.ts's.
import { describe, expect, it } from 'vitest';
import { NOT_COMPARED, PROGRAMS_NOT_YET, SIMPLIFICATIONS } from '../../src/kernel/simplifications.ts';
import { NOT_COMPARED_ZH, PROGRAMS_NOT_YET_ZH, SIMPLIFICATIONS_ZH, notComparedText, programNotYet, simplificationText } from '../../src/components/pages/conformance-zh.ts';

const HAN = /\p{Script=Han}/u;

describe('conformance page text', () => {
  it('has Chinese for every simplification, item never compared and playground not yet in agreement', () => {
    expect(Object.keys(SIMPLIFICATIONS_ZH).sort()).toEqual(Object.keys(SIMPLIFICATIONS).sort());
    expect(NOT_COMPARED_ZH).toHaveLength(NOT_COMPARED.length);
    expect(Object.keys(PROGRAMS_NOT_YET_ZH).sort()).toEqual(Object.keys(PROGRAMS_NOT_YET).sort());
    for (const id of Object.keys(SIMPLIFICATIONS)) expect(HAN.test(simplificationText(id, 'zh-cn')), id).toBe(true);
    for (const t of notComparedText('zh-cn')) expect(HAN.test(t), t).toBe(true);
    for (const id of Object.keys(PROGRAMS_NOT_YET)) {
      expect(HAN.test(programNotYet(id, 'zh-cn').why), id).toBe(true);
      expect(HAN.test(programNotYet(id, 'zh-cn').needs), id).toBe(true);
    }
  });

  it('keeps the English text on the English page', () => {
    expect(simplificationText('nagle', 'en')).toBe(SIMPLIFICATIONS.nagle.text);
    expect(notComparedText('en')).toEqual(NOT_COMPARED);
    const [id] = Object.keys(PROGRAMS_NOT_YET);
    expect(programNotYet(id!, 'en')).toEqual(PROGRAMS_NOT_YET[id!]);
  });
});
