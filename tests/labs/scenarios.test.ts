// Every lab's Run scenario (labs/<lab>/scenario.ts), run as the lab page runs
// it (the runner with the scenario as the module's driver, its console into the
// trace) and judged as the page judges it (the playground's ExpectationTracker):
// the reference solution shows everything the scenario says to look for, the
// starter does not, the run is the same twice, and it ends within three minutes of virtual time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkers } from '../../labs/index.ts';
import { ExpectationTracker, parseExpectations } from '../../src/components/playground/expectations.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { Simulation, TraceEvent } from '../../src/sim/index.ts';

const LABS = join(import.meta.dirname, '../../labs');

type Scenario = { default: (sim: Simulation, learner: Record<string, unknown>) => unknown; expect: unknown[] };

async function runScenario(lab: string, file: string) {
  const scenario = (await import(join(LABS, lab, 'scenario.ts'))) as Scenario;
  const events: TraceEvent[] = [];
  const result = await runProgram(readFileSync(join(LABS, lab, file), 'utf8'), {
    fileName: `${lab}.ts`,
    main: { name: "the lab's scenario", run: (sim, exports) => scenario.default(sim, exports) },
    onEvent: (e) => events.push(JSON.parse(JSON.stringify(e))),
  });
  const tracker = new ExpectationTracker(parseExpectations(scenario.expect, `${lab}/scenario.ts`));
  tracker.feed(events);
  tracker.finish();
  return { result, events, missed: tracker.results.filter((r) => !r.met).map((r) => r.label) };
}

describe('lab scenarios', () => {
  const labs = [...checkers.keys()].sort();
  it('exist for every lab', () => {
    expect(labs.filter((lab) => !existsSync(join(LABS, lab, 'scenario.ts')))).toEqual([]);
  });
  for (const lab of labs) {
    it(`${lab}: the solution shows everything the scenario says to look for, the same way twice`, async () => {
      const good = await runScenario(lab, 'solution.ts');
      expect(good.result.errors.map((e) => e.message)).toEqual([]);
      expect(good.missed).toEqual([]);
      expect(good.result.summary!.virtualMs).toBeLessThanOrEqual(180_000);
      const again = await runScenario(lab, 'solution.ts');
      expect(again.events).toEqual(good.events);
    });
    it(`${lab}: the starter misses something the scenario says to look for`, async () => {
      const starter = await runScenario(lab, 'starter.ts');
      expect(starter.missed.length).toBeGreaterThan(0);
    });
  }
});
