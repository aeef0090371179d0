// `closing-time compare <program.ts>`: the program on the simulator and on the
// machine's own TCP stack, and the differences that matter, with a verdict.
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { compareTraces, formatComparison } from '../kernel/compare.ts';
import { kernelUnavailableReason } from '../kernel/network.ts';
import { runKernelProgram } from '../kernel/run.ts';
import { NOT_COMPARED } from '../kernel/simplifications.ts';
import { runProgram } from '../runner/run-program.ts';
import { KERNEL_TIME_NOTE } from './kernel-run.ts';
import type { CliOutput } from './output.ts';
import { UsageError } from './usage-error.ts';

export const COMPARE_USAGE = `Usage: closing-time compare <program.ts> [options]

Runs the program on the simulator and on this machine's own Linux TCP stack
(as root: see run --kernel), and prints the differences that matter: states per
socket, call results and errnos, bytes read, segment flags and relative seq/ack
per direction, FIN/RST counts. Differences that come from the simulator's
deliberate simplifications are named as such.

Options:
  --until MS   time limit of both runs, ms (on the kernel it is real time)
  --seed N     the simulator's seed (default 1)
  --json       the comparison as one JSON object

Exit codes: 0 the same (or only deliberate simplifications differ), 1 a difference
no simplification explains (or a run failed, or no kernel), 2 usage error.`;

interface CompareArgs {
  file: string;
  untilMs?: number;
  seed: number;
  json: boolean;
}

function parse(argv: readonly string[]): CompareArgs {
  const files: string[] = [];
  const args: Partial<CompareArgs> = { json: false, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--until' || a === '--seed') {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < (a === '--until' ? 1 : 0)) throw new UsageError(`${a} needs a number, got '${argv[i] ?? ''}'`);
      if (a === '--until') args.untilMs = n;
      else args.seed = n;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else files.push(a);
  }
  if (files.length !== 1) throw new UsageError('compare needs one program file, e.g. closing-time compare examples/four-way-close.ts');
  return { ...args, file: files[0] } as CompareArgs;
}

export async function compareCommand(argv: readonly string[], io: CliOutput): Promise<number> {
  const args = parse(argv);
  let source: string;
  try {
    source = await readFile(args.file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${args.file}`);
  }
  const why = kernelUnavailableReason();
  if (why) {
    io.err(`closing-time: cannot compare with the kernel: ${why}\n`);
    return 1;
  }
  const simEvents: TraceEvent[] = [];
  const sim = await runProgram(source, { fileName: args.file, seed: args.seed, untilMs: args.untilMs, wallMs: 60_000, onEvent: (e) => simEvents.push(JSON.parse(JSON.stringify(e))) });
  if (!args.json) io.err(`closing-time: the simulator's run is done; now on Linux ${release()} (${KERNEL_TIME_NOTE})\n`);
  const kernel = await runKernelProgram(source, { fileName: args.file, seed: args.seed, untilMs: args.untilMs, onNotice: (t) => io.err(`closing-time: ${t}\n`) });
  const failed = [...sim.errors.map((e) => `simulator: ${e.message}`), ...kernel.errors.map((e) => `kernel: ${e.message}`)];
  if (!kernel.summary) {
    for (const f of failed) io.err(`error: ${f}\n`);
    return 1;
  }
  const comparison = compareTraces(simEvents, kernel.events, kernel.summary.virtualMs, kernel.summary.endedBy === 'time-limit', sim.summary?.endedBy === 'time-limit' ? sim.summary.virtualMs : undefined);
  if (args.json) {
    io.out(JSON.stringify({ fileName: args.file, kernel: release(), ...comparison, notes: kernel.notes, notCompared: NOT_COMPARED, errors: failed }) + '\n');
  } else {
    io.out(formatComparison(comparison, args.file) + '\n');
    for (const n of kernel.notes) io.out(`note: ${n}\n`);
    io.out(`not compared: ${NOT_COMPARED.join('; ')}\n`);
  }
  io.flush();
  for (const f of failed) io.err(`error: ${f}\n`);
  return comparison.verdict === 'different' || failed.length ? 1 : 0;
}
