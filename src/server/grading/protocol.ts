// Messages between the grading pool (server process) and a grading child, over
// Node's IPC channel. The child never sends a GradeResult it made up: it
// forwards the isolate's JSON text, or says why the isolate was stopped; the
// pool validates and rebuilds every result against the trusted checkers.
import type { GradeLang } from '../../grading/messages.ts';

/** Limits a child enforces; fixed for its lifetime (passed as its first argument, JSON). */
export interface ChildConfig {
  /** Isolate heap limit, MB. */
  memoryMb: number;
  /** Real time per grading, ms. */
  wallMs: number;
  /** CPU time per grading, ms. */
  cpuMs: number;
  /** Per-check real-time budget for checks that name none, ms (grade-lab's default when absent). */
  checkWallMs?: number;
  /** Busy-loop limit, ms (grade-lab's default when absent). */
  sliceMs?: number;
}

export interface GradeRequest {
  type: 'grade';
  id: string;
  lab: string;
  source: string;
  /** The language of the grade's messages ('en' when absent). */
  lang?: GradeLang;
}

/** Why the child ended a grading before the isolate answered. */
export type StopReason = 'memory' | 'cpu' | 'wall' | 'internal';

export type ChildMessage =
  /** The child can take a job: sent at start, and after a job that ended without `ready`. */
  | { type: 'ready' }
  /** The isolate's result, as JSON text (size-capped by the child). `ready`: the child takes the next job at once. */
  | { type: 'done'; id: string; json: string; ready?: boolean }
  /** The grading was stopped; `partial` holds the JSON of the checks that finished before. */
  | { type: 'stopped'; id: string; reason: StopReason; message: string; partial: string[]; ready?: boolean };

/** Most bytes of result JSON a child sends for one grading. */
export const MAX_RESULT_CHARS = 256 * 1024;
