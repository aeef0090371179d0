import { describe, expect, it } from 'vitest';
import { capResultJson, capTestJson, clip } from '../../src/server/grading/cap-result.ts';

const result = (lang: string) =>
  JSON.stringify({ version: 3, lab: 'clean-client', lang, status: 'fail', tests: [{ name: 'a', status: 'fail', message: 'm'.repeat(20_000), output: 'o'.repeat(5000), score: 0, max_score: 1 }] });

describe('a grading result cut to size', () => {
  it('keeps the result within the limit and says how much of a text was cut', () => {
    const capped = JSON.parse(capResultJson(result('en'), 8000)!);
    expect(JSON.stringify(capped).length).toBeLessThanOrEqual(8000);
    expect(capped.tests[0].message).toMatch(/ \[\.\.\. \d+ more characters cut\]$/);
  });

  it('says what it cut in the result’s own language', () => {
    const capped = JSON.parse(capResultJson(result('zh-CN'), 8000)!);
    expect(capped.tests[0].message).toMatch(/ \[…… 另有 \d+ 个字符被截去\]$/);
    expect(JSON.stringify(capped)).not.toContain('characters cut');
    const test = JSON.parse(capTestJson(JSON.stringify({ name: 'a', message: 'm'.repeat(5000) }), 2000, 'zh-CN')!);
    expect(test.message).toContain('个字符被截去');
  });

  it('leaves a short text as it is', () => {
    expect(clip('short', 100, 'zh-CN')).toBe('short');
  });
});
