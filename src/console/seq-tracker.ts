// Relative sequence numbers as tcpdump prints them by default (print-tcp.c keeps
// one entry per conversation): each direction's numbers count from its initial
// sequence number, so the first data byte is `seq 1` and the SYN's ACK is `ack 1`.
// Segments carrying SYN, and the first segment that introduces a direction,
// print absolute numbers, exactly as tcpdump does.
import type { SegmentInfo } from '../../types/closing-time.d.ts';

export interface SeqView {
  seq: number;
  ack: number;
  relative: boolean;
}

const MOD = 2 ** 32;

function direction(seg: SegmentInfo): string {
  return `${seg.src.ip}:${seg.src.port}>${seg.dst.ip}:${seg.dst.port}`;
}

function reverse(seg: SegmentInfo): string {
  return `${seg.dst.ip}:${seg.dst.port}>${seg.src.ip}:${seg.src.port}`;
}

function minus(a: number, b: number): number {
  return (((a - b) % MOD) + MOD) % MOD;
}

/** Tracks each direction's ISN and turns absolute numbers into tcpdump's relative ones. */
export class SeqTracker {
  private readonly isn = new Map<string, number>();

  /** Relative numbers for `seg` (learning ISNs from it first). */
  view(seg: SegmentInfo): SeqView {
    const own = direction(seg);
    const other = reverse(seg);
    if (seg.syn) {
      // A SYN starts a new incarnation of this 4-tuple: forget the old peer ISN,
      // unless this is the same SYN again (retransmitted, duplicated, delivered).
      if (!seg.ackFlag && this.isn.get(own) !== seg.seq) this.isn.delete(other);
      this.isn.set(own, seg.seq);
      if (seg.ackFlag && !this.isn.has(other)) this.isn.set(other, minus(seg.ack, 1));
      return { seq: seg.seq, ack: seg.ack, relative: false };
    }
    const ownIsn = this.isn.get(own);
    const otherIsn = this.isn.get(other);
    if (ownIsn === undefined || (seg.ackFlag && otherIsn === undefined)) {
      if (ownIsn === undefined) this.isn.set(own, seg.seq);
      if (seg.ackFlag && otherIsn === undefined) this.isn.set(other, minus(seg.ack, 1));
      return { seq: seg.seq, ack: seg.ack, relative: false };
    }
    return {
      seq: minus(seg.seq, ownIsn),
      ack: otherIsn === undefined ? seg.ack : minus(seg.ack, otherIsn),
      relative: true,
    };
  }

  reset(): void {
    this.isn.clear();
  }
}
