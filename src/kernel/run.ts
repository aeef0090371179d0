// Runs a learner program on the machine's own TCP stack: compile as the
// simulator's runner does, build a KernelWorld, call the default export, run,
// and return the trace (in time order) and a summary shaped like the simulator's.
import type { Simulation, TraceEvent } from '../../types/closing-time.d.ts';
import { compileProgram } from '../runner/compile-program.ts';
import type { ProgramError, RunResult } from '../runner/run-program.ts';
import { DEFAULT_BUSY_LOOP_MS } from '../runner/run-program.ts';
import { kernelUnavailableReason, sweepStale } from './network.ts';
import { KernelWorld } from './world.ts';

export interface KernelRunOptions {
  fileName?: string;
  seed?: number;
  /** Real-time limit, ms. Default 600000. */
  untilMs?: number;
  busyLoopMs?: number;
  idleMs?: number;
  onNotice?: (text: string) => void;
  onAgent?: (host: string, pid: number) => void;
  /** Each event as it is recorded (arrival order, before the sort by time). */
  onLiveEvent?: (event: TraceEvent) => void;
}

export interface KernelRunResult extends RunResult {
  /** The whole trace, ordered by time (n renumbered). */
  events: TraceEvent[];
  /** Notes about what the kernel run did differently (no link delay ...). */
  notes: string[];
}

const live = new Set<KernelWorld>();
const handlers = new Map<NodeJS.Signals, () => void>();

/**
 * Ctrl-C or SIGTERM mid-run: delete the namespaces of every world still running, then exit as
 * the signal would. Installed only while a kernel run is under way.
 */
function installSignalHandlers(): void {
  if (handlers.size) return;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    const handler = () => {
      for (const w of live) w.teardown();
      process.stderr.write(`closing-time: ${signal}: the kernel run was stopped and its namespaces deleted\n`);
      process.exit(code);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function removeSignalHandlers(): void {
  if (live.size) return;
  for (const [signal, handler] of handlers) process.off(signal, handler);
  handlers.clear();
}

export function sortedTrace(trace: readonly TraceEvent[]): TraceEvent[] {
  return trace
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map(({ e }, n) => ({ ...e, n }) as TraceEvent);
}

export async function runKernelProgram(source: string, options: KernelRunOptions = {}): Promise<KernelRunResult> {
  const fileName = options.fileName ?? 'program.ts';
  const unavailable = kernelUnavailableReason();
  if (unavailable) {
    return { ok: false, fileName, summary: null, diagnostics: [], errors: [{ kind: 'world', message: unavailable }], events: [], notes: [] };
  }
  const compiled = compileProgram(source, fileName);
  if (!compiled.ok) {
    const first = compiled.diagnostics[0];
    return { ok: false, fileName, summary: null, diagnostics: compiled.diagnostics, errors: [{ kind: 'transpile', message: compiled.message, line: first?.line, column: first?.column }], events: [], notes: [] };
  }
  sweepStale();
  installSignalHandlers();
  const program = compiled.program;
  const busyLoopMs = options.busyLoopMs ?? DEFAULT_BUSY_LOOP_MS;
  const errors: ProgramError[] = [];
  const arm = () => program.armGuard(busyLoopMs);
  const world = new KernelWorld({
    seed: options.seed,
    untilMs: options.untilMs,
    idleMs: options.idleMs,
    onNotice: options.onNotice,
    onAgent: options.onAgent,
    onEvent: options.onLiveEvent,
    arm,
    locate: (e) => program.locate(e),
  });
  live.add(world);
  program.onBusyLoop((error) => world.stop(error.message));
  const fail = (error: unknown, where: string) => {
    const located = program.locate(error);
    errors.push({ kind: 'load', message: `${where}: ${program.describeError(error)}`, line: located.line, column: located.column });
  };
  try {
    let exports: Record<string, unknown> | null = null;
    arm();
    try {
      exports = await program.instantiate({ write: (stream, text) => world.output(stream, text) }, { seed: options.seed ?? 1, clock: () => world.now() });
    } catch (error) {
      fail(error, `${fileName} failed while loading`);
    }
    if (exports) {
      const main = exports.default;
      if (typeof main !== 'function') {
        errors.push({ kind: 'load', message: `${fileName} has no default export function: a program ends with \`export default function (sim: Simulation) { ... }\`` });
      } else {
        arm();
        try {
          const returned = (main as (sim: Simulation) => unknown)(world);
          if (returned && typeof (returned as Promise<unknown>).then === 'function') await returned;
        } catch (error) {
          fail(error, 'the default export');
        }
      }
    }
    if (errors.length) {
      world.teardown();
      return { ok: false, fileName, summary: null, diagnostics: [], errors, events: sortedTrace(world.trace), notes: [...world.notes] };
    }
    const summary = await world.run();
    const busy = program.guard.tripped;
    if (busy) errors.push({ kind: 'busy-loop', message: busy.message, line: busy.line });
    for (const f of summary.failed) {
      const err = f.error;
      errors.push({ kind: 'process', message: `${f.host}[${f.pid}]: ${err?.name ?? 'Error'}: ${err?.message ?? 'failed'}${err?.line !== undefined ? ` (${fileName}:${err.line})` : ''}`, line: err?.line, host: f.host, pid: f.pid });
    }
    if (world.error) errors.push({ kind: 'world', message: world.error.message });
    return { ok: errors.length === 0, fileName, summary, diagnostics: [], errors, events: sortedTrace(world.trace), notes: [...world.notes] };
  } finally {
    world.teardown();
    live.delete(world);
    removeSignalHandlers();
  }
}
