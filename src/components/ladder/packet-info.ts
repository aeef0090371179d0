// What the packet panel shows for one segment of a trace: its header in
// absolute and relative numbers, its data, what became of it, and the state of
// both ends just before and just after it. Pure: the trace and a position in,
// plain fields out (ladder-view.ts writes them into the page).
import type { Endpoint, SegmentEvent, StateEvent, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';

export interface PacketEnd {
  host: string;
  /** "10.0.0.1:40001" */
  endpoint: string;
  /** State of this end's socket just before the segment left (sender) or arrived (receiver). */
  before: TcpState | null;
  /** State right after: the transition that sent it, or the one its arrival caused. */
  after: TcpState | null;
  /** What moved it between the two, e.g. 'close()', 'rcv FIN'. */
  cause: string | null;
}

export interface PacketInfo {
  /** Trace position of the send. */
  n: number;
  segId: number;
  /** Virtual ms of the send. */
  t: number;
  flags: string;
  /** The flags spelt out: SYN, ACK, FIN, RST, PSH. */
  flagNames: string[];
  seq: number;
  ack: number;
  /** Relative to each direction's ISN (tcpdump's numbers), when that SYN is in the trace. */
  relSeq: number | null;
  relAck: number | null;
  ackFlag: boolean;
  win: number;
  len: number;
  /** The first bytes of data, as text. */
  data: string;
  dataTruncated: boolean;
  /** TCP options as tcpdump names them, e.g. "TS val 384434648 ecr 0". */
  options: string[];
  retransmission: boolean;
  outcome: 'delivered' | 'dropped' | 'in flight';
  /** Trace position and virtual ms of the delivery or drop. */
  endN: number | null;
  endT: number | null;
  /** Why it was dropped: the drop event's reason ('loss', 'fault', 'partition', 'no-route'). */
  dropReason: string | null;
  duplicates: number;
  sender: PacketEnd;
  receiver: PacketEnd;
}

/** Data bytes shown in the panel. */
export const DATA_PREVIEW = 48;

const ep = (e: Endpoint) => `${e.ip}:${e.port}`;

function flagNames(flags: string): string[] {
  const names: string[] = [];
  if (flags.includes('S')) names.push('SYN');
  if (flags.includes('.')) names.push('ACK');
  if (flags.includes('P')) names.push('PSH');
  if (flags.includes('F')) names.push('FIN');
  if (flags.includes('R')) names.push('RST');
  return names;
}

/** The socket of `host` on this 4-tuple (or its listener, for a SYN that finds no connection). */
function sockMatches(ev: TraceEvent, host: string, local: string, remote: string, port: number): ev is StateEvent {
  if (ev.kind !== 'state' || ev.host !== host) return false;
  if (ev.sock.local === local && ev.sock.remote === remote) return true;
  // A SYN reaches the listener, which makes the child socket (LISTEN -> SYN_RECEIVED).
  return ev.sock.remote === '*:*' && ev.sock.local.endsWith(`:${port}`);
}

/** The connection's state on `host` just before trace index `idx` (listener states do not count). */
function stateBefore(events: readonly TraceEvent[], idx: number, host: string, local: string, remote: string): TcpState | null {
  for (let i = idx - 1; i >= 0; i--) {
    const ev = events[i]!;
    if (ev.kind === 'state' && ev.host === host && ev.sock.local === local && ev.sock.remote === remote) return ev.to;
  }
  return null;
}

/** Index of the event at trace position n (positions are indices unless the list was cut). */
function indexOf(events: readonly TraceEvent[], n: number): number {
  if (events[n]?.n === n) return n;
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = events[mid]!.n;
    if (m === n) return mid;
    if (m < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The panel's fields for the segment whose send (or delivery, or drop) is at
 * trace position n; null when n is not a segment event.
 */
export function packetInfo(events: readonly TraceEvent[], n: number): PacketInfo | null {
  let idx = indexOf(events, n);
  const at = events[idx];
  if (!at || at.kind !== 'segment') return null;
  // From a delivery or a drop, go back to its send.
  if (at.action !== 'send') {
    for (let i = idx; i >= 0; i--) {
      const ev = events[i]!;
      if (ev.kind === 'segment' && ev.action === 'send' && ev.seg.id === at.seg.id) {
        idx = i;
        break;
      }
    }
  }
  const send = events[idx] as SegmentEvent;
  const seg = send.seg;
  const src = ep(seg.src);
  const dst = ep(seg.dst);

  // Relative numbers: the latest SYN of each direction at or before the send.
  let isnOwn: number | null = null;
  let isnPeer: number | null = null;
  for (let i = idx; i >= 0 && (isnOwn === null || isnPeer === null); i--) {
    const ev = events[i]!;
    if (ev.kind !== 'segment' || ev.action !== 'send' || !ev.seg.syn) continue;
    const s = ep(ev.seg.src);
    const d = ep(ev.seg.dst);
    if (isnOwn === null && s === src && d === dst) isnOwn = ev.seg.seq;
    else if (isnPeer === null && s === dst && d === src) isnPeer = ev.seg.seq;
  }
  const rel = (v: number, base: number | null) => (base === null ? null : (v - base) >>> 0);

  // The sender: the transition that sent it is the state change just before the send, at the same instant.
  const sender: PacketEnd = { host: seg.src.host, endpoint: src, before: send.state ?? null, after: send.state ?? null, cause: null };
  for (let i = idx - 1; i >= 0; i--) {
    const ev = events[i]!;
    if (ev.t !== send.t) break;
    if (ev.kind === 'timer' || ev.host !== seg.src.host) continue;
    if (ev.kind === 'state' && ev.sock.local === src && ev.sock.remote === dst) {
      sender.before = ev.from;
      sender.after = ev.to;
      sender.cause = ev.cause;
    }
    break;
  }
  if (sender.before === null) sender.before = sender.after = stateBefore(events, idx, seg.src.host, src, dst);

  // What became of it.
  let endIdx = -1;
  let duplicates = 0;
  for (let i = idx + 1; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.kind !== 'segment' || ev.seg.id !== seg.id || ev.action === 'send') continue;
    if (endIdx < 0) endIdx = i;
    else if (ev.action === 'deliver') duplicates++;
  }
  const end = endIdx >= 0 ? (events[endIdx] as SegmentEvent) : null;
  const outcome = !end ? 'in flight' : end.action === 'deliver' ? 'delivered' : 'dropped';

  // The receiver: its state before the arrival, and the state changes the arrival caused.
  const receiver: PacketEnd = { host: seg.dst.host, endpoint: dst, before: null, after: null, cause: null };
  const refIdx = endIdx >= 0 ? endIdx : events.length;
  receiver.before = stateBefore(events, refIdx, seg.dst.host, dst, src);
  if (receiver.before === null && seg.syn && !seg.ackFlag) {
    for (let i = refIdx - 1; i >= 0; i--) {
      const ev = events[i]!;
      if (sockMatches(ev, seg.dst.host, dst, src, seg.dst.port)) {
        receiver.before = ev.to;
        break;
      }
    }
  }
  receiver.after = receiver.before;
  if (end && outcome === 'delivered') {
    for (let i = endIdx + 1; i < events.length; i++) {
      const ev = events[i]!;
      if (ev.t !== end.t) break;
      if (ev.kind === 'timer' || ev.kind === 'note' || ev.host !== seg.dst.host) continue;
      if (ev.kind === 'state' && ev.sock.local === dst && ev.sock.remote === src) {
        if (receiver.cause === null) receiver.before = ev.from;
        receiver.after = ev.to;
        receiver.cause = receiver.cause ? `${receiver.cause}, ${ev.cause}` : ev.cause;
        continue;
      }
      if (ev.kind === 'state') continue;
      break;
    }
  }

  const options: string[] = [];
  if (seg.tsval !== undefined) options.push(`TS val ${seg.tsval} ecr ${seg.tsecr ?? 0}`);
  return {
    n: send.n,
    segId: seg.id,
    t: send.t,
    flags: seg.flags,
    flagNames: flagNames(seg.flags),
    seq: seg.seq,
    ack: seg.ack,
    relSeq: rel(seg.seq, isnOwn),
    relAck: seg.ackFlag ? rel(seg.ack, isnPeer) : null,
    ackFlag: seg.ackFlag,
    win: seg.win,
    len: seg.len,
    data: seg.data.slice(0, DATA_PREVIEW),
    dataTruncated: seg.data.length > DATA_PREVIEW,
    options,
    retransmission: seg.retransmission,
    outcome,
    endN: end ? end.n : null,
    endT: end ? end.t : null,
    dropReason: end && end.action === 'drop' ? (end.reason ?? 'lost') : null,
    duplicates,
    sender,
    receiver,
  };
}
