// Real milliseconds to grade each lab's reference solution in Node (the budget
// is 300 ms a lab: the workshop server grades hundreds an hour on two cores). scripts/bench.ts prints these; run alone with
// `npx tsx scripts/bench-labs.ts`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkers } from '../labs/index.ts';
import { gradeSource } from '../src/grading/grade-lab.ts';
import { compileLearner } from '../src/grading/runner-compiler.ts';

const LABS = join(dirname(fileURLToPath(import.meta.url)), '../labs');

/** ms per lab (the best of `runs` gradings of its solution, after one warm-up). */
export async function benchLabs(runs = 3): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [id, checker] of checkers) {
    const source = readFileSync(join(LABS, id, 'solution.ts'), 'utf8');
    const grade = () => gradeSource(checker, source, { compile: compileLearner, filename: 'solution.ts' });
    const warm = await grade();
    if (warm.status !== 'pass') throw new Error(`bench-labs: the ${id} solution does not pass (${warm.tests.find((t) => t.status !== 'pass')?.message})`);
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await grade();
      best = Math.min(best, performance.now() - t0);
    }
    out[id] = Math.round(best);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await benchLabs();
  for (const [id, ms] of Object.entries(results)) console.log(`${id.padEnd(26)} ${String(ms).padStart(6)} ms${ms > 300 ? '  (over the 300 ms budget)' : ''}`);
}
