// Web Worker entry for a lab's Run button: the learner's file is a module of
// exports (handle, fetchAll ...), and the lab's scenario (labs/<id>/scenario.ts)
// builds a world and calls them the way the lab text describes. Streaming,
// pacing and stopping are the playground runner's (src/runner/browser/serve-runs.ts).
import { checkers } from '../../../labs/index.ts';
import { missingExports } from '../../grading/grade-lab.ts';
import type { ProgramMain } from '../../runner/run-program.ts';
import { serveRuns } from '../../runner/browser/serve-runs.ts';
import type { Simulation } from '../../../types/closing-time.d.ts';

type Scenario = { default: (sim: Simulation, learner: Record<string, unknown>) => unknown };
const scenarios = import.meta.glob<Scenario>('../../../labs/*/scenario.ts');

serveRuns({
  async scenarios(lab): Promise<ProgramMain | string> {
    const load = scenarios[`../../../labs/${lab}/scenario.ts`];
    const checker = checkers.get(lab);
    if (!load || !checker) return `the lab '${lab}' has no scenario to run`;
    const scenario = await load();
    return {
      name: "the lab's scenario",
      run(sim, exports) {
        const missing = missingExports(checker, exports, `${lab}.ts`);
        if (missing) throw new Error(missing);
        return scenario.default(sim, exports);
      },
    };
  },
});
