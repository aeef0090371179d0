// The grade a checker produces, in the shape of Exercism's test-runner results
// (version 3, https://exercism.org/docs/building/tooling/test-runners/interface)
// with `score`/`max_score` added per test and in total, as GitHub Classroom's
// autograding reads them.

import type { GradeLang } from './messages.ts';

export type TestStatus = 'pass' | 'fail' | 'error';

export interface TestResult {
  /** The check's name, as a learner reads it. */
  name: string;
  status: TestStatus;
  /** Why it failed or errored; null when it passed. */
  message: string | null;
  /** What the learner's program printed during this check (at most 500 characters, as Exercism shows). */
  output: string | null;
  /** 1-based task this check belongs to (the lab's numbered steps). */
  task_id: number;
  /** What the check does, in a sentence: the scenario it builds and what it asserts. */
  test_code: string;
  /** How the check is called in the result's language, when that is not English (`name` stays the check's id). */
  title?: string;
  score: number;
  max_score: number;
  /** Real milliseconds this check took (not part of Exercism's format; used by benchmarks). */
  duration_ms?: number;
}

export interface GradeResult {
  version: 3;
  /** pass: every check passed; fail: some failed; error: the program could not be graded at all. */
  status: 'pass' | 'fail' | 'error';
  /** Present when status is 'error' (e.g. the file does not compile or lacks an export). */
  message?: string;
  /** With status 'error': the places in the learner's file it is about (the editor marks them). */
  problems?: { line: number; column: number; message: string }[];
  tests: TestResult[];
  score: number;
  max_score: number;
  /** The lab's id. */
  lab: string;
  /** The language the grade was asked for; its messages are in it. Absent means English. */
  lang?: GradeLang;
}
