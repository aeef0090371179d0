// The world: the Simulation API a program builds its scenario with, and the
// engine that runs it. The engine pops events in time order (segments
// arriving, timers, wake-ups, sim.at calls) and hands control to one process
// at a time; its parts have modules of their own: the network (network.ts),
// the trace bus (trace-bus.ts), the process scheduler (scheduler.ts), the
// argument checks (world-checks.ts) and the hosts (host.ts).
import type { Fault, FaultRule, Host, HostOptions, Link, LinkOptions, OS, Profile, SimulationOptions, TraceEvent, TraceKind } from '../../types/closing-time.d.ts';
import { SocketError } from './errors.ts';
import { HostImpl, type HostWorld } from './host.ts';
import { Network, type FaultState } from './network.ts';
import { Prng } from './prng.ts';
import { type HostHandle, type Proc } from './process.ts';
import { Ev, EvKind, Timeline } from './queue.ts';
import { Scheduler, WaiterImpl, macrotask } from './scheduler.ts';
import { Segment, resetSegmentIds } from './segment.ts';
import { TcpCounters } from './tcp/counters.ts';
import type { StackEnv } from './tcp/env.ts';
import type { TimerTarget } from './tcp/timers.ts';
import { SegmentEvent, TraceBus } from './trace-bus.ts';
import { checkAt, checkFaultRule, checkHostName, checkHostOptions, checkMsl, checkPartitionWindow, checkProfile, checkSubscriber, checkUntil } from './world-checks.ts';
import type { BlockedProcess, RunSummary, TimeWaitPolicy, World, WorldOptions } from './world-types.ts';

class WorldImpl implements World, HostWorld {
  readonly seed: number;
  private readonly timeline = new Timeline();
  private readonly bus: TraceBus;
  private readonly net: Network;
  private readonly sched: Scheduler;
  private prng: Prng;
  private untilMs: number;
  private wallMs: number;
  private defaults: { profile: Profile; mslMs: number } = { profile: 'linux', mslMs: 120_000 };
  nextSockId = 1;
  private started = false;
  private stopReason: string | null = null;
  private events = 0;
  private finished = false;
  private finish: ((s: RunSummary) => void) | null = null;
  private wallStart = 0;
  private lastYield = 0;
  private readonly pumpFn = (): void => this.pump();
  /** The queue ran dry once and a macrotask let pending continuations in: if it is still dry, the run is over. */
  private drained = false;
  readonly env: StackEnv;

  constructor(opts: WorldOptions) {
    this.seed = opts.seed ?? 1;
    this.prng = new Prng(this.seed);
    this.untilMs = opts.untilMs ?? 600_000;
    this.wallMs = opts.wallMs ?? 10_000;
    this.bus = new TraceBus(this.timeline, opts);
    this.net = new Network(this.timeline, this.bus, this.prng);
    this.sched = new Scheduler(this.timeline, this.bus, this.net, opts, this.pumpFn);
    resetSegmentIds();
    const w = this;
    const timeline = this.timeline;
    const bus = this.bus;
    const sched = this.sched;
    const net = this.net;
    this.env = {
      now: () => timeline.now,
      scheduleTimer: (target, at, gen) => timeline.schedule(at, EvKind.Timer, target, null, gen),
      cancelTimer: (handle) => {
        const ev = handle as Ev;
        ev.kind = EvKind.Dead;
        ev.a = null;
      },
      transmit: (seg, from) => net.transmit(seg, from.host as HostImpl),
      wake: (wt, value) => sched.wake(wt as WaiterImpl<any>, value, undefined),
      fail: (wt, code, syscall, message) => sched.wake(wt as WaiterImpl<any>, undefined, new SocketError(code, syscall, message)),
      get tracing() {
        return bus.tracing;
      },
      get tracingState() {
        return bus.trState;
      },
      get tracingTimer() {
        return bus.trTimer;
      },
      traceState: (host, id, local, remote, from, to, cause) => bus.emit({ kind: 'state', host, sock: { host, id, local, remote }, from, to, cause } as any),
      traceTimer: (host, id, local, remote, timer, action, at) =>
        bus.emit({ kind: 'timer', host, sock: { host, id, local, remote }, timer, action, ...(at !== undefined ? { at } : {}) } as any),
      note: (level, text, host) => bus.emit({ kind: 'note', level, text, ...(host ? { host } : {}) } as any),
      random32: () => w.prng.u32(),
      policyError: (e) => bus.reportError(e, 'TIME_WAIT handler'),
    };
  }

  // ---------------------------------------------------------------- Simulation API

  host(name: string, ipOrOptions?: string | HostOptions): Host {
    checkHostName(name, (n) => this.net.hostNamed(n) !== undefined);
    const o = checkHostOptions(name, ipOrOptions, this.defaults, this.net.hosts.length, (ip) => this.net.hostAt(ip)?.name);
    const h = new HostImpl(this, name, o.ip, o.profile, o.mslMs);
    h.stack.isnClock = o.isnClock;
    this.net.addHost(h);
    return h.api;
  }

  get hosts(): readonly Host[] {
    return this.net.hosts.map((h) => h.api);
  }

  get trace(): readonly TraceEvent[] {
    return this.bus.trace;
  }

  link(a: Host, b: Host, options: LinkOptions = {}): Link {
    const ha = this.net.asHost(a, 'sim.link');
    const hb = this.net.asHost(b, 'sim.link');
    return this.net.addLink(ha, hb, options);
  }

  fault(rule: FaultRule): Fault {
    const fp = checkFaultRule(rule);
    const f: FaultState = {
      rule,
      from: rule.from !== undefined ? this.net.asHost(rule.from, 'sim.fault from').name : null,
      to: rule.to !== undefined ? this.net.asHost(rule.to, 'sim.fault to').name : null,
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
    this.net.faults.push(f);
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
    const ha = this.net.asHost(a, 'sim.partition');
    const hb = this.net.asHost(b, 'sim.partition');
    checkPartitionWindow(window);
    this.net.partitions.push({ a: ha.name, b: hb.name, from: window.fromMs, until: window.untilMs });
  }

  at(ms: number, fn: () => void): void {
    checkAt(ms, fn);
    this.timeline.schedule(Math.max(this.timeline.now, Math.round(ms)), EvKind.Call, fn, null, 0);
  }

  until(ms: number): void {
    checkUntil(ms);
    this.untilMs = ms;
  }

  configure(options: SimulationOptions): void {
    if (options.profile !== undefined) {
      checkProfile(options.profile);
      this.defaults.profile = options.profile;
    }
    if (options.mslMs !== undefined) {
      checkMsl(options.mslMs);
      this.defaults.mslMs = options.mslMs;
    }
  }

  on(kind: TraceKind | '*', fn: (e: any) => void): () => void {
    checkSubscriber(fn);
    return this.bus.on(kind, fn);
  }

  now(): number {
    return this.timeline.now;
  }

  setTimeWaitPolicy(host: Host | string, policy: TimeWaitPolicy | null): void {
    this.net.asHost(host, 'setTimeWaitPolicy').stack.timeWaitPolicy = policy;
  }

  output(stream: 'stdout' | 'stderr', text: string): void {
    this.bus.output(this.sched.current, stream, text);
  }

  reportError(error: unknown, where = 'program'): void {
    this.bus.reportError(error, where);
  }

  // ---------------------------------------------------------------- what hosts ask of the world

  hostName(ip: string): string {
    return this.net.hostName(ip);
  }

  spawn(host: HostHandle, fn: (os: OS) => unknown, name: string): Proc {
    return this.sched.spawn(host, fn, name);
  }

  crashHost(h: HostImpl): void {
    this.sched.killProcessesOf(h);
    const lost = h.stack.crash();
    for (const t of lost) {
      if (t.state !== 'CLOSED') t.moveState('CLOSED', 'host crashed');
      t.fdClosed = true;
    }
    h.stack.counters = new TcpCounters(); // a reboot: after the sockets' last state changes
    this.bus.emit({ kind: 'note', level: 'warn', host: h.name, text: `${h.name} crashed: its processes and sockets are gone` });
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
   * It returns when a process runs on in microtasks (the scheduler calls it
   * again) or when it lets the host environment in (a macrotask calls it again).
   */
  private pump(): void {
    const s = this.sched;
    if (this.finished || s.sliceOpen || s.inPump) return;
    s.current = null;
    s.inPump = true;
    try {
      this.loop();
    } catch (e) {
      const message = `The simulator failed: ${e instanceof Error ? e.message : String(e)}`;
      this.bus.emit({ kind: 'note', level: 'warn', text: message });
      this.end('error', message, { reason: e instanceof Error ? e.message : String(e) });
    } finally {
      s.inPump = false;
    }
  }

  private loop(): void {
    const s = this.sched;
    const timeline = this.timeline;
    const queue = timeline.queue;
    for (;;) {
      while (s.hasReady) {
        this.drained = false;
        if (s.resumeNext()) return;
        if (s.drainAfterSlice) {
          s.drainAfterSlice = false;
          macrotask(this.pumpFn); // every pending microtask runs first
          return;
        }
        if (this.stopReason) break;
      }
      if (this.stopReason) return this.end('stopped', `The run was stopped: ${this.stopReason}.`, { reason: this.stopReason });
      if ((++this.events & 1023) === 0) {
        const now = Date.now();
        if (now - this.wallStart > this.wallMs) {
          return this.end('wall-limit', `The run used its wall-clock limit of ${this.wallMs} ms at virtual time ${fmtMs(timeline.now)} and was stopped.`, { wallLimitMs: this.wallMs });
        }
        if (now - this.lastYield > 25) {
          // Let messages (a Stop button) and timers of the host environment in.
          this.lastYield = now;
          macrotask(this.pumpFn);
          return;
        }
      }
      const t = queue.peekTime();
      if (t === Infinity && !this.drained) {
        // Before calling it quiescence, let any pending continuation run (it may make a call).
        this.drained = true;
        macrotask(this.pumpFn);
        return;
      }
      this.drained = false;
      if (t === Infinity) return this.end('quiescence', `The run ended at ${fmtMs(timeline.now)} (virtual time): nothing was left to do.`);
      if (t > this.untilMs) {
        const pending = queue.size;
        timeline.now = this.untilMs;
        return this.end(
          'time-limit',
          `The run reached its virtual-time limit of ${fmtMs(this.untilMs)} with ${pending} event(s) still scheduled (for example a process sleeping in a loop, or timers that keep firing).`,
        );
      }
      const entry = queue.pop();
      if (queue.poppedSegment) {
        timeline.now = t;
        this.deliver(entry as Segment, false);
        continue;
      }
      const ev = entry as Ev;
      // A cancelled timer does nothing: it must not move the clock either (the run's end time stays honest).
      if (ev.kind === EvKind.Dead || (ev.kind === EvKind.Timer && (ev.a as TimerTarget).idle(ev.gen))) {
        queue.release(ev);
        continue;
      }
      timeline.now = t;
      this.dispatch(ev);
      queue.release(ev);
    }
  }

  private end(endedBy: RunSummary['endedBy'], message: string, detail: Pick<RunSummary, 'reason' | 'wallLimitMs'> = {}): void {
    if (this.finished) return;
    this.finished = true;
    // Drop the resolver: it holds the promise and so the summary (every host's ss rows) for the world's lifetime.
    const finish = this.finish!;
    this.finish = null;
    const blocked: BlockedProcess[] = this.sched
      .liveProcs()
      .filter((p) => p.status === 'blocked' || p.status === 'running')
      .map((p) => ({ host: p.hostHandle.name, pid: p.pid, process: p.name, waitingIn: p.waitingIn || 'running' }));
    finish({
      endedBy,
      message,
      ...detail,
      virtualMs: this.timeline.now,
      events: this.events,
      traced: this.bus.traceN,
      blocked,
      failed: this.bus.failed,
      hosts: this.net.hosts.map((h) => ({ name: h.name, ip: h.ip, ss: h.ss() })),
      pendingTimers: endedBy === 'time-limit' ? this.timeline.queue.size : 0,
    });
  }

  private deliver(seg: Segment, duplicate: boolean): void {
    const dst = seg.path.dst as HostImpl;
    if (this.bus.trSeg) this.bus.emitSegment(new SegmentEvent('deliver', dst.name, seg, undefined, duplicate ? 'duplicate' : undefined));
    dst.stack.deliver(seg);
  }

  private dispatch(ev: Ev): void {
    switch (ev.kind) {
      case EvKind.DeliverCopy:
        this.deliver(ev.a as Segment, true);
        return;
      case EvKind.Timer:
        (ev.a as TimerTarget).fire();
        return;
      case EvKind.Wake:
        this.sched.wakeEvent(ev.a as WaiterImpl<void>, ev.gen);
        return;
      case EvKind.Call:
        if (ev.b !== null) {
          this.sched.enqueueStart(ev.b as Proc);
          return;
        }
        try {
          (ev.a as () => void)();
        } catch (e) {
          this.bus.reportError(e, 'sim.at');
        }
        return;
    }
  }
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s` : `${ms} ms`;
}

/** A new world. Build it with the Simulation API, then `await world.run()`. */
export function createWorld(opts: WorldOptions = {}): World {
  return new WorldImpl(opts);
}
