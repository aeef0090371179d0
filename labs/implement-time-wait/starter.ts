import type { SegmentInfo } from 'closing-time';

/** A TIME_WAIT socket, as the kernel keeps it (Linux's tcp_timewait_sock, reduced). */
export interface TimeWaitView {
  readonly local: string;
  readonly remote: string;
  /** Next sequence number expected from the peer (just after its FIN). */
  readonly rcvNxt: number;
  /** Our next sequence number (just after our FIN). */
  readonly sndNxt: number;
  /** Last timestamp value seen from the peer, if timestamps are on. */
  readonly tsRecent?: number;
  /** Virtual ms when it entered TIME_WAIT, and when its timer fires. */
  readonly since: number;
  readonly expiresAt: number;
}

/**
 * What to do with a segment that arrives in TIME_WAIT:
 * - 'ack': send an ACK (of rcvNxt), keep the timer;
 * - 'ack-restart': send an ACK and restart the timer for a full durationMs();
 * - 'ignore': drop it silently;
 * - 'kill': destroy the TIME_WAIT socket now (no reply);
 * - 'rst': answer with RST;
 * - 'accept-syn': destroy the TIME_WAIT socket and let this SYN open a new connection.
 */
export type TimeWaitVerdict = 'ack' | 'ack-restart' | 'ignore' | 'kill' | 'rst' | 'accept-syn';

/** How long a socket stays in TIME_WAIT, in milliseconds. */
export function durationMs(): number {
  return 60_000;
}

/** Called for every segment that arrives for a connection in TIME_WAIT. */
export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict {
  return 'ignore';
}
