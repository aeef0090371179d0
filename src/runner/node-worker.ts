// Worker-thread entry for `closing-time run`: runs one program and streams its
// trace to the parent in batches. The parent terminates this thread if it
// outlives the wall-time limit (a busy loop the guard could not reach).
import { parentPort, workerData } from 'node:worker_threads';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { runProgram } from './run-program.ts';
import { serializeSummary } from './serialize.ts';
import type { NodeWorkerMessage, WorkerRunRequest } from './worker-protocol.ts';

const BATCH_MS = 16;
const BATCH_MAX = 512;

function post(message: NodeWorkerMessage): void {
  parentPort!.postMessage(message);
}

async function main(): Promise<void> {
  if (!parentPort) throw new Error('node-worker.ts runs as a worker thread (see runProgramInWorker)');
  const request = workerData as WorkerRunRequest;
  let batch: TraceEvent[] = [];
  let last = Date.now();
  const flush = () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    last = Date.now();
    post({ type: 'events', json: JSON.stringify(events) });
  };
  const result = await runProgram(request.source, {
    fileName: request.fileName,
    seed: request.seed,
    untilMs: request.untilMs,
    wallMs: request.wallMs,
    busyLoopMs: request.busyLoopMs,
    maxOutputBytes: request.maxOutputBytes,
    onEvent(event) {
      batch.push(event);
      if (batch.length >= BATCH_MAX || Date.now() - last >= BATCH_MS) flush();
    },
  });
  flush();
  post({ type: 'result', result: { ...result, summary: result.summary ? serializeSummary(result.summary) : null } });
}

main().catch((error: unknown) => {
  post({ type: 'crash', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
});
