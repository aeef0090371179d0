// Runs a learner program in this thread: compile, build a world, evaluate the
// module with its console pointed at the world, call its default export with
// the simulation, run to the end, and account for every way it can go wrong
// with the learner's file and line. Used by tests, the grader, the Node worker
// and the browser worker alike.
import type { ProcessEvent, SegmentInfo, Simulation, TraceEvent } from '../../types/closing-time.d.ts';
import { createWorld } from '../sim/index.ts';
import type { RunSummary, TimeWaitPolicy, TimeWaitView, World, WorldOptions } from '../sim/world-types.ts';
import type { BusyLoopError } from './busy-loop-guard.ts';
import { compileProgram, type CompiledProgram } from './compile-program.ts';
import type { Diagnostic } from './diagnostics.ts';
import { createProgramConsole, DEFAULT_MAX_OUTPUT_BYTES } from './program-console.ts';

export const DEFAULT_BUSY_LOOP_MS = 2000;

/**
 * What drives a module that is not a program of its own (a lab's solution):
 * called with the world and the module's exports, in place of a default export.
 */
export interface ProgramMain {
  /** How messages name it, e.g. "the lab's scenario". */
  readonly name: string;
  run(sim: Simulation, exports: Record<string, unknown>): unknown;
}

export interface RunProgramOptions {
  /** Drive the module's exports with this instead of calling its default export. */
  main?: ProgramMain;
  /** Shown in every message about the program. Default 'program.ts'. */
  fileName?: string;
  /** PRNG seed: the same program and seed give the same trace. Default 1. */
  seed?: number;
  /** Virtual-time limit, ms (the world's default when left out: 600000). */
  untilMs?: number;
  /** Real-time limit for the whole run, ms (the world's default when left out: 10000). */
  wallMs?: number;
  /** Longest stretch of synchronous program code, real ms. Default 2000. */
  busyLoopMs?: number;
  /** Most bytes of program output. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Each trace event as it happens (process failures with the learner's line). */
  onEvent?: (event: TraceEvent) => void;
  /** Called once the world exists, with a way to stop it (the browser's Stop button). */
  onStart?: (control: { stop(reason: string): void }) => void;
}

export type ProgramErrorKind = 'transpile' | 'load' | 'process' | 'busy-loop' | 'wall-limit' | 'world';

/** Something that makes a run fail, placed in the learner's file where possible. */
export interface ProgramError {
  kind: ProgramErrorKind;
  message: string;
  line?: number;
  column?: number;
  host?: string;
  pid?: number;
}

export interface RunResult {
  /** No transpile error, no process failure, no busy loop, no real-time limit. Blocked processes are fine. */
  ok: boolean;
  fileName: string;
  /** Null when the program did not compile. */
  summary: RunSummary | null;
  /** Compile errors (severity 'error'). */
  diagnostics: Diagnostic[];
  errors: ProgramError[];
}

const WORLD_ONLY = new Set(['run', 'stop', 'output', 'reportError', 'setTimeWaitPolicy']);

/**
 * The Simulation the program's default export receives: the world, minus the
 * controls that belong to the runner, with callbacks that re-arm the guard
 * when the world calls back into program code outside a process slice.
 */
function programView(world: World, arm: () => void, driver = false): Simulation {
  const wrap = <F extends (...args: never[]) => unknown>(fn: F) =>
    typeof fn === 'function'
      ? (((...args: Parameters<F>) => {
          arm();
          return fn(...args);
        }) as F)
      : fn;
  const view: Simulation = new Proxy(world, {
    get(target, prop) {
      // A lab's scenario (trusted, see ProgramMain) may install the learner's TIME_WAIT policy;
      // the world calls it outside any process slice, so each call re-arms the guard.
      if (prop === 'setTimeWaitPolicy' && driver) {
        return (host: Parameters<World['setTimeWaitPolicy']>[0], policy: TimeWaitPolicy | null) =>
          target.setTimeWaitPolicy(host, policy && { durationMs: wrap(() => policy.durationMs()), onSegment: wrap((tw: TimeWaitView, seg: SegmentInfo) => policy.onSegment(tw, seg)) });
      }
      if (typeof prop === 'string' && WORLD_ONLY.has(prop)) return undefined;
      if (prop === 'on') return (kind: string, fn: (e: TraceEvent) => void) => target.on(kind as '*', wrap(fn));
      if (prop === 'at') return (ms: number, fn: () => void) => target.at(ms, wrap(fn));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has(target, prop) {
      if (prop === 'setTimeWaitPolicy' && driver) return true;
      return !(typeof prop === 'string' && WORLD_ONLY.has(prop)) && Reflect.has(target, prop);
    },
  });
  return view;
}

/**
 * The process-failure event with its error placed in the learner's file. The
 * stack keeps the learner's frames only: the simulator's and the runner's mean
 * nothing to a learner, and their absolute paths would make a trace differ
 * from one machine to the next.
 */
function mapFailure(event: ProcessEvent, program: CompiledProgram): ProcessEvent {
  if (event.action !== 'fail' || !event.error) return event;
  const raw = event.error;
  const probe = Object.assign(new Error(raw.message), { name: raw.name, stack: raw.stack ?? '' });
  const located = program.locate(probe);
  const { line: _line, column: _column, ...rest } = raw;
  const place = located.line !== undefined ? { line: located.line, column: located.column } : {};
  return { ...event, error: { ...rest, ...place, stack: located.stack ?? `${raw.name}: ${raw.message}` } };
}

function failureMessage(event: ProcessEvent, fileName: string): string {
  const err = event.error;
  const who = `${event.host}[${event.pid}]`;
  if (!err) return `${who} failed`;
  const placed = err.line !== undefined && err.message.includes(`:${err.line})`);
  const where = err.line !== undefined && !placed ? ` (${fileName}:${err.line}${err.column !== undefined ? `:${err.column}` : ''})` : '';
  return `${who}: ${err.name}: ${err.message}${where}`;
}

/** Compiles and runs `source`. Resolves with the outcome; rejects only on a bug in the runner or the simulator. */
export async function runProgram(source: string, options: RunProgramOptions = {}): Promise<RunResult> {
  const fileName = options.fileName ?? 'program.ts';
  const busyLoopMs = options.busyLoopMs ?? DEFAULT_BUSY_LOOP_MS;
  if (!(busyLoopMs > 0)) throw new RangeError(`busyLoopMs must be a positive number of milliseconds, got ${busyLoopMs}`);
  const compiled = compileProgram(source, fileName);
  if (!compiled.ok) {
    const first = compiled.diagnostics[0];
    return {
      ok: false,
      fileName,
      summary: null,
      diagnostics: compiled.diagnostics,
      errors: [{ kind: 'transpile', message: compiled.message, line: first?.line, column: first?.column }],
    };
  }
  const program = compiled.program;
  const errors: ProgramError[] = [];
  const arm = () => program.armGuard(busyLoopMs);

  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const worldOptions: WorldOptions = {
    seed: options.seed ?? 1,
    onSlice: arm,
    // The program's console enforces the cap and says so; the world's own cap,
    // a little higher, only backs it up (it would swallow the console's note).
    maxOutputBytes: maxOutputBytes + 4096,
  };
  if (options.untilMs !== undefined) worldOptions.untilMs = options.untilMs;
  if (options.wallMs !== undefined) worldOptions.wallMs = options.wallMs;
  const world = createWorld(worldOptions);

  let busy: BusyLoopError | null = null;
  program.onBusyLoop((error) => {
    if (busy) return;
    busy = error;
    // A program that ignores the error it was given is stopped all the same.
    world.stop(error.message);
  });

  const onEvent = options.onEvent;
  world.on('*', (event) => {
    const shown = event.kind === 'process' ? mapFailure(event, program) : event;
    onEvent?.(shown);
  });
  options.onStart?.({ stop: (reason) => world.stop(reason) });

  const fail = (kind: ProgramErrorKind, error: unknown, where: string) => {
    const located = program.locate(error);
    errors.push({ kind, message: `${where}: ${program.describeError(error)}`, line: located.line, column: located.column });
    const reported = error instanceof Error ? error : new Error(located.message);
    world.reportError(reported, where);
  };

  let exports: Record<string, unknown> | null = null;
  arm();
  try {
    exports = await program.instantiate({ write: (stream, text) => world.output(stream, text) }, { seed: options.seed ?? 1, maxOutputBytes, clock: () => world.now() });
  } catch (error) {
    fail('load', error, `${fileName} failed while loading`);
  }
  if (exports && options.main) {
    const driver = options.main;
    arm();
    try {
      const returned = driver.run(programView(world, arm, true), exports);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(undefined, (error: unknown) => fail('load', error, driver.name));
      }
    } catch (error) {
      fail('load', error, driver.name);
    }
  } else if (exports) {
    const main = exports.default;
    if (typeof main !== 'function') {
      const message = `${fileName} has no default export function: a program ends with \`export default function (sim: Simulation) { ... }\``;
      errors.push({ kind: 'load', message });
      world.reportError(new Error(message), 'loading');
    } else {
      arm();
      try {
        const returned = (main as (sim: Simulation) => unknown)(programView(world, arm));
        if (returned && typeof (returned as Promise<unknown>).then === 'function') {
          (returned as Promise<unknown>).then(undefined, (error: unknown) => fail('load', error, 'the default export'));
        }
      } catch (error) {
        fail('load', error, 'the default export');
      }
    }
  }

  // A driver is trusted code compiled with the page (a lab's scenario): what it prints with the
  // global console belongs in the trace, beside the learner's output, for as long as the world runs.
  const saved = options.main ? globalThis.console : null;
  if (saved) globalThis.console = createProgramConsole((stream, text) => world.output(stream, text), maxOutputBytes).console as unknown as Console;
  let summary: RunSummary;
  try {
    summary = await world.run();
  } finally {
    if (saved) globalThis.console = saved;
  }
  const mapped: RunSummary = { ...summary, failed: summary.failed.map((f) => mapFailure(f, program)) };
  const busyError = busy as BusyLoopError | null;
  if (busyError) errors.push({ kind: 'busy-loop', message: busyError.message, line: busyError.line });
  // Failures the runner reported itself (loading, the busy loop) are already in `errors`.
  // Only those are matched: two processes failing with the same error are two failures.
  const reported = errors.slice();
  for (const f of mapped.failed) {
    if (f.error && reported.some((e) => e.message.includes(f.error!.message))) continue;
    errors.push({ kind: 'process', message: failureMessage(f, fileName), line: f.error?.line, column: f.error?.column, host: f.host, pid: f.pid });
  }
  if (summary.endedBy === 'wall-limit' && !busyError) {
    errors.push({ kind: 'wall-limit', message: `wall-time limit: ${summary.message}` });
  } else if (summary.endedBy === 'error' && errors.length === 0) {
    errors.push({ kind: 'world', message: summary.message });
  }
  return { ok: errors.length === 0, fileName, summary: mapped, diagnostics: [], errors };
}
