// The conformance suite's simulator side, which needs no privileges: every
// scenario in the simulator must show what tcp-semantics.md claims, and must
// match the kernel run recorded in content/conformance/report.json (refreshed
// by kernel.test.ts whenever the kernel side runs).
import { describe, expect, test } from 'vitest';
import { checkExpectations, compareRuns, staleListings, unlisted } from './compare.ts';
import { knownDifferences } from './known-differences.ts';
import { fingerprint, readReport, recordedAsObservations } from './report.ts';
import { scenarios } from './scenarios/index.ts';
import { runOnSimulator } from './sim-executor.ts';

const report = readReport();

describe('simulator conformance', () => {
  for (const s of scenarios) {
    test(`${s.id}: the simulator does what the course says (${s.title})`, async () => {
      const obs = await runOnSimulator(s);
      expect(checkExpectations(s, obs)).toEqual([]);
    });

    // A recorded run of an older version of the scenario says nothing about this one;
    // the kernel suite (as root) records it again.
    const found = report?.scenarios.find((r) => r.id === s.id)?.observations;
    const recorded = found && found.scenario === fingerprint(s) ? found : undefined;
    test.skipIf(!recorded)(`${s.id}: the simulator matches the recorded Linux run, segment by segment, but for listed differences`, async () => {
      const obs = await runOnSimulator(s);
      const kernel = recordedAsObservations(recorded!, report!.kernel);
      const diffs = compareRuns(s, kernel, obs);
      expect(unlisted(diffs)).toEqual([]);
      // An entry of known-differences.ts that matches nothing any more must go.
      expect(staleListings(s, diffs)).toEqual([]);
    });
  }

  test('every known difference names scenarios that exist', () => {
    const ids = new Set(scenarios.map((s) => s.id));
    expect(knownDifferences.flatMap((k) => (k.scenarios === 'all' ? [] : k.scenarios)).filter((id) => !ids.has(id))).toEqual([]);
  });

  test('the same seed gives the same observations', async () => {
    const s = scenarios.find((x) => x.id === 'lost-last-ack')!;
    const a = await runOnSimulator(s, 7);
    const b = await runOnSimulator(s, 7);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
