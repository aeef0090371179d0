// A conformance scenario is data: two step lists (client, server) that both
// executors run, the kernel's (scripts/kernel/driver.py, real sockets in
// network namespaces) and the simulator's (createWorld + the program API).
// Each step records one observation; `expect` states what tcp-semantics.md
// says Linux does, and is checked against the kernel run itself, so a wrong
// claim fails here before it can be taught.

import type { NormSegment } from './segments.ts';

export type Side = 'client' | 'server';
export const SIDES: readonly Side[] = ['client', 'server'];

/** What a step may be expected to produce (a subset of its observation). */
export interface StepExpect {
  ok?: boolean;
  errno?: string;
  data?: string;
  /** For recvall: 'eof' or the errno that ended the loop. */
  end?: string;
  bytes?: number;
  /** For ss: the sorted states of every socket of this side, as `ss -tan` names them. */
  states?: string[];
  /** For ss with timers: sorted 'STATE kind', kind being the `ss -o` timer (on, timewait, keepalive, persist) or '-'. */
  timers?: string[];
  /** For undrop: how many segments the rule dropped. */
  hits?: number | [number, number];
  /** Wall (kernel) or virtual (simulator) duration of the call, ms, inclusive range. */
  tookMs?: [number, number];
  /** For getsockopt: the value it reports; for localport: the port. */
  value?: number;
  /** For localport: the port is one of these (Linux picks among them with a hash and a random offset). */
  oneOf?: number[];
  /** For ss with values: one inclusive range (ms left) per sorted row of `timers`; null for a row with no timer. */
  timerMs?: ([number, number] | null)[];
}

interface StepBase {
  expect?: StepExpect;
  /** Names the moment this step starts, for a later `sleep` with `since`. */
  mark?: string;
  /**
   * Leave this step's observation out of the kernel-versus-simulator
   * comparison; the text says why (e.g. a count that depends on real timing).
   * Expectations are still checked on both.
   */
  noCompare?: string;
  /**
   * Check `expect` on the kernel run only, and why (the simulator cannot do
   * this yet; its difference is listed in known-differences.ts).
   */
  kernelOnly?: string;
}

export type Step = StepBase &
  (
    | { op: 'socket'; sock: string }
    | { op: 'setsockopt'; sock: string; opt: 'SO_REUSEADDR' | 'SO_REUSEPORT'; value: boolean }
    | { op: 'setsockopt'; sock: string; opt: 'SO_LINGER'; value: { onoff: boolean; linger: number } }
    | { op: 'setsockopt'; sock: string; opt: 'SO_RCVBUF' | 'SO_SNDBUF'; value: number }
    | { op: 'setsockopt'; sock: string; opt: 'SO_KEEPALIVE'; value: boolean }
    /** Seconds for the keepalive times, a count for TCP_KEEPCNT, ms for TCP_USER_TIMEOUT. */
    | { op: 'setsockopt'; sock: string; opt: 'TCP_KEEPIDLE' | 'TCP_KEEPINTVL' | 'TCP_KEEPCNT' | 'TCP_USER_TIMEOUT'; value: number }
    /** Nagle off, TCP_CORK, and TCP_QUICKACK (false: pingpong mode, ACKs delayed). */
    | { op: 'setsockopt'; sock: string; opt: 'TCP_NODELAY' | 'TCP_CORK' | 'TCP_QUICKACK'; value: boolean }
    /** Reads an option back (what getsockopt(2) reports). */
    | { op: 'getsockopt'; sock: string; opt: 'SO_RCVBUF' | 'SO_SNDBUF' }
    /**
     * Sends a segment this side's TCP did not make (a raw socket on the kernel),
     * on socket `sock`'s 4-tuple (it may be closed), with the next sequence
     * number this side would use there.
     */
    | { op: 'inject'; sock: string; flags: 'R' }
    | { op: 'bind'; sock: string; port?: number }
    | { op: 'listen'; sock: string; backlog?: number }
    | { op: 'accept'; sock: string; as: string }
    /**
     * Connects to the other side's address; with `to`, to a listener of this side's
     * own: 'loopback' at 127.0.0.1, 'self' at this side's own (veth) address.
     */
    | { op: 'connect'; sock: string; port: number; to?: 'loopback' | 'self' }
    /** Reads the socket's local port (getsockname) as `value`. */
    | { op: 'localport'; sock: string }
    /** Sends `data` repeated `times` times, all of it (sendall). */
    | { op: 'send'; sock: string; data: string; times?: number }
    /** One recv call. */
    | { op: 'recv'; sock: string; max?: number }
    /** recv until EOF or an error; observes all the data and how it ended. */
    | { op: 'recvall'; sock: string }
    | { op: 'shutdown'; sock: string; how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR' }
    | { op: 'close'; sock: string }
    /** Sleeps `ms`, or with `since` until `ms` after the step marked so started. */
    | { op: 'sleep'; ms: number; since?: string }
    /**
     * Samples this side's sockets like `ss -tan` (with `timers`, like `ss -tano`:
     * 'STATE kind' per socket; with `values` as well, each timer's ms left).
     */
    | { op: 'ss'; timers?: boolean; values?: boolean }
    | { op: 'signal'; name: string }
    | { op: 'wait'; name: string }
    /** From now on, segments that `from` sends with these flags are lost on the way ('' = all). */
    | { op: 'drop'; id: string; from: Side; flags?: string }
    | { op: 'undrop'; id: string }
  );

export type Op = Step['op'];

/** A count of segments one side sent, compared between the executors. */
export interface SegmentCount {
  side: Side;
  /** Letters as in a fault rule: 'F' FIN set, 'R' RST set, '=.' a bare ACK flag set. */
  flags: string;
  /** Count only retransmissions. */
  rtx?: boolean;
  /** What Linux does, exact or an inclusive range. */
  expect?: number | [number, number];
  /** Leave it out of the kernel-versus-simulator comparison, and why. */
  noCompare?: string;
  /** Check `expect` on the kernel run only, and why. */
  kernelOnly?: string;
}

/**
 * Gaps between consecutive segments one side sent with these flags (e.g. a
 * FIN and its retransmissions): the retransmission timer's schedule, which
 * survives the scheduling noise of a loaded machine better than counts do.
 */
export interface SegmentGaps {
  side: Side;
  flags: string;
  /** One inclusive range per gap, in order; more gaps than ranges are not checked. */
  expect: [number, number][];
}

export interface Scenario {
  /** Stable identifier, kebab-case. */
  id: string;
  title: string;
  /** Which behaviour of tcp-semantics.md (item numbers) it proves. */
  teaches: string;
  sysctls?: Partial<Record<Side, Record<string, string | number>>>;
  client: Step[];
  server: Step[];
  counts?: SegmentCount[];
  gaps?: SegmentGaps[];
  /** Differences between kernel and simulator that are deliberate, and why. */
  deliberate?: string[];
  /**
   * Compare consecutive copies of a segment (its retransmissions, and the
   * identical ACKs answering each) as one, and why: how many copies fit in a
   * cut of the link is real timing. Order, flags, numbers and lengths are
   * still compared.
   */
  segmentRepeats?: string;
  /** Kernel counters (nstat names) whose change over the scenario is checked on the kernel run. */
  counters?: CounterExpect[];
  /**
   * Kernel log lines containing this text, counted from before the scenario to
   * after it (when dmesg is readable); `expect` the count.
   */
  kernelLog?: { contains: string; expect: number };
  /** Kernel deadline for the whole scenario, ms. Default 20000. */
  deadlineMs?: number;
}

/** A kernel counter's change over the whole scenario, as `nstat` names it (TcpExtTW, TcpActiveOpens...). */
export interface CounterExpect {
  side: Side;
  name: string;
  /** Exact or an inclusive range. */
  expect: number | [number, number];
  /** Checked on the kernel run only, and why (the difference is listed in known-differences.ts). */
  kernelOnly?: string;
}

/** What a step did, the same shape from both executors. */
export interface StepResult {
  i: number;
  op: Op;
  ok: boolean;
  errno?: string;
  data?: string;
  end?: string;
  bytes?: number;
  states?: string[];
  timers?: string[];
  hits?: number;
  value?: number;
  /** With ss values: ms left on each row's timer (null: none), in the order of `timers`. */
  timerMs?: (number | null)[];
  /** Start of the step, ms since the scenario began (wall or virtual). */
  at: number;
  tookMs: number;
}

export interface SegmentRecord {
  t: number;
  flags: string;
  seq: number;
  /** Acknowledgment number (meaningful with the ACK flag). */
  ack: number;
  len: number;
  sport: number;
  dport: number;
  rtx: boolean;
}

export interface Observations {
  id: string;
  /** 'kernel <uname -r>' or 'simulator'. */
  executor: string;
  sides: Record<Side, StepResult[]>;
  segments: Record<Side, SegmentRecord[]>;
  drops: Record<string, number>;
  /** Anything that stopped the steps from running as written. */
  errors: string[];
  /** Segment counts of a recorded run (content/conformance/report.json), which keeps no segments. */
  recordedCounts?: { side: Side; flags: string; rtx: boolean; n: number }[];
  /** Retransmission gaps of a recorded run, one list per entry of the scenario's `gaps`. */
  recordedGaps?: number[][];
  /** Normalised segments of a recorded run (segments.ts). */
  recordedSegments?: Record<Side, NormSegment[]>;
  /** Kernel only: each counter's change over the scenario, per side (nstat names). */
  counters?: Record<Side, Record<string, number>>;
  /** Kernel only: kernel log lines matching the scenario's `kernelLog`, or null when dmesg is unreadable. */
  kernelLog?: number | null;
}

/** A segment matches 'F' if FIN is set; '=.' only if its flags are exactly ACK. */
export function flagsMatch(spec: string, flags: string): boolean {
  const norm = (s: string) => s.replace(/A/g, '.');
  if (spec.startsWith('=')) {
    const want = [...norm(spec.slice(1))].sort().join('');
    return [...flags].sort().join('') === want;
  }
  return [...norm(spec)].every((c) => flags.includes(c));
}

export function countSegments(obs: Observations, c: SegmentCount): number {
  if (obs.recordedCounts) {
    const rec = obs.recordedCounts.find((r) => r.side === c.side && r.flags === c.flags && r.rtx === Boolean(c.rtx));
    if (!rec) throw new Error(`the recorded kernel run has no count of ${describeCount(c)}: run the kernel suite to refresh it`);
    return rec.n;
  }
  return obs.segments[c.side].filter((s) => flagsMatch(c.flags, s.flags) && (!c.rtx || s.rtx)).length;
}

/** Same rule as the driver's mark_retransmissions: a repeat of sequence space already sent. */
export function markRetransmissions(segments: Omit<SegmentRecord, 'rtx'>[]): SegmentRecord[] {
  const seen = new Set<string>();
  return segments.map((s) => {
    const consumes = s.len > 0 || s.flags.includes('S') || s.flags.includes('F');
    const key = `${s.sport}/${s.dport}/${s.seq}/${s.len}/${s.flags.replace('P', '')}`;
    const rtx = consumes && seen.has(key);
    if (consumes) seen.add(key);
    return { ...s, rtx };
  });
}

export function describeCount(c: SegmentCount): string {
  const what: Record<string, string> = { '': 'all', F: 'FIN', R: 'RST', S: 'SYN', '=.': 'bare ACK', '=A': 'bare ACK' };
  return `${what[c.flags] ?? `'${c.flags}'`} segments sent by the ${c.side}${c.rtx ? ' (retransmissions only)' : ''}`;
}

export function segmentGaps(obs: Observations, g: SegmentGaps): number[] {
  const times = obs.segments[g.side].filter((s) => flagsMatch(g.flags, s.flags)).map((s) => s.t);
  return times.slice(1).map((t, i) => t - times[i]);
}

export function describeGaps(g: SegmentGaps): string {
  return `gaps between '${g.flags}' segments sent by the ${g.side}`;
}
