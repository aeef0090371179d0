// Questions checkers ask of a finished run: who sent which segments, which
// sockets are left in which state, which processes failed and why. Answers come
// back as data plus the wording a learner-facing message needs.
import type { ProcessEvent, RunSummary, SegmentEvent, SsState, StateEvent, TcpState, TraceEvent, World } from '../sim/index.ts';

export interface SegmentFilter {
  /** Sending host. */
  from?: string;
  /** Receiving host. */
  to?: string;
  rst?: boolean;
  fin?: boolean;
  syn?: boolean;
  /** Only segments that carry data. */
  data?: boolean;
  action?: SegmentEvent['action'];
}

function isSegment(e: TraceEvent): e is SegmentEvent {
  return e.kind === 'segment';
}

/** Segments in the trace (default: as sent) that match every given field. */
export function segments(world: World, filter: SegmentFilter = {}): SegmentEvent[] {
  const action = filter.action ?? 'send';
  const out: SegmentEvent[] = [];
  for (const e of world.trace) {
    if (!isSegment(e) || e.action !== action) continue;
    const s = e.seg;
    if (filter.from !== undefined && s.src.host !== filter.from) continue;
    if (filter.to !== undefined && s.dst.host !== filter.to) continue;
    if (filter.rst !== undefined && s.rst !== filter.rst) continue;
    if (filter.fin !== undefined && s.fin !== filter.fin) continue;
    if (filter.syn !== undefined && s.syn !== filter.syn) continue;
    if (filter.data !== undefined && s.len > 0 !== filter.data) continue;
    out.push(e);
  }
  return out;
}

/** State changes of sockets on `host` (optionally into `to`). */
export function stateChanges(world: World, host: string, to?: TcpState): StateEvent[] {
  const out: StateEvent[] = [];
  for (const e of world.trace) {
    if (e.kind === 'state' && e.host === host && (to === undefined || e.to === to)) out.push(e);
  }
  return out;
}

/** Rows of a host's `ss -tan` in one state. */
export function socketsIn(world: World, host: string, state: SsState) {
  const h = world.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`no host named ${host}`);
  return h.ss().inState(state);
}

/** Processes that threw, optionally only those whose name starts with `prefix`. */
export function failures(summary: RunSummary, prefix?: string): ProcessEvent[] {
  return summary.failed.filter((f) => prefix === undefined || f.process.startsWith(prefix));
}

/** "process 'client' on client threw SocketError: ECONNRESET ... (line 12)". */
export function describeFailure(f: ProcessEvent): string {
  const err = f.error;
  const where = err?.line !== undefined ? ` (line ${err.line}${err.column !== undefined ? `:${err.column}` : ''})` : '';
  const what = err ? `${err.name}: ${err.message}` : 'an error';
  return `process '${f.process}' on ${f.host} threw ${what}${where}`;
}

/** "1 socket" / "12 sockets". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** First few items of a list as text, with "and N more". */
export function listSome(items: string[], most = 3): string {
  if (items.length <= most) return items.join(', ');
  return `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}

/** Time as a learner reads it: "t=1.234 s". */
export function at(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)} s`;
}

/** " from state FIN_WAIT_1" when the trace knows the sender's state, else ''. */
export function fromState(e: SegmentEvent): string {
  const state = e.state ?? (e.seg as { senderState?: TcpState }).senderState;
  return state ? ` from state ${state}` : '';
}
