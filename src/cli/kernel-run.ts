// `closing-time run prog.ts --kernel`: the same program on the machine's own
// TCP stack. The trace is printed when the run ends, in time order (the agents'
// captures and the calls arrive out of order by a few ms); notes about what the
// kernel run cannot do, and progress of long sleeps, go to stderr as they come.
import { release } from 'node:os';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { createFormatter, formatSummary, paint } from '../console/index.ts';
import { kernelUnavailableReason } from '../kernel/network.ts';
import { runKernelProgram, type KernelRunResult } from '../kernel/run.ts';
import type { CliOutput } from './output.ts';
import type { RunArgs } from './run-args.ts';

export const KERNEL_TIME_NOTE = 'on the kernel, virtual time is real time: os.sleep(60000) waits a minute, and TIME_WAIT lasts 60 s';

export async function kernelRun(args: RunArgs, source: string, io: CliOutput, onCaptured: (e: TraceEvent) => void): Promise<{ exitCode: number; result: KernelRunResult | null }> {
  const color = args.json ? false : args.color === 'auto' ? io.colorDefault : args.color;
  const why = kernelUnavailableReason();
  if (why) {
    io.err(`closing-time: cannot run on the kernel: ${why}\n`);
    return { exitCode: 1, result: null };
  }
  io.err(`closing-time: running ${args.file} on this machine's Linux ${release()} TCP stack; ${KERNEL_TIME_NOTE}\n`);
  const result = await runKernelProgram(source, {
    fileName: args.file,
    seed: args.seed,
    untilMs: args.untilMs,
    busyLoopMs: args.busyLoopMs,
    onNotice: (text) => io.err(`closing-time: ${text}\n`),
  });
  const formatter = createFormatter({
    color,
    timeWidth: 9,
    absoluteSeq: args.absoluteSeq,
    addresses: args.addresses,
    deliveries: args.deliveries,
    timers: args.timers,
    fileName: args.file,
    ...(args.quiet ? { kinds: ['output', 'process', 'note'] as const, processes: false } : {}),
  });
  for (const event of result.events) {
    if (event.kind === 'segment' && event.action === 'send') onCaptured(event);
    if (args.json) io.out(JSON.stringify(event) + '\n');
    else {
      const line = formatter.format(event);
      if (line !== null) io.out(line + '\n');
    }
  }
  const exitCode = result.ok ? 0 : 1;
  if (args.json) {
    io.out(JSON.stringify({ kind: 'summary', ok: result.ok, exitCode, fileName: args.file, seed: args.seed, backend: 'kernel', kernel: release(), notes: result.notes, summary: result.summary, errors: result.errors, diagnostics: result.diagnostics }) + '\n');
    io.flush();
    for (const e of result.errors) io.err(`error: ${e.message}\n`);
    return { exitCode, result };
  }
  if (result.summary) io.out(`\n${formatSummary(result.summary, { color, fileName: args.file })}\n`);
  io.flush();
  for (const e of result.errors) io.err(`${paint('boldRed', `error: ${e.message}`, color)}\n`);
  return { exitCode, result };
}
