// Property fuzzing of the simulator: seeded random worlds, invariants after each.
//
//   npm run fuzz                      2,000 worlds from seed 1
//   npm run fuzz -- --worlds 100000   a longer run
//   npm run fuzz -- --start 5000 --worlds 1000
//   npm run fuzz -- --seed 1234       replay one world: its plan, violations and trace
import { REQUIRED_FEATURES, fuzzRange, fuzzWorld, formatFailure } from '../tests/fuzz/fuzz-worlds.ts';
import { makePlan } from '../tests/fuzz/plan.ts';
import { runPlan } from '../tests/fuzz/run-plan.ts';
import type { TraceEvent } from '../types/closing-time.d.ts';
import { setStrictTransitions } from '../src/sim/tcp/transitions.ts';

const USAGE = 'usage: npm run fuzz -- [--seed N] [--worlds N] [--start N] [--max-failures N]';

function parseArgs(argv: string[]): Record<string, number> {
  const opts: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(seed|worlds|start|max-failures)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    const raw = m[2] ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(value) || value < 0) throw new Error(`--${m[1]} needs a whole number, got '${raw ?? ''}'\n${USAGE}`);
    opts[m[1]] = value;
  }
  return opts;
}

function line(e: TraceEvent): string | null {
  switch (e.kind) {
    case 'segment':
      return `${String(e.t).padStart(7)} ${e.action.padEnd(7)} ${e.seg.src.host}:${e.seg.src.port} > ${e.seg.dst.host}:${e.seg.dst.port} [${e.seg.flags}] seq ${e.seg.seq} ack ${e.seg.ack} len ${e.seg.len}${e.reason ? ` (${e.reason})` : ''}`;
    case 'state':
      return `${String(e.t).padStart(7)} state   ${e.host} #${e.sock.id} ${e.from} -> ${e.to} (${e.cause})`;
    case 'syscall':
      return e.phase === 'call' ? null : `${String(e.t).padStart(7)} syscall ${e.process} ${e.call}(${e.args}) = ${e.errno ?? e.result ?? ''}`;
    case 'process':
      return `${String(e.t).padStart(7)} process ${e.process} ${e.action}${e.error ? `: ${e.error.message}` : ''}`;
    default:
      return null;
  }
}

async function replay(seed: number): Promise<number> {
  const plan = makePlan(seed);
  console.log(`plan of seed ${seed}:\n${JSON.stringify(plan, null, 2)}`);
  const run = await runPlan(plan);
  console.log(`\ntrace (${run.trace.length} events, ended by ${run.summary.endedBy} at ${run.summary.virtualMs} ms):`);
  for (const e of run.trace) {
    const text = line(e);
    if (text) console.log(text);
  }
  const failure = await fuzzWorld(seed);
  console.log(failure ? `\n${formatFailure(failure)}` : `\nseed ${seed}: every invariant holds`);
  return failure ? 1 : 0;
}

async function main(): Promise<number> {
  setStrictTransitions(true); // an edge the table lacks throws where it happens, as in the tests
  const opts = parseArgs(process.argv.slice(2));
  if (opts.seed !== undefined) return replay(opts.seed);
  const start = opts.start ?? 1;
  const worlds = opts.worlds ?? 2000;
  const began = Date.now();
  let done = 0;
  const failures = [];
  const chunk = 500;
  const coverage = new Map<string, number>();
  for (let first = start; first < start + worlds; first += chunk) {
    const n = Math.min(chunk, start + worlds - first);
    failures.push(...(await fuzzRange(first, n, (f) => console.log(`${formatFailure(f)}\n`), (opts['max-failures'] ?? 20) - failures.length, coverage)));
    done += n;
    const secs = (Date.now() - began) / 1000;
    console.log(`${done}/${worlds} worlds, ${failures.length} failing, ${(done / secs).toFixed(0)} worlds/s`);
    if (failures.length >= (opts['max-failures'] ?? 20)) {
      console.log('stopping: too many failing worlds');
      break;
    }
  }
  console.log('\nworlds reaching each path:');
  for (const [f, n] of [...coverage].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(7)}  ${f}`);
  const missed = REQUIRED_FEATURES.filter((f) => !coverage.has(f));
  if (missed.length) console.log(`no world reached: ${missed.join(', ')}`);
  console.log(failures.length ? `failing seeds: ${failures.map((f) => f.seed).join(' ')}` : `all ${done} worlds keep every invariant`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
