// expect-fail: a retransmitted FIN restarts the timer
// expect-message: inet_twsk_reschedule
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

/** Linux's TCP_TIMEWAIT_LEN: a fixed 60 s, no sysctl. */
export function durationMs(): number {
  return 60_000;
}

/** a > b in 32-bit sequence space (RFC 9293 §3.4). */
function seqAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** Linux tcp_timewait_state_process, with tcp_rfc1337 = 1. */
export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  // RFC 1337: an RST must not end TIME_WAIT early ("assassination").
  if (seg.rst) return 'ignore';

  // A SYN for the same 4-tuple: a new incarnation if it looks newer,
  // by sequence number or by timestamp (RFC 6191).
  if (seg.syn && !seg.ackFlag) {
    const newerSeq = seqAfter(seg.seq, tw.rcvNxt);
    const newerTs = seg.tsval !== undefined && tw.tsRecent !== undefined && ((tw.tsRecent - seg.tsval) | 0) < 0;
    return newerSeq || newerTs ? 'accept-syn' : 'ack';
  }

  // An in-window bare ACK (seq == rcvNxt, nothing in it): nothing to answer.
  if (seg.seq === tw.rcvNxt && seg.len === 0 && !seg.fin && !seg.syn) return 'ignore';

  // Everything else (a retransmitted FIN whose ACK was lost, an old duplicate)
  // is answered with an ACK, and the timer starts again so the peer's next
  // retransmission still finds us.
  return 'ack';
}
