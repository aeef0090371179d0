// The event queue: events at integer milliseconds, FIFO within one millisecond.
// Events that share a time share a bucket, so the heap holds distinct times only
// (most events in a run fall on few distinct times: link delays are integers).

export const enum EvKind {
  Deliver,
  TcbTimer,
  TwTimer,
  Wake,
  Call,
}

export class Ev {
  constructor(
    public t: number,
    public kind: EvKind,
    public a: any,
    public b: any,
    public gen: number,
  ) {}
}

export class EventQueue {
  private buckets = new Map<number, Ev[]>();
  private times: number[] = [];
  private cur: Ev[] | null = null;
  private curTime = -1;
  private curIdx = 0;
  size = 0;

  push(ev: Ev): void {
    this.size++;
    if (ev.t === this.curTime && this.cur) {
      this.cur.push(ev);
      return;
    }
    let b = this.buckets.get(ev.t);
    if (!b) {
      b = [];
      this.buckets.set(ev.t, b);
      this.heapPush(ev.t);
    }
    b.push(ev);
  }

  /** Time of the next event, or Infinity. */
  peekTime(): number {
    if (this.cur && this.curIdx < this.cur.length) return this.curTime;
    return this.times.length ? this.times[0]! : Infinity;
  }

  pop(): Ev | undefined {
    for (;;) {
      if (this.cur && this.curIdx < this.cur.length) {
        this.size--;
        const ev = this.cur[this.curIdx]!;
        this.cur[this.curIdx++] = undefined as unknown as Ev;
        return ev;
      }
      if (this.cur) {
        this.buckets.delete(this.curTime);
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
