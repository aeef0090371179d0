// The page side of grading: one worker per lab page, replaced whenever a run
// must be abandoned (Stop, or a worker that stays silent past the deadline).
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import { graderMessages, type GradeLang } from '../../grading/messages.ts';
import type { CheckReplay, GradeRequest, GradeWorkerMessage, TraceCheckRequest } from './grade-protocol.ts';

/**
 * Each check has its own real-time limit inside the worker (at most 120 s, for
 * a load test that simulates 100,000 connections); a worker silent for longer
 * than that is stuck in something the checks' own limits cannot reach.
 */
export const SILENCE_LIMIT_MS = 150_000;

const say = (lang: GradeLang) => graderMessages[lang] ?? graderMessages.en;

export interface GradeHandlers {
  onResult(result: TestResult, index: number): void;
  onDone(result: GradeResult): void;
  onError(message: string): void;
  /** A traced check's replay (before onDone). */
  onTrace?(replay: CheckReplay): void;
}

export class GradeClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private active: { id: number; handlers: GradeHandlers; timer: ReturnType<typeof setTimeout> | null; lang: GradeLang } | null = null;

  constructor(private readonly factory: () => Worker = () => new Worker(new URL('./grade-worker.ts', import.meta.url), { type: 'module', name: 'closing-time-grader' })) {}

  warm(): void {
    this.ensure();
  }

  grade(lab: string, source: string, fileName: string, handlers: GradeHandlers, lang: GradeLang = 'en'): void {
    this.abandon();
    const id = this.nextId++;
    this.active = { id, handlers, timer: null, lang };
    this.touch();
    const req: GradeRequest = { type: 'grade', id, lab, source, fileName, lang };
    this.ensure().postMessage(req);
  }

  /** Runs one check again and hands back its world's trace ("show me what happened"). */
  trace(lab: string, source: string, fileName: string, check: string, handlers: GradeHandlers, lang: GradeLang = 'en'): void {
    this.abandon();
    const id = this.nextId++;
    this.active = { id, handlers, timer: null, lang };
    this.touch();
    const req: TraceCheckRequest = { type: 'trace', id, lab, source, fileName, check, lang };
    this.ensure().postMessage(req);
  }

  /** Stops the running check at once: the worker is thrown away. */
  stop(reason?: string): void {
    const run = this.active;
    if (!run) return;
    this.abandon();
    run.handlers.onError(reason ?? say(run.lang).stopped);
  }

  get running(): boolean {
    return this.active !== null;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.factory();
    w.addEventListener('message', (e: MessageEvent<GradeWorkerMessage>) => this.receive(e.data));
    w.addEventListener('error', (e) => {
      e.preventDefault();
      const run = this.active;
      this.replace();
      if (run) run.handlers.onError(say(run.lang).graderNoStart({ error: e.message || say(run.lang).workerError }));
    });
    this.worker = w;
    return w;
  }

  private receive(m: GradeWorkerMessage): void {
    const run = this.active;
    if (!run || m.type === 'ready' || m.id !== run.id) return;
    if (m.type === 'result') {
      this.touch();
      run.handlers.onResult(m.result, m.index);
      return;
    }
    if (m.type === 'trace') {
      run.handlers.onTrace?.(m.replay);
      return;
    }
    this.clearTimer();
    this.active = null;
    if (m.type === 'done') run.handlers.onDone(m.result);
    else run.handlers.onError(m.message);
  }

  /** Restarts the silence deadline: progress arrived. */
  private touch(): void {
    const run = this.active;
    if (!run) return;
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      if (this.active === run) this.stop(say(run.lang).silent({ s: SILENCE_LIMIT_MS / 1000 }));
    }, SILENCE_LIMIT_MS);
  }

  private clearTimer(): void {
    if (this.active?.timer) clearTimeout(this.active.timer);
  }

  private abandon(): void {
    if (!this.active) return;
    this.clearTimer();
    this.active = null;
    this.replace();
  }

  private replace(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  dispose(): void {
    this.abandon();
    this.replace();
  }
}
