// Runs a lab's checks against one learner file. Every check is isolated: it gets
// a freshly evaluated module, its own worlds and its own time budget, and
// whatever it does (fail, throw, hang, print megabytes) ends up as that check's
// result while the others still run. The grader itself never throws.
import { createWorld, Prng } from '../sim/index.ts';
import type { ProcessEvent, TraceEvent, World, WorldOptions, RunSummary } from '../sim/index.ts';
import { CheckFailure, isCheckFailure, maxScore, type Check, type CheckContext, type LabChecker, type Variation } from './define-checker.ts';
import type { LearnerCompiler, LearnerProgram } from './learner-program.ts';
import type { GradeResult, TestResult } from './result-types.ts';
import { OutputBuffer } from './output-buffer.ts';
import { checkSeed, variationSeed } from './seed.ts';
import { checkDescription, checkTitle, DEFAULT_GRADE_LANG, graderMessages, type GradeLang } from './messages.ts';

export interface GradeOptions {
  /** Compiles learner TypeScript (src/runner's compiler). */
  compile: LearnerCompiler;
  /** Shown in messages; default 'solution.ts'. */
  filename?: string;
  /** Real-time budget per check when the check names none, ms. Default 5000. */
  wallMs?: number;
  /** Longest stretch of synchronous learner code, ms, before the loop guard stops it. Default 1000. */
  sliceMs?: number;
  /** Called as each check finishes (the browser lists results as they come). */
  onResult?: (result: TestResult, index: number) => void;
  /** Run only the check of this name (the result lists only it). */
  only?: string;
  /** Called after each check with its worlds' traces: "show me what happened". */
  onTrace?: (trace: CheckTrace) => void;
  /** The language of the messages (default English); the result says which it is. */
  lang?: GradeLang;
}

/** What one check's worlds did, for a traced replay of the check. */
export interface CheckTrace {
  check: string;
  status: TestResult['status'];
  message: string | null;
  worlds: { trace: readonly TraceEvent[]; summary: RunSummary | null }[];
  /** The trace event the failure is about (in the last world), when the check named one. */
  at?: number;
}

/** A check's message when the file could not be graded at all (the result's message says why). */
export const NOT_RUN = graderMessages.en.notRun;

const DEFAULT_WALL_MS = 5000;
const DEFAULT_SLICE_MS = 1000;
const DEFAULT_UNTIL_MS = 300_000;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The busy-loop guard's error (a BusyLoopError: its file, line and limit) in `lang`, or null
 * for any other error. English keeps the guard's own text.
 */
function busyLoopText(error: unknown, lang: GradeLang): string | null {
  const e = error as { name?: unknown; message?: unknown; fileName?: unknown; line?: unknown; limitMs?: unknown } | null;
  if (!e || typeof e !== 'object' || e.name !== 'BusyLoop' || typeof e.fileName !== 'string' || typeof e.line !== 'number' || typeof e.limitMs !== 'number') return null;
  if (lang === 'en' && typeof e.message === 'string') return e.message;
  return graderMessages[lang].busyLoopGuard({ ms: e.limitMs, file: e.fileName, line: e.line });
}

/** Grades `source` with `checker`. Resolves with an Exercism v3 result; never rejects. */
export async function gradeSource<L>(checker: LabChecker<L>, source: string, options: GradeOptions): Promise<GradeResult> {
  const filename = options.filename ?? 'solution.ts';
  const lang = options.lang ?? DEFAULT_GRADE_LANG;
  const m = graderMessages[lang];
  const max = maxScore(checker as LabChecker<unknown>);
  // The reason is said once, at the top; each check only says it did not run.
  const errorResult = (message: string, problems?: GradeResult['problems']): GradeResult => ({
    version: 3,
    lab: checker.lab,
    lang,
    status: 'error',
    message,
    ...(problems && problems.length ? { problems } : {}),
    tests: checker.checks.map((c) => ({
      name: c.name,
      ...(lang !== 'en' ? { title: checkTitle(checker, c.name, lang) } : {}),
      status: 'error',
      message: m.notRun,
      output: null,
      task_id: c.task,
      test_code: checkDescription(checker, c.name, lang),
      score: 0,
      max_score: c.points,
    })),
    score: 0,
    max_score: max,
  });

  if (typeof source !== 'string') return errorResult(m.notText);
  let program: LearnerProgram;
  try {
    const compiled = await options.compile(source, filename);
    if (!compiled.ok) return errorResult(compiled.message, compiled.problems);
    program = compiled.program;
  } catch (error) {
    return errorResult(m.compileCrashed({ file: filename, error: errorText(error) }));
  }

  // Evaluate once up front so that a missing export or a top-level throw is one
  // clear error instead of the same failure repeated by every check.
  const probeOutput = new OutputBuffer();
  const probe = await instantiate(program, probeOutput, options.sliceMs ?? DEFAULT_SLICE_MS, lang);
  if (!probe.ok) return errorResult(m.loadFailed({ file: filename, error: probe.message }));
  const missing = missingExports(checker, probe.exports, filename, lang);
  if (missing) return errorResult(missing);

  const busy: BusyState = { current: null };
  program.onBusyLoop?.((error) => {
    const c = busy.current;
    if (!c || c.error) return;
    c.error = error;
    // A program that catches the error and loops on is stopped all the same.
    for (const w of c.worlds) w.stop(error.message);
  });
  const tests: TestResult[] = [];
  const checks = options.only === undefined ? checker.checks : checker.checks.filter((c) => c.name === options.only);
  if (checks.length === 0) return errorResult(m.noSuchCheck({ name: String(options.only) }));
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    const result = await runCheck(checker, check, program, options, busy, source, lang);
    tests.push(result);
    try {
      options.onResult?.(result, i);
    } catch {
      // A progress listener's failure must not cost the learner a grade.
    }
  }
  const score = tests.reduce((s, t) => s + t.score, 0);
  return {
    version: 3,
    lab: checker.lab,
    lang,
    status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail',
    tests,
    score,
    max_score: options.only === undefined ? max : tests.reduce((s, t) => s + t.max_score, 0),
  };
}

type Instantiated = { ok: true; exports: Record<string, unknown> } | { ok: false; message: string };

async function instantiate(program: LearnerProgram, out: OutputBuffer, sliceMs: number, lang: GradeLang, forward?: (stream: 'stdout' | 'stderr', text: string) => void): Promise<Instantiated> {
  try {
    program.armGuard(sliceMs);
    const exports = await program.instantiate({
      write(stream, text) {
        out.write(text);
        forward?.(stream, text);
      },
    });
    return { ok: true, exports };
  } catch (error) {
    // In English the guard's error reads as any other (BusyLoop: ...); in another language it is said in it.
    const busy = lang === 'en' ? null : busyLoopText(error, lang);
    return { ok: false, message: busy ?? program.describeError(error) };
  }
}

export function missingExports(checker: LabChecker<unknown> | LabChecker<any>, exports: Record<string, unknown>, filename: string, lang: GradeLang = DEFAULT_GRADE_LANG): string | null {
  const m = graderMessages[lang];
  const problems: string[] = [];
  for (const e of checker.exports) {
    const value = exports[e.name];
    if (value === undefined) problems.push(m.noExport({ file: filename, name: e.name, signature: e.signature }));
    else if (e.kind === 'function' && typeof value !== 'function') problems.push(m.notFunction({ name: e.name, type: typeof value, signature: e.signature }));
  }
  return problems.length ? problems.join(lang === 'en' ? '; ' : '；') : null;
}

async function runCheck<L>(checker: LabChecker<L>, check: Check<L>, program: LearnerProgram, options: GradeOptions, busy: BusyState, source: string, lang: GradeLang): Promise<TestResult> {
  const m = graderMessages[lang];
  const started = now();
  const wallMs = check.wallMs ?? options.wallMs ?? DEFAULT_WALL_MS;
  const sliceMs = Math.min(options.sliceMs ?? DEFAULT_SLICE_MS, wallMs);
  const deadline = started + wallMs;
  const output = new OutputBuffer();
  const worlds: World[] = [];
  const base = {
    name: check.name,
    task_id: check.task,
    test_code: checkDescription(checker, check.name, lang),
    max_score: check.points,
  };
  const title = lang !== 'en' ? { title: checkTitle(checker, check.name, lang) } : {};
  const summaries = new Map<World, RunSummary>();
  let failedAt: number | undefined;
  const finish = (status: TestResult['status'], message: string | null): TestResult => {
    if (options.onTrace) {
      try {
        options.onTrace({ check: check.name, status, message, worlds: worlds.map((w) => ({ trace: w.trace, summary: summaries.get(w) ?? null })), ...(failedAt !== undefined ? { at: failedAt } : {}) });
      } catch {
        // A listener's failure must not cost the learner a grade.
      }
    }
    return result(status, message);
  };
  const result = (status: TestResult['status'], message: string | null): TestResult => ({
    name: base.name,
    ...title,
    status,
    message,
    output: output.summary(500, lang),
    task_id: base.task_id,
    test_code: base.test_code,
    score: status === 'pass' ? check.points : 0,
    max_score: base.max_score,
    duration_ms: Math.round(now() - started),
  });

  // Learner output goes to the world that is running, so the trace shows it
  // beside the process that printed it, and to this check's output.
  const forward = (stream: 'stdout' | 'stderr', text: string) => {
    const w = worlds[worlds.length - 1];
    if (w) {
      try {
        w.output(stream, text);
      } catch {
        // The world may have ended; the text is in the check's output already.
      }
    }
  };
  const loaded = await instantiate(program, output, sliceMs, lang, forward);
  if (!loaded.ok) return finish('error', m.programLoadFailed({ error: loaded.message }));
  busy.current = { worlds, error: null };

  const context: CheckContext<L> = {
    learner: loaded.exports as L,
    async load() {
      const again = await instantiate(program, output, sliceMs, lang, forward);
      if (!again.ok) throw new CheckFailure(m.secondCopyFailed({ error: again.message }));
      return again.exports as L;
    },
    seed: checkSeed(checker.lab, check.name),
    vary: variation(variationSeed(checker.lab, check.name, source)),
    world(worldOptions: WorldOptions = {}) {
      const remaining = Math.max(1, Math.floor(deadline - now()));
      const w = createWorld({
        seed: checkSeed(checker.lab, check.name),
        untilMs: DEFAULT_UNTIL_MS,
        maxOutputBytes: 64 * 1024,
        ...worldOptions,
        wallMs: Math.min(worldOptions.wallMs ?? remaining, remaining),
        onSlice: () => program.armGuard(sliceMs),
      });
      worlds.push(w);
      return w;
    },
    async run(w: World) {
      const raw = await w.run();
      // Process failures point into the learner's file, as `closing-time run` shows them.
      const summary: RunSummary = program.locate ? { ...raw, failed: raw.failed.map((f) => placeFailure(program, f)) } : raw;
      summaries.set(w, summary);
      const tripped = busy.current?.error;
      if (tripped) throw new CheckFailure(m.busyLoop({ error: busyLoopText(tripped, lang) ?? tripped.message }));
      if (summary.endedBy === 'wall-limit') {
        throw new CheckFailure(m.wallLimit({ wallMs, virtualMs: summary.virtualMs, detail: String(summary.message) }));
      }
      return summary;
    },
    log(text: string) {
      output.write(text.endsWith('\n') ? text : text + '\n');
    },
    lang,
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(1, deadline - now()) + 250);
  });
  try {
    program.armGuard(sliceMs);
    const outcome = await Promise.race([Promise.resolve().then(() => check.run(context)).then(() => 'done' as const), timeout]);
    const tripped = busy.current?.error;
    if (tripped) return finish('fail', m.busyLoop({ error: busyLoopText(tripped, lang) ?? tripped.message }));
    if (outcome === 'timeout') {
      for (const w of worlds) w.stop('the check ran out of time');
      return finish('fail', m.timeout({ wallMs }));
    }
    return finish('pass', null);
  } catch (error) {
    if (isCheckFailure(error)) {
      failedAt = (error as CheckFailure).at;
      return finish('fail', error.message);
    }
    return finish('error', m.checkError({ error: program.describeError(error) }));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    busy.current = null;
  }
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Scenario choices seeded by lab, check and program (CheckContext.vary). */
export function variation(seed: number): Variation {
  const rng = new Prng(seed);
  const int = (min: number, max: number) => min + rng.int(max - min + 1);
  const word = (min = 3, max = 8) => {
    let w = '';
    for (let i = int(min, max); i > 0; i--) w += LETTERS[rng.int(LETTERS.length)];
    return w;
  };
  return {
    int,
    pick: <T>(items: readonly T[]) => {
      if (items.length === 0) throw new Error('vary.pick: empty list');
      return items[rng.int(items.length)]!;
    },
    word,
    words: (n: number) => Array.from({ length: n }, () => word()).join(' '),
  };
}

/** The check whose worlds a busy-loop trip must stop (checks run one at a time). */
interface BusyState {
  current: { worlds: World[]; error: Error | null } | null;
}

function placeFailure(program: LearnerProgram, event: ProcessEvent): ProcessEvent {
  if (event.action !== 'fail' || !event.error || !program.locate) return event;
  const raw = event.error;
  const located = program.locate(Object.assign(new Error(raw.message), { name: raw.name, stack: raw.stack ?? '' }));
  if (located.line === undefined) return event;
  return { ...event, error: { ...raw, line: located.line, column: located.column, stack: located.stack ?? raw.stack } };
}
