// The program API (types/closing-time.d.ts) on the machine's own TCP stack.
// Each sim.host() is a network namespace with an agent holding its real sockets
// (agent-client.ts); the trace has the simulator's format, built from the
// agents' answers (syscalls and errnos), their AF_PACKET captures (segments)
// and sock_diag samples (states). Virtual time is real time here.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type {
  NstatTable,
  Address,
  BindAddress,
  ConnectAddress,
  Errno,
  Fault,
  FaultRule,
  Host,
  HostOptions,
  Link,
  LinkOptions,
  OS,
  Process,
  SegmentEvent,
  ShutdownHow,
  Simulation,
  SimulationOptions,
  Socket,
  SocketOption,
  SocketOptions,
  SsOptions,
  SsRow,
  SsTable,
  Sysctls,
  SysctlName,
  TcpState,
  TraceEvent,
  TraceKind,
} from '../../types/closing-time.d.ts';
import { SocketError } from '../sim/errors.ts';
import { ssStateName } from '../sim/ss-format.ts';
import { makeSsTable, timerText } from '../sim/ss.ts';
import { NSTAT_NAMES, makeNstatTable } from '../sim/tcp/counters.ts';
import type { BlockedProcess, RunSummary } from '../sim/world-types.ts';
import { Agent, AgentGoneError, scriptPath, type AgentEvent, type AgentReply, type CapturedSegment } from './agent-client.ts';
import { createInterface } from 'node:readline';
import { addNamespace, deleteNamespace, IFACE, nsName, sh } from './network.ts';

/** A feature of the program API that the kernel backend cannot carry out at all. */
export class KernelUnsupportedError extends Error {
  constructor(feature: string, why: string) {
    super(`${feature} is not available on the kernel run: ${why}`);
    this.name = 'KernelUnsupported';
  }
}

const KNOWN_ERRNOS = new Set<string>(['EADDRINUSE', 'EADDRNOTAVAIL', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EISCONN', 'EALREADY', 'EINVAL', 'EBADF', 'ENOPROTOOPT', 'EOPNOTSUPP', 'EHOSTUNREACH']);

/** Linux's errno names as the program API has them (EAGAIN and friends never reach a blocking socket). */
function mapErrno(name: string | undefined): Errno {
  if (name && KNOWN_ERRNOS.has(name)) return name as Errno;
  if (name === 'ENETUNREACH') return 'EHOSTUNREACH';
  return 'EINVAL';
}


export interface KernelWorldOptions {
  seed?: number;
  /** Real-time limit of the run, ms (the program's `sim.until` may shorten it). Default 600000. */
  untilMs?: number;
  /** How long nothing may happen, with every process waiting in a socket call, before the run is over. Default 1000 ms. */
  idleMs?: number;
  /** Called with a line for people (notes about the kernel run, progress of long sleeps). */
  onNotice?: (text: string) => void;
  /** Called when an agent starts, with its pid (tests use it to kill one). */
  onAgent?: (host: string, pid: number) => void;
  /** Called with each trace event as it is recorded (arrival order). */
  onEvent?: (event: TraceEvent) => void;
  /** Arms the program's busy-loop guard each time program code resumes. */
  arm?: () => void;
  /** Where a thrown value came from in the learner's file. */
  locate?: (error: unknown) => { name: string; message: string; line?: number; column?: number; stack?: string };
}

type Ctx = { proc: KProcess | null };

function fmtArgs(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return String(v);
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k}: ${fmtArgs(x)}`)
    .join(', ')}}`;
}

const dataArg = (d: string): string => `${JSON.stringify(d.slice(0, 40))}${d.length > 40 ? '…' : ''} (${d.length} bytes)`;

class KProcess {
  status: Process['status'] = 'running';
  waitingIn = '';
  done!: Promise<void>;
  readonly view: Process;
  constructor(
    readonly pid: number,
    readonly name: string,
    readonly host: KHost,
  ) {
    const self = this;
    this.view = {
      get pid() {
        return self.pid;
      },
      get name() {
        return self.name;
      },
      get host() {
        return self.host.view;
      },
      get status() {
        return self.status;
      },
      get done() {
        return self.done;
      },
    };
  }
}

class KSocket {
  closed = false;
  readonly view: Socket;
  constructor(
    readonly host: KHost,
    readonly fd: number,
    /** The agent's name for the socket: its fd, except for an accepted one (named when accept() was called). */
    readonly agentId: number = fd,
  ) {
    this.view = makeSocketView(this);
  }
}

class KHost {
  readonly ns: string;
  agent!: Agent;
  nextFd = 3;
  /** Names for sockets accept() will return, given to the agent when the call starts (their fd is taken when it returns). */
  nextAcceptId = 1 << 20;
  readonly view: Host;
  readonly sockets = new Map<number, KSocket>();
  constructor(
    readonly world: KernelWorld,
    readonly name: string,
    readonly ip: string,
    index: number,
  ) {
    this.ns = nsName(process.pid, index);
    const self = this;
    this.view = {
      get name() {
        return self.name;
      },
      get ip() {
        return self.ip;
      },
      get profile() {
        return 'linux' as const;
      },
      run: (fn, name) => world.spawn(self, fn, name ?? (fn.name && fn.name !== 'anonymous' ? fn.name : self.name)),
      sysctl: ((name: SysctlName, value?: Sysctls[SysctlName]) => self.sysctl(name, value)) as Host['sysctl'],
      ss: (options) => self.ss(options),
      nstat: () => self.nstat(),
      crash: () => {
        throw new KernelUnsupportedError('host.crash()', 'a power failure (sockets vanishing without a segment) has no kernel counterpart short of killing a machine');
      },
      toJSON: () => ({ name: self.name, ip: self.ip, profile: 'linux' }),
    } as Host;
  }

  call(op: string, args: Record<string, unknown> = {}): AgentReply {
    return this.agent.call(op, args);
  }

  sysctl(name: SysctlName, value?: Sysctls[SysctlName]): unknown {
    if (value === undefined) {
      const r = this.call('sysctl', { name });
      if (!r.ok) throw new SocketError('EINVAL', 'sysctl', `${name}: ${r.message ?? r.errno}`);
      const text = String(r.result!.value).replace(/\s+/g, ' ');
      return /^-?\d+$/.test(text) ? Number(text) : text;
    }
    const r = this.call('sysctl', { name, value: String(value) });
    if (!r.ok) throw new SocketError('EINVAL', 'sysctl', `${name} = ${value}: ${r.message ?? r.errno}`);
    return undefined;
  }

  rows(): SsRow[] {
    const r = this.call('ss');
    if (!r.ok) return [];
    const rows = r.result!.rows as { state: TcpState; local: string; remote: string; recvQ: number; sendQ: number; timer: string | null; expires: number; retrans: number }[];
    return rows.map((row) => ({
      state: ssStateName(row.state),
      recvQ: row.recvQ,
      sendQ: row.sendQ,
      local: row.local,
      peer: row.state === 'LISTEN' ? '0.0.0.0:*' : row.remote,
      timer: row.timer ? timerText(row.timer, row.expires, row.retrans) : undefined,
    }));
  }

  ss(options?: SsOptions): SsTable {
    return makeSsTable(this.rows(), options);
  }

  /** The namespace's counters: /proc/PID/net/{snmp,netstat} of the agent, which runs inside it. */
  nstat(): NstatTable {
    const all = new Map<string, number>();
    for (const file of ['snmp', 'netstat']) {
      let text = '';
      try {
        text = readFileSync(`/proc/${this.agent.pid}/net/${file}`, 'utf8');
      } catch {
        continue;
      }
      for (const [k, v] of parseProcNet(text)) all.set(k, v);
    }
    return makeNstatTable(NSTAT_NAMES.map((n) => all.get(n) ?? 0));
  }
}

/** /proc/net/snmp and /proc/net/netstat: pairs of lines, "Tcp: names" then "Tcp: values"; names as nstat prints them (TcpExtTW). */
export function parseProcNet(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n').filter((l) => l.includes(':'));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [prefix, names = ''] = lines[i]!.split(':');
    const values = lines[i + 1]!.split(':')[1] ?? '';
    const ns = names.trim().split(/\s+/);
    const vs = values.trim().split(/\s+/);
    ns.forEach((n, j) => out.set(`${prefix}${n}`, Number(vs[j])));
  }
  return out;
}

function makeSocketView(s: KSocket): Socket {
  const w = s.host.world;
  const info = () => (s.closed ? { state: 'CLOSED' as TcpState, local: null, remote: null } : (s.host.call('info', { sock: s.agentId }).result as { state: TcpState; local: { ip: string; port: number } | null; remote: { ip: string; port: number } | null }));
  const addr = (a: { ip: string; port: number } | null): Address | null => (a ? { host: a.ip === '0.0.0.0' ? s.host.name : w.hostNameOf(a.ip), ip: a.ip, port: a.port } : null);
  return {
    get fd() {
      return s.fd;
    },
    get state() {
      return info().state;
    },
    get localAddress() {
      return addr(info().local);
    },
    get remoteAddress() {
      return addr(info().remote);
    },
    setsockopt<K extends SocketOption>(name: K, value: SocketOptions[K]): void {
      w.syncCall(s, 'setsockopt', `${name}, ${fmtArgs(value)}`, { name, value }, () => '0');
    },
    getsockopt<K extends SocketOption>(name: K): SocketOptions[K] {
      let value: unknown;
      w.syncCall(s, 'getsockopt', name, { name }, (r) => {
        value = r.value;
        return fmtArgs(r.value);
      });
      return value as SocketOptions[K];
    },
    bind(a: BindAddress = {}): void {
      w.syncCall(s, 'bind', fmtArgs(a), { ip: a.ip, port: a.port ?? 0 }, () => '0');
    },
    listen(backlog?: number): void {
      w.syncCall(s, 'listen', String(backlog ?? 128), { backlog: backlog ?? 128 }, () => '0');
    },
    accept: () => {
      // Linux gives the accepted socket the lowest free descriptor when accept() returns, not when it is called.
      const id = s.host.nextAcceptId++;
      return w.asyncCall(s, 'accept', '', { newSock: id }, (r) => {
        const fd = s.host.nextFd++;
        const conn = new KSocket(s.host, fd, id);
        s.host.sockets.set(fd, conn);
        const remote = r.remote as { ip: string; port: number } | null;
        return { value: conn.view, shown: `fd ${fd}${remote ? ` (${remote.ip}:${remote.port})` : ''}` };
      });
    },
    connect: (a: ConnectAddress) => {
      const ip = w.resolve(a?.host);
      return w.asyncCall(s, 'connect', fmtArgs(a), { ip, port: a?.port }, () => ({ value: undefined, shown: '0' }));
    },
    send: (data: string) => w.asyncCall(s, 'send', dataArg(String(data)), { data: String(data) }, (r) => ({ value: r.bytes as number, shown: String(r.bytes) })),
    recv: (maxBytes?: number) =>
      w.asyncCall(s, 'recv', maxBytes === undefined ? '' : String(maxBytes), { max: maxBytes ?? 0 }, (r) => ({ value: r.data as string, shown: r.data === '' ? "'' (EOF)" : dataArg(r.data as string) })),
    shutdown(how: ShutdownHow): void {
      w.syncCall(s, 'shutdown', how, { how }, () => '0');
    },
    close: () =>
      w.asyncCall(s, 'close', '', {}, () => {
        s.closed = true;
        return { value: undefined, shown: '0' };
      }),
  } as Socket;
}

export class KernelWorld implements Simulation {
  readonly seed: number;
  readonly trace: TraceEvent[] = [];
  readonly hosts: KHost[] = [];
  readonly links: { a: KHost; b: KHost; options: LinkOptions }[] = [];
  readonly notes = new Set<string>();
  private readonly als = new AsyncLocalStorage<Ctx>();
  private readonly listeners = new Map<string, Set<(e: TraceEvent) => void>>();
  private readonly procs: KProcess[] = [];
  private readonly pending: (() => void)[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly faults: { rule: FaultRule; id: number; hits: number }[] = [];
  private readonly sockIds = new Map<string, number>();
  private nextPid = 100;
  private nextSockId = 1;
  private nextSegId = 1;
  private t0 = 0;
  private started = false;
  private untilMs: number;
  private lastActivity = 0;
  private stopReason: { endedBy: RunSummary['endedBy']; message: string } | null = null;
  private wake: (() => void) | null = null;
  private fatal: Error | null = null;
  private torn = false;
  private readonly failed: TraceEvent[] = [];

  constructor(private readonly options: KernelWorldOptions = {}) {
    this.seed = options.seed ?? 1;
    this.untilMs = options.untilMs ?? 600_000;
    this.t0 = Date.now();
  }

  // --- time and trace ---------------------------------------------------------

  now(): number {
    return this.started ? Math.max(0, Math.round((performance.timeOrigin + performance.now() - this.t0) * 1000) / 1000) : 0;
  }

  private record(event: Omit<TraceEvent, 'n'> & { t?: number }): void {
    if (this.torn) return;
    const e = { ...event, t: event.t ?? this.now(), n: this.trace.length } as TraceEvent;
    this.trace.push(e);
    this.lastActivity = performance.now();
    this.options.onEvent?.(e);
    for (const key of [e.kind, '*']) {
      for (const fn of this.listeners.get(key) ?? []) {
        try {
          fn(e);
        } catch {
          // a subscriber's error does not stop the run
        }
      }
    }
  }

  on(kind: TraceKind | '*', fn: (event: never) => void): () => void {
    const set = this.listeners.get(kind) ?? new Set();
    this.listeners.set(kind, set);
    set.add(fn as (e: TraceEvent) => void);
    return () => set.delete(fn as (e: TraceEvent) => void);
  }

  note(text: string, host?: string): void {
    if (this.notes.has(text)) return;
    this.notes.add(text);
    this.options.onNotice?.(text);
    if (this.started) this.record({ kind: 'note', level: 'warn', text, ...(host ? { host } : {}) } as TraceEvent);
  }

  // --- hosts, links, faults ---------------------------------------------------

  host(name: string, ipOrOptions?: string | HostOptions): Host {
    if (this.started) throw new Error('sim.host(): hosts are made before the run starts (in the default export)');
    if (typeof name !== 'string' || !name) throw new TypeError('sim.host(name): name must be a non-empty string');
    if (this.hosts.some((h) => h.name === name)) throw new Error(`sim.host(): there is already a host named '${name}'`);
    const opts: HostOptions = typeof ipOrOptions === 'string' ? { ip: ipOrOptions } : (ipOrOptions ?? {});
    if (opts.profile === 'rfc9293') throw new KernelUnsupportedError("the 'rfc9293' profile", 'the kernel is Linux; run it on the simulator');
    if (opts.isn === 'per-tuple') this.note("sim.host({ isn: 'per-tuple' }) is ignored on the kernel run: Linux chooses initial sequence numbers by RFC 6528");
    const ip = opts.ip ?? `10.0.0.${this.hosts.length + 1}`;
    const h = new KHost(this, name, ip, this.hosts.length);
    addNamespace(h.ns);
    this.hosts.push(h);
    h.agent = new Agent(name, h.ns, this.t0, (e) => this.onAgentEvent(h, e), (error) => this.agentGone(error));
    this.options.onAgent?.(name, h.agent.pid);
    // Making the namespace and starting its agent is the kernel run's time, not
    // the program's: the busy-loop guard starts afresh when the program resumes.
    this.options.arm?.();
    return h.view;
  }

  private byView(h: Host | string | undefined, what: string): KHost {
    const found = this.hosts.find((x) => x.view === h || x.name === h || (typeof h === 'object' && h !== null && x.name === h.name));
    if (!found) throw new Error(`${what}: unknown host ${typeof h === 'string' ? `'${h}'` : String(h)}`);
    return found;
  }

  hostNameOf(ip: string): string {
    return this.hosts.find((h) => h.ip === ip)?.name ?? ip;
  }

  resolve(host: string | undefined): string {
    if (typeof host === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
    const h = this.hosts.find((x) => x.name === host);
    if (!h) throw new SocketError('EHOSTUNREACH', 'connect', `no host named ${JSON.stringify(host)}`);
    return h.ip;
  }

  private checkLinkOptions(o: LinkOptions): void {
    if ((o.duplicate ?? 0) > 0) throw new KernelUnsupportedError('Link duplication (duplicate)', 'duplicating segments needs netem, which this kernel does not have');
    if ((o.reorder ?? 0) > 0) throw new KernelUnsupportedError('Link reordering (reorder)', 'reordering segments needs netem, which this kernel does not have');
  }

  link(a: Host, b: Host, options: LinkOptions = {}): Link {
    const ha = this.byView(a, 'sim.link()');
    const hb = this.byView(b, 'sim.link()');
    this.checkLinkOptions(options);
    const entry = { a: ha, b: hb, options: { ...options } };
    this.links.push(entry);
    const world = this;
    return {
      get a() {
        return ha.view;
      },
      get b() {
        return hb.view;
      },
      set(o: LinkOptions) {
        world.checkLinkOptions(o);
        entry.options = { ...entry.options, ...o };
        if (world.started) world.wire?.stdin?.write(world.linksLine());
      },
    };
  }

  private wireSend(msg: Record<string, unknown>): void {
    this.wire?.stdin?.write(JSON.stringify(msg) + '\n');
  }

  fault(rule: FaultRule): Fault {
    if (!rule || typeof rule !== 'object') throw new TypeError('sim.fault(rule): rule must be an object');
    if (rule.action === 'duplicate') throw new KernelUnsupportedError("Fault rule action 'duplicate' (duplication)", 'the kernel run carries each segment once; duplicating segments needs netem, which this kernel does not have');
    if (rule.payload instanceof RegExp) throw new KernelUnsupportedError('Fault rule matching on a payload pattern (RegExp)', 'give the text to look for as a string');
    const id = this.faults.length + 1;
    const f = { rule, id, hits: 0 };
    this.faults.push(f);
    const states = rule.state === undefined ? null : Array.isArray(rule.state) ? rule.state : [rule.state];
    const world = this;
    let removed = false;
    const install = () => {
      if (removed || this.torn) return;
      this.wireSend({
        fault: {
          id,
          action: rule.action,
          from: rule.from !== undefined ? this.hosts.indexOf(this.byView(rule.from, 'sim.fault()')) : null,
          to: rule.to !== undefined ? this.hosts.indexOf(this.byView(rule.to, 'sim.fault()')) : null,
          flags: rule.flags ?? null,
          payload: rule.payload ?? null,
          state: states,
          retransmission: rule.retransmission ?? null,
          nth: rule.nth ?? null,
          count: rule.count ?? null,
          delayMs: rule.delayMs ?? 1000,
        },
      });
    };
    const schedule = () => {
      if (rule.fromMs && rule.fromMs > this.now()) this.after(rule.fromMs - this.now(), install);
      else install();
      if (rule.untilMs !== undefined) this.after(rule.untilMs - this.now(), () => this.wireSend({ remove: id }));
    };
    if (this.started) schedule();
    else this.beforeStart.push(schedule);
    return {
      get hits() {
        return f.hits;
      },
      remove() {
        removed = true;
        world.wireSend({ remove: id });
      },
    };
  }

  private readonly beforeStart: (() => void)[] = [];

  partition(a: Host, b: Host, window: { fromMs: number; untilMs: number }): void {
    const ha = this.byView(a, 'sim.partition()');
    const hb = this.byView(b, 'sim.partition()');
    const pair = [this.hosts.indexOf(ha), this.hosts.indexOf(hb)].sort((x, y) => x - y).join('-');
    const schedule = () => {
      this.after((window?.fromMs ?? 0) - this.now(), () => this.wireSend({ cut: pair }));
      this.after((window?.untilMs ?? Infinity) - this.now(), () => this.wireSend({ heal: pair }));
    };
    if (this.started) schedule();
    else this.beforeStart.push(schedule);
  }

  at(ms: number, fn: () => void): void {
    const run = () =>
      this.after(ms - this.now(), () => {
        this.options.arm?.();
        try {
          fn();
        } catch (error) {
          this.reportError(error, `sim.at(${ms})`);
        }
      });
    if (this.started) run();
    else this.beforeStart.push(run);
  }

  until(ms: number): void {
    if (!(ms > 0)) throw new RangeError(`sim.until(ms): ms must be positive, got ${ms}`);
    this.untilMs = Math.min(this.untilMs, ms);
  }

  configure(options: SimulationOptions): void {
    if (options?.profile === 'rfc9293') throw new KernelUnsupportedError("the 'rfc9293' profile", 'the kernel is Linux; run it on the simulator');
  }

  private after(ms: number, fn: () => void): void {
    if (!Number.isFinite(ms)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.torn) fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  // --- processes and calls ----------------------------------------------------

  spawn(host: KHost, fn: (os: OS) => unknown, name: string): Process {
    if (typeof fn !== 'function') throw new TypeError(`${host.name}.run(fn): fn must be a function`);
    const proc = new KProcess(this.nextPid++, name, host);
    this.procs.push(proc);
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    proc.done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    proc.done.catch(() => {});
    const start = () => {
      this.record({ kind: 'process', host: host.name, pid: proc.pid, process: proc.name, action: 'start' } as TraceEvent);
      this.als.run({ proc }, () => {
        let result: unknown;
        try {
          this.options.arm?.();
          result = fn(this.osFor(proc));
        } catch (error) {
          this.processFailed(proc, error);
          settle.reject(error);
          return;
        }
        Promise.resolve(result).then(
          () => {
            proc.status = 'exited';
            this.record({ kind: 'process', host: host.name, pid: proc.pid, process: proc.name, action: 'exit' } as TraceEvent);
            settle.resolve();
            this.poke();
          },
          (error) => {
            this.processFailed(proc, error);
            settle.reject(error);
          },
        );
      });
    };
    if (this.started) queueMicrotask(start);
    else this.pending.push(start);
    return proc.view;
  }

  private processFailed(proc: KProcess, error: unknown): void {
    proc.status = 'failed';
    const located = this.options.locate?.(error) ?? { name: (error as Error)?.name ?? 'Error', message: String((error as Error)?.message ?? error) };
    const event = { kind: 'process', host: proc.host.name, pid: proc.pid, process: proc.name, action: 'fail', error: located } as TraceEvent;
    this.record(event);
    this.failed.push(this.trace[this.trace.length - 1]);
    this.poke();
  }

  private osFor(proc: KProcess): OS {
    const world = this;
    const host = proc.host;
    return {
      get host() {
        return host.view;
      },
      get pid() {
        return proc.pid;
      },
      socket(): Socket {
        const fd = host.nextFd++;
        const r = host.call('socket', { sock: fd });
        if (!r.ok) throw new SocketError(mapErrno(r.errno), 'socket', r.message);
        const s = new KSocket(host, fd);
        host.sockets.set(fd, s);
        world.traceCall(proc, 'socket', '', 'return', `fd ${fd}`, undefined, fd);
        return s.view;
      },
      sleep(ms: number): Promise<void> {
        const wait = Math.max(0, Number(ms) || 0);
        proc.status = 'blocked';
        proc.waitingIn = 'sleep';
        if (wait >= 5000) world.options.onNotice?.(`${host.name}[${proc.pid}]: sleeping ${(wait / 1000).toFixed(1)} s of real time (on the kernel, virtual time is real time)`);
        return new Promise((resolve) => {
          const started = performance.now();
          let progress: ReturnType<typeof setInterval> | null = null;
          if (wait >= 15_000) {
            progress = setInterval(() => {
              const left = wait - (performance.now() - started);
              world.options.onNotice?.(`${host.name}[${proc.pid}]: ${Math.max(0, Math.round(left / 1000))} s of sleep left`);
            }, 10_000);
            world.timers.add(progress as unknown as ReturnType<typeof setTimeout>);
          }
          world.after(wait, () => {
            if (progress) {
              clearInterval(progress);
              world.timers.delete(progress as unknown as ReturnType<typeof setTimeout>);
            }
            proc.status = 'running';
            proc.waitingIn = '';
            world.options.arm?.();
            resolve();
          });
        });
      },
      now: () => Math.round(world.now()),
      spawn: (fn, name) => world.spawn(host, fn, name ?? `${proc.name}/${fn.name || 'child'}`),
      ss: (options) => host.ss(options),
      nstat: () => host.nstat(),
      sysctl: ((name: SysctlName) => host.sysctl(name)) as OS['sysctl'],
    };
  }

  private current(): KProcess | null {
    return this.als.getStore()?.proc ?? null;
  }

  traceCall(proc: KProcess | null, call: string, args: string, phase: 'call' | 'return' | 'error', result?: string, errno?: Errno, fd?: number, t?: number): void {
    this.record({
      kind: 'syscall',
      host: proc?.host.name ?? '',
      pid: proc?.pid ?? 0,
      process: proc?.name ?? '',
      call,
      args,
      phase,
      ...(result !== undefined ? { result } : {}),
      ...(errno !== undefined ? { errno } : {}),
      ...(fd !== undefined ? { fd } : {}),
      ...(t !== undefined ? { t: Math.round(t * 1000) / 1000 } : {}),
    } as TraceEvent);
  }

  syncCall(s: KSocket, call: string, args: string, req: Record<string, unknown>, show: (result: Record<string, unknown>) => string): void {
    const proc = this.current();
    if (s.closed) {
      this.traceCall(proc, call, args, 'error', undefined, 'EBADF', s.fd);
      throw new SocketError('EBADF', call, `fd ${s.fd} was closed`);
    }
    const r = s.host.call(call, { sock: s.agentId, ...req });
    if (!r.ok) {
      const code = mapErrno(r.errno);
      this.traceCall(proc, call, args, 'error', undefined, code, s.fd, r.t);
      throw new SocketError(code, call);
    }
    this.traceCall(proc, call, args, 'return', show(r.result ?? {}), undefined, s.fd, r.t);
  }

  asyncCall<T>(s: KSocket, call: string, args: string, req: Record<string, unknown>, done: (result: Record<string, unknown>) => { value: T; shown: string }): Promise<T> {
    const proc = this.current();
    if (s.closed) {
      this.traceCall(proc, call, args, 'error', undefined, 'EBADF', s.fd);
      return Promise.reject(new SocketError('EBADF', call, `fd ${s.fd} was closed`));
    }
    this.traceCall(proc, call, args, 'call', undefined, undefined, s.fd);
    if (proc) {
      proc.status = 'blocked';
      proc.waitingIn = call === 'accept' || call === 'connect' ? call : `${call}(fd ${s.fd})`;
    }
    return s.host.agent.callAsync(call, { sock: s.agentId, ...req }).then((r) => {
      if (proc) {
        proc.status = 'running';
        proc.waitingIn = '';
      }
      this.options.arm?.();
      if (r.errno === 'EAGENT') throw new AgentGoneError(s.host.name, r.message ?? 'gone');
      if (!r.ok) {
        const code = mapErrno(r.errno);
        this.traceCall(proc, call, args, 'error', undefined, code, s.fd, r.t);
        throw new SocketError(code, call);
      }
      const { value, shown } = done(r.result ?? {});
      this.traceCall(proc, call, args, 'return', shown, undefined, s.fd, r.t);
      return value;
    });
  }

  // --- what the agents report -------------------------------------------------

  private readonly ended = new Set<number>();

  private sockRef(host: KHost, local: string, remote: string, sk?: number | null) {
    const key = `${host.name}|${local}|${remote}|${sk ?? ''}`;
    let id = this.sockIds.get(key);
    if (id === undefined || this.ended.has(id)) {
      id = this.nextSockId++;
      this.sockIds.set(key, id);
    }
    return { host: host.name, id, local, remote };
  }

  private segInfo(s: CapturedSegment) {
    return {
      id: this.nextSegId++,
      src: { host: this.hostNameOf(s.src), ip: s.src, port: s.sport },
      dst: { host: this.hostNameOf(s.dst), ip: s.dst, port: s.dport },
      seq: s.seq,
      ack: s.ack,
      flags: s.flags,
      syn: s.flags.includes('S'),
      fin: s.flags.includes('F'),
      rst: s.flags.includes('R'),
      ackFlag: s.flags.includes('.'),
      win: s.win,
      len: s.data.length,
      data: s.data,
      retransmission: !!s.rtx,
      ...(s.tsval !== undefined ? { tsval: s.tsval, tsecr: s.tsecr } : {}),
    };
  }

  private onAgentEvent(host: KHost, e: AgentEvent): void {
    if (!this.started || this.torn) return;
    if (e.type === 'seg') {
      const s = e.seg;
      if (e.action === 'drop') return; // the wire reports drops
      const seg = this.segInfo(s);
      const reason = undefined as string | undefined;
      this.record({
        kind: 'segment',
        action: e.action,
        host: host.name,
        seg,
        ...(reason ? { reason } : {}),
        ...(e.action === 'send' && e.state ? { state: e.state } : {}),
        t: Math.max(0, Math.round(e.t * 1000) / 1000),
      } as unknown as SegmentEvent);
      return;
    }
    if (e.type === 'states') {
      for (const c of e.changes) {
        this.record({
          kind: 'state',
          host: host.name,
          sock: ((ref) => {
            if (c.to === 'CLOSED') this.ended.add(ref.id);
            return ref;
          })(this.sockRef(host, c.local, c.remote, c.sk)),
          from: c.from as TcpState,
          to: c.to as TcpState,
          cause: `ss after ${e.why}`,
          t: Math.max(0, Math.round(e.t * 1000) / 1000),
        } as TraceEvent);
      }
    }
  }

  private agentGone(error: AgentGoneError): void {
    if (this.torn) return;
    this.fatal ??= error;
    this.stopReason ??= { endedBy: 'error', message: error.message };
    this.poke();
  }

  reportError(error: unknown, where = 'the program'): void {
    const located = this.options.locate?.(error) ?? { name: 'Error', message: String((error as Error)?.message ?? error) };
    this.record({ kind: 'process', host: '', pid: 0, process: where, action: 'fail', error: located } as TraceEvent);
    this.failed.push(this.trace[this.trace.length - 1]);
  }

  output(stream: 'stdout' | 'stderr', text: string): void {
    const proc = this.current();
    this.record({ kind: 'output', host: proc?.host.name ?? '', pid: proc?.pid ?? 0, process: proc?.name ?? 'program', stream, text } as TraceEvent);
  }

  stop(reason: string): void {
    this.stopReason ??= { endedBy: 'stopped', message: reason };
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  // --- the run ----------------------------------------------------------------

  /**
   * Builds the links: each host's veth ends in the wire namespace, where
   * scripts/kernel/wire.py relays frames between linked hosts after the link's
   * delay and jitter (this kernel has no netem).
   */
  private async buildNetwork(): Promise<void> {
    const hosts = this.hosts;
    if (hosts.length < 2) {
      return;
    }
    const wire = nsName(process.pid, 'wire');
    addNamespace(wire);
    this.bridge = wire;
    hosts.forEach((h, i) => {
      sh('ip', ['link', 'add', IFACE, 'netns', h.ns, 'type', 'veth', 'peer', 'name', `w${i}`, 'netns', wire]);
      sh('ip', ['-n', wire, 'link', 'set', `w${i}`, 'up']);
      sh('ip', ['-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', IFACE]);
      sh('ip', ['-n', h.ns, 'link', 'set', IFACE, 'up']);
    });
    // Every host knows every other's MAC address from the start: the simulator has no ARP, and an
    // ARP exchange over a 100 ms link would delay the first SYN by two link delays.
    const macs = hosts.map((h) => (JSON.parse(sh('ip', ['-n', h.ns, '-j', 'link', 'show', IFACE])) as { address: string }[])[0].address);
    hosts.forEach((h, i) => {
      hosts.forEach((o, j) => {
        if (i !== j) sh('ip', ['-n', h.ns, 'neigh', 'replace', o.ip, 'lladdr', macs[j], 'dev', IFACE, 'nud', 'permanent']);
      });
    });
    const child = spawn('ip', ['netns', 'exec', wire, 'python3', '-u', scriptPath('wire.py'), String(hosts.length), String(this.seed)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.wire = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin!.write(this.linksLine());
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'ready') return resolve();
        this.onWireEvent(line);
      });
      child.once('exit', (code) => reject(new Error(`the wire between the hosts did not start (exit ${code}): ${stderr.trim()}`)));
    });
    child.on('exit', () => {
      if (!this.torn) this.agentGone(new AgentGoneError('wire', 'the relay between the hosts stopped'));
    });
  }

  private wire: ChildProcess | null = null;

  /** A segment the wire dropped (or held back) for a fault rule, a link's loss or a partition. */
  private onWireEvent(line: string): void {
    if (!this.started || this.torn) return;
    let e: { type: string; t: number; to: number; reason: string; rule: number | null; seg: CapturedSegment };
    try {
      e = JSON.parse(line);
    } catch {
      return;
    }
    const f = e.rule !== null ? this.faults.find((x) => x.id === Number(e.rule)) : undefined;
    if (f) f.hits++;
    if (e.type !== 'drop') return;
    const to = this.hosts[e.to];
    this.record({ kind: 'segment', action: 'drop', host: to?.name ?? '', seg: this.segInfo(e.seg), reason: e.reason, t: Math.max(0, Math.round(e.t * 1000) / 1000) } as unknown as SegmentEvent);
  }

  private linksLine(): string {
    const index = (h: KHost) => this.hosts.indexOf(h);
    const links: Record<string, { delayMs: number; jitterMs: number; loss: number }> = {};
    const pairs: [KHost, KHost, LinkOptions][] = this.links.length
      ? this.links.map((l) => [l.a, l.b, l.options])
      : this.hosts.flatMap((a, i) => this.hosts.slice(i + 1).map((b) => [a, b, {}] as [KHost, KHost, LinkOptions]));
    for (const [a, b, o] of pairs) {
      const [x, y] = [index(a), index(b)].sort((p, q) => p - q);
      links[`${x}-${y}`] = { delayMs: o.delayMs ?? 10, jitterMs: o.jitterMs ?? 0, loss: o.loss ?? 0 };
    }
    return JSON.stringify({ links }) + '\n';
  }

  private bridge: string | null = null;

  /** Runs the program's processes until they are done, idle, or the time limit; then tears everything down. */
  async run(): Promise<RunSummary> {
    try {
      await this.buildNetwork();
      for (const h of this.hosts) {
        if (this.hosts.length > 1) {
          const r = h.call('capture', { iface: IFACE });
          if (!r.ok) throw new Error(`capture on ${h.name}: ${r.message}`);
        }
      }
      // Time 0 is when the processes start, as in the simulator.
      this.t0 = performance.timeOrigin + performance.now();
      for (const h of this.hosts) h.call('t0', { t0: this.t0 / 1000 });
      this.started = true;
      this.wireSend({ t0: this.t0 / 1000 });
      for (const fn of this.beforeStart.splice(0)) fn();
      this.lastActivity = performance.now();
      for (const start of this.pending.splice(0)) start();
      await this.waitForEnd();
      // The last segments (an ACK answering the last call) reach the capture.
      await new Promise((r) => setTimeout(r, 100));
    } catch (error) {
      this.stopReason ??= { endedBy: 'error', message: (error as Error).message };
      this.fatal ??= error as Error;
    }
    const virtualMs = this.now();
    const hosts = this.hosts.map((h) => {
      let ss: SsTable = makeSsTable([]);
      try {
        if (!h.agent.gone) ss = h.ss();
      } catch {
        // the agent is gone
      }
      return { name: h.name, ip: h.ip, ss };
    });
    const blocked: BlockedProcess[] = this.procs
      .filter((p) => p.status === 'blocked')
      .map((p) => ({ host: p.host.name, pid: p.pid, process: p.name, waitingIn: p.waitingIn || 'running' }));
    this.teardown();
    const reason = this.stopReason ?? { endedBy: 'quiescence' as const, message: 'every process finished' };
    return {
      endedBy: reason.endedBy,
      message: reason.message,
      virtualMs,
      events: this.trace.length,
      traced: this.trace.length,
      blocked,
      failed: this.failed as never,
      hosts,
      pendingTimers: 0,
    };
  }

  get error(): Error | null {
    return this.fatal;
  }

  private async waitForEnd(): Promise<void> {
    const idleMs = this.options.idleMs ?? 1000;
    for (;;) {
      if (this.stopReason) return;
      const now = this.now();
      if (now >= this.untilMs) {
        this.stopReason = { endedBy: 'time-limit', message: `the time limit (${this.untilMs} ms of real time) was reached` };
        return;
      }
      const live = this.procs.filter((p) => p.status === 'running' || p.status === 'blocked');
      const sleeping = live.some((p) => p.waitingIn === 'sleep' || p.status === 'running');
      const quiet = performance.now() - this.lastActivity;
      if (live.length === 0 && this.timersPending() === 0 && quiet >= 200) {
        this.stopReason = { endedBy: 'quiescence', message: 'every process finished' };
        return;
      }
      if (live.length > 0 && !sleeping && this.timersPending() === 0 && quiet >= idleMs && !this.retransmitting()) {
        this.stopReason = {
          endedBy: 'quiescence',
          message: `nothing happened for ${idleMs} ms while every process waited in a socket call`,
        };
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        const t = setTimeout(resolve, 50);
        t.unref?.();
      });
    }
  }

  /** A socket with a retransmission or persist timer will still send something: the run is not idle. */
  private retransmitting(): boolean {
    return this.hosts.some((h) => !h.agent.gone && h.rows().some((r) => r.timer !== undefined && /^(on|persist),/.test(r.timer)));
  }

  private timersPending(): number {
    return this.timers.size;
  }

  /** Ends the agents and deletes the namespaces (and with them every veth and nftables rule). Safe to call twice. */
  teardown(): void {
    if (this.torn) return;
    this.torn = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const h of this.hosts) h.agent?.stop();
    try {
      this.wire?.kill('SIGKILL');
    } catch {
      // gone
    }
    for (const h of this.hosts) deleteNamespace(h.ns);
    if (this.bridge) deleteNamespace(this.bridge);
  }

  /** Namespaces this world made (for clean-up on a signal). */
  namespaces(): string[] {
    return [...this.hosts.map((h) => h.ns), ...(this.bridge ? [this.bridge] : [])];
  }
}
