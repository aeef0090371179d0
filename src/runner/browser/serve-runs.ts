// The inside of a runner Web Worker (src/runner/browser-worker.ts for lesson
// playgrounds, src/components/lab/lab-run-worker.ts for labs): runs one program
// at a time with the simulator and streams its trace to the page.
//
// Protocol (the page side is src/runner/browser/client.ts; types in
// src/runner/browser/protocol.ts):
//   page -> worker  { type: 'run', id, source, fileName, seed?, untilMs?, wallMs?, speed?, scenario? }
//                   { type: 'stop', id }
//   worker -> page  { type: 'event', id, events, clockMs? } batches, at most every ~16 ms;
//                                                       clockMs: the pacing clock (paced runs only)
//                   { type: 'skip', id, fromMs, toMs }   a paced run jumped over a quiet stretch
//                   { type: 'diagnostic', id, diagnostics } compile errors, before 'error'
//                   { type: 'done', id, summary }        the run ended (also after a stop)
//                   { type: 'error', id, message, line?, column? }  it could not run
// Every run ends with exactly one 'done' or one 'error'. Events are plain JSON
// data. In `summary.hosts[i].ss` each SsTable arrives as a plain array of SsRow
// objects (its toString and inState methods cannot cross postMessage): format
// it with formatSsTable from src/console.
// `speed` paces delivery: 0 (default) sends events as fast as the simulation
// makes them; s > 0 releases an event at virtual time t once t / s real ms have
// passed since the run began (s = 1: real time; s = 10: ten times faster).
// The simulation itself always runs at full speed; only delivery waits.
// When the next event is more than ~1.5 s of real time away at that pace, the
// pacing clock jumps ahead to a second before it and says so with 'skip'
// (pacing.ts), so a 60 s TIME_WAIT in slow motion costs a second, not an hour.
// A page that does not know 'skip' or clockMs just ignores them.
// `scenario` names a driver the worker knows (a lab's scenario): the source is
// then a module whose exports the driver calls, instead of a program with a
// default export.
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import { runProgram, type ProgramMain } from '../run-program.ts';
import type { RunRequest as RunMessage, StopRequest as StopMessage } from './protocol.ts';
import { serializeSummary, type SerializedRunSummary } from '../serialize.ts';
import { paceStep, type PaceState } from './pacing.ts';

/** Finds the driver a run request names; a string is a message for the learner when there is none. */
export type ScenarioResolver = (name: string) => Promise<ProgramMain | string>;

interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const BATCH_MS = 16;
const scope = globalThis as unknown as WorkerScope;

interface ActiveRun {
  id: number;
  stop?: (reason: string) => void;
  queue: TraceEvent[];
  speed: number;
  /** Where the pacing clock is (speed > 0). */
  pace: PaceState;
  /** Stop was asked for while simulating: no more events go to the page. */
  muted?: boolean;
  pacer?: ReturnType<typeof setInterval>;
  finished?: SerializedRunSummary;
  closed: boolean;
}

let active: ActiveRun | null = null;

function post(message: unknown): void {
  scope.postMessage(message);
}

function sendEvents(run: ActiveRun, events: TraceEvent[], clockMs?: number): void {
  // The simulator's segments compute fields in getters: JSON (their toJSON) keeps them.
  if (events.length) post({ type: 'event', id: run.id, events: JSON.parse(JSON.stringify(events)), ...(clockMs !== undefined ? { clockMs } : {}) });
}

/** Sends what is due; for speed 0 that is everything queued. */
function release(run: ActiveRun): void {
  if (run.closed) return;
  if (run.speed <= 0) {
    const events = run.queue;
    run.queue = [];
    sendEvents(run, events);
  } else {
    const step = paceStep(run.pace, run.queue, Date.now());
    run.pace = step.state;
    if (step.due > 0) sendEvents(run, run.queue.splice(0, step.due), step.skip ? step.skip.fromMs : step.clockMs);
    if (step.skip) post({ type: 'skip', id: run.id, fromMs: step.skip.fromMs, toMs: step.skip.toMs });
  }
  if (run.finished && run.queue.length === 0) finish(run, run.finished);
}

function finish(run: ActiveRun, summary: SerializedRunSummary): void {
  if (run.closed) return;
  run.closed = true;
  if (run.pacer) clearInterval(run.pacer);
  post({ type: 'done', id: run.id, summary });
  if (active === run) active = null;
}

function fail(id: number, message: string, line?: number, column?: number): void {
  post({ type: 'error', id, message, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) });
}

function validRun(msg: RunMessage): string | null {
  if (typeof msg.source !== 'string') return 'the program source must be a string';
  if (typeof msg.fileName !== 'string' || msg.fileName === '') return 'fileName must be a non-empty string';
  for (const key of ['seed', 'untilMs', 'wallMs', 'speed'] as const) {
    const v = msg[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) return `${key} must be a non-negative number, got ${String(v)}`;
  }
  return null;
}

let resolveScenario: ScenarioResolver | null = null;

async function start(msg: RunMessage): Promise<void> {
  if (active) {
    // A new run replaces the old one (the page has moved on).
    active.stop?.('replaced by a new run');
    active.closed = true;
    if (active.pacer) clearInterval(active.pacer);
    active = null;
  }
  const problem = validRun(msg);
  if (problem) return fail(msg.id, `invalid run request: ${problem}`);
  const speed = msg.speed ?? 0;
  const run: ActiveRun = { id: msg.id, queue: [], speed, pace: { speed, startedAt: Date.now(), skippedMs: 0 }, closed: false };
  active = run;
  let main: ProgramMain | undefined;
  if (msg.scenario !== undefined) {
    const found = typeof msg.scenario === 'string' && resolveScenario ? await resolveScenario(msg.scenario).catch((e: Error) => `the scenario could not load: ${e.message}`) : `this runner has no scenario '${String(msg.scenario)}'`;
    if (run.closed) return;
    if (typeof found === 'string') {
      run.closed = true;
      if (active === run) active = null;
      return fail(run.id, found);
    }
    main = found;
  }
  let lastFlush = Date.now();
  if (run.speed > 0) run.pacer = setInterval(() => release(run), BATCH_MS);
  try {
    const result = await runProgram(msg.source, {
      main,
      fileName: msg.fileName,
      seed: msg.seed,
      untilMs: msg.untilMs,
      wallMs: msg.wallMs,
      onStart: (control) => {
        run.stop = control.stop;
        // The pace counts from the world's start, not from the request (compiling takes a while).
        run.pace = { ...run.pace, startedAt: Date.now() };
      },
      onEvent(event) {
        if (run.closed || run.muted) return;
        run.queue.push(event);
        if (run.speed <= 0 && Date.now() - lastFlush >= BATCH_MS) {
          lastFlush = Date.now();
          release(run);
        }
      },
    });
    if (run.closed) return;
    if (!result.summary) {
      if (result.diagnostics.length) post({ type: 'diagnostic', id: run.id, diagnostics: result.diagnostics });
      const first = result.errors[0];
      run.closed = true;
      if (run.pacer) clearInterval(run.pacer);
      if (active === run) active = null;
      return fail(run.id, first?.message ?? `${msg.fileName} could not be run`, first?.line, first?.column);
    }
    run.finished = serializeSummary(result.summary);
    release(run);
  } catch (error) {
    if (run.closed) return;
    run.closed = true;
    if (run.pacer) clearInterval(run.pacer);
    if (active === run) active = null;
    fail(run.id, `the runner failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function stop(msg: StopMessage): void {
  const run = active;
  if (!run || run.id !== msg.id) return;
  if (run.finished) {
    // Already simulated, only pacing: drop what was not shown yet.
    run.queue = [];
    finish(run, run.finished);
    return;
  }
  // Still simulating: what was not shown yet is dropped, and nothing more is queued;
  // the summary follows as soon as the world has stopped.
  run.queue = [];
  run.muted = true;
  run.stop?.('stopped by the user');
}

/** Starts answering run and stop messages in this worker. */
export function serveRuns(options: { scenarios?: ScenarioResolver } = {}): void {
  resolveScenario = options.scenarios ?? null;
  scope.addEventListener('message', (event) => {
    const msg = event.data as RunMessage | StopMessage;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'run') void start(msg);
    else if (msg.type === 'stop') stop(msg);
  });
}
