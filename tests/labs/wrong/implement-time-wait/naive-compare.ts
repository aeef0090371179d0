// expect-fail: a new SYN opens a new connection at once
// expect-message: comparing modulo 2^32
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

// Sequence numbers and timestamps compared as plain numbers: right until they wrap past 2^32.
export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  if (seg.rst) return 'ignore';
  if (seg.syn && !seg.ackFlag) {
    const newerSeq = seg.seq > tw.rcvNxt;
    const newerTs = seg.tsval !== undefined && tw.tsRecent !== undefined && seg.tsval > tw.tsRecent;
    return newerSeq || newerTs ? 'accept-syn' : 'ack';
  }
  if (seg.seq === tw.rcvNxt && seg.len === 0 && !seg.fin) return 'ignore';
  return 'ack-restart';
}
