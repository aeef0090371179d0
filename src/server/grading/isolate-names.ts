// The global names through which the grading child and the script in its
// isolate find each other. The child sets the host functions before the
// script runs; the script takes them into closures and deletes them at once.
// The script leaves its entry point under GRADER_API; the child takes references
// to it and deletes it before any learner code runs.

/** Host function `(delayMs: number) => void`: call the isolate's `fire()` after about delayMs. */
export const HOST_WAKE = '__closingTimeHostWake';
/** Host function `(index: number, testJson: string) => void`: a check finished. */
export const HOST_REPORT = '__closingTimeHostReport';
/**
 * Host function `(resultJson: string | null, failure?: string) => void`: the grading finished.
 * The result travels by callback, not as the promise of the call that started the grading:
 * isolated-vm fails a call whose task leaves a promise rejection unhandled, and a learner's
 * stray `Promise.reject()` must not turn a grade into "the grader failed".
 */
export const HOST_DONE = '__closingTimeHostDone';
/** `{ grade(lab, source, optionsJson): void, fire(): void }`. */
export const GRADER_API = '__closingTimeGrader';

/** What the child passes to `grade` as its options (JSON text). */
export interface IsolateGradeOptions {
  /** Real-time budget per check, ms, for checks that name none (grade-lab's default when absent). */
  checkWallMs?: number;
  /** Longest stretch of synchronous learner code, ms (grade-lab's default when absent). */
  sliceMs?: number;
  /** The language the grade is asked in ('en' when absent). */
  lang?: string;
}
