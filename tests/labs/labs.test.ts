// Every lab: the reference solution scores full marks, the starter does not,
// and each plausible wrong solution fails the check written to catch it, with
// that check's message.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkers, labIds } from '../../labs/index.ts';
import { expectations, gradeFile, gradeText } from './grade-file.ts';

const LABS = join(import.meta.dirname, '../../labs');
const WRONG = join(import.meta.dirname, 'wrong');

describe('lab registry', () => {
  it('registers at least eight labs, each with its four files', () => {
    expect(labIds.length).toBeGreaterThanOrEqual(8);
    for (const id of labIds) {
      for (const f of ['lab.mdx', 'starter.ts', 'solution.ts', 'checker.ts']) expect(existsSync(join(LABS, id, f)), `${id}/${f}`).toBe(true);
    }
  });

  it('has a folder under labs/ for every registered checker and no unregistered lab folder', () => {
    const folders = readdirSync(LABS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(folders).toEqual([...labIds].sort());
  });

  it("states the lab's total points in its frontmatter", () => {
    for (const id of labIds) {
      const mdx = readFileSync(join(LABS, id, 'lab.mdx'), 'utf8');
      const points = Number(/^points:\s*(\d+(?:\.\d+)?)\s*$/m.exec(mdx)?.[1]);
      const total = checkers.get(id)!.checks.reduce((s, c) => s + c.points, 0);
      expect(points, `${id}: frontmatter points vs checks`).toBe(total);
    }
  });
});

for (const id of labIds) {
  describe(`lab ${id}`, () => {
    it('the solution scores full marks', async () => {
      const r = await gradeFile(id, join(LABS, id, 'solution.ts'));
      const failing = r.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`);
      expect(failing).toEqual([]);
      expect(r.status).toBe('pass');
      expect(r.score).toBe(r.max_score);
    });

    it('the starter compiles and runs but does not pass', async () => {
      const r = await gradeFile(id, join(LABS, id, 'starter.ts'));
      expect(r.status, r.message).toBe('fail');
      expect(r.score).toBeLessThan(r.max_score);
      // It loads and runs: every result is a pass or a fail, never an error.
      expect(r.tests.filter((t) => t.status === 'error').map((t) => t.message)).toEqual([]);
    });

    it('gives the same result twice (seeded)', async () => {
      const a = await gradeFile(id, join(LABS, id, 'starter.ts'));
      const b = await gradeFile(id, join(LABS, id, 'starter.ts'));
      const strip = (r: typeof a) => r.tests.map(({ duration_ms: _d, ...t }) => t);
      expect(strip(b)).toEqual(strip(a));
    });

    const wrongDir = join(WRONG, id);
    const wrongFiles = existsSync(wrongDir) ? readdirSync(wrongDir).filter((f) => f.endsWith('.ts')) : [];
    it('has at least two wrong solutions', () => {
      expect(wrongFiles.length).toBeGreaterThanOrEqual(2);
    });
    for (const file of wrongFiles) {
      it(`wrong solution ${file} fails its check with its message`, async () => {
        const source = readFileSync(join(wrongDir, file), 'utf8');
        const { check, message } = expectations(source);
        expect(checkers.get(id)!.checks.map((c) => c.name)).toContain(check);
        const r = await gradeText(id, source, file);
        const t = r.tests.find((x) => x.name === check)!;
        expect(t.status, `${check} should fail; message: ${t.message}`).toBe('fail');
        expect(t.message).toContain(message);
        expect(t.score).toBe(0);
        expect(r.status).toBe('fail');
      });
    }
  });
}
