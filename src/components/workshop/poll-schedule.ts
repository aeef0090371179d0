// How often a lab page asks the server whether its submission is graded: soon at
// first (a free grader answers in about a second), then every 2 s, so a class of
// thirty waiting on a busy queue costs the server fifteen small requests a second.
export function pollDelay(attempt: number): number {
  return Math.min(2000, Math.round(500 * 1.5 ** attempt));
}

/** The longest a page keeps asking before it leaves the answer to the dashboard. */
export const POLL_GIVE_UP_MS = 10 * 60_000;
