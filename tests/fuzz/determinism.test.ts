// Same program and seed, same trace, byte for byte (design.md): replaying a
// failing fuzz seed is only worth something if this holds under faults too.
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { makePlan } from './plan.ts';
import { runPlan } from './run-plan.ts';

const digest = (trace: readonly unknown[]) => createHash('sha256').update(JSON.stringify(trace)).digest('hex');

test('40 random worlds give identical traces when run twice', async () => {
  const differing: number[] = [];
  for (let seed = 90_001; seed <= 90_040; seed++) {
    const a = await runPlan(makePlan(seed));
    const b = await runPlan(makePlan(seed));
    if (digest(a.trace) !== digest(b.trace)) differing.push(seed);
  }
  expect(differing, 'seeds whose two runs differ').toEqual([]);
}, 60_000);

test('different seeds give different worlds', async () => {
  const a = await runPlan(makePlan(90_001));
  const b = await runPlan(makePlan(90_002));
  expect(digest(a.trace)).not.toBe(digest(b.trace));
});
