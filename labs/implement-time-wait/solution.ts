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

/**
 * Linux tcp_timewait_state_process (net/ipv4/tcp_minisocks.c), with tcp_rfc1337 = 1,
 * in the kernel's order.
 */
export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  const ts = seg.tsval !== undefined && tw.tsRecent !== undefined;
  // PAWS (RFC 7323 §5): a timestamp older than the last one seen marks an old duplicate.
  const pawsReject = ts && !seg.rst && seqAfter(tw.tsRecent!, seg.tsval!);

  // In window: only an RST or a bare ACK can carry exactly rcvNxt. An RST would be
  // TIME-WAIT assassination (RFC 1337): ignored. A bare ACK is absorbed silently
  // (Linux also restarts the timer for it; no verdict restarts it without an ACK).
  const bare = seg.len === 0 && !seg.syn && !seg.fin;
  if (!pawsReject && seg.seq === tw.rcvNxt && (seg.rst || bare)) return 'ignore';

  // A SYN for the same 4-tuple: a new incarnation if it is newer by timestamp
  // (RFC 6191) or by sequence number, and PAWS does not reject it.
  if (seg.syn && !seg.rst && !seg.ackFlag && !pawsReject && (seqAfter(seg.seq, tw.rcvNxt) || (ts && seqAfter(seg.tsval!, tw.tsRecent!)))) {
    return 'accept-syn';
  }

  // Any other RST: nothing to answer.
  if (seg.rst) return 'ignore';

  // Everything else (a retransmitted FIN whose ACK was lost, an old duplicate) is
  // answered with an ACK. The timer restarts when the segment carries an ACK or PAWS
  // rejected it, so that TIME_WAIT outlasts a peer still sending; an ACKless SYN may
  // be a new connection with a low sequence number, so it does not restart it.
  return pawsReject || seg.ackFlag ? 'ack-restart' : 'ack';
}
