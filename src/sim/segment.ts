import type { Endpoint, SegmentInfo, TcpState } from '../../types/closing-time.d.ts';

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;

/** 32-bit sequence arithmetic (RFC 9293 §3.4): a < b in sequence space. */
export const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
export const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
export const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;
export const seqGe = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
/** Sequence numbers are kept as int32 inside the simulator (V8 small integers: no boxed doubles); the trace shows them unsigned. */
export const seqAdd = (a: number, n: number): number => (a + n) | 0;
export const seqDiff = (a: number, b: number): number => (a - b) | 0;

const RETRANS_BIT = 1 << 24;
const TS_BIT = 1 << 25;

let nextSegId = 1;
export function resetSegmentIds(): void {
  nextSegId = 1;
}

/** The states, in the order a segment packs its sender's state (index + 1; 0 for none). */
const STATES: readonly TcpState[] = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
];
const STATE_SHIFT = 26;
/** STATES index + 1, shifted into place. */
const STATE_CODES = new Map<TcpState, number>(STATES.map((st, i) => [st, (i + 1) << STATE_SHIFT]));
const stateCode = (st: TcpState | undefined): number => (st === undefined ? 0 : STATE_CODES.get(st)!);

/**
 * Who a segment goes from and to, by name and address. Immutable, and shared
 * by the segments a socket sends while its addresses stay the same: a segment
 * in flight is a few words smaller (a busy run has tens of thousands in flight,
 * and they are most of what the garbage collector copies).
 */
export class SegPath {
  /**
   * The host that delivery hands this path's segments to, set by the engine
   * when it routes one (an address's host never changes once it exists, so
   * every segment of the path in flight has the same one).
   */
  dst: unknown = null;
  constructor(
    readonly srcHost: string,
    readonly srcIp: string,
    readonly dstHost: string,
    readonly dstIp: string,
  ) {}
}

/**
 * One TCP segment on the wire. Immutable once sent: a duplicated segment is
 * the same object delivered twice. It is also the trace's SegmentInfo, with
 * the derived fields computed only when somebody reads them.
 */
export class Segment implements SegmentInfo {
  readonly id: number;
  /**
   * Sequence and acknowledgment numbers as int32 (see seqAdd), the form the
   * stacks compute with; `seq` and `ack` give them unsigned, as the trace shows
   * them. (Throughout the simulator a `32` suffix marks the int32 form of a
   * number that also has an unsigned view.)
   */
  readonly seq32: number;
  readonly ack32: number;
  /** Timestamp option values as int32 (valid when hasTs); `tsval` and `tsecr` give them unsigned. */
  readonly tsval32: number;
  readonly tsecr32: number;
  /** Source port << 16 | destination port. */
  private readonly ports: number;
  /**
   * Flag bits (low 8), window (next 16), the retransmission and timestamp bits,
   * then the sender's state (STATES index + 1, 4 bits): one small integer.
   */
  private readonly fw: number;
  constructor(
    readonly path: SegPath,
    srcPort: number,
    dstPort: number,
    seq: number,
    ack: number,
    bits: number,
    win: number,
    readonly data: string,
    tsval: number | undefined,
    tsecr: number | undefined,
    retransmission: boolean,
    /** State of the sending socket when it left (for fault rules and the trace). */
    senderState: TcpState | undefined,
  ) {
    this.id = nextSegId++;
    this.seq32 = seq | 0;
    this.ack32 = ack | 0;
    this.tsval32 = tsval === undefined ? 0 : tsval | 0;
    this.tsecr32 = tsecr === undefined ? 0 : tsecr | 0;
    this.ports = (srcPort << 16) | dstPort;
    this.fw =
      (bits & 0xff) |
      ((win & 0xffff) << 8) |
      (retransmission ? RETRANS_BIT : 0) |
      (tsval !== undefined ? TS_BIT : 0) |
      stateCode(senderState);
  }
  get srcHost(): string {
    return this.path.srcHost;
  }
  get srcIp(): string {
    return this.path.srcIp;
  }
  get dstHost(): string {
    return this.path.dstHost;
  }
  get dstIp(): string {
    return this.path.dstIp;
  }
  get senderState(): TcpState | undefined {
    const c = (this.fw >>> STATE_SHIFT) & 15;
    return c === 0 ? undefined : STATES[c - 1];
  }
  get srcPort(): number {
    return this.ports >>> 16;
  }
  get dstPort(): number {
    return this.ports & 0xffff;
  }
  get bits(): number {
    return this.fw & 0xff;
  }
  get win(): number {
    return (this.fw >>> 8) & 0xffff;
  }
  get retransmission(): boolean {
    return (this.fw & RETRANS_BIT) !== 0;
  }
  /** The timestamp option is present. */
  get hasTs(): boolean {
    return (this.fw & TS_BIT) !== 0;
  }
  get seq(): number {
    return this.seq32 >>> 0;
  }
  get ack(): number {
    return this.ack32 >>> 0;
  }
  get tsval(): number | undefined {
    return this.hasTs ? this.tsval32 >>> 0 : undefined;
  }
  get tsecr(): number | undefined {
    return this.hasTs ? this.tsecr32 >>> 0 : undefined;
  }
  get len(): number {
    return this.data.length;
  }
  /** Sequence space the segment occupies: data plus one for SYN and one for FIN. */
  get seqLen(): number {
    return this.data.length + (this.bits & SYN ? 1 : 0) + (this.bits & FIN ? 1 : 0);
  }
  get syn(): boolean {
    return (this.bits & SYN) !== 0;
  }
  get fin(): boolean {
    return (this.bits & FIN) !== 0;
  }
  get rst(): boolean {
    return (this.bits & RST) !== 0;
  }
  get ackFlag(): boolean {
    return (this.bits & ACK) !== 0;
  }
  get flags(): string {
    return flagString(this.bits);
  }
  get src(): Endpoint {
    return { host: this.srcHost, ip: this.srcIp, port: this.srcPort };
  }
  get dst(): Endpoint {
    return { host: this.dstHost, ip: this.dstIp, port: this.dstPort };
  }
  toJSON(): SegmentInfo {
    const o: any = {
      id: this.id,
      src: this.src,
      dst: this.dst,
      seq: this.seq,
      ack: this.ack,
      flags: this.flags,
      syn: this.syn,
      fin: this.fin,
      rst: this.rst,
      ackFlag: this.ackFlag,
      win: this.win,
      len: this.len,
      data: this.data,
      retransmission: this.retransmission,
    };
    if (this.tsval !== undefined) {
      o.tsval = this.tsval;
      o.tsecr = this.tsecr;
    }
    return o;
  }
}

/** tcpdump's flag letters: S F R P, '.' for ACK. */
export function flagString(bits: number): string {
  let s = '';
  if (bits & SYN) s += 'S';
  if (bits & FIN) s += 'F';
  if (bits & RST) s += 'R';
  if (bits & PSH) s += 'P';
  if (bits & ACK) s += '.';
  return s || 'none';
}

/** Parses a fault rule's flags: letters S F R P A (or '.'); '=' prefix for an exact set. */
export function parseFlagPattern(p: string): { bits: number; exact: boolean } {
  let exact = false;
  let s = p.trim();
  if (s.startsWith('=')) {
    exact = true;
    s = s.slice(1);
  }
  let bits = 0;
  for (const ch of s.toUpperCase()) {
    if (ch === 'S') bits |= SYN;
    else if (ch === 'F') bits |= FIN;
    else if (ch === 'R') bits |= RST;
    else if (ch === 'P') bits |= PSH;
    else if (ch === 'A' || ch === '.') bits |= ACK;
    else if (ch === ' ' || ch === ',' || ch === '|' || ch === '+') continue;
    else throw new Error(`unknown TCP flag '${ch}' in "${p}": use S, F, R, P, A (or '.')`);
  }
  return { bits, exact };
}
