// The guard called at the top of every loop and function body (see
// loop-guard.ts). The world re-arms it each time it hands control to process
// code (WorldOptions.onSlice); a program that keeps the thread past the limit
// without awaiting the simulator gets a BusyLoopError at the guard it is in.
// Once tripped it stays tripped until re-armed, so a try/catch around the loop
// only moves the error to the next guard out.

/**
 * How many guard calls pass between two looks at the clock: about 10,000 for a
 * tight loop, fewer when iterations are slow (a loop whose body takes 10 ms
 * would otherwise run 100 s before the first look), so a check comes roughly
 * every CHECK_SPAN_MS.
 */
const MAX_CHECK_EVERY = 10_000;
const CHECK_SPAN_MS = 20;

function durationText(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

export class BusyLoopError extends Error {
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly limitMs: number,
  ) {
    super(`busy loop: the program ran for ${durationText(limitMs)} without waiting on the simulator (${fileName}:${line})`);
    this.name = 'BusyLoop';
  }
}

export interface Guard {
  /** The function the program calls: `__ct_guard(line)`. */
  readonly check: (line: number) => void;
  /** Starts a new slice of at most `ms` real milliseconds. */
  arm(ms: number): void;
  /** The error it threw since it was last armed, if any. */
  readonly tripped: BusyLoopError | null;
}

const realNow: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now();

export function createGuard(fileName: string, onTrip?: (error: BusyLoopError) => void, now: () => number = realNow): Guard {
  let count = 0;
  let every = 1;
  let lastLook = 0;
  let deadline = Infinity;
  let limitMs = 0;
  let tripped: BusyLoopError | null = null;
  const check = (line: number) => {
    if (tripped) throw tripped;
    if (++count < every) return;
    count = 0;
    const t = now();
    const span = t - lastLook;
    lastLook = t;
    if (span > CHECK_SPAN_MS * 2) every = Math.max(1, Math.floor(every / 4));
    else if (span < CHECK_SPAN_MS / 2 && every < MAX_CHECK_EVERY) every = Math.min(MAX_CHECK_EVERY, every * 2);
    if (t > deadline) {
      tripped = new BusyLoopError(fileName, line, limitMs);
      onTrip?.(tripped);
      throw tripped;
    }
  };
  return {
    check,
    arm(ms: number) {
      if (!(ms > 0)) throw new RangeError(`the busy-loop limit must be a positive number of milliseconds, got ${ms}`);
      limitMs = ms;
      lastLook = now();
      deadline = lastLook + ms;
      count = 0;
      // Start by looking often and back off while iterations prove cheap: the
      // first look must not wait 10,000 slow iterations.
      every = 1;
      tripped = null;
    },
    get tripped() {
      return tripped;
    },
  };
}
