// Every lab's checker, by lab id. Imported statically so that the bundled CLI
// and the browser's worker carry the checkers without reading files at run time.
import type { LabChecker } from '../src/grading/define-checker.ts';
import { gradeSource, type GradeOptions } from '../src/grading/grade-lab.ts';
import type { GradeResult } from '../src/grading/result-types.ts';
import { compileLearner } from '../src/grading/runner-compiler.ts';
import cleanClient from './clean-client/checker.ts';
import closeWaitLeak from './close-wait-leak/checker.ts';
import restartReuseaddr from './restart-reuseaddr/checker.ts';
import lingerShed from './linger-shed/checker.ts';
import halfClose from './half-close/checker.ts';
import manyShortConnections from './many-short-connections/checker.ts';
import implementTimeWait from './implement-time-wait/checker.ts';
import closeWaitDetective from './close-wait-detective/checker.ts';
import stalePool from './stale-pool/checker.ts';
import deadClient from './dead-client/checker.ts';
import lbUpstreamPool from './lb-upstream-pool/checker.ts';

// Each checker is typed by its own lab's exports; the registry only needs the common shape.
const all = [cleanClient, closeWaitLeak, restartReuseaddr, lingerShed, halfClose, manyShortConnections, implementTimeWait, closeWaitDetective, deadClient, stalePool, lbUpstreamPool] as unknown as LabChecker<Record<string, unknown>>[];

export const checkers: ReadonlyMap<string, LabChecker<Record<string, unknown>>> = new Map(all.map((c) => [c.lab, c]));

export const labIds: readonly string[] = all.map((c) => c.lab);


/**
 * Grades a learner's source for a lab by id: what the workshop server and other
 * callers need in one call. Resolves with an Exercism v3 result; never rejects
 * for anything the learner's code does. Throws only for an unknown lab id.
 */
export function gradeLab(id: string, source: string, options: Partial<GradeOptions> = {}): Promise<GradeResult> {
  const checker = checkers.get(id);
  if (!checker) throw new Error(`unknown lab '${id}': known labs are ${labIds.join(', ')}`);
  return gradeSource(checker, source, { compile: compileLearner, filename: `${id}.ts`, ...options });
}
