// Seeded random worlds, second half (two files so both cores work). A failure
// prints its seed: `npm run fuzz -- --seed N` replays it with the full plan.
import { expect, test } from 'vitest';
import { REQUIRED_FEATURES, formatFailure, fuzzRange } from './fuzz-worlds.ts';

const WORLDS = Number(process.env.FUZZ_WORLDS ?? 2000) / 2;

test(`${WORLDS} random worlds (seeds ${WORLDS + 1}-${2 * WORLDS}) keep every invariant`, async () => {
  const coverage = new Map<string, number>();
  const failures = await fuzzRange(WORLDS + 1, WORLDS, undefined, 20, coverage);
  expect(failures.map(formatFailure).join('\n\n')).toBe('');
  // The worlds must reach the paths the invariants judge.
  expect(REQUIRED_FEATURES.filter((f) => !coverage.has(f)), 'paths no world reached').toEqual([]);
}, 240_000);
