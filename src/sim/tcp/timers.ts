// The TCP timers, in one model. A connection's timers are named by kind
// (TimerName: retransmit, persist, keepalive, time-wait, fin-wait-2;
// delayed-ack will join them). Two mechanisms serve them, both here:
//
// - A full socket (Tcb) has a TimerSlot per Linux timer it models: one slot
//   holds one kind at a time, as Linux's icsk_retransmit_timer holds either
//   the retransmit or the zero-window probe (persist) timer. The keepalive
//   timer (Linux sk_timer) is a second slot, made only for a socket that
//   sets SO_KEEPALIVE. Slots stop lazily:
//   a stopped or moved timer leaves its engine event pending, and the engine
//   asks the slot (idle) before it dispatches the event.
// - Minisocks (TIME_WAIT, and orphans in FIN_WAIT_2) are many and all wait
//   about as long: they sit in one MinisockTimerQueue per host, ordered by
//   expiry, with one engine event for its head (Linux's inet_twsk_schedule
//   uses a timer wheel for the same reason).
//
// The engine knows neither sockets nor minisocks: it schedules and fires
// TimerTargets. SO_LINGER is not a timer here, as it is not in Linux: it is the
// closing process's bounded wait (sk_stream_wait_close), like os.sleep.
import type { TimerName } from '../../../types/closing-time.d.ts';

/** What the engine's timer events call (an Ev of kind Timer holds one, and the generation it was set with). */
export interface TimerTarget {
  /** The event with this generation has nothing to do (superseded or stopped): the engine drops it without moving the clock. */
  idle(gen: number): boolean;
  /** The event came up and is live. */
  fire(): void;
}

/** What the timers ask of the world: the clock, engine events and the trace. */
export interface TimerEnv {
  now(): number;
  /** An engine event for `target` at absolute time `at`; the handle cancels it (only while it is pending). */
  scheduleTimer(target: TimerTarget, at: number, gen: number): object;
  /** The event will do nothing, and no longer holds its target. */
  cancelTimer(handle: object): void;
  readonly tracingTimer: boolean;
  traceTimer(host: string, id: number, local: string, remote: string, timer: TimerName, action: 'set' | 'fire' | 'cancel', at?: number): void;
}

/** The socket a slot belongs to: what its trace lines name, and who handles an expiry. */
export interface TimerOwner<K extends TimerName> {
  readonly id: number;
  readonly local: string;
  readonly remote: string;
  readonly hostName: string;
  timerExpired(kind: K): void;
}

/**
 * One of a socket's timers, holding one kind at a time. Lazy, as Linux's
 * sk_reset_timer on a timer wheel: stopping leaves the engine event pending;
 * setting schedules an event only when none is pending at or before the new
 * expiry (a pending earlier event re-arms itself for the rest when it comes up).
 * A retransmit timer stopped and set again for every segment of a
 * request/response connection schedules one event, not one per segment.
 */
export class TimerSlot<K extends TimerName> implements TimerTarget {
  /** The running timer, or null. */
  kind: K | null = null;
  /** When it expires (virtual ms), while kind is set. */
  at = 0;
  private gen = 0;
  /** Time of the earliest pending engine event, or -1 (a small integer: Infinity would be a boxed number in every socket). */
  private evAt = -1;
  /** That event while it is pending. */
  private ev: object | null = null;

  constructor(
    private readonly env: TimerEnv,
    private readonly owner: TimerOwner<K>,
  ) {}

  /**
   * Starts (or moves) the timer: traced as set when the kind changes, and for the
   * keepalive timer when it moves too (setsockopt moves it; the trace's readers,
   * such as the console's live `ss -o`, know its expiry only from the trace).
   */
  set(kind: K, at: number): void {
    const env = this.env;
    const fresh = this.kind !== kind || (kind === 'keepalive' && at !== this.at);
    this.kind = kind;
    this.at = at;
    if (fresh && env.tracingTimer) this.trace(kind, 'set', at);
    if (this.evAt < 0 || at < this.evAt) {
      this.gen++;
      this.evAt = at;
      this.dropEvent();
      this.ev = env.scheduleTimer(this, at, this.gen);
    }
  }

  /** Stops the timer (traced as cancel when one ran); its pending event stays, and comes up idle. */
  stop(): void {
    if (this.kind && this.env.tracingTimer) this.trace(this.kind, 'cancel');
    this.kind = null;
  }

  /**
   * The connection is over for this socket: the timer stops and its pending
   * event is disarmed, so that it keeps nothing alive.
   */
  disarm(): void {
    this.stop();
    this.gen++;
    this.evAt = -1;
    this.dropEvent();
  }

  idle(gen: number): boolean {
    if (gen !== this.gen) return true;
    if (this.kind !== null) return false;
    this.ev = null;
    this.evAt = -1;
    return true;
  }

  fire(): void {
    this.ev = null; // this event is being handled: its handle is no longer ours
    this.evAt = -1;
    const env = this.env;
    if (env.now() < this.at) {
      // An earlier event of a timer that was moved later: wait for the rest.
      this.gen++;
      this.evAt = this.at;
      this.ev = env.scheduleTimer(this, this.at, this.gen);
      return;
    }
    const kind = this.kind!;
    this.kind = null;
    if (env.tracingTimer) this.trace(kind, 'fire');
    this.owner.timerExpired(kind);
  }

  private dropEvent(): void {
    if (this.ev) {
      this.env.cancelTimer(this.ev);
      this.ev = null;
    }
  }

  private trace(kind: K, action: 'set' | 'fire' | 'cancel', at?: number): void {
    const o = this.owner;
    this.env.traceTimer(o.hostName, o.id, o.local, o.remote, kind, action, at);
  }
}

/** What the minisock queue holds: a minisock's expiry and its place in the queue. */
export interface QueuedMinisock {
  readonly id: number;
  readonly local: string;
  readonly remote: string;
  readonly substate: 'TIME_WAIT' | 'FIN_WAIT_2';
  expiresAt: number;
  /** Its live entry in the queue (absolute index), or -1. */
  qi: number;
}

/**
 * The minisock timers of one host, in expiry order (almost always arrival
 * order: every TIME_WAIT lasts the same), with one engine event for the head:
 * a TIME_WAIT socket costs no event of its own.
 *
 * A ring of entries from head to tail (absolute indices; slot = index & mask).
 * A minisock is its own live entry, due at its expiresAt; a number is the due
 * time of an entry whose minisock was re-armed or killed since (it still wakes
 * the queue at that time). One slot per entry, and a dead minisock is not kept.
 */
export class MinisockTimerQueue<T extends QueuedMinisock> implements TimerTarget {
  private q: (T | number)[] = new Array<T | number>(64).fill(0);
  private mask = 63;
  private head = 0;
  private tail = 0;
  private armedAt = Infinity;

  constructor(
    private readonly env: TimerEnv,
    private readonly hostName: string,
    /** A minisock's timer expired (its entry is already out of the queue). */
    private readonly expired: (tw: T) => void,
  ) {}

  /** Starts or restarts a minisock's timer (traced as set). */
  arm(tw: T, at: number): void {
    this.unqueue(tw);
    tw.expiresAt = at;
    if (this.env.tracingTimer) this.env.traceTimer(this.hostName, tw.id, tw.local, tw.remote, timerOf(tw), 'set', at);
    if (this.tail - this.head === this.q.length) this.grow();
    const q = this.q;
    const mask = this.mask;
    let i = this.tail++;
    // Keep the queue sorted: shift the new entry back past later ones (rare: a shorter timer after longer ones).
    while (i > this.head && due(q[(i - 1) & mask]!) > at) {
      const later = q[(i - 1) & mask]!;
      q[i & mask] = later;
      if (typeof later !== 'number') later.qi = i;
      i--;
    }
    q[i & mask] = tw;
    tw.qi = i;
    if (at < this.armedAt) {
      this.armedAt = at;
      this.env.scheduleTimer(this, at, 0);
    }
  }

  /** The minisock leaves the queue (killed): its entry becomes a bare due time. */
  unqueue(tw: T): void {
    if (tw.qi < 0) return;
    this.q[tw.qi & this.mask] = tw.expiresAt;
    tw.qi = -1;
  }

  /** Everything goes (the host crashed). */
  clear(): void {
    this.q = new Array<T | number>(64).fill(0);
    this.mask = 63;
    this.head = this.tail = 0;
  }

  /** A superseded event still moves the clock (fire returns at once): never idle. */
  idle(): boolean {
    return false;
  }

  fire(): void {
    const now = this.env.now();
    if (now < this.armedAt) return; // an earlier event, superseded
    this.armedAt = Infinity;
    while (this.head < this.tail) {
      const slot = this.head & this.mask;
      const tw = this.q[slot]!;
      if (due(tw) > now) break;
      this.q[slot] = 0;
      this.head++;
      if (typeof tw === 'number') continue;
      tw.qi = -1;
      // A live entry is a minisock still in its table: a kill or a re-arm turns its slot into a number.
      if (this.env.tracingTimer) this.env.traceTimer(this.hostName, tw.id, tw.local, tw.remote, timerOf(tw), 'fire');
      this.expired(tw);
    }
    if (this.head < this.tail) {
      this.armedAt = due(this.q[this.head & this.mask]!);
      this.env.scheduleTimer(this, this.armedAt, 0);
    }
  }

  /** Twice the ring; entries keep their absolute indices. */
  private grow(): void {
    const old = this.q;
    const oldMask = this.mask;
    const q = new Array<T | number>(old.length * 2).fill(0);
    const mask = q.length - 1;
    for (let i = this.head; i < this.tail; i++) q[i & mask] = old[i & oldMask]!;
    this.q = q;
    this.mask = mask;
  }
}

function timerOf(tw: QueuedMinisock): TimerName {
  return tw.substate === 'TIME_WAIT' ? 'time-wait' : 'fin-wait-2';
}

/** When a queue entry is due. */
function due(e: QueuedMinisock | number): number {
  return typeof e === 'number' ? e : e.expiresAt;
}
