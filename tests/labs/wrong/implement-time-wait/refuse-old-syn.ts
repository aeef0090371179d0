// expect-fail: an old duplicate SYN is not accepted
// expect-message: ECONNREFUSED
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

export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  if (seg.rst) return 'ignore';
  if (seg.syn && !seg.ackFlag) {
    const newerSeq = after(seg.seq, tw.rcvNxt);
    const newerTs = seg.tsval !== undefined && tw.tsRecent !== undefined && after(seg.tsval, tw.tsRecent);
    // Not shown to be new: refuse it outright, so nobody mistakes it for a live connection.
    return newerSeq || newerTs ? 'accept-syn' : 'rst';
  }
  if (seg.seq === tw.rcvNxt && seg.len === 0 && !seg.fin) return 'ignore';
  return 'ack-restart';
}
