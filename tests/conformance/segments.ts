// Segment-level comparison: what a learner sees in `tcpdump -S`-less output
// (relative sequence numbers), per side, per connection, in order. Each
// captured segment becomes its flags, its sequence and acknowledgment numbers
// relative to the initial sequence numbers of its connection, its data length
// and whether it repeats sequence space already sent. Port numbers and
// absolute sequence numbers are never compared (both are random on Linux);
// windows and TCP options are not captured.
import type { SegmentRecord, Side } from './scenario.ts';
import { SIDES } from './scenario.ts';

/** One segment as compared. */
export interface NormSegment {
  /** Connection number within the scenario, in the order of their first SYN (-1: a segment of no connection, e.g. a RST to a closed port). */
  conn: number;
  /** Flags in tcpdump's order: S F R P then '.' for ACK. */
  flags: string;
  /** Sequence number relative to the sender's ISN on this connection (raw when the sender never sent a SYN on it). */
  seq: number;
  /** Acknowledgment number relative to the peer's ISN; null without the ACK flag. */
  ack: number | null;
  len: number;
  rtx: boolean;
  /** Time sent, ms since the scenario began (shown, never compared). */
  t: number;
}

const MOD = 2 ** 32;
const rel = (value: number, base: number | undefined) => (base === undefined ? value : (((value - base) % MOD) + MOD) % MOD);

/** Flags in one order, whatever order the executor wrote them in. */
export function canonicalFlags(flags: string): string {
  return ['S', 'F', 'R', 'P', '.'].filter((c) => flags.includes(c) || (c === '.' && flags.includes('A'))).join('');
}

/**
 * Both sides' captures, normalised. A SYN without ACK opens a new connection
 * on its 4-tuple (a reused tuple is a new connection); the SYN-ACK and every
 * later segment of either direction on that tuple belong to it.
 */
export function normalizeSegments(segments: Record<Side, SegmentRecord[]>): Record<Side, NormSegment[]> {
  const all = SIDES.flatMap((side) => segments[side].map((s) => ({ side, s })));
  // Causal order: by time (the kernel's captures are stamped to the microsecond
  // by one clock); the sort is stable, so a side's own order survives ties.
  all.sort((a, b) => a.s.t - b.s.t);
  const tupleKey = (side: Side, s: SegmentRecord) => {
    const [local, remote] = [s.sport, s.dport];
    return { dir: `${side}:${local}>${remote}`, pair: side === 'client' ? `${local}|${remote}` : `${remote}|${local}` };
  };
  // Two passes: connections and their ISNs first, in causal order; then each
  // segment's numbers relative to the ISNs of its own connection, so that a tie
  // in the stamps (an ACK stamped with the SYN-ACK it answers) cannot make an
  // ACK count from an older connection's ISN.
  const isn = new Map<string, number>(); // connection number + direction key -> ISN of its sender
  const conns = new Map<string, number>(); // tuple pair -> current connection number
  let nextConn = 0;
  const placed: { side: Side; s: SegmentRecord; flags: string; conn: number; dir: string; peerDir: string }[] = [];
  for (const { side, s } of all) {
    const flags = canonicalFlags(s.flags);
    const { dir, pair } = tupleKey(side, s);
    const peer = side === 'client' ? 'server' : 'client';
    const peerDir = `${peer}:${s.dport}>${s.sport}`;
    if (flags.includes('S') && !flags.includes('.') && !s.rtx) conns.set(pair, nextConn++);
    const conn = conns.get(pair) ?? -1;
    if (flags.includes('S') && !isn.has(`${conn}/${dir}`)) isn.set(`${conn}/${dir}`, s.seq);
    placed.push({ side, s, flags, conn, dir, peerDir });
  }
  const out: Record<Side, NormSegment[]> = { client: [], server: [] };
  for (const { side, s, flags, conn, dir, peerDir } of placed) {
    out[side].push({
      conn,
      flags,
      seq: rel(s.seq, isn.get(`${conn}/${dir}`)),
      ack: flags.includes('.') ? rel(s.ack ?? 0, isn.get(`${conn}/${peerDir}`)) : null,
      len: s.len,
      rtx: s.rtx,
      t: s.t,
    });
  }
  return out;
}

/** tcpdump-like text of one segment: "F. seq 6 ack 1", "P. seq 1:6 ack 1", "S seq 0". */
export function segmentText(s: NormSegment): string {
  const seq = s.len > 0 ? `${s.seq}:${(s.seq + s.len) % MOD}` : `${s.seq}`;
  return `${s.flags} seq ${seq}${s.ack === null ? '' : ` ack ${s.ack}`}${s.rtx ? ' (rtx)' : ''}`;
}

/**
 * Consecutive copies of one segment (same flags, numbers and length; a
 * retransmission, or the same ACK sent again) kept once, the first copy.
 */
export function collapseRepeats(list: NormSegment[]): NormSegment[] {
  const out: NormSegment[] = [];
  const last = new Map<number, NormSegment>();
  for (const s of list) {
    const prev = last.get(s.conn);
    last.set(s.conn, s);
    if (prev && prev.flags === s.flags && prev.seq === s.seq && prev.ack === s.ack && prev.len === s.len) continue;
    out.push(s);
  }
  return out;
}

const key = (s: NormSegment) => `${s.flags}|${s.seq}|${s.ack}|${s.len}|${s.rtx}`;

/** What kind of segment difference; the known-differences table lists kinds. */
export type SegmentDiffKind =
  /** A bare ACK (no data, no SYN/FIN/RST) that one side sent and the other did not. */
  | 'bare-ack'
  /**
   * A bare ACK only the simulator sent, whose acknowledgment number its next
   * segment (data or FIN) carries again: Linux delayed that ACK and carried it
   * on the next segment instead (whether it can depends on how soon the
   * program writes or closes, so the kernel run may show either).
   */
  | 'ack-piggybacked'
  /** The same segment (flags, seq, length) acknowledging a different number. */
  | 'ack-value'
  /** A data segment one sent and the other did not (segmentation: Nagle, delayed ACKs, windows). */
  | 'data'
  /** A segment carrying FIN, SYN or RST one sent and the other did not. */
  | 'control'
  /** A whole connection one side's capture has and the other's lacks. */
  | 'connection';

export interface SegmentDiff {
  side: Side;
  conn: number;
  kind: SegmentDiffKind;
  /** Position in the kernel's list of this side and connection (or where the simulator's extra segment would go). */
  index: number;
  kernel: string | null;
  simulator: string | null;
}

function classify(s: NormSegment): SegmentDiffKind {
  if (/[SFR]/.test(s.flags)) return 'control';
  if (s.len > 0) return 'data';
  return 'bare-ack';
}

/** Longest-common-subsequence alignment of two segment lists: pairs of indexes (a null on one side = unmatched). */
function align(a: NormSegment[], b: NormSegment[]): [number | null, number | null][] {
  const n = a.length;
  const m = b.length;
  const ka = a.map(key);
  const kb = b.map(key);
  const w = m + 1;
  const dp = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * w + j] = ka[i] === kb[j] ? dp[(i + 1) * w + j + 1] + 1 : Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
    }
  }
  const out: [number | null, number | null][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) out.push([i++, j++]);
    else if (j >= m || (i < n && dp[(i + 1) * w + j] >= dp[i * w + j + 1])) out.push([i++, null]);
    else out.push([null, j++]);
  }
  return out;
}

/** Every segment difference between a kernel run and a simulator run, per side and connection. */
export function compareSegments(kernel: Record<Side, NormSegment[]>, sim: Record<Side, NormSegment[]>): SegmentDiff[] {
  const out: SegmentDiff[] = [];
  for (const side of SIDES) {
    const conns = [...new Set([...kernel[side], ...sim[side]].map((s) => s.conn))].sort((x, y) => x - y);
    for (const conn of conns) {
      const k = kernel[side].filter((s) => s.conn === conn);
      const m = sim[side].filter((s) => s.conn === conn);
      if (k.length === 0 || m.length === 0) {
        out.push({
          side,
          conn,
          kind: 'connection',
          index: 0,
          kernel: k.length ? `${k.length} segments, first ${segmentText(k[0])}` : null,
          simulator: m.length ? `${m.length} segments, first ${segmentText(m[0])}` : null,
        });
        continue;
      }
      const pairs = align(k, m);
      // Unmatched runs between matches: pair a kernel and a simulator segment
      // that differ only in their ack number; the rest are missing or extra.
      let pos = 0;
      let run: { ki: number[]; mi: number[] } = { ki: [], mi: [] };
      const flush = () => {
        const mi = [...run.mi];
        for (const ki of run.ki) {
          const ks = k[ki];
          const same = mi.findIndex((j) => m[j].flags === ks.flags && m[j].seq === ks.seq && m[j].len === ks.len && m[j].rtx === ks.rtx);
          if (same >= 0) {
            const [j] = mi.splice(same, 1);
            out.push({ side, conn, kind: 'ack-value', index: ki, kernel: segmentText(ks), simulator: segmentText(m[j]) });
          } else {
            out.push({ side, conn, kind: classify(ks), index: ki, kernel: segmentText(ks), simulator: null });
          }
        }
        for (const j of mi) {
          const next = m[j + 1];
          const piggy = classify(m[j]) === 'bare-ack' && next !== undefined && next.ack === m[j].ack && (next.len > 0 || next.flags.includes('F'));
          out.push({ side, conn, kind: piggy ? 'ack-piggybacked' : classify(m[j]), index: pos, kernel: null, simulator: segmentText(m[j]) });
        }
        run = { ki: [], mi: [] };
      };
      for (const [ki, mi] of pairs) {
        if (ki !== null && mi !== null) {
          flush();
          pos = ki + 1;
        } else if (ki !== null) run.ki.push(ki);
        else if (mi !== null) run.mi.push(mi);
      }
      flush();
    }
  }
  return out;
}

export function describeSegmentDiff(d: SegmentDiff): string {
  const conn = d.conn < 0 ? 'outside any connection' : `connection ${d.conn + 1}`;
  const what: Record<SegmentDiffKind, string> = {
    'bare-ack': 'bare ACK',
    'ack-piggybacked': 'bare ACK (Linux carries its acknowledgment on the next segment)',
    'ack-value': 'acknowledgment number',
    data: 'data segment',
    control: 'SYN/FIN/RST segment',
    connection: 'connection',
  };
  const verb = d.kind === 'ack-value' ? 'differs' : d.kernel === null ? 'only in the simulator' : d.simulator === null ? 'only in Linux' : 'differs';
  return `${d.side} segments, ${conn}, #${d.index + 1}: ${what[d.kind]} ${verb}`;
}
