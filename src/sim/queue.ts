// The event queue: events at integer milliseconds, FIFO within one millisecond.
// Events that share a time share a bucket, so the heap holds distinct times only
// (most events in a run fall on few distinct times: link delays are integers).

export const enum EvKind {
  /** A duplicate of a segment arrives (`a`: the segment, again). */
  DeliverCopy,
  /** A timer (`a`: its TimerTarget, see tcp/timers.ts; `gen`: the generation it was set with). */
  Timer,
  Wake,
  Call,
  /** A cancelled timer: popped and dropped, without moving the clock. */
  Dead,
}

/** One event: its kind and what it acts on. The queue reuses them (make, release): a busy run allocates none per event. */
export class Ev {
  constructor(
    public kind: EvKind,
    public a: any,
    public b: any,
    public gen: number,
  ) {}
}

/**
 * The entries of one millisecond, in order. Reused: `n` counts them, the arrays
 * keep their storage. An entry is an Ev, or a segment in flight, which is its
 * own entry (`seg` marks it): wrapping it in a pooled Ev would have long-lived
 * events point at young segments, and the garbage collector's write barrier and
 * remembered set cost a busy run a fifth of its speed (measured).
 */
interface Bucket {
  evs: unknown[];
  seg: number[];
  n: number;
}

export class EventQueue {
  private buckets = new Map<number, Bucket>();
  private times: number[] = [];
  private cur: Bucket | null = null;
  private curTime = -1;
  private curIdx = 0;
  /** Drained buckets and dispatched events, for reuse: a busy run allocates neither per event. */
  private freeBuckets: Bucket[] = [];
  private freeEvs: Ev[] = [];
  size = 0;

  /** A new event (reused when one is free). */
  make(kind: EvKind, a: unknown, b: unknown, gen: number): Ev {
    const ev = this.freeEvs.pop();
    if (!ev) return new Ev(kind, a, b, gen);
    ev.kind = kind;
    ev.a = a;
    ev.b = b;
    ev.gen = gen;
    return ev;
  }

  /** An event that was popped and handled: nothing may hold it any more. */
  release(ev: Ev): void {
    ev.a = null;
    ev.b = null;
    if (this.freeEvs.length < 65_536) this.freeEvs.push(ev);
  }

  /** Queues an entry at time `t` (integer milliseconds), after everything already queued at `t`. `seg`: 1 for a segment in flight, 0 for an Ev. */
  push(t: number, entry: Ev | object, seg: number): void {
    this.size++;
    let b: Bucket | undefined;
    if (t === this.curTime && this.cur) b = this.cur;
    else {
      b = this.buckets.get(t);
      if (!b) {
        b = this.freeBuckets.pop() ?? { evs: [], seg: [], n: 0 };
        this.buckets.set(t, b);
        this.heapPush(t);
      }
    }
    b.seg[b.n] = seg;
    b.evs[b.n++] = entry;
  }

  /** The entry pop() returned last is a segment in flight (not an Ev). */
  poppedSegment = false;

  /** Time of the next event, or Infinity. */
  peekTime(): number {
    if (this.cur && this.curIdx < this.cur.n) return this.curTime;
    return this.times.length ? this.times[0]! : Infinity;
  }

  /** The next entry (see poppedSegment); its time is what peekTime() gave just before. */
  pop(): unknown {
    for (;;) {
      const cur = this.cur;
      if (cur && this.curIdx < cur.n) {
        this.size--;
        const i = this.curIdx++;
        const entry = cur.evs[i];
        cur.evs[i] = undefined;
        this.poppedSegment = cur.seg[i] === 1;
        return entry;
      }
      if (cur) {
        this.buckets.delete(this.curTime);
        cur.n = 0;
        if (cur.evs.length <= 4096 && this.freeBuckets.length < 1024) this.freeBuckets.push(cur);
        this.cur = null;
        this.curTime = -1;
      }
      if (!this.times.length) return undefined;
      const t = this.heapPop();
      this.cur = this.buckets.get(t)!;
      this.curTime = t;
      this.curIdx = 0;
    }
  }

  private heapPush(t: number): void {
    const h = this.times;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= t) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  }

  private heapPop(): number {
    const h = this.times;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && h[r]! < h[l]! ? r : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/**
 * The world's clock and its queue of events: what the engine, the network and
 * the scheduler share. `now` is virtual milliseconds; only the engine moves it.
 */
export class Timeline {
  now = 0;
  readonly queue = new EventQueue();

  /** A new event at `t` (never in the past). */
  schedule(t: number, kind: EvKind, a: unknown, b: unknown, gen: number): Ev {
    const ev = this.queue.make(kind, a, b, gen);
    this.queue.push(t < this.now ? this.now : t, ev, 0);
    return ev;
  }

  /** A segment arriving at `t` (never in the past): its own entry, no Ev. */
  scheduleSegment(t: number, seg: object): void {
    this.queue.push(t < this.now ? this.now : t, seg, 1);
  }
}
