import type { Errno, Linger, SysctlName, Sysctls, TcpState } from '../../../types/closing-time.d.ts';
import { ACK, FIN, PSH, RST, SYN, SegPath, Segment, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../segment.ts';
import type { TcpCounters } from './counters.ts';
import type { StackEnv, Waiter } from './env.ts';
import {
  JIFFY_MS, MAX_WINDOW, MSS, TCPOLEN_TSTAMP_ALIGNED, OOW_RATELIMIT_MS, TCP_ATO_MIN, TCP_DELACK_MAX, TCP_DELACK_MIN, TCP_MAX_QUICKACKS, TCP_MIN_MSS, TCP_MSS_DEFAULT,
  TCP_RTO_MAX, TCP_RTO_MIN, TCP_TIMEOUT_INIT,
} from './params.ts';
import { append, emptyQueue, insert } from './lazy-queue.ts';
import { TcbFlags } from './tcb-flags.ts';
import { TimerSlot, type TimerOwner } from './timers.ts';
import { checkTransition, transition } from './transitions.ts';

/** The kinds the retransmission slot holds. */
type RtxTimer = 'retransmit' | 'persist';

const NO_LINGER: Linger = Object.freeze({ onoff: false, linger: 0 });

// icsk_ack.pending bits (include/net/inet_connection_sock.h). ICSK_ACK_TIMER is
// the delayed-ACK slot's running timer (Tcb.dack).
/** An ACK is owed (inet_csk_schedule_ack). */
const ACK_SCHED = 1;
/** A segment shorter than the receiver's MSS estimate came in (tcp_measure_rcv_mss); PUSHED2: two of them. */
const ACK_PUSHED = 4;
const ACK_PUSHED2 = 8;
/** The owed ACK goes at once (a gap in the sequence was filled). */
const ACK_NOW = 16;

/**
 * A socket's dead-peer options and the keepalive timer's state (Linux
 * SOCK_KEEPOPEN, tp->keepalive_time/intvl/probes, icsk_user_timeout,
 * icsk_probes_out, sk_timer). Made only when the application sets one of
 * SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT or TCP_USER_TIMEOUT:
 * a socket that sets none carries a null and does no work for them.
 */
export class DeadPeer {
  /** SO_KEEPALIVE. */
  on = false;
  /** TCP_KEEPIDLE, TCP_KEEPINTVL (seconds), TCP_KEEPCNT; 0 means the sysctl, as in Linux. */
  idle = 0;
  intvl = 0;
  cnt = 0;
  /** TCP_USER_TIMEOUT, ms; 0 is off. */
  userTimeout = 0;
  /** Keepalive probes sent since the peer was last heard from (Linux icsk_probes_out). */
  probesOut = 0;
  /**
   * When the peer was last heard from: an acceptable segment with an ACK that is
   * not old (Linux keepalive_time_elapsed: the later of icsk_ack.lrcvtime and
   * rcv_tstamp). Kept only from the moment this object exists.
   */
  lastRcv = 0;
  /**
   * When the first retransmission of the oldest unacknowledged data went out, for
   * TCP_USER_TIMEOUT (Linux retrans_stamp: tcp_retransmit_skb takes it from the
   * segment it has just sent again, so the timeout counts from there, as a kernel
   * run shows: a 1.5 s user timeout ends the connection 1.5 s after the first RTO).
   */
  rtxStamp = 0;
  /** The keepalive timer (Linux sk_timer), made when SO_KEEPALIVE is first set. */
  slot: TimerSlot<'keepalive'> | null = null;

  constructor(now: number) {
    this.lastRcv = now;
    this.rtxStamp = now;
  }

  /** An accepted socket's copy of its listener's options (sk_clone_lock copies them). */
  copy(now: number): DeadPeer {
    const d = new DeadPeer(now);
    d.on = this.on;
    d.idle = this.idle;
    d.intvl = this.intvl;
    d.cnt = this.cnt;
    d.userTimeout = this.userTimeout;
    return d;
  }
}


/**
 * What a Tcb may ask of its host's stack: the whole contract between the two
 * (Stack implements it). The stack owns the tables (connections, listeners,
 * ports) and the minisocks; a Tcb owns its connection's state, sequence space,
 * queues and timers, and hands over to the stack only at these points.
 */
export interface TcbStack {
  /** The host's name, for the trace. */
  readonly name: string;
  /** The world: clock, timers, wire, waking processes, trace. */
  readonly env: StackEnv;
  /** The world's host object: who the world puts our segments on the wire from (StackEnv.transmit). */
  readonly host: unknown;
  sysctl<K extends SysctlName>(name: K): Sysctls[K];
  /** The host's timestamp clock toward a peer (Linux secure_tcp_ts_off plus the clock). */
  tsval(remoteIp: string, now: number): number;
  /** A RST in reply to `seg` (no socket's sequence space: Linux tcp_v4_send_reset). */
  sendReset(seg: Segment, state?: TcpState): void;
  /** The final ACK of a passive handshake: false if the listener's accept queue is full (the ACK is dropped; Linux tcp_v4_syn_recv_sock). */
  synRecvSock(c: Tcb, seg: Segment): boolean;
  /** A passive connection finished its handshake: into its listener's accept queue. */
  established(c: Tcb): void;
  /** Both FINs are done: the stack replaces the socket with a TIME_WAIT minisock (Linux tcp_time_wait). */
  enterTimeWait(c: Tcb, cause: string): void;
  /** An orphan's FIN was ACKed: parked as a FIN_WAIT_2 minisock (Linux only). */
  orphanFinWait2(c: Tcb): void;
  /** Starts again at each crash of the host: a socket of an earlier incarnation has lost its fd. */
  readonly incarnation: number;
  /** The socket leaves the connection table and gives up its port (CLOSED). */
  unhash(c: Tcb): void;
  /** An orphan's timer asks whether the host holds too many orphans; if so the orphan is killed (Linux tcp_out_of_resources). */
  outOfResources(c: Tcb, doReset: boolean): boolean;
  /** The host's counters (nstat). */
  readonly counters: TcpCounters;
}

/**
 * A full TCP socket (Linux's struct tcp_sock, reduced). One state field, one
 * function for an incoming segment (`input`, ordered as RFC 9293 §3.10.7.4),
 * one function that decides what to send (`output`), one timer slot. User
 * calls change state and then call `output`.
 */
export class Tcb extends TcbFlags implements TimerOwner<RtxTimer | 'keepalive' | 'delayed-ack'> {
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
  /**
   * The largest window this socket advertises (MAX_WINDOW, or for a socket
   * whose SO_RCVBUF was set, the initial window: see initRcvWnd).
   */
  rcvWndClamp = MAX_WINDOW;
  sndBufSize = 65_535;
  backlog = 0;

  // Socket flags (Linux sk_shutdown, SOCK_DEAD, SOCK_DONE, sk_err)
  err: Errno | null = null;
  // Send side (RFC 9293 §3.3.1)
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  sndMax = 0;
  sndWnd = 0;
  /**
   * The most data one segment carries now (Linux mss_cache, tcp_current_mss):
   * the MSS less the timestamps option when timestamps are on (tcp_sync_mss).
   */
  mssCache = MSS;
  /** The largest window the peer ever advertised (Linux max_window); 0 until the handshake's ACK or SYN-ACK. */
  maxWindow = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  /**
   * Data from sndUna on (sent-unacknowledged, then unsent), as the strings the
   * application sent: appending never copies what is queued (a string built
   * with += would be flattened, copied whole, by the next substr).
   */
  sqLen = 0;
  private sqParts: string[] = emptyQueue();
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
  rq: string[] = emptyQueue();
  rqBytes = 0;
  /** Out-of-order segments, sorted by sequence number, and the bytes they hold. */
  ooo: Segment[] = emptyQueue();
  oooBytes = 0;
  lastAdvWnd = 0;

  // Delayed ACKs (Linux icsk_ack: tcp_input.c, tcp_output.c, tcp_timer.c)
  /** icsk_ack.pending (ACK_SCHED, ACK_PUSHED, ACK_PUSHED2, ACK_NOW). */
  ackPending = 0;
  /** ACKs still to send at once (icsk_ack.quick: quick-ack mode while > 0 and not pingpong). */
  ackQuick = 0;
  /** Interactive exchanges seen (icsk_ack.pingpong; pingpong mode at tcp_pingpong_thresh = 1). */
  pingpong = 0;
  /** The ACK timeout, ms (icsk_ack.ato); 0 until the first data arrives. */
  ato = 0;
  /** When data last arrived (icsk_ack.lrcvtime). */
  lrcvtime = 0;
  /** The receiver's estimate of the peer's MSS (icsk_ack.rcv_mss) and the last small segment's size (last_seg_size). */
  rcvMss = TCP_MSS_DEFAULT;
  lastSegSize = 0;
  /** rcv_nxt when the last ACK (any segment we sent) went out (tp->rcv_wup). */
  rcvWup = 0;
  /** The delayed-ACK timer (Linux icsk_delack_timer), made when an ACK is first delayed. */
  dack: TimerSlot<'delayed-ack'> | null = null;

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
  /** Zero-window probes sent since the peer last ACKed anything (Linux icsk_probes_out). */
  probes = 0;
  /** The zero-window probe timer's back-off (Linux icsk_backoff): it stops growing only when the window opens. */
  probeBackoff = 0;
  /** When this zero window's probe timer first fired (Linux icsk_probes_tstamp); -1 while none runs. */
  probesStamp = -1;
  /** When data last went out (Linux tp->lsndtime, tcp_event_data_sent), for tcp_out_of_resources. */
  lsndtime = 0;
  /** Counted in the host's orphans (Linux tcp_orphan_count) from close() until the socket is destroyed. */
  orphanCounted = false;
  /** The segment being timed for an RTT sample ends here (rttOn). */
  rttSeq = 0;
  /** End of the last small segment sent (tp->snd_sml, Minshall's Nagle check). */
  sndSml = 0;
  rttTime = 0;
  /** The retransmit or zero-window probe timer (Linux icsk_retransmit_timer: one of the two at a time). */
  readonly rtx: TimerSlot<RtxTimer>;
  /** Keepalive and TCP_USER_TIMEOUT, once the application set one of their options. */
  ka: DeadPeer | null = null;

  // Listener
  parent: Tcb | null = null;
  acceptQueue: Tcb[] = emptyQueue();
  synQueue = 0;

  // Waiters
  connectWaiter: Waiter | null = null;
  recvWaiters: Waiter[] = emptyQueue();
  sendWaiters: { w: Waiter; data: string; done: number }[] = emptyQueue();
  acceptWaiters: Waiter[] = emptyQueue();
  lingerWaiter: Waiter | null = null;

  /** Process that owns the fd, for ss. */
  owner = '';
  /** The addresses of the segments it sends (shared by them while the addresses stay the same). */
  private txPath: SegPath | null = null;

  constructor(
    readonly stack: TcbStack,
    readonly id: number,
    /** The file descriptor; an accepted connection gets one from accept(). */
    public fd: number,
    /** LISTEN for a connection made from a listener's SYN (see Stack.synToListener and the LISTEN -> SYN_RECEIVED edge). */
    state: 'CLOSED' | 'LISTEN' = 'CLOSED',
  ) {
    super();
    this.incarnation = stack.incarnation;
    this.state = state;
    this.rtx = new TimerSlot<RtxTimer>(stack.env, this);
  }

  /**
   * A connection made from a SYN that reached listener `l` (Linux tcp_conn_request
   * and inet_csk_clone_lock): a copy of the listener's options, the 4-tuple and
   * the peer's sequence space from the SYN. It starts in LISTEN, as its listener,
   * so that its first edge is RFC 9293's LISTEN -> SYN_RECEIVED (transitions.ts);
   * no application holds it until accept(). The stack hashes it, then calls passiveOpen().
   */
  static fromSyn(stack: TcbStack, id: number, l: Tcb, seg: Segment, iss: number, tsAllowed: boolean): Tcb {
    const c = new Tcb(stack, id, -1, 'LISTEN');
    c.fdClosed = true;
    c.localIp = seg.dstIp;
    c.localPort = seg.dstPort;
    c.remoteIp = seg.srcIp;
    c.remotePort = seg.srcPort;
    c.remoteHost = seg.srcHost;
    c.reuse = l.reuse;
    c.reuseport = l.reuseport;
    c.linger = l.linger;
    c.rcvBufSize = l.rcvBufSize;
    c.sndBufSize = l.sndBufSize;
    c.rcvBufLocked = l.rcvBufLocked;
    c.sndBufLocked = l.sndBufLocked;
    c.nodelay = l.nodelay; // sk_clone_lock copies tcp_sock's nonagle
    c.cork = l.cork;
    if (l.ka) c.ka = l.ka.copy(stack.env.now());
    c.boundByBind = true;
    c.bound = true;
    c.parent = l;
    c.irs = seg.seq32;
    c.rcvNxt = seqAdd(seg.seq32, 1);
    c.rcvWup = c.rcvNxt;
    c.lrcvtime = stack.env.now(); // tcp_create_openreq_child
    c.iss = iss;
    c.sndUna = iss;
    c.sndNxt = seqAdd(iss, 1);
    c.sndMax = c.sndNxt;
    c.sndWnd = seg.win;
    c.sndWl1 = seg.seq32;
    c.tsOn = seg.hasTs && tsAllowed;
    if (c.tsOn) {
      c.setTsRecent(seg.tsval32);
      c.tsRecentStamp = stack.env.now();
    }
    c.syncMss();
    // tcp_openreq_init_rwin: the window is cut to the MSS less the timestamps option when they are on.
    c.initRcvWnd(MSS - (c.tsOn ? TCPOLEN_TSTAMP_ALIGNED : 0));
    return c;
  }

  /** RFC 9293 §3.10.7.2 (LISTEN, SYN): the connection is in the table; send SYN,ACK. */
  passiveOpen(): void {
    this.setState('SYN_RECEIVED', 'rcv SYN');
    this.sendSyn(true, false);
    this.armRetransmit();
  }

  /**
   * RFC 9293 §3.10.1 OPEN, active: the stack chose the 4-tuple and hashed the
   * socket; pick up the ISS, send the SYN. `tsAllowed`: tcp_timestamps is on.
   */
  activeOpen(iss: number, tsAllowed: boolean, w: Waiter): void {
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = seqAdd(iss, 1);
    this.sndMax = this.sndNxt;
    this.tsOn = tsAllowed;
    // tcp_connect_init: the MSS less the timestamps option only when a timestamp
    // of the peer is already known (ts_recent_stamp, from a TIME_WAIT taken over).
    this.initRcvWnd(MSS - (tsAllowed && this.tsSeen ? TCPOLEN_TSTAMP_ALIGNED : 0));
    this.connectWaiter = w;
    this.setState('SYN_SENT', 'connect()');
    this.stack.counters.activeOpens++; // tcp_connect
    this.sendSyn(false, false);
    this.armRetransmit();
  }

  /** The host's incarnation the socket was made in. */
  private readonly incarnation: number;

  /** No application holds the fd: close() was called (it returned or is lingering), the host crashed since, or accept() has not taken it yet. */
  get fdClosed(): boolean {
    return this.fdShut || this.incarnation !== this.stack.incarnation;
  }
  set fdClosed(v: boolean) {
    this.fdShut = v;
  }

  get hostName(): string {
    return this.stack.name;
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
    if (to === 'CLOSED' && (from === 'ESTABLISHED' || from === 'CLOSE_WAIT')) this.stack.counters.estabResets++; // tcp_set_state
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
    this.rtx.stop();
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
    this.rtx.disarm();
    if (this.ka?.slot) this.ka.slot.disarm();
    if (this.dack !== null) this.dack.disarm();
    this.ackPending = 0;
  }

  armRetransmit(): void {
    if (this.rtx.kind !== 'retransmit') this.rtx.set('retransmit', this.stack.env.now() + this.backedOffRto());
  }

  /** A timer slot's timer expired (timers.ts). */
  timerExpired(kind: RtxTimer | 'keepalive' | 'delayed-ack'): void {
    if (kind === 'retransmit') this.onRetransmitTimer();
    else if (kind === 'persist') this.onPersistTimer();
    else if (kind === 'delayed-ack') this.onDelackTimer();
    else this.onKeepaliveTimer();
  }

  // ---------------------------------------------------------------- delayed ACK

  /** Linux inet_csk_in_pingpong_mode (tcp_pingpong_thresh = 1). */
  inPingpong(): boolean {
    return this.pingpong >= 1;
  }

  /** Linux inet_csk_enter_pingpong_mode / inet_csk_exit_pingpong_mode. */
  enterPingpong(): void {
    this.pingpong = 1;
  }
  exitPingpong(): void {
    this.pingpong = 0;
  }

  /** Linux tcp_in_quickack_mode: every segment is ACKed at once. */
  private inQuickack(): boolean {
    return this.ackQuick > 0 && !this.inPingpong();
  }

  /** Linux tcp_incr_quickack: up to `max` quick ACKs, about one per two full segments of the window. */
  private incrQuickack(max: number): void {
    let n = Math.floor(this.lastAdvWnd / (2 * this.rcvMss));
    if (n === 0) n = 2;
    n = Math.min(n, max);
    if (n > this.ackQuick) this.ackQuick = n;
  }

  /** Linux tcp_enter_quickack_mode. */
  private enterQuickack(max: number): void {
    this.incrQuickack(max);
    this.exitPingpong();
    this.ato = TCP_ATO_MIN;
  }

  /**
   * Linux tcp_measure_rcv_mss: the receiver's idea of the peer's MSS grows with
   * the segments it sees; a shorter segment marks the ACK as PUSHED (and
   * PUSHED2 for the second), which lets a read that empties the queue ACK at
   * once (tcp_cleanup_rbuf).
   */
  private measureRcvMss(seg: Segment): void {
    const len = seg.len;
    if (len >= this.rcvMss) {
      this.rcvMss = Math.min(len, MSS);
      return;
    }
    const hdr = 20 + (this.tsOn ? 12 : 0);
    const withHdr = len + hdr;
    // TCP_REMNANT: a segment without FIN, SYN or PSH should be full-sized.
    if (withHdr >= TCP_MSS_DEFAULT + 20 || (withHdr >= TCP_MIN_MSS + 20 && !(seg.bits & (FIN | PSH)))) {
      const lss = this.lastSegSize;
      this.lastSegSize = len;
      if (len === lss) {
        this.rcvMss = len;
        return;
      }
    }
    if (this.ackPending & ACK_PUSHED) this.ackPending |= ACK_PUSHED2;
    this.ackPending |= ACK_PUSHED;
  }

  /**
   * Linux tcp_event_data_recv: in-order data arrived. The first data starts
   * quick-ack mode; later, the ACK timeout (ato) follows the gaps between
   * arrivals, and a gap longer than the RTO starts quick ACKs again.
   */
  private dataRecv(seg: Segment): void {
    this.ackPending |= ACK_SCHED;
    this.measureRcvMss(seg);
    const now = this.stack.env.now();
    if (this.ato === 0) {
      this.incrQuickack(TCP_MAX_QUICKACKS);
      this.ato = TCP_ATO_MIN;
    } else {
      const m = now - this.lrcvtime;
      if (m <= TCP_ATO_MIN / 2) this.ato = (this.ato >> 1) + TCP_ATO_MIN / 2;
      else if (m < this.ato) this.ato = Math.min((this.ato >> 1) + m, this.rto);
      else if (m > this.rto) this.incrQuickack(TCP_MAX_QUICKACKS);
    }
    this.lrcvtime = now;
  }

  /**
   * Linux tcp_ack_snd_check / __tcp_ack_snd_check, after a segment has been
   * processed and whatever it allowed has been sent: an owed ACK goes at once
   * when more than one full segment is unacknowledged (and the window has not
   * shrunk), in quick-ack mode, when a gap was filled, or while out-of-order
   * data waits (no SACK here: a duplicate ACK for each); otherwise it is delayed.
   */
  private ackSndCheck(): void {
    const p = this.ackPending;
    if (!(p & ACK_SCHED)) return;
    if (
      (seqDiff(this.rcvNxt, this.rcvWup) > this.rcvMss && this.rcvWnd() >= this.lastAdvWnd) ||
      this.inQuickack() ||
      p & ACK_NOW ||
      this.ooo.length > 0
    ) {
      this.sendAck();
      return;
    }
    this.sendDelayedAck();
  }

  /**
   * Linux tcp_send_delayed_ack: the delayed-ACK timer runs for the ACK
   * timeout, at most 200 ms (500 ms for bulk data unless pingpong or PUSHED)
   * and at most the smoothed RTT (but 40 ms at least); an earlier running timer
   * is kept, and one about to run out sends the ACK now.
   */
  private sendDelayedAck(): void {
    let ato = this.ato;
    if (ato > TCP_DELACK_MIN) {
      let maxAto = 500;
      if (this.inPingpong() || this.ackPending & ACK_PUSHED) maxAto = TCP_DELACK_MAX;
      if (this.srtt > 0) maxAto = Math.min(maxAto, Math.max(Math.round(this.srtt), TCP_DELACK_MIN));
      ato = Math.min(ato, maxAto);
    }
    ato = Math.min(ato, TCP_DELACK_MAX);
    const now = this.stack.env.now();
    let at = now + Math.max(ato, JIFFY_MS);
    const slot = (this.dack ??= new TimerSlot<'delayed-ack'>(this.stack.env, this));
    if (slot.kind !== null) {
      if (slot.at <= now + (ato >> 2)) {
        this.sendAck();
        return;
      }
      if (at >= slot.at) at = slot.at;
    }
    this.ackPending |= ACK_SCHED;
    slot.set('delayed-ack', at);
  }

  /**
   * Linux tcp_delack_timer_handler: the owed ACK goes now. A timer that ran
   * out outside pingpong mode doubles the ACK timeout (up to the RTO); in
   * pingpong mode the reply it waited for did not come: the mode ends.
   */
  private onDelackTimer(): void {
    const st = this.state;
    if (st === 'CLOSED' || st === 'LISTEN' || !(this.ackPending & ACK_SCHED)) return;
    if (!this.inPingpong()) this.ato = Math.min(this.ato * 2, this.rto);
    else {
      this.exitPingpong();
      this.ato = TCP_ATO_MIN;
    }
    this.sendAck();
  }

  /**
   * Linux tcp_event_ack_sent (any segment with ACK we send): a quick ACK is
   * used up, the owed ACK is paid and its timer stops; tcp_select_window
   * records where the window was advertised from (rcv_wup).
   */
  private ackSent(): void {
    if (this.ackQuick > 0) {
      const pkts = this.ackPending & ACK_SCHED ? 1 : 0;
      if (pkts >= this.ackQuick) {
        this.ackQuick = 0;
        this.ato = TCP_ATO_MIN;
      } else this.ackQuick -= pkts;
    }
    this.ackPending = 0;
    if (this.dack !== null && this.dack.kind !== null) this.dack.stop();
    this.rcvWup = this.rcvNxt;
  }

  /**
   * TCP_QUICKACK (Linux __tcp_sock_set_quickack): false enters pingpong mode;
   * true leaves it and, in ESTABLISHED or CLOSE_WAIT, sends an owed ACK now.
   */
  setQuickack(on: boolean): void {
    if (!on) {
      this.enterPingpong();
      return;
    }
    this.exitPingpong();
    if ((this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') && this.ackPending & ACK_SCHED) {
      this.ackPending |= ACK_PUSHED;
      this.cleanupRbuf(1);
    }
  }

  /** TCP_NODELAY (Linux __tcp_sock_set_nodelay): on, whatever Nagle held goes now. */
  setNodelay(on: boolean): void {
    this.nodelay = on;
    if (on) this.output(true);
  }

  /** TCP_CORK (Linux __tcp_sock_set_cork): cleared, what it held goes as Nagle allows (at once with TCP_NODELAY). */
  setCork(on: boolean): void {
    this.cork = on;
    if (!on) this.output(this.nodelay);
  }

  // ---------------------------------------------------------------- keepalive

  /** The dead-peer options, made on first use. */
  deadPeer(): DeadPeer {
    return (this.ka ??= new DeadPeer(this.stack.env.now()));
  }

  /** Linux keepalive_time_when / keepalive_intvl_when (ms) and keepalive_probes. */
  keepaliveTimeMs(): number {
    return (this.ka?.idle || this.stack.sysctl('net.ipv4.tcp_keepalive_time')) * 1000;
  }
  keepaliveIntvlMs(): number {
    return (this.ka?.intvl || this.stack.sysctl('net.ipv4.tcp_keepalive_intvl')) * 1000;
  }
  keepaliveProbes(): number {
    return this.ka?.cnt || this.stack.sysctl('net.ipv4.tcp_keepalive_probes');
  }

  /** Linux inet_csk_reset_keepalive_timer: the keepalive timer runs out `delay` ms from now. */
  resetKeepalive(delay: number): void {
    const ka = this.deadPeer();
    ka.slot ??= new TimerSlot<'keepalive'>(this.stack.env, this);
    ka.slot.set('keepalive', this.stack.env.now() + delay);
  }

  /** Linux tcp_set_keepalive (SO_KEEPALIVE): the timer starts, or stops, unless the socket is CLOSED or listening. */
  setKeepalive(on: boolean): void {
    const ka = this.deadPeer();
    const was = ka.on;
    ka.on = on;
    if (this.state === 'CLOSED' || this.state === 'LISTEN') return;
    if (on && !was) this.resetKeepalive(this.keepaliveTimeMs());
    else if (!on && ka.slot) ka.slot.stop();
  }

  /** Linux tcp_sock_set_keepidle_locked: a running timer is moved to the new idle time, counted from the last segment received. */
  setKeepidle(seconds: number): void {
    const ka = this.deadPeer();
    ka.idle = seconds;
    if (!ka.on || this.state === 'CLOSED' || this.state === 'LISTEN') return;
    const elapsed = this.stack.env.now() - ka.lastRcv;
    this.resetKeepalive(Math.max(0, seconds * 1000 - elapsed));
  }

  /** The connection is established (tcp_finish_connect, tcp_create_openreq_child): the peer was just heard from. */
  private keepaliveEstablished(): void {
    const ka = this.ka!;
    ka.lastRcv = this.stack.env.now();
    ka.probesOut = 0;
    if (ka.on) this.resetKeepalive(this.keepaliveTimeMs());
  }

  /**
   * Linux tcp_keepalive_timer. Nothing is sent while data or a FIN is
   * outstanding (the retransmission timer watches the peer then); otherwise,
   * after the idle time a probe (tcp_write_wakeup: seq = snd_una - 1, no data,
   * so a live peer answers with an ACK), then one per interval; after the
   * last unanswered probe (or, with TCP_USER_TIMEOUT, once the peer has been
   * silent that long) RST and ETIMEDOUT (tcp_send_active_reset, tcp_write_err).
   * It runs in every synchronized state a full socket has, CLOSE_WAIT included:
   * a dead peer's connection ends there, though its descriptor stays open
   * until close(). (An orphan in FIN_WAIT_2 is a minisock with its own timer.)
   */
  private onKeepaliveTimer(): void {
    const ka = this.ka!;
    const st = this.state;
    if (!ka.on || st === 'CLOSED' || st === 'SYN_SENT' || st === 'LISTEN') return;
    const now = this.stack.env.now();
    let next = this.keepaliveTimeMs();
    if (this.sndNxt === this.sndUna && this.sqLen === 0 && !(this.finQueued && !this.finSent)) {
      const elapsed = now - ka.lastRcv;
      if (elapsed >= next) {
        const ut = ka.userTimeout;
        if (ut !== 0 ? elapsed >= ut && ka.probesOut > 0 : ka.probesOut >= this.keepaliveProbes()) {
          this.sendActiveReset();
          this.err = 'ETIMEDOUT';
          this.stack.counters.abortOnTimeout++; // tcp_keepalive_timer -> tcp_write_err
          this.stack.env.note('info', `${this.local} > ${this.remote}: ${ka.probesOut} keepalive probes unanswered (ETIMEDOUT)`, this.stack.name);
          this.done('keepalive timeout');
          return;
        }
        this.emit(seqAdd(this.sndUna, -1), ACK, '', false);
        ka.probesOut++;
        next = this.keepaliveIntvlMs();
      } else next -= elapsed;
    }
    this.resetKeepalive(next);
  }

  private retryLimit(): number {
    const s = this.stack;
    if (this.state === 'SYN_SENT') return s.sysctl('net.ipv4.tcp_syn_retries');
    if (this.state === 'SYN_RECEIVED') return s.sysctl('net.ipv4.tcp_synack_retries');
    if (this.orphan) return this.orphanRetries(this.backedOffRto() < TCP_RTO_MAX);
    return s.sysctl('net.ipv4.tcp_retries2');
  }

  /**
   * Linux tcp_orphan_retries(sk, alive): net.ipv4.tcp_orphan_retries, where 0
   * means 8 while the socket is still "alive" (its backed-off timeout is under
   * TCP_RTO_MAX) and 0 once it is not. (An ICMP error, sk_err_soft, which makes it
   * 0 as well, is not modelled.)
   */
  private orphanRetries(alive: boolean): number {
    const retries = this.stack.sysctl('net.ipv4.tcp_orphan_retries');
    return retries === 0 && alive ? 8 : retries;
  }

  private backedOffRto(): number {
    return Math.min(this.rto * 2 ** this.retries, TCP_RTO_MAX);
  }

  /**
   * Linux tcp_retransmit_timer / tcp_write_timeout. With TCP_USER_TIMEOUT the
   * connection gives up once that long has passed since the first
   * retransmission (retransmits_timed_out with icsk_user_timeout), instead of after
   * tcp_retries2 (the handshake states keep their retry counts as well), and
   * the timer is cut short to fire at that moment (tcp_clamp_rto_to_user_timeout).
   */
  private onRetransmitTimer(): void {
    const ka = this.ka;
    const ut = ka !== null ? ka.userTimeout : 0;
    const now = this.stack.env.now();
    // The first expiry: its retransmission starts the user timeout's clock (retrans_stamp).
    if (ka !== null && this.retries === 0) ka.rtxStamp = now;
    const handshake = this.state === 'SYN_SENT' || this.state === 'SYN_RECEIVED';
    if (this.orphan && !handshake) {
      // tcp_write_timeout: an orphan may be killed first for the host's orphans (tcp_out_of_resources),
      // with a RST unless it has given up and its timeout has reached TCP_RTO_MAX.
      const doReset = this.backedOffRto() < TCP_RTO_MAX || this.retries < this.retryLimit();
      if (this.stack.outOfResources(this, doReset)) return;
    }
    let expired = (ut === 0 || handshake) && this.retries >= this.retryLimit();
    if (!expired && ut !== 0) expired = this.retries > 0 && now - ka!.rtxStamp >= ut;
    if (expired) {
      // tcp_write_err: the connection fails quietly (no RST is sent).
      this.err = 'ETIMEDOUT';
      if (this.parent === null) this.stack.counters.abortOnTimeout++; // a listener's request socket is dropped by reqsk_timer_handler, uncounted
      if (this.state === 'SYN_RECEIVED' && this.parent) {
        this.parent.synQueue--;
        this.parent = null;
      }
      if (ut !== 0 && now - ka!.rtxStamp >= ut) {
        this.stack.env.note('info', `${this.local} > ${this.remote}: data unacknowledged for ${now - ka!.rtxStamp} ms, TCP_USER_TIMEOUT ${ut} ms (ETIMEDOUT)`, this.stack.name);
        this.done('TCP_USER_TIMEOUT');
      } else {
        this.stack.env.note('info', `${this.local} > ${this.remote}: gave up after ${this.retries} retransmissions (ETIMEDOUT)`, this.stack.name);
        this.done('retransmission timeout');
      }
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
    let rto = this.backedOffRto();
    if (ut !== 0) rto = Math.min(rto, Math.max(1, ut - (now - ka!.rtxStamp)));
    this.rtx.set('retransmit', now + rto);
  }

  /**
   * Linux tcp_probe_timer and tcp_send_probe0: a probe (tcp_write_wakeup: seq =
   * snd_una - 1, an old byte, so the peer answers with an ACK carrying its
   * window), then the next one after a doubled interval (icsk_backoff, up to
   * TCP_RTO_MAX). A peer that answers keeps a connection open for as long as it
   * keeps its window shut (RFC 1122 §4.2.2.17: each ACK resets icsk_probes_out,
   * so tcp_retries2 counts only unanswered probes), with three exceptions:
   * - TCP_USER_TIMEOUT counts from this zero window's first probe timer
   *   (icsk_probes_tstamp), answered probes or not, and the last wait is cut
   *   to end at that moment (tcp_clamp_probe0_to_user_timeout);
   * - an orphan (SOCK_DEAD) gives up after tcp_orphan_retries unanswered probes
   *   (0 means 8) and, once its interval has reached TCP_RTO_MAX, as soon as
   *   its back-off reaches tcp_orphan_retries (0 then means at once), answered
   *   or not;
   * - an orphan is killed when its host holds too many orphans (tcp_out_of_resources).
   * Giving up is tcp_write_err: ETIMEDOUT, no RST.
   */
  private onPersistTimer(): void {
    const now = this.stack.env.now();
    if (this.sndWnd > 0 || this.sqLen === 0 || this.sndNxt !== this.sndUna) {
      // Nothing to probe for (tcp_probe_timer: packets in flight, or an empty queue).
      this.probes = 0;
      this.probesStamp = -1;
      this.output(true); // tcp_write_wakeup sends what the window takes, Nagle or not
      return;
    }
    const ut = this.ka !== null ? this.ka.userTimeout : 0;
    const retries2 = this.stack.sysctl('net.ipv4.tcp_retries2');
    let why = '';
    if (this.probesStamp < 0) this.probesStamp = now;
    else if (ut !== 0 && now - this.probesStamp >= ut) why = `window shut for ${now - this.probesStamp} ms, TCP_USER_TIMEOUT ${ut} ms`;
    if (why === '') {
      let maxProbes = retries2;
      if (this.orphan) {
        const alive = this.probeWhen() < TCP_RTO_MAX;
        maxProbes = this.orphanRetries(alive);
        if (!alive && this.probeBackoff >= maxProbes) why = `orphan's probe back-off ${this.probeBackoff} reached tcp_orphan_retries`;
        else if (this.stack.outOfResources(this, true)) return;
      }
      if (why === '' && this.probes >= maxProbes) why = `${this.probes} zero-window probes unanswered`;
    }
    if (why !== '') {
      this.err = 'ETIMEDOUT';
      this.stack.counters.abortOnTimeout++; // tcp_probe_timer -> tcp_write_err
      this.stack.env.note('info', `${this.local} > ${this.remote}: ${why} (ETIMEDOUT)`, this.stack.name);
      this.done(ut !== 0 && why.startsWith('window shut') ? 'TCP_USER_TIMEOUT' : 'zero-window probes given up');
      return;
    }
    this.emit(seqAdd(this.sndUna, -1), ACK, '', false);
    this.probes++;
    if (this.probeBackoff < retries2) this.probeBackoff++;
    this.rtx.set('persist', now + this.clampProbe0ToUserTimeout(this.probeWhen()));
  }

  /** Linux tcp_probe0_when(sk, TCP_RTO_MAX): the probe interval after icsk_backoff doublings. */
  private probeWhen(): number {
    return Math.min(Math.max(this.rto, TCP_RTO_MIN) * 2 ** this.probeBackoff, TCP_RTO_MAX);
  }

  /** Linux tcp_clamp_probe0_to_user_timeout: the next probe timer ends no later than TCP_USER_TIMEOUT allows. */
  private clampProbe0ToUserTimeout(when: number): number {
    const ut = this.ka !== null ? this.ka.userTimeout : 0;
    if (ut === 0 || this.probesStamp < 0) return when;
    const elapsed = Math.max(0, this.stack.env.now() - this.probesStamp);
    return Math.min(Math.max(ut - elapsed, 1), when); // TCP_TIMEOUT_MIN: 2 jiffies
  }

  /**
   * Linux tcp_ack_probe, for an ACK that is not old while the probe timer runs:
   * a window that opened stops the back-off and the user timeout's clock; a
   * window still shut re-arms the timer from now with the current back-off.
   */
  private ackProbe(): void {
    if (this.sndWnd > 0) {
      this.probeBackoff = 0;
      this.probesStamp = -1;
      return; // output() then sends and stops the timer (armTimers)
    }
    this.rtx.set('persist', this.stack.env.now() + this.clampProbe0ToUserTimeout(this.probeWhen()));
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
    if (this.sqTail === this.sqParts.length) this.sqParts = append(this.sqParts, d);
    else this.sqParts[this.sqTail] = d;
    this.sqTail++;
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

  /**
   * The window to advertise: the free buffer, at most rcvWndClamp. Receiver
   * silly-window avoidance (RFC 9293 §3.8.6.2.2) as Linux's __tcp_select_window
   * does it: once less than half the buffer is free, a free space smaller than
   * one segment (the peer's MSS as measured, rcv_mss) or than a sixteenth of
   * the buffer is advertised as zero.
   */
  rcvWnd(): number {
    const queued = this.rqBytes + this.oooBytes;
    const full = this.rcvBufSize;
    const free = full - queued;
    if (free < full >> 1 && (free < full >> 4 || free < Math.min(this.rcvMss, full))) return 0;
    return Math.min(free, this.rcvWndClamp);
  }

  private emit(seq: number, bits: number, data: string, retrans: boolean): void {
    const s = this.stack;
    const now = s.env.now();
    const win = (bits & SYN) && !(bits & ACK) ? Math.min(this.rcvBufSize, this.rcvWndClamp) : this.rcvWnd();
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
    if (data.length > 0) this.lsndtime = now; // tcp_event_data_sent
    if (retrans) s.counters.retransSegs++; // __tcp_retransmit_skb, tcp_rtx_synack
    if (bits & RST) s.counters.outRsts++; // tcp_send_active_reset
    // tcp_transmit_skb: a reply with data within the ACK timeout of the last arrival counts toward pingpong mode (tcp_event_data_sent) ...
    if (data.length > 0 && now - this.lrcvtime < this.ato && this.pingpong < 255) this.pingpong++;
    // ... and any ACK we send pays what is owed (tcp_event_ack_sent).
    if (bits & ACK) this.ackSent();
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

  /**
   * Linux tcp_sync_mss: the segment size follows the options every segment
   * carries; with timestamps on (negotiated in the handshake) each carries the
   * 12-byte option (TCPOLEN_TSTAMP_ALIGNED), so on a 1500-byte link a data
   * segment holds 1460 - 12 = 1448 bytes (tcp_mtu_to_mss). Then
   * tcp_bound_to_half_wnd: a segment is at most half the largest window the
   * peer ever advertised (all of it when that is at most TCP_MSS_DEFAULT),
   * and no less than 68 bytes less the TCP header.
   */
  syncMss(): void {
    const hdr = 20 + (this.tsOn ? TCPOLEN_TSTAMP_ALIGNED : 0);
    let mss = MSS + 20 - hdr;
    const cutoff = this.maxWindow > TCP_MSS_DEFAULT ? this.maxWindow >> 1 : this.maxWindow;
    if (cutoff && mss > cutoff) mss = Math.max(cutoff, 68 - hdr);
    this.mssCache = mss;
  }

  /**
   * The peer's window changed (Linux tcp_ack_update_window): a window larger
   * than any before raises max_window and with it the segment size (tcp_sync_mss).
   */
  private setSndWnd(win: number): void {
    this.sndWnd = win;
    if (win > this.maxWindow) {
      this.maxWindow = win;
      this.syncMss();
    }
  }

  /**
   * The window of a socket whose SO_RCVBUF was set, as Linux first sizes it
   * (tcp_select_initial_window): the space is tcp_full_space, the doubled
   * buffer scaled by scaling_ratio (tcp_win_from_space), which starts at one
   * half (TCP_DEFAULT_SCALING_RATIO), so the value set; it is cut to a multiple
   * of `mss` when larger, and without window scaling (rcv_wscale 0 for so small a
   * buffer) at most 65535. That initial window is also the receive slow-start
   * threshold (rcv_ssthresh) that caps every later window. In the simulator it
   * stays the cap: Linux later updates scaling_ratio from the overhead it
   * measures on the segments (skb->len / truesize in tcp_measure_rcv_mss) and
   * grows rcv_ssthresh toward window_clamp (tcp_grow_window), which depends on
   * the host's memory accounting. A socket with the default buffer keeps
   * advertising up to 65535 in the simulator.
   */
  initRcvWnd(mss: number): void {
    if (!this.rcvBufLocked) {
      this.rcvWndClamp = MAX_WINDOW;
      return;
    }
    let space = this.rcvBufSize;
    if (space > mss) space -= space % mss;
    this.rcvWndClamp = Math.min(space, MAX_WINDOW);
  }

  /** Sends RST from this socket's current sequence (Linux tcp_send_active_reset). */
  sendActiveReset(): void {
    this.emit(this.sndNxt, RST | ACK, '', false);
  }

  /**
   * Sends whatever the window, the congestion window, the queue and Nagle
   * allow (Linux tcp_write_xmit). `push`: this once, Nagle and TCP_CORK do not
   * hold the last partial segment (TCP_NAGLE_PUSH: TCP_NODELAY set, the probe timer).
   */
  output(push = false): void {
    const st = this.state;
    if (st !== 'ESTABLISHED' && st !== 'CLOSE_WAIT' && st !== 'FIN_WAIT_1' && st !== 'CLOSING' && st !== 'LAST_ACK') return;
    const dataEnd = seqAdd(this.sndUna, this.sqLen);
    const mss = this.mssCache;
    for (;;) {
      if (seqDiff(this.sndNxt, this.sndUna) >= this.cwnd * mss) break;
      if (seqLt(this.sndNxt, dataEnd)) {
        const wndEnd = seqAdd(this.sndUna, this.sndWnd);
        const queued = seqDiff(dataEnd, this.sndNxt);
        const room = seqDiff(wndEnd, this.sndNxt);
        const n = Math.min(queued, room, mss);
        if (n <= 0) break;
        // Silly-window avoidance (RFC 9293 §3.8.6.2.1; Linux tcp_snd_wnd_test): a segment the
        // window would cut short waits for the window to open, unless nothing is in flight
        // (then it goes out, as Linux's window probe would send it).
        if (n < mss && n < queued && this.sndNxt !== this.sndUna) break;
        const off = seqDiff(this.sndNxt, this.sndUna);
        const last = off + n === this.sqLen;
        const fin = last && this.finQueued;
        const retrans = seqLt(this.sndNxt, this.sndMax);
        if (n < mss && !fin && !retrans && !push && this.nagleHolds()) break;
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
        if (n < mss) this.sndSml = this.sndNxt; // tcp_minshall_update
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

  /**
   * Linux tcp_nagle_check with tcp_minshall_check: the last partial segment of
   * new data waits while TCP_CORK is set, or (without TCP_NODELAY) while an
   * earlier small segment is still unacknowledged. A FIN is never held.
   */
  private nagleHolds(): boolean {
    if (this.cork) return true;
    if (this.nodelay || this.sndNxt === this.sndUna) return false;
    return seqGt(this.sndSml, this.sndUna) && seqLe(this.sndSml, this.sndNxt);
  }

  private armTimers(): void {
    const now = this.stack.env.now();
    if (this.sndNxt !== this.sndUna) {
      if (this.rtx.kind !== 'retransmit') this.rtx.set('retransmit', now + this.backedOffRto());
    } else if (this.sqLen > 0) {
      // A zero window, or (TCP_CORK) data held with nothing in flight: the probe timer
      // sends it (tcp_check_probe_timer; TCP_CORK's 200 ms ceiling is this timer).
      if (this.rtx.kind !== 'persist') this.rtx.set('persist', now + this.rto);
    } else if (this.rtx.kind) this.rtx.stop();
  }

  // ---------------------------------------------------------------- input

  /** An incoming segment for this connection (not LISTEN: see Stack). RFC 9293 §3.10.7.3-4, Linux tcp_rcv_state_process. */
  input(seg: Segment): void {
    if (this.state === 'SYN_SENT') return this.inputSynSent(seg);
    if (this.state === 'CLOSED') return;

    // PAWS (RFC 7323 §5): an older timestamp marks an old duplicate.
    if (this.tsOn && seg.hasTs && this.tsSeen && !seg.rst && ((seg.tsval32 - this.tsRecent) | 0) < 0) {
      this.sendOowAck(seg);
      return;
    }

    // First: sequence number acceptable? (Linux tcp_sequence: not wholly before rcv_nxt, not after the window.)
    const endSeq = seqAdd(seg.seq32, seg.seqLen);
    const wnd = this.rcvWnd();
    if (seqLt(endSeq, this.rcvNxt) || seqGt(seg.seq32, seqAdd(this.rcvNxt, wnd))) {
      if (!seg.rst) this.sendOowAck(seg);
      return;
    }

    // Second: RST (RFC 5961 §3: exact match resets, anything else in window gets a challenge ACK).
    if (seg.rst) {
      if (seg.seq32 === this.rcvNxt) this.reset();
      else this.sendOowAck(seg);
      return;
    }

    // Fourth: SYN in a synchronized state (RFC 5961 §4: challenge ACK).
    if (seg.syn) {
      if (this.state === 'SYN_RECEIVED' && seg.seq32 === this.irs && !seg.ackFlag) {
        this.sendSyn(true, true); // the peer retransmitted its SYN: our SYN-ACK was lost
        return;
      }
      this.sendOowAck(seg);
      return;
    }

    // Fifth: ACK.
    if (!seg.ackFlag) return;
    if (this.state === 'SYN_RECEIVED') {
      if (seqLe(seg.ack32, this.sndUna) || seqGt(seg.ack32, this.sndNxt)) {
        this.stack.sendReset(seg);
        return;
      }
      // tcp_check_req: no child while the listener's accept queue is full; the segment, data and all, is dropped.
      if (this.parent !== null && !this.stack.synRecvSock(this, seg)) return;
      this.sampleRtt(seg.ack32);
      this.sndUna = seg.ack32;
      this.setSndWnd(seg.win); // tcp_create_openreq_child: max_window = snd_wnd from this ACK
      this.sndWl1 = seg.seq32;
      this.sndWl2 = seg.ack32;
      this.retries = 0;
      this.rtx.stop();
      if (seg.hasTs && this.tsOn) this.setTsRecent(seg.tsval32);
      this.setState('ESTABLISHED', 'rcv ACK of SYN');
      if (this.ka !== null) this.keepaliveEstablished();
      this.stack.established(this);
    }
    if (seqGt(seg.ack32, this.sndNxt) && seqGt(seg.ack32, this.sndMax)) {
      this.sendAck(); // acks something never sent
      return;
    }
    if (this.ka !== null && seqGe(seg.ack32, this.sndUna)) {
      // Linux tcp_ack: an ACK that is not old means the peer is alive (rcv_tstamp, icsk_probes_out = 0).
      this.ka.lastRcv = this.stack.env.now();
      this.ka.probesOut = 0;
    }
    this.processAck(seg);
    // The ACK may have ended this socket or handed it to a minisock (TIME_WAIT from CLOSING,
    // FIN_WAIT_2 for an orphan whose FIN it ACKed).
    if (!this.hashed) return;

    // Seventh: data. Eighth: FIN.
    const carries = seg.len > 0 || seg.fin;
    if (carries) {
      this.updateTsRecent(seg);
      this.processData(seg);
      if (!this.hashed) return;
    }
    // A bare ACK updates ts_recent last: a minisock made in the ACK step keeps the value from before it.
    if (!carries) this.updateTsRecent(seg);
    this.output();
    this.ackSndCheck();
  }

  /** RFC 7323 §4.3: ts_recent from a segment that is not beyond RCV.NXT. */
  private updateTsRecent(seg: Segment): void {
    if (seg.hasTs && this.tsOn && seqLe(seg.seq32, this.rcvNxt)) {
      this.setTsRecent(seg.tsval32);
      this.tsRecentStamp = this.stack.env.now();
    }
  }

  private inputSynSent(seg: Segment): void {
    if (seg.ackFlag && (seqLe(seg.ack32, this.iss) || seqGt(seg.ack32, this.sndNxt))) {
      if (!seg.rst) this.stack.sendReset(seg);
      return;
    }
    if (seg.rst) {
      if (seg.ackFlag) this.reset(); // ECONNREFUSED
      return;
    }
    if (!seg.syn) return;
    this.irs = seg.seq32;
    this.rcvNxt = seqAdd(seg.seq32, 1);
    this.tsOn = this.tsOn && seg.hasTs;
    if (this.tsOn) {
      this.setTsRecent(seg.tsval32);
      this.tsRecentStamp = this.stack.env.now();
    }
    // tcp_rcv_synsent_state_process: the SYN's window (never scaled) is max_window,
    // through tcp_ack for a SYN-ACK, set outright for a simultaneous open.
    this.maxWindow = seg.win;
    this.sndWnd = seg.win;
    this.syncMss();
    this.sndWl1 = seg.seq32;
    this.sndWl2 = seg.ack32;
    if (seg.ackFlag) {
      this.sndUna = seg.ack32;
      this.retries = 0;
      this.sampleRtt(seg.ack32);
      this.rtx.stop();
      this.setState('ESTABLISHED', 'rcv SYN-ACK');
      if (this.ka !== null) this.keepaliveEstablished();
      this.lrcvtime = this.stack.env.now(); // tcp_finish_connect
      this.rcvWup = this.rcvNxt;
      if (this.inPingpong()) {
        // tcp_rcv_synsent_state_process: an interactive socket (TCP_QUICKACK off)
        // delays the handshake's last ACK, hoping to send it with data.
        this.ackPending |= ACK_SCHED;
        this.enterQuickack(TCP_MAX_QUICKACKS);
        (this.dack ??= new TimerSlot<'delayed-ack'>(this.stack.env, this)).set('delayed-ack', this.stack.env.now() + TCP_DELACK_MAX);
      } else this.sendAck();
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
    const ack = seg.ack32;
    const old = seqLt(ack, this.sndUna);
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
      if (this.sndUna === this.sndNxt && this.rtx.kind === 'retransmit') this.rtx.stop();
      else if (this.rtx.kind === 'retransmit') this.rtx.set('retransmit', this.stack.env.now() + this.rto);
    }
    if (seqLt(this.sndWl1, seg.seq32) || (this.sndWl1 === seg.seq32 && seqLe(this.sndWl2, ack))) {
      this.setSndWnd(seg.win);
      this.sndWl1 = seg.seq32;
      this.sndWl2 = ack;
    }
    if (!old) {
      this.probes = 0; // tcp_ack: icsk_probes_out = 0
      if (this.rtx.kind === 'persist') this.ackProbe();
    }

    this.step('ack', seg);
  }

  finAcked(): boolean {
    return this.finSent && seqGe(this.sndUna, seqAdd(this.finSeq, 1));
  }

  /**
   * Where a segment takes a synchronized connection: every state change that
   * segment arrival makes, in one switch (RFC 9293 §3.10.7.4: the fifth check,
   * the ACK field, and the eighth, the FIN bit; Linux tcp_rcv_state_process and
   * tcp_fin). `ev` is the step of input() that just ran:
   * - 'ack': the segment's ACK was processed (our FIN may now be acknowledged);
   * - 'fin': the peer's FIN arrived in order.
   * SYN_RECEIVED's ACK of our SYN (to ESTABLISHED) is decided before the ACK
   * step, in input(), since the ACK's acceptability there differs; LISTEN and
   * SYN_SENT are the stack's and inputSynSent's; TIME_WAIT and an orphan's
   * FIN_WAIT_2 are minisocks (Stack.twInput). `seg` is the segment, for the
   * ACK step (an orphan's FIN_WAIT_1 looks at what else it carries).
   */
  private step(ev: 'ack' | 'fin', seg?: Segment): void {
    switch (this.state) {
      case 'SYN_RECEIVED':
      case 'ESTABLISHED':
        if (ev === 'fin') {
          this.setState('CLOSE_WAIT', 'rcv FIN');
          // tcp_fin: the application is expected to answer (with its FIN): delay the ACK for it.
          this.enterPingpong();
        }
        return;
      case 'FIN_WAIT_1':
        // RFC 9293 §3.10.7.4 fifth check: "if the FIN segment is now acknowledged, then enter
        // FIN-WAIT-2 and continue processing in that state" (Linux tcp_rcv_state_process, case
        // TCP_FIN_WAIT1: snd_una == write_seq). A segment that ACKs our FIN and carries the
        // peer's FIN thus goes FIN_WAIT_1 -> FIN_WAIT_2 here, then -> TIME_WAIT at its FIN (tcp_fin).
        if (ev === 'ack' && this.finAcked()) this.toFinWait2(seg!);
        // The FIN does not ACK ours (or it would be in FIN_WAIT_2 by now): simultaneous close.
        else if (ev === 'fin') this.setState('CLOSING', 'rcv FIN (simultaneous close)');
        return;
      case 'FIN_WAIT_2':
        if (ev === 'fin') this.stack.enterTimeWait(this, 'rcv FIN');
        return;
      case 'CLOSING':
        if (ev === 'ack' && this.finAcked()) this.stack.enterTimeWait(this, 'rcv ACK of FIN');
        return;
      case 'LAST_ACK':
        if (ev === 'ack' && this.finAcked()) this.done('rcv ACK of FIN');
        return;
      case 'CLOSE_WAIT': // the peer's FIN is in: only close() moves on
      default:
        return;
    }
  }

  /** The ACK step of FIN_WAIT_1 once our FIN is ACKed (Linux tcp_rcv_state_process, case TCP_FIN_WAIT1). */
  private toFinWait2(seg: Segment): void {
    this.setState('FIN_WAIT_2', 'rcv ACK of FIN');
    this.rtx.stop();
    if (!this.orphan) return; // the data step (processData) follows, in FIN_WAIT_2
    // An orphan (SOCK_DEAD): new data, or a FIN beyond RCV.NXT, in this segment ends it with a
    // reset before the data step (end_seq - fin after rcv_nxt: tcp_done, LINUX_MIB_TCPABORTONDATA,
    // and tcp_v4_do_rcv answers with a RST).
    if (seg.seqLen > 0 && seqGt(seqAdd(seg.seq32, seg.len), this.rcvNxt)) {
      this.stack.counters.abortOnData++;
      this.stack.sendReset(seg, 'FIN_WAIT_2');
      this.done('data after close()');
      return;
    }
    // "th->fin ... Bad case. We could lose such FIN otherwise": with the peer's FIN in the segment
    // the orphan stays a full socket (Linux arms its keepalive timer for tcp_fin_timeout), and the
    // data step's tcp_fin takes it to TIME_WAIT at once. Otherwise it waits in FIN_WAIT_2 at most
    // tcp_fin_timeout, as a minisock (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)).
    if (!seg.fin) this.stack.orphanFinWait2(this);
  }

  private processData(seg: Segment): void {
    const st = this.state;
    if (st !== 'ESTABLISHED' && st !== 'FIN_WAIT_1' && st !== 'FIN_WAIT_2') {
      // The peer already sent its FIN: anything more is a retransmission. ACK it.
      this.quickAckNow();
      return;
    }
    // Linux: new data after close() (or SHUT_RD) in FIN_WAIT_1/2 resets the connection (tcp_rcv_state_process).
    if (this.shutRd && (st === 'FIN_WAIT_1' || st === 'FIN_WAIT_2') && seg.len > 0 && seqGt(seqAdd(seg.seq32, seg.len), this.rcvNxt)) {
      this.stack.counters.abortOnData++; // tcp_rcv_state_process
      this.stack.sendReset(seg, st);
      this.err = 'ECONNRESET';
      this.done(this.fdClosed ? 'data after close()' : 'data after shutdown(SHUT_RD)');
      return;
    }
    let seq = seg.seq32;
    let data = seg.data;
    if (seqLt(seq, this.rcvNxt)) {
      const skip = seqDiff(this.rcvNxt, seq);
      data = skip >= data.length ? '' : data.slice(skip);
      seq = this.rcvNxt;
      if (data.length === 0 && !(seg.fin && seqAdd(seg.seq32, seg.len) === this.rcvNxt)) {
        this.quickAckNow(); // a duplicate
        return;
      }
    }
    if (seqGt(seq, this.rcvNxt)) {
      // Out of order: keep it for later, send a duplicate ACK.
      // Insert in order (segments mostly arrive in order, so look from the end).
      let i = this.ooo.length;
      while (i > 0 && seqGt(this.ooo[i - 1]!.seq32, seg.seq32)) i--;
      if (i === 0 || this.ooo[i - 1]!.seq32 !== seg.seq32) {
        this.ooo = insert(this.ooo, i, seg);
        this.oooBytes += seg.data.length;
      }
      this.sendAck();
      return;
    }
    const room = this.rcvBufSize - this.rqBytes;
    if (data.length > room) data = data.slice(0, Math.max(0, room));
    let fin = seg.fin && data.length === seg.len - seqDiff(seq, seg.seq32);
    if (data.length > 0) {
      this.rq = append(this.rq, data);
      this.rqBytes += data.length;
      this.rcvNxt = seqAdd(this.rcvNxt, data.length);
      this.dataRecv(seg);
    }
    // Pull in queued out-of-order segments that now fit (tcp_ofo_queue); a filled gap is ACKed at once.
    if (this.ooo.length && !fin) this.ackPending |= ACK_NOW;
    while (this.ooo.length && !fin) {
      const s = this.ooo[0]!;
      if (seqGt(s.seq32, this.rcvNxt)) break;
      this.ooo.shift();
      this.oooBytes -= s.data.length;
      const skip = seqDiff(this.rcvNxt, s.seq32);
      if (skip < s.data.length) {
        const d = s.data.slice(skip);
        this.rq = append(this.rq, d);
        this.rqBytes += d.length;
        this.rcvNxt = seqAdd(this.rcvNxt, d.length);
      }
      if (s.fin && seqAdd(s.seq32, s.len) === this.rcvNxt) fin = true;
    }
    if (fin) {
      if (this.ooo.length) this.ooo.length = 0;
      this.oooBytes = 0;
      this.rcvNxt = seqAdd(this.rcvNxt, 1);
      this.finRcvd = true;
      // tcp_fin: the FIN is owed an ACK. FIN_WAIT_1 and FIN_WAIT_2 send it at once;
      // ESTABLISHED goes to CLOSE_WAIT in pingpong mode (step), and the ACK waits
      // for the application's reply, usually its own FIN (ackSndCheck).
      this.ackPending |= ACK_SCHED;
      const st0 = this.state;
      this.step('fin');
      if (st0 === 'FIN_WAIT_1' || st0 === 'FIN_WAIT_2') this.sendAck();
    }
    this.wakeReaders();
  }

  /** Linux tcp_data_queue's out_of_window path: a retransmission is ACKed at once, and quick-ack mode starts. */
  private quickAckNow(): void {
    this.enterQuickack(TCP_MAX_QUICKACKS);
    this.sendAck();
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
      this.cleanupRbuf(out.length);
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

  /**
   * After the application read `copied` bytes (Linux tcp_cleanup_rbuf): an owed
   * ACK goes now if more than one full segment is unacknowledged, or if the
   * read emptied the queue of small (PUSHED) segments outside pingpong mode;
   * and a peer stalled on a small window hears that it opened.
   */
  private cleanupRbuf(copied: number): void {
    const p = this.ackPending;
    let now =
      (p & ACK_SCHED) !== 0 &&
      (seqDiff(this.rcvNxt, this.rcvWup) > this.rcvMss ||
        (copied > 0 && (p & ACK_PUSHED2 || (p & ACK_PUSHED && !this.inPingpong())) && this.rqBytes === 0));
    if (!now && copied > 0 && !this.shutRd) {
      const st = this.state;
      if ((st === 'ESTABLISHED' || st === 'FIN_WAIT_1' || st === 'FIN_WAIT_2') && this.lastAdvWnd < MSS && this.rcvWnd() >= Math.min(MSS, this.rcvBufSize / 2)) now = true;
    }
    if (now) this.sendAck();
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
