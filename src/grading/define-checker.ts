// The checker API a lab's checker.ts is written in: a list of named checks with
// points, each an async function that builds its own world, runs the learner's
// exports in it and throws CheckFailure (via `fail`) with a message a learner
// can act on.
import type { RunSummary, World, WorldOptions } from '../sim/index.ts';
import type { GradeLang, LabMessages } from './messages.ts';

/** One export the learner's file must provide. */
export interface LearnerExport {
  name: string;
  kind: 'function' | 'value';
  /** How the lab text declares it, quoted in the error when it is missing. */
  signature: string;
}

export interface CheckContext<L> {
  /** The learner's module, freshly evaluated for this check. */
  readonly learner: L;
  /**
   * Evaluates the learner's module once more and returns the new copy's
   * exports: module-level state of one copy is not seen by another (a server
   * restarted "from scratch" must be a separately loaded program).
   */
  load(): Promise<L>;
  /** This check's seed: the same lab, check and program give the same trace. */
  readonly seed: number;
  /**
   * Choices that vary with the learner's program (request text, host names,
   * sizes, pauses): a solution cannot recognise the grader's scenario, while
   * the same program still gets the same grade. Seeded from lab, check and source.
   */
  readonly vary: Variation;
  /** A new world with this check's seed and limits; stopped if the check runs out of time. */
  world(options?: WorldOptions): World;
  /** Runs a world made by `world()`. Resolves with its summary; never rejects. */
  run(world: World): Promise<RunSummary>;
  /** A line for the check's output (shown with learner output). */
  log(text: string): void;
  /** The language the grade was asked for: the check writes its messages in it (the lab's catalogue). */
  readonly lang: GradeLang;
}

/** A seeded source of scenario choices (see CheckContext.vary). */
export interface Variation {
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A lower-case word of `min`..`max` letters. */
  word(min?: number, max?: number): string;
  /** A few words joined by spaces, as request text. */
  words(n: number): string;
}

export interface Check<L> {
  name: string;
  points: number;
  /** 1-based step of the lab this check grades. */
  task: number;
  /** The scenario and what is asserted, in one or two sentences. */
  description: string;
  /** Real-time budget, ms (default 5000). */
  wallMs?: number;
  run(t: CheckContext<L>): Promise<void> | void;
}

export interface LabChecker<L = Record<string, unknown>> {
  lab: string;
  /** Exports the learner's file must have; checked before any check runs. */
  exports: LearnerExport[];
  checks: Check<L>[];
  /** The lab's messages and check titles in every language (labs/<id>/messages.ts). */
  messages?: LabMessages<any>;
}

/** Marks check failures across bundles (a lab folder's checker may carry its own copy of this module). */
const CHECK_FAILURE = Symbol.for('closing-time.check-failure');

/** Thrown by `fail`: the check failed for a reason the message explains. */
export class CheckFailure extends Error {
  readonly [CHECK_FAILURE] = true;
  /** The trace event (its `n`) the failure is about, when the check knows it: a traced run marks it. */
  readonly at?: number;
  constructor(message: string, at?: number) {
    super(message);
    this.name = 'CheckFailure';
    if (at !== undefined) this.at = at;
  }
}

export function isCheckFailure(error: unknown): error is CheckFailure {
  return error instanceof CheckFailure || (typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CHECK_FAILURE] === true);
}

/**
 * Fails the running check with a message that says what happened and where to
 * look; `at` is the trace event it is about (a RST, a state change), which
 * "show me what happened" marks.
 */
export function fail(message: string, at?: { n: number } | number): never {
  throw new CheckFailure(message, typeof at === 'number' ? at : at?.n);
}

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) fail(typeof message === 'function' ? message() : message);
}

export function defineChecker<L>(spec: LabChecker<L>): LabChecker<L> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.lab)) throw new Error(`checker: lab id '${spec.lab}' must be lower-case words joined by '-'`);
  if (spec.checks.length === 0) throw new Error(`checker ${spec.lab}: no checks`);
  const names = new Set<string>();
  for (const c of spec.checks) {
    if (names.has(c.name)) throw new Error(`checker ${spec.lab}: two checks named '${c.name}'`);
    names.add(c.name);
    if (!(c.points > 0) || !Number.isFinite(c.points)) throw new Error(`checker ${spec.lab}: check '${c.name}' needs positive points`);
    if (!Number.isInteger(c.task) || c.task < 1) throw new Error(`checker ${spec.lab}: check '${c.name}' needs a task number >= 1`);
  }
  return spec;
}

/** Sum of the points of a checker's checks. */
export function maxScore(checker: LabChecker<unknown>): number {
  return checker.checks.reduce((sum, c) => sum + c.points, 0);
}
