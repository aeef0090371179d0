// The process scheduler: one process runs at a time. A blocking call parks
// its process on a waiter; whoever wakes the waiter (the stack, a timer) puts
// it on the run queue, and the engine resumes processes from there in order.
// A process that goes on in microtasks keeps control until it waits again or
// ends (quiet); the watchdog notices one that awaits something the simulator
// does not control. This is the Kernel that processes and sockets call.
import type { Errno, OS } from '../../types/closing-time.d.ts';
import { type HostHandle, type Kernel, Proc } from './process.ts';
import { EvKind, type Timeline } from './queue.ts';
import type { Waiter } from './tcp/env.ts';
import type { TraceBus } from './trace-bus.ts';
import type { WorldOptions } from './world-types.ts';

export class WaiterImpl<T> implements Waiter<T> {
  settled = false;
  /** Where the call was made, so that a failure reported later points at the learner's line. */
  site: Error | null = null;
  /** What the process resumes with (set when woken). */
  value: unknown = undefined;
  error: unknown = undefined;
  /** Turns the woken value into the call's result, run as the resumed process (accept() makes its socket). */
  map: ((this: any, v: any) => T) | null = null;
  mapThis: unknown = null;
  res: ((v: T) => void) | null = null;
  rej: ((e: unknown) => void) | null = null;
  promise: Promise<T> | null = null;
  n = 0;
  /** Incremented each time the waiter is reused: a timer event for an earlier use must not wake it. */
  gen = 0;
  constructor(
    public proc: Proc,
    /** The waiting call ('start' for a process's first slice); with `arg`, formatted only when shown. */
    public call: string,
    public arg: number,
  ) {}
  get start(): boolean {
    return this.call === 'start';
  }
  get what(): string {
    if (this.call === 'sleep') return `sleep(${this.arg})`;
    if (this.call === 'close') return `close(fd ${this.arg}) lingering`;
    return this.call === 'start' ? 'start' : `${this.call}(fd ${this.arg})`;
  }
}

const SETTLED: Promise<void> = Promise.resolve();

let lastResolve: ((v: any) => void) | null = null;
let lastReject: ((e: unknown) => void) | null = null;
function takeResolvers(res: (v: any) => void, rej: (e: unknown) => void): void {
  lastResolve = res;
  lastReject = rej;
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as { then?: unknown }).then === 'function';

/** Runs `fn` after the pending microtasks and the host environment's own events (setImmediate, or a message in a browser). */
export const macrotask: (fn: () => void) => void =
  typeof setImmediate === 'function'
    ? (fn) => setImmediate(fn)
    : (() => {
        const ch = new MessageChannel();
        const q: (() => void)[] = [];
        ch.port1.onmessage = () => q.shift()?.();
        return (fn: () => void) => {
          q.push(fn);
          ch.port2.postMessage(0);
        };
      })();

/** Host names and addresses, for the calls that take either. */
export interface Names {
  hostName(ip: string): string;
  resolveHost(name: string): string | null;
}

export class Scheduler implements Kernel {
  current: Proc | null = null;
  /** A process was handed control and has not yet given it back (it continues in microtasks). */
  sliceOpen = false;
  /** The engine loop is on the stack (a process that blocks synchronously needs no new pump). */
  inPump = false;
  /** A process whose `done` somebody awaits ended: foreign continuations must run before the world moves on. */
  drainAfterSlice = false;
  private watchdogArmed = false;
  private nextPid = 100;
  /**
   * Waiters whose process may run, in order, from runqHead to runqTail. The array
   * is reused, never truncated: shift() and length = 0 would reallocate its storage.
   */
  private runq: (WaiterImpl<any> | undefined)[] = [];
  private runqHead = 0;
  private runqTail = 0;
  /** Waiters whose call has returned, for reuse (a busy run would otherwise make one per blocking call). */
  private freeWaiters: WaiterImpl<any>[] = [];
  /**
   * Processes that have not ended, in pid order: a list through the processes
   * themselves (an ended one must not keep its sockets and closures alive).
   */
  private liveHead: Proc | null = null;
  private liveTail: Proc | null = null;

  constructor(
    private readonly timeline: Timeline,
    private readonly bus: TraceBus,
    private readonly names: Names,
    private readonly opts: WorldOptions,
    /** The engine, called again when the running process gives control back. */
    private readonly pumpFn: () => void,
  ) {}

  // ---------------------------------------------------------------- the Kernel of processes

  now(): number {
    return this.timeline.now;
  }

  get tracingCalls(): boolean {
    return this.bus.trSyscall;
  }

  traceCall(call: string, args: string, phase: 'call' | 'return' | 'error', result?: string, errno?: Errno, fd?: number, caller?: Proc | null): void {
    if (!this.bus.trSyscall) return;
    this.bus.traceCall(caller === undefined ? this.current : caller, call, args, phase, result, errno, fd);
  }

  resolveHost(name: string): string | null {
    return this.names.resolveHost(name);
  }

  hostName(ip: string): string {
    return this.names.hostName(ip);
  }

  spawn(host: HostHandle, fn: (os: OS) => unknown, name: string): Proc {
    const p = new Proc(this.nextPid++, String(name), host, fn, this);
    this.addLive(p);
    // Processes start as events: one process runs at a time, in a deterministic order.
    this.timeline.schedule(this.timeline.now, EvKind.Call, null, p, 0);
    return p;
  }

  caller(fallback: Proc | null): Proc | null {
    const c = this.current;
    if (c && (c.status === 'running' || c.status === 'blocked')) return c;
    return fallback && (fallback.status === 'running' || fallback.status === 'blocked') ? fallback : c;
  }

  waiter<T>(call: string, arg: number, who: Proc | null): WaiterImpl<T> {
    const proc = who ?? this.caller(null);
    if (!proc) throw new Error(`${call}() waits, so it must be called inside a process: host.run(async (os) => { ... })`);
    let w = this.freeWaiters.pop() as WaiterImpl<T> | undefined;
    if (w) {
      w.proc = proc;
      w.call = call;
      w.arg = arg;
      w.settled = false;
      w.n = 0;
    } else w = new WaiterImpl<T>(proc, call, arg);
    // One shared executor hands the resolving functions over: no closure per call.
    w.promise = new Promise<T>(takeResolvers);
    w.res = lastResolve;
    w.rej = lastReject;
    lastResolve = lastReject = null;
    // Capturing a stack costs a microsecond or two (benchmarks turn it off).
    if (this.opts.callSites !== false) w.site = new Error();
    return w;
  }

  mappedWaiter<T, V, S>(call: string, arg: number, who: Proc | null, map: (this: S, v: V) => T, self: S): Waiter<T> {
    const w = this.waiter<T>(call, arg, who);
    w.map = map;
    w.mapThis = self;
    return w;
  }

  park<T>(wt: Waiter<T>): Promise<T> {
    const w = wt as WaiterImpl<T>;
    const proc = w.proc;
    proc.waits++;
    proc.waitingOn = w;
    proc.status = 'blocked';
    this.quiet(proc);
    return w.promise!;
  }

  sleep(ms: number, who?: Proc | null): Promise<void> {
    const w = this.waiter<void>('sleep', ms, who ?? null);
    this.wakeAt(w, this.timeline.now + ms);
    return this.park(w);
  }

  wakeAt(w: Waiter<void>, at: number): void {
    this.timeline.schedule(Math.round(at), EvKind.Wake, w, null, (w as WaiterImpl<void>).gen);
  }

  // ---------------------------------------------------------------- the engine's side

  /** A Wake event came up: it wakes its waiter unless the waiter was reused since. */
  wakeEvent(w: WaiterImpl<void>, gen: number): void {
    if (gen === w.gen) this.wake(w, undefined, undefined);
  }

  /** A process's start event came up: its first slice joins the run queue. */
  enqueueStart(p: Proc): void {
    this.runq[this.runqTail++] = new WaiterImpl(p, 'start', 0);
  }

  get hasReady(): boolean {
    return this.runqHead < this.runqTail;
  }

  /** Resumes the next ready process. True when it goes on running in microtasks (the engine must return). */
  resumeNext(): boolean {
    const w = this.runq[this.runqHead]!;
    this.runq[this.runqHead++] = undefined;
    if (this.runqHead === this.runqTail) this.runqHead = this.runqTail = 0;
    return this.resume(w);
  }

  /** The processes that have not ended, in pid order. */
  liveProcs(): Proc[] {
    const out: Proc[] = [];
    for (let p = this.liveHead; p; p = p.nextLive) out.push(p);
    return out;
  }

  /** host.crash(): the host's processes are killed where they stand. */
  killProcessesOf(h: HostHandle): void {
    for (const p of this.liveProcs()) {
      if (p.hostHandle === h && (p.status === 'running' || p.status === 'blocked')) {
        p.status = 'killed';
        this.removeLive(p);
        if (this.bus.tracing) this.bus.emit({ kind: 'process', host: h.name, pid: p.pid, process: p.name, action: 'kill' });
        if (this.current === p) this.quiet(p);
      }
    }
  }

  wake(w: WaiterImpl<any>, value: unknown, error: unknown): void {
    if (w.settled) return;
    w.settled = true;
    if (w.site && error instanceof Error && w.site.stack) {
      error.stack = `${error.name}: ${error.message}\n${w.site.stack.split('\n').slice(1).join('\n')}`;
    }
    if (w.proc.status === 'killed') return;
    w.value = value;
    w.error = error;
    this.runq[this.runqTail++] = w;
  }

  // ---------------------------------------------------------------- processes

  private addLive(p: Proc): void {
    p.prevLive = this.liveTail;
    if (this.liveTail) this.liveTail.nextLive = p;
    else this.liveHead = p;
    this.liveTail = p;
  }

  private removeLive(p: Proc): void {
    if (p.prevLive) p.prevLive.nextLive = p.nextLive;
    else if (this.liveHead === p) this.liveHead = p.nextLive;
    else return; // not in the list
    if (p.nextLive) p.nextLive.prevLive = p.prevLive;
    else this.liveTail = p.prevLive;
    p.prevLive = p.nextLive = null;
  }

  /** The process resumed from `w`: nothing refers to it now but timer events, which check its gen. */
  private recycle(w: WaiterImpl<any>): void {
    w.gen++;
    w.res = w.rej = null;
    w.promise = null;
    w.value = w.error = undefined;
    w.map = null;
    w.mapThis = null;
    w.site = null;
    if (this.freeWaiters.length < 4096) this.freeWaiters.push(w);
  }

  /** The running process gave control back (it waits, or it ended). */
  private quiet(proc: Proc): void {
    // `current` stays set: a process may make further calls in the same step (Promise.all).
    if (this.current !== proc || !this.sliceOpen) return;
    this.sliceOpen = false;
    if (this.inPump) return; // it gave control back synchronously: the loop goes on by itself
    if (this.drainAfterSlice) {
      // Code awaiting `done` resumes outside any slice: every pending microtask runs first.
      this.drainAfterSlice = false;
      macrotask(this.pumpFn);
    } else SETTLED.then(this.pumpFn); // a microtask; Node's queueMicrotask costs an async resource per call
  }

  private exitProc(p: Proc, error?: unknown): void {
    if (p.status === 'killed') return;
    this.removeLive(p);
    // Code awaiting `done` resumes outside any slice: let it run before the world moves on.
    if (p.doneObserved) this.drainAfterSlice = true;
    if (error === undefined) {
      p.status = 'exited';
      if (this.bus.tracing) this.bus.emit({ kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'exit' });
      p.resolveDone();
    } else {
      p.status = 'failed';
      this.bus.fail({ kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'fail', error: this.bus.errorInfo(error) });
      p.rejectDone(error);
    }
    this.quiet(p);
  }

  private startProc(p: Proc): void {
    if (this.bus.tracing) this.bus.emit({ kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'start' });
    let r: unknown;
    try {
      r = p.fn(p.os);
    } catch (e) {
      this.exitProc(p, e);
      return;
    }
    if (isPromiseLike(r)) {
      r.then(
        () => this.exitProc(p),
        (e) => this.exitProc(p, e ?? new Error('the process rejected with no reason')),
      );
    } else this.exitProc(p);
  }

  /**
   * Hand control to one process. Returns true when it goes on running in
   * microtasks: the engine continues when it waits again or ends (quiet).
   */
  private resume(w: WaiterImpl<any>): boolean {
    const p = w.proc;
    if (p.status === 'killed' || p.status === 'exited' || p.status === 'failed') return false;
    this.current = p;
    p.status = 'running';
    p.waitingOn = null;
    p.waitNote = '';
    this.opts.onSlice?.();
    this.sliceOpen = true;
    if (w.start) this.startProc(p);
    else {
      p.waits--;
      if (w.error !== undefined) w.rej!(w.error);
      else if (w.map) {
        let v: unknown;
        let failed = false;
        try {
          v = w.map.call(w.mapThis, w.value);
        } catch (e) {
          failed = true;
          w.rej!(e);
        }
        if (!failed) w.res!(v);
      } else w.res!(w.value);
      this.recycle(w);
    }
    if (!this.sliceOpen) {
      this.current = null;
      return false;
    }
    this.armWatchdog();
    return true;
  }

  /**
   * If the microtask queue empties while a process still "runs", it awaits
   * something the simulator does not control (a promise nobody resolves).
   * A macrotask runs only then: mark the process blocked and go on.
   */
  private armWatchdog(): void {
    if (this.watchdogArmed) return;
    this.watchdogArmed = true;
    macrotask(() => {
      this.watchdogArmed = false;
      const p = this.current;
      if (!p || !this.sliceOpen) return;
      if (p.waits === 0) p.waitNote = 'await on a promise the simulator does not control';
      if (p.status === 'running') p.status = 'blocked';
      this.quiet(p);
    });
  }
}
