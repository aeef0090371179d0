/// <reference types="vite/client" />
// The page side of running a program: one Web Worker per playground that runs
// the learner's program with the simulator and streams the trace back.
// A stop always works: if the worker does not confirm within STOP_GRACE_MS
// (a synchronous busy loop never yields to its message queue), the worker is
// terminated and a fresh one takes its place, so the page never freezes.
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import type { RunSummary } from '../../sim/world-types.ts';
import type { Diagnostic, PageToWorker, RunRequest, WorkerToPage } from './protocol.ts';

export const STOP_GRACE_MS = 500;

export interface RunHandlers {
  /** A batch of the trace; `clockMs` is the pacing clock when it was released (paced runs). */
  onEvents(events: TraceEvent[], clockMs?: number): void;
  /** A paced run jumped over a quiet stretch of virtual time (no event in it). */
  onSkip?(skip: { fromMs: number; toMs: number }): void;
  onDiagnostics(diagnostics: Diagnostic[]): void;
  onDone(summary: RunSummary): void;
  onError(error: { message: string; line?: number; column?: number }): void;
  /**
   * The run ended without a summary: `forced` when the worker ignored 'stop' and was
   * terminated, otherwise because a new run replaced it. (A stop the worker honours
   * ends with onDone and `endedBy: 'stopped'`.)
   */
  onStopped(info: { forced: boolean }): void;
}

export type RunOptions = Omit<RunRequest, 'type' | 'id'>;

export interface RunHandle {
  readonly id: number;
  stop(): void;
}

export type WorkerFactory = () => Worker;

// The worker entry is bundled as its own ES-module chunk (Vite `?worker&url`).
// A glob rather than a plain import so the site still builds, with a clear
// message at Run, in a checkout where the runner is missing.
const workerUrls = import.meta.glob<string>('../browser-worker.ts', { query: '?worker&url', import: 'default', eager: true });
const workerUrl: string | undefined = Object.values(workerUrls)[0];

const defaultFactory: WorkerFactory = () => {
  if (!workerUrl) throw new Error('the runner (src/runner/browser-worker.ts) is not part of this build');
  return new Worker(workerUrl, { type: 'module', name: 'closing-time-runner' });
};

export class RunnerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private active: { id: number; handlers: RunHandlers; stopTimer?: ReturnType<typeof setTimeout>; stopping: boolean } | null = null;

  constructor(private readonly factory: WorkerFactory = defaultFactory) {}

  /** Starts the worker ahead of the first run so Run answers at once. */
  warm(): void {
    try {
      this.ensureWorker();
    } catch {
      // Reported by run(), where the learner sees it.
    }
  }

  run(options: RunOptions, handlers: RunHandlers): RunHandle {
    if (this.active) this.finishStopped(false);
    const id = this.nextId++;
    this.active = { id, handlers, stopping: false };
    try {
      this.post({ type: 'run', id, ...options });
    } catch (e) {
      this.active = null;
      handlers.onError({ message: `The program cannot run: ${(e as Error).message}` });
    }
    return { id, stop: () => this.stop(id) };
  }

  /** Asks the worker to stop run `id`; terminates it if it does not answer in time. */
  stop(id?: number): void {
    const run = this.active;
    if (!run || (id !== undefined && run.id !== id) || run.stopping) return;
    run.stopping = true;
    this.post({ type: 'stop', id: run.id });
    run.stopTimer = setTimeout(() => {
      if (this.active === run) {
        this.replaceWorker();
        this.finishStopped(true);
      }
    }, STOP_GRACE_MS);
  }

  /** Stops the active run and forgets it: none of its handlers is called again (the page shows something else now). */
  abandon(): void {
    const run = this.active;
    if (!run) return;
    if (run.stopTimer) clearTimeout(run.stopTimer);
    this.active = null;
    try {
      this.post({ type: 'stop', id: run.id });
    } catch {
      // No worker: nothing runs.
    }
  }

  get running(): boolean {
    return this.active !== null;
  }

  dispose(): void {
    if (this.active) this.finishStopped(false);
    this.worker?.terminate();
    this.worker = null;
  }

  private finishStopped(forced: boolean): void {
    const run = this.active;
    if (!run) return;
    if (run.stopTimer) clearTimeout(run.stopTimer);
    this.active = null;
    run.handlers.onStopped({ forced });
  }

  private post(msg: PageToWorker): void {
    this.ensureWorker().postMessage(msg);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = this.factory();
    w.addEventListener('message', (e: MessageEvent<WorkerToPage>) => this.onMessage(w, e.data));
    w.addEventListener('error', (e: ErrorEvent) => {
      // A worker that fails to load or crashes: report it on the running playground.
      e.preventDefault();
      if (w !== this.worker) return;
      const run = this.active;
      this.replaceWorker();
      if (run) {
        this.active = null;
        if (run.stopTimer) clearTimeout(run.stopTimer);
        run.handlers.onError({ message: `The runner stopped unexpectedly: ${e.message || 'it could not be loaded'}` });
      }
    });
    this.worker = w;
    return w;
  }

  private replaceWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    this.warm();
  }

  private onMessage(from: Worker, msg: WorkerToPage): void {
    const run = this.active;
    if (from !== this.worker || !run || !msg || msg.id !== run.id) return; // a late message from an old run
    switch (msg.type) {
      case 'event':
        run.handlers.onEvents(msg.events, msg.clockMs);
        break;
      case 'skip':
        run.handlers.onSkip?.({ fromMs: msg.fromMs, toMs: msg.toMs });
        break;
      case 'diagnostic':
        run.handlers.onDiagnostics(msg.diagnostics);
        break;
      case 'done':
        if (run.stopTimer) clearTimeout(run.stopTimer);
        this.active = null;
        run.handlers.onDone(msg.summary);
        break;
      case 'error':
        if (run.stopTimer) clearTimeout(run.stopTimer);
        this.active = null;
        run.handlers.onError({ message: msg.message, line: msg.line, column: msg.column });
        break;
    }
  }
}
