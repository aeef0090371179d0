// expect-fail: a new SYN opens a new connection at once
// expect-message: this host reuses the ISN
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

export function durationMs(): number {
  return 60_000;
}

/** a > b in 32-bit sequence space (RFC 9293 §3.4). */
function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

// RFC 9293 only: a SYN beyond rcvNxt is a new connection; timestamps are an optional extra.
export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  if (seg.rst) return 'ignore';
  if (seg.syn && !seg.ackFlag) return after(seg.seq, tw.rcvNxt) ? 'accept-syn' : 'ack';
  if (seg.seq === tw.rcvNxt && seg.len === 0 && !seg.fin) return 'ignore';
  return 'ack-restart';
}
