// The script each grading isolate runs (bundled to dist/grader/isolate.js): the
// same checkers, simulator and learner compiler as the lab page's worker and
// `closing-time grade`, behind one entry point the grading child calls.
//
// Order matters. The timers module runs first (the simulator picks its
// macrotask when it loads) and takes the host's functions into closures; then
// the realm is locked down; only then can a grading start, and learner code
// runs only inside it. Nothing from isolated-vm stays reachable from the
// global object, and what leaves is JSON text.
import { fire } from './isolate-timers.ts';
import { checkers, labIds } from '../../../labs/index.ts';
import { gradeSource } from '../../grading/grade-lab.ts';
import { graderMessages, parseGradeLang, type GradeLang } from '../../grading/messages.ts';
import type { GradeResult, TestResult } from '../../grading/result-types.ts';
import { compileLearner } from '../../grading/runner-compiler.ts';
import { RUNTIME_EXPORTS } from '../../runner/program-scope.ts';
import { clip } from './cap-result.ts';
import { GRADER_API, HOST_DONE, HOST_REPORT, type IsolateGradeOptions } from './isolate-names.ts';
import { lockdown } from './lockdown.ts';

type Report = (index: number, testJson: string) => void;
type Done = (resultJson: string | null, failure?: string) => void;

const global = globalThis as unknown as Record<string, unknown>;
const hostReport = global[HOST_REPORT] as Report | undefined;
const hostDone = global[HOST_DONE] as Done | undefined;
delete global[HOST_REPORT];
delete global[HOST_DONE];
if (typeof hostReport !== 'function' || typeof hostDone !== 'function') throw new Error("the grader's isolate script needs the host's functions");

const stringify = JSON.stringify;
/** A program decides how long its error messages are; the host gets a bounded text either way. */
const MESSAGE_CHARS = 8000;
const OUTPUT_CHARS = 2000;
let used = false;

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function bounded(test: TestResult): TestResult {
  return {
    ...test,
    message: test.message === null ? null : clip(String(test.message), MESSAGE_CHARS),
    output: test.output === null ? null : clip(String(test.output), OUTPUT_CHARS),
  };
}

function unknownLab(lab: string, lang: GradeLang): GradeResult {
  return { version: 3, lab, status: 'error', message: graderMessages[lang].sandbox.noLab({ lab, known: labIds }), tests: [], score: 0, max_score: 0, ...(lang !== 'en' ? { lang } : {}) };
}

async function run(lab: string, source: string, options: IsolateGradeOptions): Promise<GradeResult> {
  const checker = checkers.get(lab);
  const lang = parseGradeLang(typeof options.lang === 'string' ? options.lang : null) ?? 'en';
  if (!checker) return unknownLab(lab, lang);
  const wallMs = positive(options.checkWallMs);
  const sliceMs = positive(options.sliceMs);
  const result = await gradeSource(checker, source, {
    compile: compileLearner,
    filename: `${checker.lab}.ts`,
    lang,
    ...(wallMs !== undefined ? { wallMs } : {}),
    ...(sliceMs !== undefined ? { sliceMs } : {}),
    onResult(test, index) {
      // A check's result leaves as soon as it is known: if a later check takes the isolate down, this one still counts.
      hostReport!(index, stringify(bounded(test)));
    },
  });
  return { ...result, ...(result.message !== undefined ? { message: clip(String(result.message), MESSAGE_CHARS) } : {}), tests: result.tests.map(bounded) };
}

/** Starts grading one submission; the result comes back through HOST_DONE. One grading per realm. */
function grade(lab: string, source: string, optionsJson: string): void {
  if (used) throw new Error('this grading realm has been used already');
  used = true;
  let options: IsolateGradeOptions = {};
  try {
    options = (JSON.parse(optionsJson || '{}') ?? {}) as IsolateGradeOptions;
  } catch {
    // Defaults, then.
  }
  run(String(lab), String(source), options).then(
    (result) => hostDone!(stringify(result)),
    (error: unknown) => hostDone!(null, clip(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 1000)),
  );
}

Object.defineProperty(globalThis, GRADER_API, {
  value: Object.freeze({ grade, fire }),
  writable: false,
  enumerable: false,
  configurable: true,
});
// `require('closing-time')` hands every program the same SocketError class, which the simulator
// also tests errors against (instanceof): frozen too, so no program can redefine what it matches.
lockdown({ keep: [GRADER_API], harden: Object.values(RUNTIME_EXPORTS) });
