// Messages between a lab page and its grading worker (grade-worker.ts).
import type { GradeResult, TestResult } from '../../grading/result-types.ts';

export interface GradeRequest {
  type: 'grade';
  id: number;
  lab: string;
  source: string;
  fileName: string;
}

export type GradeWorkerMessage =
  | { type: 'ready'; labs: string[] }
  | { type: 'result'; id: number; index: number; result: TestResult }
  | { type: 'done'; id: number; result: GradeResult }
  | { type: 'error'; id: number; message: string };
