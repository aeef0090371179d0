// Runs a program in a worker thread (Node), the outer layer of runaway
// protection: the loop guard stops busy loops inside the program, the world
// stops at its wall-time limit between events, and this watchdog terminates
// the thread if neither got the chance (wall limit + grace).
import { Worker } from 'node:worker_threads';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import type { NodeWorkerMessage, SerializedRunResult, WorkerRunRequest } from './worker-protocol.ts';

export const DEFAULT_WALL_MS = 10_000;
export const WATCHDOG_GRACE_MS = 3000;

export interface WorkerRunOptions extends Omit<WorkerRunRequest, 'source' | 'fileName'> {
  fileName?: string;
  onEvent?: (event: TraceEvent) => void;
  /** Heap limit of the worker, MiB. Default 1024. */
  maxHeapMb?: number;
}

/**
 * Bundled (dist/cli/main.js) the worker is node-worker.js beside it. From source
 * (tests, tsx) it is node-worker.ts: a small bootstrap registers tsx's loader in
 * the new thread first (loader flags in a worker's execArgv are not honoured).
 */
function workerEntry(): { entry: string | URL; eval: boolean } {
  const own = import.meta.url;
  if (!own.endsWith('.ts')) return { entry: new URL('./node-worker.js', own), eval: false };
  const target = JSON.stringify(new URL('./node-worker.ts', own).href);
  return { entry: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${target}); });`, eval: true };
}

export function runProgramInWorker(source: string, options: WorkerRunOptions = {}): Promise<SerializedRunResult> {
  const fileName = options.fileName ?? 'program.ts';
  const wallMs = options.wallMs ?? DEFAULT_WALL_MS;
  const request: WorkerRunRequest = {
    source,
    fileName,
    seed: options.seed,
    untilMs: options.untilMs,
    wallMs,
    busyLoopMs: options.busyLoopMs,
    maxOutputBytes: options.maxOutputBytes,
  };
  const { entry, eval: isEval } = workerEntry();
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(entry, {
      eval: isEval,
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
      stdout: false,
      stderr: false,
    });
    const finish = (result: SerializedRunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      void worker.terminate();
      resolve(result);
    };
    const failed = (message: string): SerializedRunResult => ({ ok: false, fileName, summary: null, diagnostics: [], errors: [{ kind: 'wall-limit', message }] });
    const watchdog = setTimeout(() => {
      finish(failed(`wall-time limit: the program was stopped after ${(wallMs + WATCHDOG_GRACE_MS) / 1000} s of real time without finishing (limit ${wallMs / 1000} s)`));
    }, wallMs + WATCHDOG_GRACE_MS);
    worker.on('message', (message: NodeWorkerMessage) => {
      if (settled) return;
      if (message.type === 'events') {
        if (options.onEvent) for (const e of JSON.parse(message.json) as TraceEvent[]) options.onEvent(e);
      } else if (message.type === 'result') {
        finish(message.result);
      } else if (message.type === 'crash') {
        finish({ ok: false, fileName, summary: null, diagnostics: [], errors: [{ kind: 'world', message: `the runner failed: ${message.message}` }] });
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const message =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `out of memory: the program used more than ${options.maxHeapMb ?? 1024} MiB`
          : `the runner failed: ${error.stack ?? error.message}`;
      finish({ ok: false, fileName, summary: null, diagnostics: [], errors: [{ kind: 'world', message }] });
    });
    worker.on('exit', (code) => {
      finish({ ok: false, fileName, summary: null, diagnostics: [], errors: [{ kind: 'world', message: `the runner stopped unexpectedly (exit code ${code})` }] });
    });
  });
}
