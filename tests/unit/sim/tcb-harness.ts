// A host's TCP stack on its own, without a world: hand-made segments go in,
// the segments it sends, its state changes and its timers come out. The
// per-state tests (tcb-states.test.ts) drive one connection with it, in the
// manner of smoltcp's socket tests.
import type { Errno, TimerName } from '../../../types/closing-time.d.ts';
import { ACK, FIN, PSH, RST, SYN, SegPath, Segment, flagString, seqAdd } from '../../../src/sim/segment.ts';
import type { StackEnv, Waiter } from '../../../src/sim/tcp/env.ts';
import { profileParams } from '../../../src/sim/tcp/params.ts';
import { Stack } from '../../../src/sim/tcp/stack.ts';
import type { Tcb } from '../../../src/sim/tcp/tcb.ts';
import type { TimerTarget } from '../../../src/sim/tcp/timers.ts';
import { TimeWait } from '../../../src/sim/tcp/timewait.ts';

export const LOCAL_IP = '10.0.0.1';
export const PEER_IP = '10.0.0.2';
export const PEER_PORT = 40_000;
/** The peer's initial sequence number in every test. */
export const PEER_ISS = 1_000_000;

interface PendingTimer {
  target: TimerTarget;
  at: number;
  gen: number;
  dead: boolean;
}

export interface TestWaiter extends Waiter {
  value?: unknown;
  errno?: Errno;
}

/** The world as far as one stack sees it: a clock, timer events, a wire and waiters. */
export class FakeEnv implements StackEnv {
  t = 0;
  readonly sent: Segment[] = [];
  /** "FROM->TO cause" per state change, in order. */
  readonly states: string[] = [];
  /** "kind action" per timer event, in order. */
  readonly timerLog: string[] = [];
  readonly notes: string[] = [];
  private timers: PendingTimer[] = [];
  private seed = 12_345;
  readonly tracing = true;
  readonly tracingState = true;
  readonly tracingTimer = true;

  now(): number {
    return this.t;
  }
  scheduleTimer(target: TimerTarget, at: number, gen: number): object {
    const p: PendingTimer = { target, at: Math.max(at, this.t), gen, dead: false };
    this.timers.push(p);
    return p;
  }
  cancelTimer(handle: object): void {
    (handle as PendingTimer).dead = true;
  }
  transmit(seg: Segment): void {
    this.sent.push(seg);
  }
  wake<T>(w: Waiter<T>, value: T): void {
    w.settled = true;
    (w as TestWaiter).value = value;
  }
  fail(w: Waiter<any>, code: Errno): void {
    w.settled = true;
    (w as TestWaiter).errno = code;
  }
  traceState(_host: string, _id: number, _l: string, _r: string, from: string, to: string, cause: string): void {
    this.states.push(`${from}->${to} ${cause}`);
  }
  traceTimer(_host: string, _id: number, _l: string, _r: string, timer: TimerName, action: string): void {
    this.timerLog.push(`${timer} ${action}`);
  }
  note(_level: string, text: string): void {
    this.notes.push(text);
  }
  policyError(error: unknown): void {
    throw error;
  }
  random32(): number {
    this.seed = (Math.imul(this.seed, 1_103_515_245) + 12_345) >>> 0;
    return this.seed;
  }

  /** Moves the clock to `until`, firing the timers due on the way, in time order (as the engine does). */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let next: PendingTimer | null = null;
      for (const p of this.timers) if (!p.dead && p.at <= until && (!next || p.at < next.at)) next = p;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      if (next.target.idle(next.gen)) continue;
      this.t = next.at;
      next.target.fire();
    }
    this.t = until;
  }
}

/** One stack at LOCAL_IP and a scripted peer at PEER_IP: the peer's segments are written by hand. */
export class Bench {
  readonly env = new FakeEnv();
  readonly stack: Stack;
  private ids = 1;
  /** The peer's next sequence number (what its next segment carries). */
  peerNxt = seqAdd(PEER_ISS, 1);
  private readonly path = new SegPath('peer', PEER_IP, 'host', LOCAL_IP);

  constructor(sysctls: Record<string, number> = {}) {
    this.stack = new Stack('host', LOCAL_IP, this.env, profileParams('linux', 120_000), () => this.ids++, () => 'peer');
    this.stack.host = {};
    for (const [k, v] of Object.entries(sysctls)) this.stack.setSysctl(k as never, v as never);
  }

  waiter(what: string): TestWaiter {
    return { what, settled: false, n: 65_535 };
  }

  /** The last segment the stack sent. */
  get last(): Segment {
    const s = this.env.sent.at(-1);
    if (!s) throw new Error('the stack sent nothing');
    return s;
  }

  /** Segments sent since `mark` (an index into env.sent), as "flags seq ack len" relative to nothing: flags only. */
  flagsSince(mark: number): string[] {
    return this.env.sent.slice(mark).map((s) => flagString(s.bits));
  }

  /** A segment from the peer. Defaults: the peer's next sequence number, ACKing what the stack last sent, a 65535-byte window. */
  segment(flags: string, opts: { seq?: number; ack?: number; data?: string; port?: number; localPort?: number; ts?: [number, number]; win?: number } = {}): Segment {
    let bits = 0;
    for (const ch of flags) bits |= ch === 'S' ? SYN : ch === 'F' ? FIN : ch === 'R' ? RST : ch === 'P' ? PSH : ch === '.' ? ACK : 0;
    const last = this.env.sent.at(-1);
    const ack = opts.ack ?? (last ? seqAdd(last.seq32, last.seqLen) : 0);
    return new Segment(
      this.path,
      opts.port ?? PEER_PORT,
      opts.localPort ?? this.localPort,
      opts.seq ?? this.peerNxt,
      bits & ACK ? ack : 0,
      bits,
      opts.win ?? 65_535,
      opts.data ?? '',
      opts.ts?.[0],
      opts.ts?.[1],
      false,
      undefined,
    );
  }

  /** Delivers a segment from the peer; the peer's sequence number moves past it. */
  receive(seg: Segment): void {
    this.peerNxt = seqAdd(seg.seq32, seg.seqLen);
    this.stack.deliver(seg);
  }

  /** The local port of the connection under test. */
  localPort = 80;

  // ------------------------------------------------------------ set-ups

  /** A socket that called connect(): SYN_SENT, its SYN sent. */
  synSent(): { sk: Tcb; connect: TestWaiter } {
    const sk = this.stack.socket('client');
    const connect = this.waiter('connect');
    this.stack.connect(sk, PEER_IP, PEER_PORT, connect);
    this.localPort = sk.localPort;
    return { sk, connect };
  }

  /** An active opener whose handshake completed: ESTABLISHED. */
  established(): Tcb {
    const { sk } = this.synSent();
    this.receive(this.segment('S.', { seq: PEER_ISS }));
    if (sk.state !== 'ESTABLISHED') throw new Error(`set-up: expected ESTABLISHED, got ${sk.state}`);
    return sk;
  }

  /** A listener on port 80. */
  listener(): Tcb {
    const l = this.stack.socket('server');
    l.reuse = true;
    this.stack.bind(l, '0.0.0.0', 80);
    this.stack.listen(l, 16);
    this.localPort = 80;
    return l;
  }

  /** The connection a SYN made on the listener: SYN_RECEIVED, its SYN,ACK sent. */
  synReceived(l = this.listener()): Tcb {
    const before = new Set(this.stack.allSockets());
    this.receive(this.segment('S', { seq: PEER_ISS }));
    const child = this.stack.allSockets().find((s) => !before.has(s));
    if (!child || child.state !== 'SYN_RECEIVED') throw new Error('set-up: no SYN_RECEIVED child');
    return child as Tcb;
  }

  /** ESTABLISHED, then the peer's FIN: CLOSE_WAIT. */
  closeWait(): Tcb {
    const sk = this.established();
    this.receive(this.segment('F.'));
    return sk;
  }

  /** ESTABLISHED, then shutdown(SHUT_WR) (the fd stays open): FIN_WAIT_1 with our FIN in flight. */
  finWait1(): Tcb {
    const sk = this.established();
    this.stack.shutdown(sk, false, true);
    return sk;
  }

  /** Our FIN ACKed, the fd still open: FIN_WAIT_2 as a full socket. */
  finWait2(): Tcb {
    const sk = this.finWait1();
    this.receive(this.segment('.'));
    return sk;
  }

  /** The minisock (TIME_WAIT or orphaned FIN_WAIT_2) of the connection under test, if any. */
  minisock(): TimeWait | undefined {
    return this.stack.allSockets().find((s): s is TimeWait => s instanceof TimeWait && s.localPort === this.localPort);
  }
}
