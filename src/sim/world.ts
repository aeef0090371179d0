import type {
  Errno,
  Fault,
  FaultRule,
  Host,
  HostOptions,
  Link,
  LinkOptions,
  OS,
  Process,
  ProcessEvent,
  Profile,
  SimulationOptions,
  SsOptions,
  SsTable,
  SysctlName,
  Sysctls,
  TcpState,
  TraceEvent,
  TraceKind,
} from '../../types/closing-time.d.ts';
import { SocketError } from './errors.ts';
import { Prng } from './prng.ts';
import { type Kernel, type HostHandle, Proc } from './process.ts';
import { Ev, EvKind, EventQueue } from './queue.ts';
import { Segment, parseFlagPattern, resetSegmentIds } from './segment.ts';
import { makeSsTable, ssRows } from './ss.ts';
import type { StackEnv, Waiter } from './tcp/env.ts';
import { checkSysctl, profileParams } from './tcp/params.ts';
import { Stack } from './tcp/stack.ts';
import { Tcb } from './tcp/tcb.ts';
import type { BlockedProcess, RunSummary, TimeWaitPolicy, World, WorldOptions } from './world-types.ts';

class WaiterImpl<T> implements Waiter<T> {
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

interface LinkState extends Required<LinkOptions> {}

const LINK_DEFAULTS: LinkState = { delayMs: 10, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, reorderDelayMs: 30 };

class LinkImpl implements Link {
  o: LinkState;
  constructor(
    readonly a: Host,
    readonly b: Host,
    opts: LinkOptions,
  ) {
    this.o = { ...LINK_DEFAULTS };
    this.set(opts);
  }
  set(opts: LinkOptions): void {
    if (!opts || typeof opts !== 'object') throw new TypeError('link options must be an object like { delayMs: 10, loss: 0.1 }');
    for (const [k, v] of Object.entries(opts)) {
      if (!(k in LINK_DEFAULTS)) throw new TypeError(`unknown link option '${k}'; known: ${Object.keys(LINK_DEFAULTS).join(', ')}`);
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`link option ${k} must be a number >= 0, got ${JSON.stringify(v)}`);
      if ((k === 'loss' || k === 'duplicate' || k === 'reorder') && v > 1) throw new TypeError(`link option ${k} is a probability from 0 to 1, got ${v}`);
      (this.o as any)[k] = v;
    }
    if (opts.delayMs !== undefined && opts.reorderDelayMs === undefined) this.o.reorderDelayMs = 3 * this.o.delayMs;
  }
}

interface FaultState {
  rule: FaultRule;
  from: string | null;
  to: string | null;
  bits: number;
  exact: boolean;
  checkFlags: boolean;
  states: TcpState[] | null;
  seen: number;
  hits: number;
  removed: boolean;
  nth: number;
  count: number;
}

interface Route {
  dst: HostImpl | null;
  link: LinkImpl | null;
  loop: boolean;
  epoch: number;
}

class HostImpl implements Host, HostHandle {
  readonly stack: Stack;
  /** Routes by destination address (World.route). */
  readonly routes = new Map<string, Route>();
  /** The route last used: a host mostly sends to one peer in a row. */
  lastRoute: Route | null = null;
  lastRouteIp = '';
  readonly api: Host = this;
  constructor(
    private world: WorldImpl,
    readonly name: string,
    readonly ip: string,
    readonly profile: Profile,
    mslMs: number,
  ) {
    this.stack = new Stack(name, ip, world.env, profileParams(profile, mslMs), () => world.nextSockId++, (a) => world.hostName(a));
    this.stack.host = this;
  }
  run(fn: (os: OS) => unknown, name?: string): Process {
    if (typeof fn !== 'function') throw new TypeError(`${this.name}.run(fn) takes a function (os) => { ... }, got ${typeof fn}`);
    return this.world.spawn(this, fn, name ?? (fn.name && fn.name !== 'anonymous' ? fn.name : this.name));
  }
  sysctl<K extends SysctlName>(name: K, value?: Sysctls[K]): any {
    const err = checkSysctl(name, value === undefined ? this.stack.sysctl(name) : value);
    if (err) throw new SocketError('EINVAL', 'sysctl', err);
    if (value === undefined) return this.stack.sysctl(name);
    this.stack.setSysctl(name, value);
  }
  ss(options?: SsOptions): SsTable {
    return makeSsTable(ssRows(this.stack, this.world.now()), options);
  }
  crash(): void {
    this.world.crashHost(this);
  }
}

const SETTLED: Promise<void> = Promise.resolve();

let lastResolve: ((v: any) => void) | null = null;
let lastReject: ((e: unknown) => void) | null = null;
function takeResolvers(res: (v: any) => void, rej: (e: unknown) => void): void {
  lastResolve = res;
  lastReject = rej;
}

/**
 * A segment's trace event (send, deliver or drop): one shape, made for every
 * segment while somebody reads segments. `state` is the sender's state on
 * send; `reason` says why a segment was dropped or that a delivery was a duplicate.
 */
class SegmentEvent {
  // Declared in the order a trace event's fields print in (JSON keeps it).
  readonly kind = 'segment';
  readonly action: 'send' | 'deliver' | 'drop';
  readonly host: string;
  readonly seg: Segment;
  readonly state: TcpState | undefined;
  readonly reason: string | undefined;
  t = 0;
  n = 0;
  constructor(action: 'send' | 'deliver' | 'drop', host: string, seg: Segment, state: TcpState | undefined, reason: string | undefined) {
    this.action = action;
    this.host = host;
    this.seg = seg;
    this.state = state;
    this.reason = reason;
  }
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as { then?: unknown }).then === 'function';

const macrotask: (fn: () => void) => void =
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

/** The world: hosts, links, faults, the clock, and the engine that runs them. */
class WorldImpl implements World, Kernel {
  readonly seed: number;
  readonly trace: TraceEvent[] = [];
  private queue = new EventQueue();
  private prng: Prng;
  private clock = 0;
  private untilMs: number;
  private wallMs: number;
  private record: boolean;
  private maxRecorded: number;
  private maxOutput: number;
  private outputBytes = 0;
  private outputCut = false;
  private traceN = 0;
  private subs = new Map<string, ((e: any) => void)[]>();
  private hostList: HostImpl[] = [];
  private byName = new Map<string, HostImpl>();
  private byIp = new Map<string, HostImpl>();
  private links = new Map<string, LinkImpl>();
  private defaultLinks = new Map<string, LinkImpl>();
  private faults: FaultState[] = [];
  private partitions: { a: string; b: string; from: number; until: number }[] = [];
  private defaults: { profile: Profile; mslMs: number } = { profile: 'linux', mslMs: 120_000 };
  /**
   * Processes that have not ended, in pid order: a list through the processes
   * themselves (an ended one must not keep its sockets and closures alive).
   */
  private liveHead: Proc | null = null;
  private liveTail: Proc | null = null;

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

  private liveProcs(): Proc[] {
    const out: Proc[] = [];
    for (let p = this.liveHead; p; p = p.nextLive) out.push(p);
    return out;
  }
  private nextPid = 100;
  nextSockId = 1;
  /**
   * Waiters whose process may run, in order, from runqHead to runqTail. The array
   * is reused, never truncated: shift() and length = 0 would reallocate its storage.
   */
  private runq: (WaiterImpl<any> | undefined)[] = [];
  private runqHead = 0;
  private runqTail = 0;
  current: Proc | null = null;
  private started = false;
  private stopReason: string | null = null;
  private failed: ProcessEvent[] = [];
  private events = 0;
  /** A process was handed control and has not yet given it back (it continues in microtasks). */
  private sliceOpen = false;
  /** The engine loop is on the stack (a process that blocks synchronously needs no new pump). */
  private inPump = false;
  private finished = false;
  private finish: ((s: RunSummary) => void) | null = null;
  private wallStart = 0;
  private lastYield = 0;
  private readonly pumpFn = (): void => this.pump();
  private drainAfterSlice = false;
  private drained = false;
  private watchdogArmed = false;
  private opts: WorldOptions;
  tracing = false;
  /** Per kind: somebody reads these events (recorded, or subscribed to the kind or '*'). */
  private trSeg = false;
  private trState = false;
  private trTimer = false;
  private trSyscall = false;
  readonly env: StackEnv;

  constructor(opts: WorldOptions) {
    this.opts = opts;
    this.seed = opts.seed ?? 1;
    this.prng = new Prng(this.seed);
    this.untilMs = opts.untilMs ?? 600_000;
    this.wallMs = opts.wallMs ?? 10_000;
    this.record = opts.record ?? true;
    this.maxRecorded = opts.maxRecorded ?? 1_000_000;
    this.maxOutput = opts.maxOutputBytes ?? 1 << 20;
    this.tracing = this.record;
    this.updateTracing();
    resetSegmentIds();
    const w = this;
    this.env = {
      now: () => w.clock,
      scheduleTcbTimer: (tcb, at, gen) => w.push(at, EvKind.TcbTimer, tcb, null, gen),
      cancelTcbTimer: (handle) => {
        const ev = handle as Ev;
        ev.kind = EvKind.Dead;
        ev.a = null;
      },
      scheduleTwTimer: (stack, tw, at, gen) => w.push(at, EvKind.TwTimer, tw, stack, gen),
      transmit: (seg, from) => w.transmit(seg, from.host as HostImpl),
      wake: (wt, value) => w.wake(wt as WaiterImpl<any>, value, undefined),
      fail: (wt, code, syscall, message) => w.wake(wt as WaiterImpl<any>, undefined, new SocketError(code, syscall, message)),
      get tracing() {
        return w.tracing;
      },
      get tracingState() {
        return w.trState;
      },
      get tracingTimer() {
        return w.trTimer;
      },
      traceState: (host, id, local, remote, from, to, cause) =>
        w.emit({ kind: 'state', host, sock: { host, id, local, remote }, from, to, cause } as any),
      traceTimer: (host, id, local, remote, timer, action, at) =>
        w.emit({ kind: 'timer', host, sock: { host, id, local, remote }, timer, action, ...(at !== undefined ? { at } : {}) } as any),
      note: (level, text, host) => w.emit({ kind: 'note', level, text, ...(host ? { host } : {}) } as any),
      random32: () => w.prng.u32(),
      policyError: (e) => w.reportError(e, 'TIME_WAIT handler'),
    };
  }

  // ---------------------------------------------------------------- Simulation API

  host(name: string, ipOrOptions?: string | HostOptions): Host {
    if (typeof name !== 'string' || !/^[A-Za-z][\w-]{0,31}$/.test(name))
      throw new TypeError(`host name must start with a letter and use letters, digits, '-' or '_' (at most 32), got ${JSON.stringify(name)}`);
    if (this.byName.has(name)) throw new TypeError(`there is already a host named '${name}'`);
    const o: HostOptions = typeof ipOrOptions === 'string' ? { ip: ipOrOptions } : (ipOrOptions ?? {});
    let ip = o.ip;
    if (ip === undefined) {
      let n = this.hostList.length + 1;
      while (this.byIp.has(`10.0.0.${n}`)) n++;
      ip = `10.0.0.${n}`;
    }
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
    if (!m || m.slice(1).some((p) => Number(p) > 255) || ip.startsWith('127.') || ip === '0.0.0.0')
      throw new TypeError(`host '${name}': ${JSON.stringify(ip)} is not a usable IPv4 address`);
    if (this.byIp.has(ip)) throw new TypeError(`host '${name}': address ${ip} already belongs to '${this.byIp.get(ip)!.name}'`);
    const profile = o.profile ?? this.defaults.profile;
    if (profile !== 'linux' && profile !== 'rfc9293') throw new TypeError(`profile must be 'linux' or 'rfc9293', got ${JSON.stringify(profile)}`);
    const msl = o.mslMs ?? this.defaults.mslMs;
    if (typeof msl !== 'number' || !(msl > 0)) throw new TypeError(`mslMs must be a positive number, got ${JSON.stringify(msl)}`);
    if (o.isn !== undefined && o.isn !== 'rfc6528' && o.isn !== 'per-tuple') throw new TypeError(`isn must be 'rfc6528' or 'per-tuple', got ${JSON.stringify(o.isn)}`);
    const h = new HostImpl(this, name, ip, profile, msl);
    h.stack.isnClock = o.isn !== 'per-tuple';
    this.hostList.push(h);
    this.byName.set(name, h);
    this.byIp.set(ip, h);
    this.routeEpoch++;
    return h;
  }

  get hosts(): readonly Host[] {
    return this.hostList;
  }

  private asHost(h: Host | string, what: string): HostImpl {
    const found = typeof h === 'string' ? this.byName.get(h) : h instanceof HostImpl && this.byName.get(h.name) === h ? h : undefined;
    if (!found) throw new TypeError(`${what}: ${JSON.stringify(typeof h === 'string' ? h : (h as Host)?.name ?? h)} is not a host of this simulation`);
    return found;
  }

  private linkKey(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  link(a: Host, b: Host, options: LinkOptions = {}): Link {
    const ha = this.asHost(a, 'sim.link');
    const hb = this.asHost(b, 'sim.link');
    if (ha === hb) throw new TypeError('sim.link: a host needs no link to itself (it reaches itself over loopback)');
    const key = this.linkKey(ha.name, hb.name);
    if (this.links.has(key)) throw new TypeError(`sim.link: ${ha.name} and ${hb.name} are already linked; use link.set() to change it`);
    const l = new LinkImpl(ha, hb, options);
    this.links.set(key, l);
    this.routeEpoch++;
    return l;
  }

  fault(rule: FaultRule): Fault {
    if (!rule || typeof rule !== 'object') throw new TypeError('sim.fault takes a rule like { action: "drop", from: client, flags: "F" }');
    if (rule.action !== 'drop' && rule.action !== 'delay' && rule.action !== 'duplicate')
      throw new TypeError(`fault action must be 'drop', 'delay' or 'duplicate', got ${JSON.stringify(rule.action)}`);
    const fp = rule.flags !== undefined ? parseFlagPattern(String(rule.flags)) : { bits: 0, exact: false };
    for (const k of ['nth', 'count'] as const) {
      const v = rule[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) throw new TypeError(`fault ${k} must be an integer >= 1, got ${JSON.stringify(v)}`);
    }
    const f: FaultState = {
      rule,
      from: rule.from !== undefined ? this.asHost(rule.from, 'sim.fault from').name : null,
      to: rule.to !== undefined ? this.asHost(rule.to, 'sim.fault to').name : null,
      bits: fp.bits,
      exact: fp.exact,
      checkFlags: rule.flags !== undefined,
      states: rule.state === undefined ? null : Array.isArray(rule.state) ? rule.state : [rule.state],
      seen: 0,
      hits: 0,
      removed: false,
      nth: rule.nth ?? 1,
      count: rule.count ?? (rule.nth !== undefined ? 1 : Infinity),
    };
    this.faults.push(f);
    return {
      get hits() {
        return f.hits;
      },
      remove: () => {
        f.removed = true;
      },
    };
  }

  partition(a: Host, b: Host, window: { fromMs: number; untilMs: number }): void {
    const ha = this.asHost(a, 'sim.partition');
    const hb = this.asHost(b, 'sim.partition');
    if (!window || typeof window.fromMs !== 'number' || typeof window.untilMs !== 'number' || window.untilMs < window.fromMs)
      throw new TypeError('sim.partition(a, b, { fromMs, untilMs }) needs fromMs <= untilMs');
    this.partitions.push({ a: ha.name, b: hb.name, from: window.fromMs, until: window.untilMs });
  }

  at(ms: number, fn: () => void): void {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError(`sim.at(ms, fn) needs ms >= 0, got ${JSON.stringify(ms)}`);
    if (typeof fn !== 'function') throw new TypeError('sim.at(ms, fn) needs a function');
    this.push(Math.max(this.clock, Math.round(ms)), EvKind.Call, fn, null, 0);
  }

  until(ms: number): void {
    if (typeof ms !== 'number' || !(ms > 0)) throw new TypeError(`sim.until(ms) needs ms > 0, got ${JSON.stringify(ms)}`);
    this.untilMs = ms;
  }

  configure(options: SimulationOptions): void {
    if (options.profile !== undefined) {
      if (options.profile !== 'linux' && options.profile !== 'rfc9293') throw new TypeError(`profile must be 'linux' or 'rfc9293'`);
      this.defaults.profile = options.profile;
    }
    if (options.mslMs !== undefined) {
      if (typeof options.mslMs !== 'number' || !(options.mslMs > 0)) throw new TypeError('mslMs must be a positive number');
      this.defaults.mslMs = options.mslMs;
    }
  }

  get tracingCalls(): boolean {
    return this.trSyscall;
  }

  private updateTracing(): void {
    this.trSeg = this.wants('segment');
    this.trState = this.wants('state');
    this.trTimer = this.wants('timer');
    this.trSyscall = this.wants('syscall');
  }

  /** Whether events of this kind are recorded or subscribed to (formatting them costs). */
  private wants(kind: TraceKind): boolean {
    return this.record || this.subs.has('*') || this.subs.has(kind);
  }

  on(kind: TraceKind | '*', fn: (e: any) => void): () => void {
    if (typeof fn !== 'function') throw new TypeError('sim.on(kind, fn) needs a function');
    const list = this.subs.get(kind) ?? [];
    list.push(fn);
    this.subs.set(kind, list);
    if (kind === 'segment') this.segSubs = list;
    else if (kind === '*') this.anySubs = list;
    this.tracing = true;
    this.updateTracing();
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  now(): number {
    return this.clock;
  }

  setTimeWaitPolicy(host: Host | string, policy: TimeWaitPolicy | null): void {
    this.asHost(host, 'setTimeWaitPolicy').stack.timeWaitPolicy = policy;
  }

  // ---------------------------------------------------------------- trace

  /** The subscriber lists for segment events and for every event (the same arrays as in `subs`): segment events are most of a trace. */
  private segSubs: ((e: any) => void)[] | null = null;
  private anySubs: ((e: any) => void)[] | null = null;

  /** emit() for a segment event, without looking its subscribers up. */
  private emitSegment(ev: SegmentEvent): void {
    this.publish(ev, this.segSubs);
  }

  emit(ev: any): void {
    this.publish(ev, this.subs.size === 0 ? null : (this.subs.get(ev.kind) ?? null));
  }

  /** Stamps a trace event, records it, and hands it to the subscribers of its kind (`own`), then to those of '*'. */
  private publish(ev: { t: number; n: number }, own: ((e: any) => void)[] | null): void {
    ev.t = this.clock;
    ev.n = this.traceN++;
    if (this.record && this.trace.length < this.maxRecorded) this.trace.push(ev as TraceEvent);
    if (own !== null) for (let i = 0; i < own.length; i++) this.callSub(own[i]!, ev);
    const any = this.anySubs;
    if (any !== null) for (let i = 0; i < any.length; i++) this.callSub(any[i]!, ev);
  }

  private callSub(f: (e: any) => void, ev: any): void {
    try {
      f(ev);
    } catch (e) {
      // A subscriber's bug must not break the world: report it once as a failure of the program.
      this.reportError(e, 'sim.on handler');
    }
  }

  traceCall(call: string, args: string, phase: 'call' | 'return' | 'error', result?: string, errno?: Errno, fd?: number, caller?: Proc | null): void {
    if (!this.trSyscall) return;
    const p = caller === undefined ? this.current : caller;
    this.emit({
      kind: 'syscall',
      host: p ? p.hostHandle.name : '',
      pid: p ? p.pid : 0,
      process: p ? p.name : 'program',
      call,
      args,
      phase,
      ...(result !== undefined ? { result } : {}),
      ...(errno ? { errno } : {}),
      ...(fd !== undefined ? { fd } : {}),
    });
  }

  output(stream: 'stdout' | 'stderr', text: string): void {
    if (this.outputCut) return;
    const p = this.current;
    this.outputBytes += text.length;
    if (this.outputBytes > this.maxOutput) {
      this.outputCut = true;
      this.emit({
        kind: 'note',
        level: 'warn',
        text: `output limit reached (${this.maxOutput} bytes): further console output of this run is not shown`,
      });
      return;
    }
    this.emit({ kind: 'output', host: p ? p.hostHandle.name : '', pid: p ? p.pid : 0, process: p ? p.name : 'program', stream, text });
  }

  reportError(error: unknown, where = 'program'): void {
    const info = this.errorInfo(error);
    const ev = { kind: 'process', host: '', pid: 0, process: where, action: 'fail', error: info };
    this.emit(ev);
    this.failed.push(ev as any);
  }

  private errorInfo(error: unknown): NonNullable<ProcessEvent['error']> {
    const base =
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : { name: 'Error', message: `a value that is not an Error was thrown: ${safeString(error)}` };
    const extra = this.opts.errorInfo ? this.opts.errorInfo(error) : {};
    return { ...base, ...extra };
  }

  // ---------------------------------------------------------------- network

  hostName(ip: string): string {
    return this.byIp.get(ip)?.name ?? ip;
  }

  resolveHost(name: string): string | null {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return name;
    return this.byName.get(name)?.ip ?? null;
  }

  private push(t: number, kind: EvKind, a: unknown, b: unknown, gen: number): Ev {
    const ev = this.queue.make(kind, a, b, gen);
    this.queue.push(t < this.clock ? this.clock : t, ev);
    return ev;
  }

  /** A segment on its way to `dst`, due at `t`: the segment is its own event; a duplicate gets one of its own. */
  private pushSegment(t: number, seg: Segment, dst: HostImpl, duplicate: boolean): void {
    seg.path.dst = dst;
    if (duplicate) this.push(t, EvKind.DeliverCopy, seg, null, 0);
    else this.queue.push(t < this.clock ? this.clock : t, seg);
  }

  /** Changes when a host or a link is added: cached routes are worked out again. */
  private routeEpoch = 0;

  /** Where a segment from `src` to `dstIp` goes: cached per sending host and address (transmit is the hot path). */
  private route(src: HostImpl, dstIp: string): Route {
    let r: Route | null | undefined = src.lastRoute;
    if (r !== null && src.lastRouteIp === dstIp && r.epoch === this.routeEpoch) return r;
    r = src.routes.get(dstIp);
    if (r !== undefined && r.epoch === this.routeEpoch) {
      src.lastRoute = r;
      src.lastRouteIp = dstIp;
      return r;
    }
    const loop = dstIp.startsWith('127.') || dstIp === src.ip;
    const dst = loop ? src : (this.byIp.get(dstIp) ?? null);
    r = { dst, link: dst && !loop ? this.linkBetween(src, dst) : null, loop, epoch: this.routeEpoch };
    src.routes.set(dstIp, r);
    src.lastRoute = r;
    src.lastRouteIp = dstIp;
    return r;
  }

  /** The link between two hosts (worked out once per route: see route()). */
  private linkBetween(src: HostImpl, dst: HostImpl): LinkImpl | null {
    const key = this.linkKey(src.name, dst.name);
    let l = this.links.get(key) ?? null;
    if (!l && this.links.size === 0) {
      l = this.defaultLinks.get(key) ?? null;
      if (!l) this.defaultLinks.set(key, (l = new LinkImpl(src, dst, {})));
    }
    return l;
  }

  transmit(seg: Segment, src: HostImpl): void {
    if (this.trSeg) {
      this.emitSegment(new SegmentEvent('send', seg.srcHost, seg, seg.senderState || undefined, undefined));
    }
    const route = this.route(src, seg.dstIp);
    const dst = route.dst;
    if (!dst) return this.drop(seg, 'no-route');
    if (route.loop) {
      this.pushSegment(this.clock, seg, dst, false);
      return;
    }
    const link = route.link;
    if (!link) return this.drop(seg, 'no-route');
    for (const p of this.partitions) {
      if (this.clock >= p.from && this.clock < p.until && ((p.a === src.name && p.b === dst.name) || (p.b === src.name && p.a === dst.name)))
        return this.drop(seg, 'partition');
    }
    let extra = 0;
    for (const f of this.faults) {
      if (f.removed || !this.faultMatches(f, seg, src.name, dst.name)) continue;
      f.seen++;
      if (f.seen < f.nth || f.seen >= f.nth + f.count) continue;
      f.hits++;
      if (f.rule.action === 'drop') return this.drop(seg, 'fault');
      if (f.rule.action === 'delay') extra += f.rule.delayMs ?? 1000;
      else {
        const at = this.clock + link.o.delayMs + (f.rule.delayMs ?? 1000);
        this.pushSegment(at, seg, dst, true);
      }
    }
    const o = link.o;
    if (o.loss > 0 && this.prng.next() < o.loss) return this.drop(seg, 'loss');
    let delay = o.delayMs + extra;
    if (o.jitterMs > 0) delay += this.prng.next() * o.jitterMs;
    if (o.reorder > 0 && this.prng.next() < o.reorder) delay += o.reorderDelayMs;
    this.pushSegment(this.clock + Math.round(delay), seg, dst, false);
    if (o.duplicate > 0 && this.prng.next() < o.duplicate) this.pushSegment(this.clock + Math.round(delay) + 1, seg, dst, true);
  }

  private faultMatches(f: FaultState, seg: Segment, src: string, dst: string): boolean {
    const r = f.rule;
    if (f.from && f.from !== src) return false;
    if (f.to && f.to !== dst) return false;
    if (r.fromMs !== undefined && this.clock < r.fromMs) return false;
    if (r.untilMs !== undefined && this.clock >= r.untilMs) return false;
    if (f.checkFlags) {
      const bits = seg.bits & 31;
      if (f.exact ? (bits & ~8) !== (f.bits & ~8) : (bits & f.bits) !== f.bits) return false;
    }
    if (r.payload !== undefined) {
      if (typeof r.payload === 'string' ? !seg.data.includes(r.payload) : !r.payload.test(seg.data)) return false;
    }
    if (f.states && (!seg.senderState || !f.states.includes(seg.senderState))) return false;
    if (r.retransmission !== undefined && seg.retransmission !== r.retransmission) return false;
    return true;
  }

  private drop(seg: Segment, reason: string): void {
    if (this.trSeg) this.emitSegment(new SegmentEvent('drop', seg.srcHost, seg, undefined, reason));
  }

  // ---------------------------------------------------------------- processes

  spawn(host: HostHandle, fn: (os: OS) => unknown, name: string): Proc {
    const p = new Proc(this.nextPid++, String(name), host, fn, this);
    this.addLive(p);
    // Processes start as events: one process runs at a time, in a deterministic order.
    this.push(this.clock, EvKind.Call, null, p, 0);
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
    this.wakeAt(w, this.clock + ms);
    return this.park(w);
  }

  wakeAt(w: Waiter<void>, at: number): void {
    this.push(Math.round(at), EvKind.Wake, w, null, (w as WaiterImpl<void>).gen);
  }

  /** Waiters whose call has returned, for reuse (a busy run would otherwise make one per blocking call). */
  private freeWaiters: WaiterImpl<any>[] = [];

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

  private wake(w: WaiterImpl<any>, value: unknown, error: unknown): void {
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
      if (this.tracing) this.emit({ kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'exit' });
      p.resolveDone();
    } else {
      p.status = 'failed';
      const ev = { kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'fail', error: this.errorInfo(error) };
      this.emit(ev);
      this.failed.push(ev as any);
      p.rejectDone(error);
    }
    this.quiet(p);
  }

  private startProc(p: Proc): void {
    if (this.tracing) this.emit({ kind: 'process', host: p.hostHandle.name, pid: p.pid, process: p.name, action: 'start' });
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

  crashHost(h: HostImpl): void {
    for (const p of this.liveProcs()) {
      if (p.hostHandle === h && (p.status === 'running' || p.status === 'blocked')) {
        p.status = 'killed';
        this.removeLive(p);
        if (this.tracing) this.emit({ kind: 'process', host: h.name, pid: p.pid, process: p.name, action: 'kill' });
        if (this.current === p) this.quiet(p);
      }
    }
    const lost = h.stack.crash();
    for (const t of lost) {
      if (t.state !== 'CLOSED') t.moveState('CLOSED', 'host crashed');
      t.fdClosed = true;
    }
    this.emit({ kind: 'note', level: 'warn', host: h.name, text: `${h.name} crashed: its processes and sockets are gone` });
  }

  // ---------------------------------------------------------------- engine

  stop(reason: string): void {
    this.stopReason = reason || 'stopped';
  }

  run(): Promise<RunSummary> {
    if (this.started) return Promise.reject(new Error('world.run() was already called'));
    this.started = true;
    this.wallStart = this.lastYield = Date.now();
    return new Promise<RunSummary>((resolve) => {
      this.finish = resolve;
      this.pump();
    });
  }

  /**
   * The engine: runs events and hands control to processes, one at a time.
   * It returns when a process runs on in microtasks (quiet() calls it again)
   * or when it lets the host environment in (a macrotask calls it again).
   */
  private pump(): void {
    if (this.finished || this.sliceOpen || this.inPump) return;
    this.current = null;
    this.inPump = true;
    try {
      this.loop();
    } catch (e) {
      const message = `The simulator failed: ${e instanceof Error ? e.message : String(e)}`;
      this.emit({ kind: 'note', level: 'warn', text: message });
      this.end('error', message);
    } finally {
      this.inPump = false;
    }
  }

  private loop(): void {
    for (;;) {
      while (this.runqHead < this.runqTail) {
        this.drained = false;
        const w = this.runq[this.runqHead]!;
        this.runq[this.runqHead++] = undefined;
        if (this.runqHead === this.runqTail) this.runqHead = this.runqTail = 0;
        if (this.resume(w)) return;
        if (this.drainAfterSlice) {
          this.drainAfterSlice = false;
          macrotask(this.pumpFn); // every pending microtask runs first
          return;
        }
        if (this.stopReason) break;
      }
      if (this.stopReason) return this.end('stopped', `The run was stopped: ${this.stopReason}.`);
      if ((++this.events & 1023) === 0) {
        const now = Date.now();
        if (now - this.wallStart > this.wallMs) {
          return this.end('wall-limit', `The run used its wall-clock limit of ${this.wallMs} ms at virtual time ${fmtMs(this.clock)} and was stopped.`);
        }
        if (now - this.lastYield > 25) {
          // Let messages (a Stop button) and timers of the host environment in.
          this.lastYield = now;
          macrotask(this.pumpFn);
          return;
        }
      }
      const t = this.queue.peekTime();
      if (t === Infinity && !this.drained) {
        // Before calling it quiescence, let any pending continuation run (it may make a call).
        this.drained = true;
        macrotask(this.pumpFn);
        return;
      }
      this.drained = false;
      if (t === Infinity) return this.end('quiescence', `The run ended at ${fmtMs(this.clock)} (virtual time): nothing was left to do.`);
      if (t > this.untilMs) {
        const pending = this.queue.size;
        this.clock = this.untilMs;
        return this.end(
          'time-limit',
          `The run reached its virtual-time limit of ${fmtMs(this.untilMs)} with ${pending} event(s) still scheduled (for example a process sleeping in a loop, or timers that keep firing).`,
        );
      }
      const item = this.queue.pop()!;
      if (item.kind === EvKind.Deliver) {
        this.clock = t;
        this.deliver(item as Segment, false);
        continue;
      }
      const ev = item as Ev;
      // A cancelled timer does nothing: it must not move the clock either (the run's end time stays honest).
      if (ev.kind === EvKind.Dead || (ev.kind === EvKind.TcbTimer && (ev.a as Tcb).idleTimerEvent(ev.gen))) {
        this.queue.release(ev);
        continue;
      }
      this.clock = t;
      this.dispatch(ev);
      this.queue.release(ev);
    }
  }

  private end(endedBy: RunSummary['endedBy'], message: string): void {
    if (this.finished) return;
    this.finished = true;
    // Drop the resolver: it holds the promise and so the summary (every host's ss rows) for the world's lifetime.
    const finish = this.finish!;
    this.finish = null;
    const blocked: BlockedProcess[] = this.liveProcs()
      .filter((p) => p.status === 'blocked' || p.status === 'running')
      .map((p) => ({ host: p.hostHandle.name, pid: p.pid, process: p.name, waitingIn: p.waitingIn || 'running' }));
    finish({
      endedBy,
      message,
      virtualMs: this.clock,
      events: this.events,
      traced: this.traceN,
      blocked,
      failed: this.failed,
      hosts: this.hostList.map((h) => ({ name: h.name, ip: h.ip, ss: h.ss() })),
      pendingTimers: endedBy === 'time-limit' ? this.queue.size : 0,
    });
  }

  private deliver(seg: Segment, duplicate: boolean): void {
    const dst = seg.path.dst as HostImpl;
    if (this.trSeg) this.emitSegment(new SegmentEvent('deliver', dst.name, seg, undefined, duplicate ? 'duplicate' : undefined));
    dst.stack.deliver(seg);
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case EvKind.DeliverCopy:
        this.deliver(ev.a as Segment, true);
        return;
      case EvKind.TcbTimer:
        (ev.a as Tcb).onTimer();
        return;
      case EvKind.TwTimer: {
        (ev.b as Stack).onTwTimer();
        return;
      }
      case EvKind.Wake: {
        const w = ev.a as WaiterImpl<void>;
        if (ev.gen === w.gen) this.wake(w, undefined, undefined);
        return;
      }
      case EvKind.Call:
        if (ev.b instanceof Proc) {
          this.runq[this.runqTail++] = new WaiterImpl(ev.b, 'start', 0);
          return;
        }
        try {
          (ev.a as () => void)();
        } catch (e) {
          this.reportError(e, 'sim.at');
        }
        return;
    }
  }
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s` : `${ms} ms`;
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return '[unprintable]';
  }
}

/** A new world. Build it with the Simulation API, then `await world.run()`. */
export function createWorld(opts: WorldOptions = {}): World {
  return new WorldImpl(opts);
}

