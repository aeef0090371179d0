// Linux's tcp_timewait_state_process read literally (tcp_rfc1337 = 1): unsigned
// distances instead of signed ones, a table of cases in the kernel's order, and
// a timer restart for every ACK-carrying segment that gets an answer (the kernel
// reschedules on th->ack), old duplicates included.
import type { SegmentInfo } from 'closing-time';

export interface TimeWaitView {
  readonly local: string;
  readonly remote: string;
  readonly rcvNxt: number;
  readonly sndNxt: number;
  readonly tsRecent?: number;
  readonly since: number;
  readonly expiresAt: number;
}

export type TimeWaitVerdict = 'ack' | 'ack-restart' | 'ignore' | 'kill' | 'rst' | 'accept-syn';

const TCP_TIMEWAIT_LEN = 60 * 1000;

export function durationMs(): number {
  return TCP_TIMEWAIT_LEN;
}

/** Distance from b forward to a, 0 .. 2^32-1. */
const forward = (a: number, b: number) => (a - b) >>> 0;
/** a is strictly after b (less than half the space ahead). */
const after = (a: number, b: number) => {
  const d = forward(a, b);
  return d !== 0 && d < 0x8000_0000;
};

export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  const endSeq = forward(seg.seq + seg.len + (seg.syn ? 1 : 0) + (seg.fin ? 1 : 0), 0);
  const hasTs = seg.tsval !== undefined && tw.tsRecent !== undefined;
  // PAWS: a timestamp older than the last one seen is an old duplicate.
  const paws = hasTs && !seg.rst && after(tw.tsRecent!, seg.tsval!);

  // In window, nothing new: only an RST or a bare ACK can carry exactly rcv_nxt.
  if (!paws && seg.seq === tw.rcvNxt && (endSeq === seg.seq || seg.rst)) return 'ignore';

  // TCP_TW_SYN: a new incarnation, newer by timestamp or sequence number.
  if (seg.syn && !seg.rst && !seg.ackFlag && !paws && (after(seg.seq, tw.rcvNxt) || (hasTs && after(seg.tsval!, tw.tsRecent!)))) {
    return 'accept-syn';
  }

  if (seg.rst) return 'ignore'; // RFC 1337
  // TCP_TW_ACK, with inet_twsk_reschedule when the segment carries an ACK.
  return paws || seg.ackFlag ? 'ack-restart' : 'ack';
}
