// Messages between the page and the runner's Web Worker (src/runner/browser-worker.ts).
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import type { RunSummary } from '../../sim/world-types.ts';

export interface RunRequest {
  type: 'run';
  id: number;
  source: string;
  fileName: string;
  seed?: number;
  untilMs?: number;
  wallMs?: number;
  /** 0: as fast as possible; > 0: virtual ms per real ms (the worker paces delivery). */
  speed?: number;
  /** A driver the worker knows (a lab's id): `source` is then a module whose exports it calls. */
  scenario?: string;
}
export interface StopRequest {
  type: 'stop';
  id: number;
}
export type PageToWorker = RunRequest | StopRequest;

export interface Diagnostic {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning' | string;
}

export type WorkerToPage =
  /** `clockMs`: in a paced run, the pacing clock (virtual ms) when the batch was released. */
  | { type: 'event'; id: number; events: TraceEvent[]; clockMs?: number }
  /**
   * A paced run jumped its clock from `fromMs` to `toMs` (virtual ms) over a quiet
   * stretch: no event lies between them. Optional: a page may ignore it.
   */
  | { type: 'skip'; id: number; fromMs: number; toMs: number }
  | { type: 'diagnostic'; id: number; diagnostics: Diagnostic[] }
  | { type: 'done'; id: number; summary: RunSummary }
  | { type: 'error'; id: number; message: string; line?: number; column?: number };
