// Grades a lab file from disk the way `closing-time grade` does, for the lab tests.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkers } from '../../labs/index.ts';
import { gradeSource, type GradeOptions } from '../../src/grading/grade-lab.ts';
import type { GradeResult } from '../../src/grading/result-types.ts';
import { compileLearner } from '../../src/grading/runner-compiler.ts';

export function gradeFile(lab: string, path: string, options: Partial<GradeOptions> = {}): Promise<GradeResult> {
  return gradeText(lab, readFileSync(path, 'utf8'), basename(path), options);
}

export function gradeText(lab: string, source: string, filename = 'solution.ts', options: Partial<GradeOptions> = {}): Promise<GradeResult> {
  const checker = checkers.get(lab);
  if (!checker) throw new Error(`no lab ${lab}`);
  return gradeSource(checker, source, { compile: compileLearner, filename, ...options });
}

/** "expect-fail" and "expect-message" lines at the top of a wrong solution. */
export function expectations(source: string): { check: string; message: string } {
  const check = /^\/\/ expect-fail: (.+)$/m.exec(source)?.[1]?.trim();
  const message = /^\/\/ expect-message: (.+)$/m.exec(source)?.[1]?.trim();
  if (!check || !message) throw new Error('a wrong solution must start with // expect-fail: <check> and // expect-message: <text>');
  return { check, message };
}
