import type { Errno, Linger, TcpState } from '../../../types/closing-time.d.ts';
import { ACK, FIN, PSH, RST, SYN, SegPath, Segment, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../segment.ts';
import type { Waiter } from './env.ts';
import { MAX_WINDOW, MSS, OOW_RATELIMIT_MS, TCP_RTO_MAX, TCP_RTO_MIN, TCP_TIMEOUT_INIT } from './params.ts';
import type { Stack } from './stack.ts';
import { checkTransition, transition } from './transitions.ts';

type TimerKind = 'retransmit' | 'persist' | null;

const NO_LINGER: Linger = Object.freeze({ onoff: false, linger: 0 });

/**
 * The shared empty queue every socket starts with (most sockets never use most
 * of their queues; an array each would be most of a socket's size). It cannot
 * grow: code that adds to a queue first gives the socket its own array, and a
 * place that forgot would throw rather than share data between sockets.
 */
export const NONE: unknown[] = Object.preventExtensions([]);
export const none = <T>(): T[] => NONE as T[];

/**
 * A full TCP socket (Linux's struct tcp_sock, reduced). One state field, one
 * function for an incoming segment (`input`, ordered as RFC 9293 §3.10.7.4),
 * one function that decides what to send (`output`), one timer slot. User
 * calls change state and then call `output`.
 */
export class Tcb {
  state: TcpState = 'CLOSED';
  localIp = '0.0.0.0';
  localPort = 0;
  remoteIp = '';
  remotePort = 0;
  remoteHost = '';
  /** Its place in the stack's connection table once connected: peer (Stack.peerOf) and ports. */
  peer = 0;
  key = 0;
  /** Order of entry into the connection table (ConnTable). */
  stamp = 0;
  /** Index in its port's bind bucket (Stack.addOwner), or -1. */
  bindIdx = -1;

  // Options
  /** Replaced, never mutated: sockets share the default. */
  linger: Linger = NO_LINGER;
  rcvBufSize = 65_535;
  sndBufSize = 65_535;
  backlog = 0;

  // Socket flags (Linux sk_shutdown, SOCK_DEAD, SOCK_DONE, sk_err)
  err: Errno | null = null;
  /** The host's incarnation the socket belongs to: a crash ends every socket of the host at once. */
  readonly epoch: number;
  /** The fd was closed by the application (close() returned or is lingering), or the host crashed since. */
  get fdClosed(): boolean {
    return this.fdShut || this.epoch !== this.stack.epoch;
  }
  set fdClosed(v: boolean) {
    this.fdShut = v;
  }

  // Send side (RFC 9293 §3.3.1)
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /**
   * Data from sndUna on (sent-unacknowledged, then unsent), as the strings the
   * application sent: appending never copies what is queued (a string built
   * with += would be flattened, copied whole, by the next substr).
   */
  sqLen = 0;
  private sqParts: string[] = none();
  /** The parts still queued are sqParts[sqHead .. sqTail): the array is reused, not spliced. */
  private sqHead = 0;
  private sqTail = 0;
  /** Bytes of sqParts[sqHead] already acknowledged. */
  private sqOff = 0;
  /** Sequence number of our FIN once sent (finSent). */
  finSeq = 0;
  cwnd = 10;

  // Receive side
  irs = 0;
  rcvNxt = 0;
  rq: string[] = none();
  rqBytes = 0;
  /** Out-of-order segments, sorted by sequence number, and the bytes they hold. */
  ooo: Segment[] = none();
  oooBytes = 0;
  lastAdvWnd = 0;

  // Timestamps (RFC 7323)
  /** Last timestamp from the peer (int32), valid once tsSeen. */
  tsRecent = 0;
  tsRecentStamp = 0;
  /** Linux secure_tcp_ts_off for this peer, computed on first use (tsOffsetSet). */
  tsOffset = 0;

  // Retransmission (RFC 6298 with Linux's 200 ms floor)
  srtt = 0;
  rttvar = 0;
  rto = TCP_TIMEOUT_INIT;
  retries = 0;
  probes = 0;
  /** The segment being timed for an RTT sample ends here (rttOn). */
  rttSeq = 0;
  rttTime = 0;
  timer: TimerKind = null;
  timerAt = 0;
  timerGen = 0;
  /** Time of the earliest scheduled engine event for this timer (lazy re-arming). */
  timerEvAt = -1; // -1: none (a small integer: Infinity would be a boxed number in every socket)
  /** That event, while it is pending (see StackEnv.cancelTcbTimer). */
  private timerEv: object | null = null;

  // Listener
  parent: Tcb | null = null;
  acceptQueue: Tcb[] = none();
  synQueue = 0;

  // Waiters
  connectWaiter: Waiter | null = null;
  recvWaiters: Waiter[] = none();
  sendWaiters: { w: Waiter; data: string; done: number }[] = none();
  acceptWaiters: Waiter[] = none();
  lingerWaiter: Waiter | null = null;

  /** Process that owns the fd, for ss. */
  owner = '';
  /** The peer's socket that took our last segment (see Stack.deliver): the peer stack's to read and write. */
  peerHint: unknown = null;
  /** The addresses of the segments it sends (shared by them while the addresses stay the same). */
  private txPath: SegPath | null = null;

  /** The socket's yes/no state in one small integer (see the accessors below): a socket has sixteen of them. */
  private bf = 0;
  private setBit(bit: number, v: boolean): void {
    this.bf = v ? this.bf | bit : this.bf & ~bit;
  }
  /** In the stack's connection table under `key` (not yet, or no longer: closed, or handed to a minisock). */
  get hashed(): boolean {
    return (this.bf & 1) !== 0;
  }
  set hashed(v: boolean) {
    this.setBit(1, v);
  }
  /** Bound with bind() (Linux: bind bucket fastreuse >= 0), as opposed to autobind by connect(). */
  get boundByBind(): boolean {
    return (this.bf & 2) !== 0;
  }
  set boundByBind(v: boolean) {
    this.setBit(2, v);
  }
  get bound(): boolean {
    return (this.bf & 4) !== 0;
  }
  set bound(v: boolean) {
    this.setBit(4, v);
  }
  get reuse(): boolean {
    return (this.bf & 8) !== 0;
  }
  set reuse(v: boolean) {
    this.setBit(8, v);
  }
  get reuseport(): boolean {
    return (this.bf & 16) !== 0;
  }
  set reuseport(v: boolean) {
    this.setBit(16, v);
  }
  /** Socket flags (Linux sk_shutdown, SOCK_DEAD as orphan). */
  get shutRd(): boolean {
    return (this.bf & 32) !== 0;
  }
  set shutRd(v: boolean) {
    this.setBit(32, v);
  }
  get shutWr(): boolean {
    return (this.bf & 64) !== 0;
  }
  set shutWr(v: boolean) {
    this.setBit(64, v);
  }
  get orphan(): boolean {
    return (this.bf & 128) !== 0;
  }
  set orphan(v: boolean) {
    this.setBit(128, v);
  }
  get finQueued(): boolean {
    return (this.bf & 256) !== 0;
  }
  set finQueued(v: boolean) {
    this.setBit(256, v);
  }
  /** Our FIN was sent (finSeq is its sequence number). */
  get finSent(): boolean {
    return (this.bf & 512) !== 0;
  }
  set finSent(v: boolean) {
    this.setBit(512, v);
  }
  get finRcvd(): boolean {
    return (this.bf & 1024) !== 0;
  }
  set finRcvd(v: boolean) {
    this.setBit(1024, v);
  }
  get tsOn(): boolean {
    return (this.bf & 2048) !== 0;
  }
  set tsOn(v: boolean) {
    this.setBit(2048, v);
  }
  /** tsRecent holds a timestamp from the peer. */
  get tsSeen(): boolean {
    return (this.bf & 4096) !== 0;
  }
  set tsSeen(v: boolean) {
    this.setBit(4096, v);
  }
  /** tsOffset is computed. */
  get tsOffsetSet(): boolean {
    return (this.bf & 8192) !== 0;
  }
  set tsOffsetSet(v: boolean) {
    this.setBit(8192, v);
  }
  /** A segment is being timed (rttSeq). */
  get rttOn(): boolean {
    return (this.bf & 16384) !== 0;
  }
  set rttOn(v: boolean) {
    this.setBit(16384, v);
  }
  /** close() was called on the fd (see fdClosed). */
  private get fdShut(): boolean {
    return (this.bf & 32768) !== 0;
  }
  private set fdShut(v: boolean) {
    this.setBit(32768, v);
  }

  constructor(
    readonly stack: Stack,
    readonly id: number,
    /** The file descriptor; an accepted connection gets one from accept(). */
    public fd: number,
    /** LISTEN for a connection made from a listener's SYN (see Stack.synToListener and the LISTEN -> SYN_RECEIVED edge). */
    state: 'CLOSED' | 'LISTEN' = 'CLOSED',
  ) {
    this.epoch = stack.epoch;
    this.state = state;
  }

  get local(): string {
    return `${this.localIp}:${this.localPort}`;
  }
  get remote(): string {
    return this.remoteIp ? `${this.remoteIp}:${this.remotePort}` : '*:*';
  }

  // ---------------------------------------------------------------- state

  /**
   * The one writer of `state` after construction: the edge is checked against
   * the table and traced (transitions.ts). What a new state entails (timers,
   * tables, waiters) is setState's; a socket handed to a minisock takes only
   * this (Stack.toMinisock).
   */
  moveState(to: TcpState, cause: string): void {
    const from = this.state;
    this.state = to;
    transition(this.stack.env, this.stack.name, this, from, to, cause);
  }

  /**
   * The fd's view of a connection a TIME_WAIT minisock took over ends (the
   * minisock died, or the fd was closed): the state follows without a trace
   * line of its own, since the minisock's line is the connection's.
   */
  leaveMinisock(cause: string): void {
    checkTransition(this.stack.name, this, this.state, 'CLOSED', cause);
    this.state = 'CLOSED';
  }

  setState(to: TcpState, cause: string): void {
    if (this.state === to) return;
    this.moveState(to, cause);
    if (to === 'CLOSED') {
      this.setTimerNull();
      this.stack.unhash(this);
    }
    this.wakeLinger();
  }

  /** Linux tcp_done: the connection is over; wake every waiter. */
  done(cause: string): void {
    this.setTimer(null, 0);
    this.sqClear();
    this.shutRd = true;
    this.shutWr = true;
    this.setState('CLOSED', cause);
    this.wakeAll();
  }

  /** Linux tcp_reset: a valid RST arrived. */
  reset(): void {
    if (this.state === 'SYN_SENT') this.err = 'ECONNREFUSED';
    else if (this.state === 'CLOSE_WAIT') this.err = 'EPIPE';
    else if (this.state !== 'CLOSED') this.err = 'ECONNRESET';
    if (this.state === 'SYN_RECEIVED' && this.parent) {
      // A request socket reset before it was accepted just goes away.
      this.parent.synQueue--;
      this.parent = null;
    }
    this.done('rcv RST');
  }

  // ---------------------------------------------------------------- timers

  /**
   * The connection is over for this socket (CLOSED, or handed to a minisock): the
   * timer stops and its pending engine event is disarmed, so it keeps nothing alive.
   */
  setTimerNull(): void {
    this.setTimer(null, 0);
    this.timerGen++;
    this.timerEvAt = -1;
    this.dropTimerEvent();
  }

  armRetransmit(): void {
    if (this.timer !== 'retransmit') this.setTimer('retransmit', this.stack.env.now() + this.backedOffRto());
  }

  /**
   * Lazy timers, as Linux's sk_reset_timer and a timer wheel would have it: stopping
   * a timer leaves its engine event pending, and the engine skips it (idleTimerEvent).
   * Setting a timer schedules an event only when none is pending at or before the new
   * expiry: a pending earlier event re-arms itself for the rest (onTimer). A socket
   * whose timer is stopped and set again for every segment it sends (the retransmit
   * timer of a request/response connection) schedules one event, not one per segment.
   */
  private setTimer(kind: TimerKind, at: number): void {
    const env = this.stack.env;
    if (kind === null) {
      if (this.timer && env.tracingTimer) env.traceTimer(this.stack.name, this.id, this.local, this.remote, this.timer, 'cancel');
      this.timer = null;
      return;
    }
    const fresh = this.timer !== kind;
    this.timer = kind;
    this.timerAt = at;
    if (fresh && env.tracingTimer) env.traceTimer(this.stack.name, this.id, this.local, this.remote, kind, 'set', at);
    if (this.timerEvAt < 0 || at < this.timerEvAt) {
      this.timerGen++;
      this.timerEvAt = at;
      this.dropTimerEvent();
      this.timerEv = env.scheduleTcbTimer(this, at, this.timerGen);
    }
  }

  /** The pending engine event is superseded: it must neither fire nor keep this socket alive. */
  private dropTimerEvent(): void {
    if (this.timerEv) {
      this.stack.env.cancelTcbTimer(this.timerEv);
      this.timerEv = null;
    }
  }

  /**
   * Whether the engine event with this generation has nothing to do: superseded, or
   * its timer was stopped. The engine then drops it without moving the clock.
   */
  idleTimerEvent(gen: number): boolean {
    if (gen !== this.timerGen) return true;
    if (this.timer !== null) return false;
    this.timerEv = null;
    this.timerEvAt = -1;
    return true;
  }

  /** The timer's engine event came up, and is live: the engine drops idle ones first (idleTimerEvent). */
  onTimer(): void {
    this.timerEv = null; // this event is being handled: its handle is no longer ours
    this.timerEvAt = -1;
    const now = this.stack.env.now();
    if (now < this.timerAt) {
      this.timerGen++;
      this.timerEvAt = this.timerAt;
      this.timerEv = this.stack.env.scheduleTcbTimer(this, this.timerAt, this.timerGen);
      return;
    }
    const kind = this.timer!;
    this.timer = null;
    const env = this.stack.env;
    if (env.tracingTimer) env.traceTimer(this.stack.name, this.id, this.local, this.remote, kind, 'fire');
    if (kind === 'retransmit') this.onRetransmitTimer();
    else this.onPersistTimer();
  }

  private retryLimit(): number {
    const s = this.stack;
    if (this.state === 'SYN_SENT') return s.sysctl('net.ipv4.tcp_syn_retries');
    if (this.state === 'SYN_RECEIVED') return s.sysctl('net.ipv4.tcp_synack_retries');
    if (this.orphan) return s.sysctl('net.ipv4.tcp_orphan_retries') || 8; // tcp_orphan_retries(): 0 means 8
    return s.sysctl('net.ipv4.tcp_retries2');
  }

  private backedOffRto(): number {
    return Math.min(this.rto * 2 ** this.retries, TCP_RTO_MAX);
  }

  /** Linux tcp_retransmit_timer / tcp_write_timeout. */
  private onRetransmitTimer(): void {
    if (this.retries >= this.retryLimit()) {
      // tcp_write_err: the connection fails quietly (no RST is sent).
      this.err = 'ETIMEDOUT';
      if (this.state === 'SYN_RECEIVED' && this.parent) {
        this.parent.synQueue--;
        this.parent = null;
      }
      this.stack.env.note('info', `${this.local} > ${this.remote}: gave up after ${this.retries} retransmissions (ETIMEDOUT)`, this.stack.name);
      this.done('retransmission timeout');
      return;
    }
    this.retries++;
    this.rttOn = false; // Karn: no RTT sample from a retransmitted segment
    if (this.state === 'SYN_SENT') this.sendSyn(false, true);
    else if (this.state === 'SYN_RECEIVED') this.sendSyn(true, true);
    else {
      this.sndNxt = this.sndUna;
      this.cwnd = 1;
      this.output();
    }
    this.setTimer('retransmit', this.stack.env.now() + this.backedOffRto());
  }

  /** Zero-window probe (Linux tcp_probe_timer / tcp_write_wakeup). */
  private onPersistTimer(): void {
    if (this.sndWnd > 0 || this.sqLen === 0) {
      this.output();
      return;
    }
    if (this.probes >= this.retryLimit()) {
      this.err = 'ETIMEDOUT';
      this.done('zero-window probes unanswered');
      return;
    }
    this.probes++;
    // seq = snd_una - 1: an old byte, so the peer answers with an ACK carrying its window.
    this.emit(seqAdd(this.sndUna, -1), ACK, '', false);
    this.setTimer('persist', this.stack.env.now() + Math.min(this.rto * 2 ** this.probes, TCP_RTO_MAX));
  }

  setTsRecent(v: number): void {
    this.tsRecent = v | 0;
    this.tsSeen = true;
  }

  private setTsOffset(): number {
    this.tsOffsetSet = true;
    return (this.tsOffset = this.stack.tsval(this.remoteIp, 0) | 0);
  }

  // ---------------------------------------------------------------- send queue

  sqAppend(d: string): void {
    if (d.length === 0) return;
    if (this.sqParts === NONE) {
      this.sqParts = [d]; // sized to what it holds: most sockets queue one string at a time
      this.sqTail = 1;
    } else this.sqParts[this.sqTail++] = d;
    this.sqLen += d.length;
  }

  /** `n` queued bytes from offset `off` (from sndUna). */
  private sqSlice(off: number, n: number): string {
    const parts = this.sqParts;
    let i = this.sqHead;
    off += this.sqOff;
    while (off >= parts[i]!.length) off -= parts[i++]!.length;
    let p = parts[i]!;
    if (off + n <= p.length) return off === 0 && n === p.length ? p : p.substr(off, n);
    let out = p.substr(off);
    while (out.length < n) {
      p = parts[++i]!;
      out += p.length <= n - out.length ? p : p.substr(0, n - out.length);
    }
    return out;
  }

  private sqDrop(n: number): void {
    const parts = this.sqParts;
    this.sqLen -= n;
    n += this.sqOff;
    let k = this.sqHead;
    while (k < this.sqTail && n >= parts[k]!.length) {
      n -= parts[k]!.length;
      parts[k++] = ''; // let the string go
    }
    if (k === this.sqTail) {
      this.sqHead = this.sqTail = this.sqOff = 0;
      return;
    }
    this.sqOff = n;
    this.sqHead = k;
    if (k > 64 && k * 2 > this.sqTail) {
      // Mostly acknowledged parts in front: move the rest down.
      parts.copyWithin(0, k, this.sqTail);
      parts.fill('', this.sqTail - k, this.sqTail);
      this.sqTail -= k;
      this.sqHead = 0;
    }
  }

  sqClear(): void {
    if (this.sqTail) this.sqParts.fill('', 0, this.sqTail);
    this.sqHead = this.sqTail = this.sqOff = 0;
    this.sqLen = 0;
  }

  // ---------------------------------------------------------------- output

  rcvWnd(): number {
    const queued = this.rqBytes + this.oooBytes;
    return Math.max(0, Math.min(this.rcvBufSize - queued, MAX_WINDOW));
  }

  private emit(seq: number, bits: number, data: string, retrans: boolean): void {
    const s = this.stack;
    const now = s.env.now();
    const win = (bits & SYN) && !(bits & ACK) ? Math.min(this.rcvBufSize, MAX_WINDOW) : this.rcvWnd();
    this.lastAdvWnd = win;
    const ts = this.tsOn || ((bits & SYN) && !(bits & ACK) && s.sysctl('net.ipv4.tcp_timestamps') === 1);
    let path = this.txPath;
    if (path === null || path.srcIp !== this.localIp || path.dstIp !== this.remoteIp || path.dstHost !== this.remoteHost) {
      path = this.txPath = new SegPath(s.name, this.localIp, this.remoteHost, this.remoteIp);
    }
    const seg = new Segment(
      path,
      this.localPort,
      this.remotePort,
      seq,
      bits & ACK ? this.rcvNxt : 0,
      bits,
      win,
      data,
      ts ? (this.tsOffsetSet ? this.tsOffset : this.setTsOffset()) + now : undefined,
      ts ? (this.tsSeen ? this.tsRecent : 0) : undefined,
      retrans,
      this.state,
    );
    seg.from = this;
    seg.hint = this.peerHint;
    s.env.transmit(seg, s);
  }

  sendAck(): void {
    this.emit(this.sndNxt, ACK, '', false);
  }

  /** Last out-of-window or challenge ACK (Linux last_oow_ack_time). */
  private oowAckAt = -OOW_RATELIMIT_MS;

  /**
   * An ACK for an unacceptable segment. Linux (tcp_oow_rate_limited) sends at most
   * one per tcp_invalid_ratelimit (500 ms) in reply to segments without data or SYN,
   * which is what stops two stacks from ACKing each other's ACKs forever.
   */
  sendOowAck(seg: Segment): void {
    if (seg.seqLen === 0 || seg.syn) {
      const now = this.stack.env.now();
      if (now - this.oowAckAt < OOW_RATELIMIT_MS) return;
      this.oowAckAt = now;
    }
    this.sendAck();
  }

  sendSyn(withAck: boolean, retrans: boolean): void {
    // The handshake gives the first RTT sample (Linux tcp_synack_rtt_meas / tcp_ack_update_rtt),
    // unless the SYN was retransmitted (Karn).
    if (!retrans) {
      this.rttSeq = seqAdd(this.iss, 1);
      this.rttOn = true;
      this.rttTime = this.stack.env.now();
    } else this.rttOn = false;
    this.emit(this.iss, withAck ? SYN | ACK : SYN, '', retrans);
  }

  /** Sends RST from this socket's current sequence (Linux tcp_send_active_reset). */
  sendActiveReset(): void {
    this.emit(this.sndNxt, RST | ACK, '', false);
  }

  /** Sends whatever the window, the congestion window and the queue allow. */
  output(): void {
    const st = this.state;
    if (st !== 'ESTABLISHED' && st !== 'CLOSE_WAIT' && st !== 'FIN_WAIT_1' && st !== 'CLOSING' && st !== 'LAST_ACK') return;
    const dataEnd = seqAdd(this.sndUna, this.sqLen);
    for (;;) {
      if (seqDiff(this.sndNxt, this.sndUna) >= this.cwnd * MSS) break;
      if (seqLt(this.sndNxt, dataEnd)) {
        const wndEnd = seqAdd(this.sndUna, this.sndWnd);
        const queued = seqDiff(dataEnd, this.sndNxt);
        const room = seqDiff(wndEnd, this.sndNxt);
        const n = Math.min(queued, room, MSS);
        if (n <= 0) break;
        // Silly-window avoidance (RFC 9293 §3.8.6.2.1; Linux tcp_snd_wnd_test): a segment the
        // window would cut short waits for the window to open, unless nothing is in flight
        // (then it goes out, as Linux's window probe would send it).
        if (n < MSS && n < queued && this.sndNxt !== this.sndUna) break;
        const off = seqDiff(this.sndNxt, this.sndUna);
        const last = off + n === this.sqLen;
        const fin = last && this.finQueued;
        const retrans = seqLt(this.sndNxt, this.sndMax);
        if (!this.rttOn && !retrans) {
          this.rttSeq = seqAdd(this.sndNxt, n);
          this.rttOn = true;
          this.rttTime = this.stack.env.now();
        }
        this.emit(this.sndNxt, ACK | (last ? PSH : 0) | (fin ? FIN : 0), this.sqSlice(off, n), retrans);
        if (fin) {
          this.finSeq = seqAdd(this.sndNxt, n);
          this.finSent = true;
        }
        this.sndNxt = seqAdd(this.sndNxt, n + (fin ? 1 : 0));
        if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
        if (fin) break;
      } else if (this.finQueued && this.sndNxt === dataEnd) {
        // A FIN takes one sequence number (RFC 9293 §3.4); sent even into a zero window.
        const retrans = seqLt(this.sndNxt, this.sndMax);
        this.finSeq = this.sndNxt;
        this.finSent = true;
        this.emit(this.sndNxt, FIN | ACK, '', retrans);
        this.sndNxt = seqAdd(this.sndNxt, 1);
        if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
        break;
      } else break;
    }
    this.armTimers();
  }

  private armTimers(): void {
    const now = this.stack.env.now();
    if (this.sndNxt !== this.sndUna) {
      if (this.timer !== 'retransmit') this.setTimer('retransmit', now + this.backedOffRto());
    } else if (this.sqLen > 0 && this.sndWnd === 0) {
      if (this.timer !== 'persist') this.setTimer('persist', now + this.rto);
    } else if (this.timer) this.setTimer(null, 0);
  }

  // ---------------------------------------------------------------- input

  /** An incoming segment for this connection (not LISTEN: see Stack). RFC 9293 §3.10.7.3-4, Linux tcp_rcv_state_process. */
  input(seg: Segment): void {
    if (this.state === 'SYN_SENT') return this.inputSynSent(seg);
    if (this.state === 'CLOSED') return;

    // PAWS (RFC 7323 §5): an older timestamp marks an old duplicate.
    if (this.tsOn && seg.hasTs && this.tsSeen && !seg.rst && ((seg.tv - this.tsRecent) | 0) < 0) {
      this.sendOowAck(seg);
      return;
    }

    // First: sequence number acceptable? (Linux tcp_sequence: not wholly before rcv_nxt, not after the window.)
    const endSeq = seqAdd(seg.sq, seg.seqLen);
    const wnd = this.rcvWnd();
    if (seqLt(endSeq, this.rcvNxt) || seqGt(seg.sq, seqAdd(this.rcvNxt, wnd))) {
      if (!seg.rst) this.sendOowAck(seg);
      return;
    }

    // Second: RST (RFC 5961 §3: exact match resets, anything else in window gets a challenge ACK).
    if (seg.rst) {
      if (seg.sq === this.rcvNxt) this.reset();
      else this.sendOowAck(seg);
      return;
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4: challenge ACK).
    if (seg.syn) {
      if (this.state === 'SYN_RECEIVED' && seg.sq === this.irs && !seg.ackFlag) {
        this.sendSyn(true, true); // the peer retransmitted its SYN: our SYN-ACK was lost
        return;
      }
      this.sendOowAck(seg);
      return;
    }

    // Fifth: ACK.
    if (!seg.ackFlag) return;
    if (this.state === 'SYN_RECEIVED') {
      if (seqLe(seg.ak, this.sndUna) || seqGt(seg.ak, this.sndNxt)) {
        this.stack.sendReset(seg);
        return;
      }
      this.sampleRtt(seg.ak);
      this.sndUna = seg.ak;
      this.sndWnd = seg.win;
      this.sndWl1 = seg.sq;
      this.sndWl2 = seg.ak;
      this.retries = 0;
      this.setTimer(null, 0);
      if (seg.hasTs && this.tsOn) this.setTsRecent(seg.tv);
      this.setState('ESTABLISHED', 'rcv ACK of SYN');
      this.stack.established(this);
    }
    if (seqGt(seg.ak, this.sndNxt) && seqGt(seg.ak, this.sndMax)) {
      this.sendAck(); // acks something never sent
      return;
    }
    this.processAck(seg);
    // The ACK may have ended this socket or handed it to a TIME_WAIT minisock.
    if (!this.hashed) return;

    // Seventh: data. Eighth: FIN.
    const carries = seg.len > 0 || seg.fin;
    if (carries) {
      this.updateTsRecent(seg);
      this.processData(seg);
      if (!this.hashed) return;
    }
    // FIN_WAIT_1 -> FIN_WAIT_2, decided here only: after the data step, which
    // decides first when the segment carries data or a FIN (FIN+ACK of FIN goes
    // straight to TIME_WAIT; data after close() resets).
    if (this.state === 'FIN_WAIT_1' && this.finAcked()) {
      this.toFinWait2();
      if (!this.hashed) return; // an orphan: handed to a FIN_WAIT_2 minisock
    }
    // A bare ACK updates ts_recent after the state step: a minisock made above keeps the value from before it.
    if (!carries) this.updateTsRecent(seg);
    this.output();
  }

  /** RFC 7323 §4.3: ts_recent from a segment that is not beyond RCV.NXT. */
  private updateTsRecent(seg: Segment): void {
    if (seg.hasTs && this.tsOn && seqLe(seg.sq, this.rcvNxt)) {
      this.setTsRecent(seg.tv);
      this.tsRecentStamp = this.stack.env.now();
    }
  }

  private inputSynSent(seg: Segment): void {
    if (seg.ackFlag && (seqLe(seg.ak, this.iss) || seqGt(seg.ak, this.sndNxt))) {
      if (!seg.rst) this.stack.sendReset(seg);
      return;
    }
    if (seg.rst) {
      if (seg.ackFlag) this.reset(); // ECONNREFUSED
      return;
    }
    if (!seg.syn) return;
    this.irs = seg.sq;
    this.rcvNxt = seqAdd(seg.sq, 1);
    this.tsOn = this.tsOn && seg.hasTs;
    if (this.tsOn) {
      this.setTsRecent(seg.tv);
      this.tsRecentStamp = this.stack.env.now();
    }
    this.sndWnd = seg.win;
    this.sndWl1 = seg.sq;
    this.sndWl2 = seg.ak;
    if (seg.ackFlag) {
      this.sndUna = seg.ak;
      this.retries = 0;
      this.sampleRtt(seg.ak);
      this.setTimer(null, 0);
      this.setState('ESTABLISHED', 'rcv SYN-ACK');
      this.sendAck();
      this.wakeConnect(null);
      this.output();
    } else {
      // Simultaneous open (RFC 9293 §3.5, Figure 8).
      this.setState('SYN_RECEIVED', 'rcv SYN (simultaneous open)');
      this.sendSyn(true, false);
    }
  }

  private sampleRtt(ack: number): void {
    if (!this.rttOn || seqLt(ack, this.rttSeq)) return;
    const r = this.stack.env.now() - this.rttTime;
    this.rttOn = false;
    if (this.srtt === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(Math.max(Math.round(this.srtt + Math.max(4 * this.rttvar, TCP_RTO_MIN)), TCP_RTO_MIN), TCP_RTO_MAX);
  }

  private processAck(seg: Segment): void {
    const ack = seg.ak;
    if (seqGt(ack, this.sndUna)) {
      const dataAcked = Math.min(seqDiff(ack, this.sndUna), this.sqLen);
      if (dataAcked > 0) this.sqDrop(dataAcked);
      this.sndUna = ack;
      if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
      this.sampleRtt(ack);
      this.retries = 0;
      this.probes = 0;
      if (this.cwnd < 1000) this.cwnd++;
      if (dataAcked > 0) this.wakeSenders();
      if (this.sndUna === this.sndNxt && this.timer === 'retransmit') this.setTimer(null, 0);
      else if (this.timer === 'retransmit') this.setTimer('retransmit', this.stack.env.now() + this.rto);
    }
    if (seqLt(this.sndWl1, seg.sq) || (this.sndWl1 === seg.sq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = seg.win;
      this.sndWl1 = seg.sq;
      this.sndWl2 = ack;
    }
    if (seg.win > 0) this.probes = 0;

    // Our FIN is acknowledged: CLOSING and LAST_ACK end here (FIN_WAIT_1 -> FIN_WAIT_2 is input()'s, after the data step).
    if (!this.finAcked()) return;
    if (this.state === 'CLOSING') this.finsDone('rcv ACK of FIN');
    else if (this.state === 'LAST_ACK') this.done('rcv ACK of FIN');
  }

  finAcked(): boolean {
    return this.finSent && seqGe(this.sndUna, seqAdd(this.finSeq, 1));
  }

  /**
   * The active closer enters TIME_WAIT when both FINs are done: ours ACKed and
   * the peer's received (RFC 9293 Figure 5: FIN_WAIT_1 on FIN+ACK, FIN_WAIT_2 on
   * FIN, CLOSING on ACK; Linux tcp_fin and tcp_rcv_state_process call
   * tcp_time_wait). Called after each of the two events; true when it entered
   * TIME_WAIT. (A FIN_WAIT_2 minisock does the same in Stack.twInput.)
   */
  private finsDone(cause: string): boolean {
    const st = this.state;
    if (!this.finRcvd || !this.finAcked() || (st !== 'FIN_WAIT_1' && st !== 'FIN_WAIT_2' && st !== 'CLOSING')) return false;
    this.stack.enterTimeWait(this, cause);
    return true;
  }

  private toFinWait2(): void {
    this.setState('FIN_WAIT_2', 'rcv ACK of FIN');
    this.setTimer(null, 0);
    // Linux tcp_rcv_state_process: an orphan waits in FIN_WAIT_2 at most tcp_fin_timeout.
    if (this.orphan) this.stack.orphanFinWait2(this);
  }

  private processData(seg: Segment): void {
    const st = this.state;
    if (st !== 'ESTABLISHED' && st !== 'FIN_WAIT_1' && st !== 'FIN_WAIT_2') {
      // The peer already sent its FIN: anything more is a retransmission. ACK it.
      this.sendAck();
      return;
    }
    // Linux: new data after close() (or SHUT_RD) in FIN_WAIT_1/2 resets the connection (tcp_rcv_state_process).
    if (this.shutRd && (st === 'FIN_WAIT_1' || st === 'FIN_WAIT_2') && seg.len > 0 && seqGt(seqAdd(seg.sq, seg.len), this.rcvNxt)) {
      this.stack.sendReset(seg, st);
      this.err = 'ECONNRESET';
      this.done(this.fdClosed ? 'data after close()' : 'data after shutdown(SHUT_RD)');
      return;
    }
    let seq = seg.sq;
    let data = seg.data;
    if (seqLt(seq, this.rcvNxt)) {
      const skip = seqDiff(this.rcvNxt, seq);
      data = skip >= data.length ? '' : data.slice(skip);
      seq = this.rcvNxt;
      if (data.length === 0 && !(seg.fin && seqAdd(seg.sq, seg.len) === this.rcvNxt)) {
        this.sendAck(); // a duplicate
        return;
      }
    }
    if (seqGt(seq, this.rcvNxt)) {
      // Out of order: keep it for later, send a duplicate ACK.
      // Insert in order (segments mostly arrive in order, so look from the end).
      let i = this.ooo.length;
      while (i > 0 && seqGt(this.ooo[i - 1]!.sq, seg.sq)) i--;
      if (i === 0 || this.ooo[i - 1]!.sq !== seg.sq) {
        if (this.ooo === NONE) this.ooo = [];
        this.ooo.splice(i, 0, seg);
        this.oooBytes += seg.data.length;
      }
      this.sendAck();
      return;
    }
    const room = this.rcvBufSize - this.rqBytes;
    if (data.length > room) data = data.slice(0, Math.max(0, room));
    let fin = seg.fin && data.length === seg.len - seqDiff(seq, seg.sq);
    if (data.length > 0) {
      if (this.rq === NONE) this.rq = [data]; // sized to what it holds: most sockets queue one string at a time
      else this.rq.push(data);
      this.rqBytes += data.length;
      this.rcvNxt = seqAdd(this.rcvNxt, data.length);
    }
    // Pull in queued out-of-order segments that now fit.
    while (this.ooo.length && !fin) {
      const s = this.ooo[0]!;
      if (seqGt(s.sq, this.rcvNxt)) break;
      this.ooo.shift();
      this.oooBytes -= s.data.length;
      const skip = seqDiff(this.rcvNxt, s.sq);
      if (skip < s.data.length) {
        const d = s.data.slice(skip);
        if (this.rq === NONE) this.rq = [d];
        else this.rq.push(d);
        this.rqBytes += d.length;
        this.rcvNxt = seqAdd(this.rcvNxt, d.length);
      }
      if (s.fin && seqAdd(s.sq, s.len) === this.rcvNxt) fin = true;
    }
    if (fin) {
      if (this.ooo.length) this.ooo.length = 0;
      this.oooBytes = 0;
      this.rcvNxt = seqAdd(this.rcvNxt, 1);
      this.finRcvd = true;
      switch (this.state) {
        case 'ESTABLISHED':
          this.setState('CLOSE_WAIT', 'rcv FIN');
          break;
        case 'FIN_WAIT_1':
          if (!this.finsDone('rcv FIN+ACK of FIN')) this.setState('CLOSING', 'rcv FIN (simultaneous close)');
          break;
        case 'FIN_WAIT_2':
          this.finsDone('rcv FIN');
          break;
      }
      this.sendAck(); // Linux ACKs a FIN at once (tcp_fin schedules a quick ACK)
    } else this.sendAck();
    this.wakeReaders();
  }

  // ---------------------------------------------------------------- waking

  private wakeAll(): void {
    this.wakeConnect(this.err ?? 'ECONNRESET');
    this.wakeReaders();
    this.wakeSenders();
    const env = this.stack.env;
    if (this.acceptWaiters.length) for (const w of this.acceptWaiters.splice(0)) env.fail(w, 'EINVAL', 'accept', 'the listening socket was closed');
    this.wakeLinger();
  }

  wakeConnect(err: Errno | null): void {
    const w = this.connectWaiter;
    if (!w) return;
    this.connectWaiter = null;
    if (err) {
      this.err = null; // reported by connect(), not again by the next call
      this.stack.env.fail(w, err, 'connect');
    } else this.stack.env.wake(w, undefined);
  }

  /** Wake readers that can make progress: data, EOF or an error (Linux tcp_recvmsg's order). */
  wakeReaders(): void {
    const env = this.stack.env;
    while (this.recvWaiters.length) {
      const w = this.recvWaiters[0]!;
      const res = this.tryRecv(w.n);
      if (res === null) return;
      this.recvWaiters.shift();
      if (typeof res === 'string') env.wake(w, res);
      else env.fail(w, res.errno, 'recv');
    }
  }

  /** Data if any; '' at EOF; an errno; or null to keep waiting. */
  tryRecv(max: number): string | { errno: Errno } | null {
    if (this.rqBytes > 0) {
      let out = '';
      while (this.rq.length && out.length < max) {
        const chunk = this.rq[0]!;
        const take = Math.min(chunk.length, max - out.length);
        if (take === chunk.length) {
          out += chunk;
          this.rq.shift();
        } else {
          out += chunk.slice(0, take);
          this.rq[0] = chunk.slice(take);
        }
      }
      this.rqBytes -= out.length;
      this.maybeWindowUpdate();
      return out;
    }
    if (this.finRcvd) return ''; // SOCK_DONE: end of stream outranks a later error
    if (this.err) {
      const e = this.err;
      this.err = null;
      return { errno: e };
    }
    if (this.shutRd) return '';
    if (this.state === 'CLOSED') return { errno: 'ENOTCONN' };
    return null;
  }

  /** After the application reads, tell a peer stalled on a small window (Linux tcp_cleanup_rbuf). */
  private maybeWindowUpdate(): void {
    const st = this.state;
    if (st !== 'ESTABLISHED' && st !== 'FIN_WAIT_1' && st !== 'FIN_WAIT_2') return;
    const wnd = this.rcvWnd();
    if (this.lastAdvWnd < MSS && wnd >= Math.min(MSS, this.rcvBufSize / 2)) this.sendAck();
  }

  wakeSenders(): void {
    const env = this.stack.env;
    while (this.sendWaiters.length) {
      const s = this.sendWaiters[0]!;
      const err = this.sendError();
      if (err) {
        this.sendWaiters.shift();
        env.fail(s.w, err, 'send');
        continue;
      }
      const room = this.sndBufSize - this.sqLen;
      if (room <= 0) return;
      const take = Math.min(room, s.data.length - s.done);
      this.sqAppend(take === s.data.length ? s.data : s.data.substr(s.done, take));
      s.done += take;
      this.output();
      if (s.done < s.data.length) return;
      this.sendWaiters.shift();
      env.wake(s.w, s.data.length);
    }
  }

  /** Linux tcp_sendmsg: sk_err first (and cleared), then EPIPE once sending is shut down. */
  sendError(): Errno | null {
    if (this.err) {
      const e = this.err;
      this.err = null;
      return e;
    }
    if (this.shutWr || this.state === 'CLOSED') return 'EPIPE';
    return null;
  }

  wakeLinger(): void {
    const w = this.lingerWaiter;
    if (!w) return;
    const st = this.state;
    if (st === 'FIN_WAIT_1' || st === 'CLOSING' || st === 'LAST_ACK') return;
    this.lingerWaiter = null;
    this.stack.env.wake(w, undefined);
  }
}
