// One program on the simulator and on the kernel, compared.
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { compareTraces, formatComparison, type Comparison } from '../../src/kernel/compare.ts';
import { runKernelProgram, type KernelRunResult } from '../../src/kernel/run.ts';
import { runProgram } from '../../src/runner/run-program.ts';

export async function compareProgram(source: string, fileName: string, opts: { untilMs?: number; seed?: number } = {}): Promise<{ comparison: Comparison; text: string; kernel: KernelRunResult; simErrors: string[] }> {
  const simEvents: TraceEvent[] = [];
  const sim = await runProgram(source, { fileName, seed: opts.seed, untilMs: opts.untilMs, wallMs: 60_000, onEvent: (e) => simEvents.push(JSON.parse(JSON.stringify(e))) });
  const kernel = await runKernelProgram(source, { fileName, seed: opts.seed, untilMs: opts.untilMs });
  const comparison = compareTraces(simEvents, kernel.events, kernel.summary?.virtualMs ?? 0, kernel.summary?.endedBy === 'time-limit', sim.summary?.endedBy === 'time-limit' ? sim.summary.virtualMs : undefined);
  return { comparison, text: formatComparison(comparison, fileName), kernel, simErrors: sim.errors.map((e) => e.message) };
}
