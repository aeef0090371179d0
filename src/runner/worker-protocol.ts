// Messages between `runProgramInWorker` (the CLI's side) and node-worker.ts.
import type { Diagnostic } from './diagnostics.ts';
import type { ProgramError } from './run-program.ts';
import type { SerializedRunSummary } from './serialize.ts';

export interface WorkerRunRequest {
  source: string;
  fileName: string;
  seed?: number;
  untilMs?: number;
  wallMs?: number;
  busyLoopMs?: number;
  maxOutputBytes?: number;
}

export interface SerializedRunResult {
  ok: boolean;
  fileName: string;
  summary: SerializedRunSummary | null;
  diagnostics: Diagnostic[];
  errors: ProgramError[];
}

export type NodeWorkerMessage =
  /** A JSON array of trace events: the simulator's segments compute fields in getters, which structured clone would drop, while their toJSON keeps them. */
  | { type: 'events'; json: string }
  | { type: 'result'; result: SerializedRunResult }
  | { type: 'crash'; message: string };
