// Seeded random worlds, first half (two files so both cores work). A failure
// prints its seed: `npm run fuzz -- --seed N` replays it with the full plan.
import { expect, test } from 'vitest';
import { formatFailure, fuzzRange } from './fuzz-worlds.ts';

const WORLDS = Number(process.env.FUZZ_WORLDS ?? 2000) / 2;

test(`${WORLDS} random worlds (seeds 1-${WORLDS}) keep every invariant`, async () => {
  const failures = await fuzzRange(1, WORLDS);
  expect(failures.map(formatFailure).join('\n\n')).toBe('');
}, 240_000);
