// `closing-time grade <lab-id|lab-dir> <file.ts> [--json]`: runs a lab's checks
// against a learner's file. Exit 0: every check passes; 1: some fail (or the
// file cannot be graded); 2: the command was called wrongly or the grader broke.
import { basename } from 'node:path';
import { checkers } from '../../labs/index.ts';
import { formatResult } from '../grading/format-result.ts';
import { gradeSource } from '../grading/grade-lab.ts';
import { LabNotFoundError, readLearnerFile, resolveChecker } from '../grading/node-labs.ts';
import type { GradeResult } from '../grading/result-types.ts';
import { compileLearner } from '../grading/runner-compiler.ts';

export const GRADE_USAGE = `Usage: closing-time grade <lab-id|lab-dir> <file.ts> [--json] [--no-color]

Runs a lab's checks against your file and prints each check with its points.
  --json       print the result as JSON (Exercism test-runner format, version 3, with scores)
  --no-color   plain text even on a terminal

Labs: ${[...checkers.keys()].join(', ')}

Exit status: 0 all checks pass, 1 some checks fail, 2 usage or internal error.`;

export interface GradeIO {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
}

const processIO = (): GradeIO => ({
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
});

/** Results without timings, so the same file gives byte-identical JSON. */
function stable(result: GradeResult): GradeResult {
  return { ...result, tests: result.tests.map(({ duration_ms: _drop, ...t }) => t) };
}

export async function gradeCommand(argv: string[], io: GradeIO = processIO()): Promise<number> {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${GRADE_USAGE}\n`);
    return 0;
  }
  let json = false;
  let color = io.color;
  const positional: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '--no-color') color = false;
    else if (a.startsWith('-')) {
      io.err(`closing-time grade: unknown option '${a}'\n\n${GRADE_USAGE}\n`);
      return 2;
    } else positional.push(a);
  }
  if (positional.length !== 2) {
    io.err(`closing-time grade: expected a lab and a file, got ${positional.length === 0 ? 'nothing' : positional.map((p) => `'${p}'`).join(' ')}\n\n${GRADE_USAGE}\n`);
    return 2;
  }
  const [labArg, file] = positional;
  try {
    const { checker } = await resolveChecker(labArg, checkers);
    const source = readLearnerFile(file);
    const result = await gradeSource(checker, source, { compile: compileLearner, filename: basename(file) });
    if (json) io.out(`${JSON.stringify(stable(result), null, 2)}\n`);
    else io.out(`${formatResult(result, { color })}\n`);
    return result.status === 'pass' ? 0 : 1;
  } catch (error) {
    if (error instanceof LabNotFoundError) {
      io.err(`closing-time grade: ${error.message}\n`);
      return 2;
    }
    io.err(`closing-time grade: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
