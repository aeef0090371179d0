// Runs seeded random worlds and checks the invariants after each; shared by
// the test suite (a fixed range of seeds) and `npm run fuzz` (any range, or one
// seed to replay).
import { checkRun } from './invariants.ts';
import { makePlan, type WorldPlan } from './plan.ts';
import { runPlan, type PlanRun } from './run-plan.ts';

/** What happened in a world, to show the generator reaches the paths the invariants judge. */
export function features(run: PlanRun): Set<string> {
  const f = new Set<string>();
  /** Each socket's time of entering FIN_WAIT_2 from FIN_WAIT_1. */
  const intoFinWait2 = new Map<string, number>();
  for (const e of run.trace) {
    if (e.kind === 'state') {
      f.add(`state ${e.to}`);
      const sock = `${e.host} ${e.sock.id}`;
      if (e.from === 'FIN_WAIT_1' && e.to === 'FIN_WAIT_2') intoFinWait2.set(sock, e.t);
      // A FIN that ACKs ours: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT on one segment.
      if (e.from === 'FIN_WAIT_2' && e.to === 'TIME_WAIT' && intoFinWait2.get(sock) === e.t) f.add('FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT at once');
      if (e.from === 'FIN_WAIT_2' && e.to === 'CLOSED') f.add('FIN_WAIT_2 -> CLOSED');
    } else if (e.kind === 'segment') {
      if (e.action === 'send' && e.seg.rst) f.add('RST sent');
      if (e.action === 'drop' && e.reason) f.add(`dropped (${e.reason})`);
      if (e.action === 'deliver' && e.reason === 'duplicate') f.add('duplicate delivered');
      if (e.action === 'send' && e.seg.retransmission) f.add('retransmission');
    }
  }
  for (const c of run.failures) f.add(`${c.call}() ${c.errno}`);
  for (const s of run.streams.values()) if (s.sawEof && s.read.length > 0) f.add('data then EOF');
  if (run.deliberate.length) f.add('process threw on purpose');
  return f;
}

export interface WorldFailure {
  seed: number;
  violations: string[];
  plan: WorldPlan;
}

export async function fuzzWorld(seed: number, coverage?: Map<string, number>): Promise<WorldFailure | null> {
  const plan = makePlan(seed);
  try {
    const run = await runPlan(plan);
    if (coverage) for (const f of features(run)) coverage.set(f, (coverage.get(f) ?? 0) + 1);
    const violations = checkRun(run);
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
  coverage?: Map<string, number>,
): Promise<WorldFailure[]> {
  const failures: WorldFailure[] = [];
  for (let seed = first; seed < first + count && failures.length < maxFailures; seed++) {
    const f = await fuzzWorld(seed, coverage);
    if (f) {
      failures.push(f);
      onFailure?.(f);
    }
  }
  return failures;
}

/** Paths every fuzz run of a thousand worlds must reach, or the generator has gone blind. */
export const REQUIRED_FEATURES = [
  'state TIME_WAIT', 'state CLOSE_WAIT', 'state LAST_ACK', 'state FIN_WAIT_2', 'state CLOSING',
  'FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT at once', 'FIN_WAIT_2 -> CLOSED', 'RST sent', 'retransmission',
  'dropped (loss)', 'dropped (partition)', 'duplicate delivered', 'data then EOF',
  'send() EPIPE', 'recv() ECONNRESET', 'process threw on purpose',
];

export function formatFailure(f: WorldFailure): string {
  const shown = f.violations.slice(0, 8).map((v) => `  - ${v}`);
  if (f.violations.length > 8) shown.push(`  … and ${f.violations.length - 8} more`);
  return [`seed ${f.seed} (replay: npm run fuzz -- --seed ${f.seed})`, ...shown].join('\n');
}
