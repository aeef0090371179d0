// Other correct solutions a lab's text offers must score full marks too, not
// only the reference solution (tests/labs/alternatives/<lab>/*.ts).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeFile } from './grade-file.ts';

const DIR = join(import.meta.dirname, 'alternatives');

describe('alternative solutions', () => {
  const labs = existsSync(DIR) ? readdirSync(DIR) : [];
  it('exist for the lab that names two fixes', () => {
    expect(labs).toContain('many-short-connections');
  });
  for (const lab of labs) {
    for (const file of readdirSync(join(DIR, lab)).filter((f) => f.endsWith('.ts'))) {
      it(`${lab}/${file} scores full marks`, { timeout: 300_000 }, async () => {
        const r = await gradeFile(lab, join(DIR, lab, file));
        expect(r.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`)).toEqual([]);
        expect(r.score).toBe(r.max_score);
      });
    }
  }
});
