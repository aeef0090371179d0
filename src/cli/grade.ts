// `closing-time grade <lab-id|lab-dir> <file.ts> [--json]`: runs a lab's checks
// against a learner's file. Exit 0: every check passes; 1: some fail (or the
// file cannot be graded); 2: the command was called wrongly or the grader broke.
import { basename } from 'node:path';
import { checkers } from '../../labs/index.ts';
import { toClassroom } from '../grading/classroom.ts';
import { formatResult } from '../grading/format-result.ts';
import { gradeSource } from '../grading/grade-lab.ts';
import { LabNotFoundError, readLearnerFile, resolveChecker } from '../grading/node-labs.ts';
import type { GradeResult } from '../grading/result-types.ts';
import { compileLearner } from '../grading/runner-compiler.ts';
import { parseGradeLang, type GradeLang } from '../grading/messages.ts';

export const GRADE_USAGE = `Usage: closing-time grade <lab-id|lab-dir> <file.ts> [--format text|json|classroom] [--json] [--lang en|zh-CN] [--no-color]

Runs a lab's checks against your file and prints each check with its points.
  --format json       the result as JSON (Exercism test-runner format, version 3, with scores); --json is short for it
  --format classroom  the result as GitHub Classroom's autograding reporter reads it (pipe it through base64 into the step's result output)
  --lang zh-CN        the checks' names and messages in Simplified Chinese (default en: English)
  --no-color          plain text even on a terminal

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
  let format: 'text' | 'json' | 'classroom' = 'text';
  let color = io.color;
  let lang: GradeLang = 'en';
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--format=') ? a.slice('--format='.length) : null;
    if (a === '--json') format = 'json';
    else if (a === '--format' || eq !== null) {
      const v = eq ?? args[++i];
      if (v !== 'text' && v !== 'json' && v !== 'classroom') {
        io.err(`closing-time grade: --format takes text, json or classroom, got ${v === undefined ? 'nothing' : `'${v}'`}\n\n${GRADE_USAGE}\n`);
        return 2;
      }
      format = v;
    } else if (a === '--lang' || a.startsWith('--lang=')) {
      const v = a.startsWith('--lang=') ? a.slice('--lang='.length) : args[++i];
      const parsed = parseGradeLang(v);
      if (!parsed) {
        io.err(`closing-time grade: --lang takes en or zh-CN, got ${v === undefined ? 'nothing' : `'${v}'`}\n\n${GRADE_USAGE}\n`);
        return 2;
      }
      lang = parsed;
    } else if (a === '--no-color') color = false;
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
    const result = await gradeSource(checker, source, { compile: compileLearner, filename: basename(file), lang });
    if (format === 'json') io.out(`${JSON.stringify(stable(result), null, 2)}\n`);
    else if (format === 'classroom') io.out(`${JSON.stringify(toClassroom(result, basename(file)))}\n`);
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
