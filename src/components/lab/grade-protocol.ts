// Messages between a lab page and its grading worker (grade-worker.ts).
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import type { SerializedRunSummary } from '../../runner/serialize.ts';
import type { GradeLang } from '../../grading/messages.ts';

export interface GradeRequest {
  /** 'grade' every check. */
  type: 'grade';
  id: number;
  lab: string;
  source: string;
  fileName: string;
  /** The language of the messages: the page's. */
  lang?: GradeLang;
}

/** Runs one check again and sends back what its last world did ("show me what happened"). */
export interface TraceCheckRequest {
  type: 'trace';
  id: number;
  lab: string;
  source: string;
  fileName: string;
  check: string;
  lang?: GradeLang;
}

export interface CheckReplay {
  check: string;
  status: TestResult['status'];
  message: string | null;
  /** The last world the check ran (the one it judged last), as plain data. */
  events: TraceEvent[];
  summary: SerializedRunSummary | null;
  /** How many worlds the check built. */
  worlds: number;
  /** The trace event the failure is about, when the check named one. */
  at?: number;
}

export type GradeWorkerMessage =
  | { type: 'trace'; id: number; replay: CheckReplay }
  | { type: 'ready'; labs: string[] }
  | { type: 'result'; id: number; index: number; result: TestResult }
  | { type: 'done'; id: number; result: GradeResult }
  | { type: 'error'; id: number; message: string };
