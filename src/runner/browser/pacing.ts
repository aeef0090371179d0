// Paced delivery of a run's trace (speed > 0): an event at virtual time t is
// shown once the pacing clock reaches t, and the clock runs `speed` virtual ms
// per real ms. A quiet stretch (TIME_WAIT's 60 s with nothing to show) would
// leave the learner staring at a still console for minutes in slow motion, so
// when the next event is more than MAX_QUIET_MS of real time away the clock
// jumps ahead, leaving WAIT_AFTER_SKIP_MS of real time before that event:
// nothing is hidden, only waiting is shortened.
// Pure: the worker (serve-runs.ts) owns the timer and the queue.

/** Longest real wait for the next event before the quiet stretch is skipped. */
export const MAX_QUIET_MS = 1500;
/** Real time left before the next event once a quiet stretch has been skipped. */
export const WAIT_AFTER_SKIP_MS = 1000;

export interface PaceState {
  /** Virtual ms per real ms, > 0. */
  readonly speed: number;
  /** Real time (ms) the pacing began at. */
  readonly startedAt: number;
  /** Virtual ms jumped over so far. */
  readonly skippedMs: number;
}

export interface PaceStep {
  /** How many events at the head of the queue are due now. */
  due: number;
  /** The pacing clock after this step (virtual ms). */
  clockMs: number;
  /** A quiet stretch jumped over in this step, after the due events. */
  skip?: { fromMs: number; toMs: number };
  /** The state for the next step. */
  state: PaceState;
}

/** The pacing clock at real time `now`. */
export function pacedClock(state: PaceState, now: number): number {
  return Math.max(0, now - state.startedAt) * state.speed + state.skippedMs;
}

/**
 * What to release at real time `now` from `queue` (in time order, as the
 * simulation made it). The next event after the due ones is known to be the
 * earliest still to come (the simulation runs in time order), so a far one
 * means a quiet stretch; an empty queue says nothing and never skips.
 */
export function paceStep(state: PaceState, queue: readonly { t: number }[], now: number): PaceStep {
  const clockMs = pacedClock(state, now);
  let due = 0;
  while (due < queue.length && queue[due]!.t <= clockMs) due++;
  const next = queue[due];
  if (next === undefined || (next.t - clockMs) / state.speed <= MAX_QUIET_MS) return { due, clockMs, state };
  const toMs = next.t - WAIT_AFTER_SKIP_MS * state.speed;
  return { due, clockMs: toMs, skip: { fromMs: clockMs, toMs }, state: { ...state, skippedMs: state.skippedMs + (toMs - clockMs) } };
}
