// The server's side of a grade: what a grading child reports is only evidence
// of which checks passed. Names and order are checked against the trusted
// checkers (labs/index.ts, loaded in the server), and every number (each
// check's score and max_score, the totals) and the overall status are
// recomputed from that list, so a forged or polluted result can claim no
// points that its checks' statuses do not give.
import { z } from 'zod';
import { checkers, labIds } from '../../../labs/index.ts';
import { checkDescription, checkTitle, graderMessages, type GradeLang } from '../../grading/messages.ts';
import type { GradeResult, TestResult, TestStatus } from '../../grading/result-types.ts';
import { clip } from './cap-result.ts';

const MESSAGE_CHARS = 4000;
const OUTPUT_CHARS = 1000;

const testSchema = z.object({
  name: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  message: z.string().nullable().optional(),
  output: z.string().nullable().optional(),
  task_id: z.number().optional(),
  duration_ms: z.number().optional(),
});

const resultSchema = z.object({
  version: z.literal(3),
  lab: z.string(),
  status: z.enum(['pass', 'fail', 'error']),
  message: z.string().nullable().optional(),
  tests: z.array(testSchema),
});

type ReportedTest = z.infer<typeof testSchema>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One check's entry, from the checker's own data and the reported status and texts. */
function trustedTest(lab: string, index: number, status: TestStatus, message: string | null, output: string | null, durationMs?: number, lang: GradeLang = 'en'): TestResult {
  const checker = checkers.get(lab)!;
  const check = checker.checks[index];
  return {
    name: check.name,
    // The title and description in the grade's language come from the trusted catalogue too, never from the child.
    ...(lang !== 'en' ? { title: checkTitle(checker, check.name, lang) } : {}),
    status,
    message: status === 'pass' ? null : clip(message ?? graderMessages[lang].sandbox.notPassed, MESSAGE_CHARS),
    output: output === null ? null : clip(output, OUTPUT_CHARS),
    task_id: check.task,
    test_code: checkDescription(checker, check.name, lang),
    score: status === 'pass' ? check.points : 0,
    max_score: check.points,
    ...(durationMs !== undefined && Number.isFinite(durationMs) && durationMs >= 0 ? { duration_ms: Math.round(durationMs) } : {}),
  };
}

function fromReported(lab: string, index: number, t: ReportedTest, lang: GradeLang): TestResult {
  return trustedTest(lab, index, t.status, t.message ?? null, t.output ?? null, t.duration_ms, lang);
}

/** Totals and overall status from the tests alone. */
function assemble(lab: string, tests: TestResult[], errorMessage: string | null, lang: GradeLang = 'en'): GradeResult {
  const checks = checkers.get(lab)!.checks;
  const score = tests.reduce((sum, t) => sum + t.score, 0);
  const max = checks.reduce((sum, c) => sum + c.points, 0);
  const allPass = tests.length === checks.length && tests.every((t) => t.status === 'pass');
  const allError = tests.every((t) => t.status === 'error');
  const status: GradeResult['status'] = allPass ? 'pass' : errorMessage !== null && allError ? 'error' : 'fail';
  return {
    version: 3,
    lab,
    status,
    ...(status === 'error' ? { message: clip(errorMessage ?? graderMessages[lang].sandbox.notGraded, MESSAGE_CHARS) } : {}),
    tests,
    score,
    max_score: max,
    ...(lang !== 'en' ? { lang } : {}),
  };
}

export function isKnownLab(lab: unknown): lab is string {
  return typeof lab === 'string' && checkers.has(lab);
}

/** Every check errored with `message` (a lab that is not known gets an empty list). */
export function errorResult(lab: string, message: string, lang: GradeLang = 'en'): GradeResult {
  const checker = checkers.get(lab);
  if (!checker) {
    return { version: 3, lab, status: 'error', message: clip(message, MESSAGE_CHARS), tests: [], score: 0, max_score: 0, ...(lang !== 'en' ? { lang } : {}) };
  }
  return assemble(
    lab,
    checker.checks.map((_, i) => trustedTest(lab, i, 'error', message, null, undefined, lang)),
    message,
    lang,
  );
}

export function unknownLabResult(lab: string, lang: GradeLang = 'en'): GradeResult {
  const id = String(lab).slice(0, 200);
  return errorResult(id, graderMessages[lang].sandbox.noLab({ lab: id, known: labIds }), lang);
}

/** The child's JSON made into a result the server can store, or an error result when it does not fit the lab. */
export function trustedResult(lab: string, json: string, lang: GradeLang = 'en'): GradeResult {
  const checker = checkers.get(lab);
  if (!checker) return unknownLabResult(lab, lang);
  const untrusted = graderMessages[lang].sandbox.untrusted;
  const parsed = resultSchema.safeParse(parseJson(json));
  if (!parsed.success) return errorResult(lab, untrusted, lang);
  const reported = parsed.data;
  const checks = checker.checks;
  if (reported.lab !== lab || reported.tests.length !== checks.length) return errorResult(lab, untrusted, lang);
  for (let i = 0; i < checks.length; i++) {
    const t = reported.tests[i];
    if (t.name !== checks[i].name || (t.task_id !== undefined && t.task_id !== checks[i].task)) return errorResult(lab, untrusted, lang);
  }
  const tests = reported.tests.map((t, i) => fromReported(lab, i, t, lang));
  const errorMessage = reported.status === 'error' ? (reported.message ?? tests.find((t) => t.message)?.message ?? null) : null;
  return assemble(lab, tests, errorMessage, lang);
}

/**
 * A grading the child stopped (a limit, a crash): the checks that had finished
 * keep their result; the one that was running and those after it error with `message`.
 */
export function stoppedResult(lab: string, message: string, partial: readonly string[] = [], lang: GradeLang = 'en'): GradeResult {
  const checker = checkers.get(lab);
  if (!checker) return unknownLabResult(lab, lang);
  const tests: TestResult[] = [];
  for (let i = 0; i < Math.min(partial.length, checker.checks.length); i++) {
    const t = testSchema.safeParse(parseJson(partial[i]));
    if (!t.success || t.data.name !== checker.checks[i].name) break;
    tests.push(fromReported(lab, i, t.data, lang));
  }
  for (let i = tests.length; i < checker.checks.length; i++) tests.push(trustedTest(lab, i, 'error', message, null, undefined, lang));
  return assemble(lab, tests, message, lang);
}
