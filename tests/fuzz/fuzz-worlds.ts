// Runs seeded random worlds and checks the invariants after each; shared by
// the test suite (a fixed range of seeds) and `npm run fuzz` (any range, or one
// seed to replay).
import { checkRun } from './invariants.ts';
import { makePlan, type WorldPlan } from './plan.ts';
import { runPlan } from './run-plan.ts';

export interface WorldFailure {
  seed: number;
  violations: string[];
  plan: WorldPlan;
}

export async function fuzzWorld(seed: number): Promise<WorldFailure | null> {
  const plan = makePlan(seed);
  try {
    const violations = checkRun(await runPlan(plan));
    return violations.length ? { seed, violations, plan } : null;
  } catch (e) {
    return { seed, violations: [`world.run() or the plan's set-up threw: ${(e as Error)?.stack ?? String(e)}`], plan };
  }
}

export async function fuzzRange(
  first: number,
  count: number,
  onFailure?: (f: WorldFailure) => void,
  maxFailures = 20,
): Promise<WorldFailure[]> {
  const failures: WorldFailure[] = [];
  for (let seed = first; seed < first + count && failures.length < maxFailures; seed++) {
    const f = await fuzzWorld(seed);
    if (f) {
      failures.push(f);
      onFailure?.(f);
    }
  }
  return failures;
}

export function formatFailure(f: WorldFailure): string {
  const shown = f.violations.slice(0, 8).map((v) => `  - ${v}`);
  if (f.violations.length > 8) shown.push(`  … and ${f.violations.length - 8} more`);
  return [`seed ${f.seed} (replay: npm run fuzz -- --seed ${f.seed})`, ...shown].join('\n');
}
