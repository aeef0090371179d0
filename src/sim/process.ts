import type {
  Address,
  BindAddress,
  ConnectAddress,
  Host,
  NstatTable,
  OS,
  Process,
  ShutdownHow,
  Socket,
  SocketOption,
  SocketOptions,
  SsOptions,
  SsTable,
  SysctlName,
  Sysctls,
  TcpState,
} from '../../types/closing-time.d.ts';
import { SocketError } from './errors.ts';
import { SocketCallError, type Stack } from './tcp/stack.ts';
import { append } from './tcp/lazy-queue.ts';
import { MAX_TCP_KEEPCNT, MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, TCP_RMEM_DEFAULT, TCP_WMEM_DEFAULT, doubledBuf } from './tcp/params.ts';
import type { Tcb } from './tcp/tcb.ts';
import type { Waiter } from './tcp/env.ts';

/** What processes and sockets need from the world. */
export interface Kernel {
  readonly current: Proc | null;
  now(): number;
  /**
   * A waiter for a call that must wait, in `proc` (else the running process).
   * Register it where the stack will wake it, then `park` it: the process
   * blocks and the call returns the promise park gives. Throws outside a process.
   */
  waiter<T>(call: string, arg: number, proc: Proc | null): Waiter<T>;
  /** A waiter whose woken value `v` becomes the call's result `map.call(self, v)`, run as the resumed process (accept() makes its socket so). */
  mappedWaiter<T, V, S>(call: string, arg: number, proc: Proc | null, map: (this: S, v: V) => T, self: S): Waiter<T>;
  park<T>(w: Waiter<T>): Promise<T>;
  sleep(ms: number, proc?: Proc | null): Promise<void>;
  /** The process making a call: the one running, else `fallback` (the process that owns the object called). */
  caller(fallback: Proc | null): Proc | null;
  /** Someone reads syscall events (recorded, or subscribed to 'syscall' or '*'). */
  readonly tracingCalls: boolean;
  /** Wakes `w` at virtual time `at` unless something else woke it first. */
  wakeAt(w: Waiter<void>, at: number): void;
  spawn(host: HostHandle, fn: (os: OS) => unknown, name: string): Proc;
  traceCall(call: string, args: string, phase: 'call' | 'return' | 'error', result?: string, errno?: SocketError['code'], fd?: number, caller?: Proc | null): void;
  resolveHost(name: string): string | null;
  hostName(ip: string): string;
}

/** The bits of a host processes use. */
export interface HostHandle {
  readonly name: string;
  readonly ip: string;
  readonly api: Host;
  readonly stack: Stack;
  ss(options?: SsOptions): SsTable;
  nstat(): NstatTable;
}

export type ProcStatus = Process['status'];

export class Proc implements Process {
  status: ProcStatus = 'blocked';
  /** What it waits in: a waiter, or a note (formatted only when somebody asks). */
  waitingOn: Waiter<any> | null = null;
  waitNote = 'start';
  /** Waits not yet settled. */
  waits = 0;
  /** Made on first use of `done`: most processes are never awaited. */
  private donePromise: Promise<void> | null = null;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private outcome: { error?: unknown } | null = null;
  /** Somebody took `done`: when this process ends, foreign continuations may run (see World.run). */
  doneObserved = false;
  /** Neighbours in the world's list of processes that have not ended. */
  prevLive: Proc | null = null;
  nextLive: Proc | null = null;
  readonly os: OsImpl;
  constructor(
    readonly pid: number,
    readonly name: string,
    readonly hostHandle: HostHandle,
    readonly fn: (os: OS) => unknown,
    kernel: Kernel,
  ) {
    this.os = new OsImpl(kernel, this);
  }
  get host(): Host {
    return this.hostHandle.api;
  }
  private viewObj: ProcessView | null = null;
  /** What programs get of this process (host.run, os.spawn): its public fields, nothing of the kernel. */
  get view(): Process {
    return (this.viewObj ??= new ProcessView(this));
  }
  get waitingIn(): string {
    return this.waitNote || (this.waitingOn ? this.waitingOn.what : '');
  }
  get done(): Promise<void> {
    this.doneObserved = true;
    if (!this.donePromise) {
      if (this.outcome) {
        this.donePromise = 'error' in this.outcome ? Promise.reject(this.outcome.error) : Promise.resolve();
      } else {
        this.donePromise = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
      }
      // A process failure is reported in the trace; nobody is required to handle `done`'s rejection.
      this.donePromise.catch(() => {});
    }
    return this.donePromise;
  }
  resolveDone(): void {
    this.outcome = {};
    this.settle?.resolve();
  }
  rejectDone(error: unknown): void {
    this.outcome = { error };
    this.settle?.reject(error);
  }
}

class ProcessView implements Process {
  readonly #p: Proc;
  constructor(p: Proc) {
    this.#p = p;
  }
  get pid(): number {
    return this.#p.pid;
  }
  get name(): string {
    return this.#p.name;
  }
  get host(): Host {
    return this.#p.host;
  }
  get status(): ProcStatus {
    return this.#p.status;
  }
  get done(): Promise<void> {
    return this.#p.done;
  }
}

const fmtArgs = (v: unknown): string => {
  if (v === undefined) return '';
  try {
    return JSON.stringify(v)?.replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ') ?? String(v);
  } catch {
    return String(v);
  }
};

function toSocketError(e: unknown, syscall: string): unknown {
  if (e instanceof SocketCallError) return new SocketError(e.code, syscall, e.message);
  return e;
}

function checkPort(syscall: string, port: unknown, allowZero: boolean): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new SocketError('EINVAL', syscall, `port must be an integer from ${allowZero ? 0 : 1} to 65535, got ${JSON.stringify(port)}`);
  }
  return port;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class OsImpl implements OS {
  readonly #k: Kernel;
  readonly #proc: Proc;
  constructor(k: Kernel, proc: Proc) {
    this.#k = k;
    this.#proc = proc;
  }
  get host(): Host {
    return this.#proc.hostHandle.api;
  }
  get pid(): number {
    return this.#proc.pid;
  }
  socket(): Socket {
    const tcb = this.#proc.hostHandle.stack.socket(this.#proc.name);
    if (this.#k.tracingCalls) this.#k.traceCall('socket', '', 'return', `fd ${tcb.fd}`, undefined, tcb.fd);
    return new SocketImpl(this.#k, this.#proc.hostHandle, tcb, this.#proc);
  }
  sleep(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new TypeError(`os.sleep(ms) takes a number of milliseconds >= 0, got ${JSON.stringify(ms)}`);
    }
    return this.#k.sleep(ms, this.#proc);
  }
  now(): number {
    return this.#k.now();
  }
  spawn(fn: (os: OS) => unknown, name?: string): Process {
    if (typeof fn !== 'function') throw new TypeError('os.spawn(fn) takes a function (os) => { ... }');
    return this.#k.spawn(this.#proc.hostHandle, fn, name ?? `${this.#proc.name}/${fn.name || 'child'}`).view;
  }
  ss(options?: SsOptions): SsTable {
    return this.#proc.hostHandle.ss(options);
  }
  nstat(): NstatTable {
    return this.#proc.hostHandle.nstat();
  }
  sysctl<K extends SysctlName>(name: K): Sysctls[K] {
    return this.#proc.hostHandle.api.sysctl(name);
  }
}

// A socket's internals, for the socket calls below (set in SocketImpl's static block).
let kOf: (s: SocketImpl) => Kernel;
let hOf: (s: SocketImpl) => HostHandle;
let tcbOf: (s: SocketImpl) => Tcb;
let ownerOf: (s: SocketImpl) => Proc | null;

/** close() that need not wait returns this one settled promise (awaiting it any number of times is fine). */
const RESOLVED: Promise<void> = Promise.resolve();

const OPTION_NAMES: SocketOption[] = [
  'SO_REUSEADDR',
  'SO_REUSEPORT',
  'SO_LINGER',
  'SO_RCVBUF',
  'SO_SNDBUF',
  'SO_KEEPALIVE',
  'TCP_KEEPIDLE',
  'TCP_KEEPINTVL',
  'TCP_KEEPCNT',
  'TCP_USER_TIMEOUT',
  'TCP_NODELAY',
  'TCP_CORK',
  'TCP_QUICKACK',
];

/** Linux's ranges for the keepalive options (tcp_sock_set_keepidle_locked, do_tcp_setsockopt). */
const KEEPALIVE_RANGES = { TCP_KEEPIDLE: MAX_TCP_KEEPIDLE, TCP_KEEPINTVL: MAX_TCP_KEEPINTVL, TCP_KEEPCNT: MAX_TCP_KEEPCNT } as const;

export class SocketImpl implements Socket {
  // Private in the language, not only in the types: a learner's code holds this
  // object, and must not reach the kernel, the host or the world through it.
  readonly #k: Kernel;
  readonly #h: HostHandle;
  readonly #tcb: Tcb;
  /** The process that created or accepted it: who waits when no process is running (see Kernel.caller). */
  readonly #owner: Proc | null;
  constructor(k: Kernel, h: HostHandle, tcb: Tcb, owner: Proc | null) {
    this.#k = k;
    this.#h = h;
    this.#tcb = tcb;
    this.#owner = owner;
  }
  static {
    kOf = (s) => s.#k;
    hOf = (s) => s.#h;
    tcbOf = (s) => s.#tcb;
    ownerOf = (s) => s.#owner;
  }

  /**
   * Whom the trace shows making a call on this socket: the running process if it
   * is on this socket's host, else the process that owns the socket (learner code
   * resumed from another host's process, e.g. after a Promise.race, still acts on
   * this host's socket).
   */
  #who(): Proc | null {
    const p = this.#k.current;
    return p !== null && p.hostHandle === this.#h ? p : this.#owner;
  }

  get fd(): number {
    return this.#tcb.fd;
  }
  get state(): TcpState {
    return this.#tcb.fdClosed ? 'CLOSED' : this.#tcb.state;
  }
  get localAddress(): Address | null {
    const t = this.#tcb;
    if (t.fdClosed || (!t.bound && !t.remoteIp)) return null;
    return { host: this.#h.name, ip: t.localIp, port: t.localPort };
  }
  get remoteAddress(): Address | null {
    const t = this.#tcb;
    if (t.fdClosed || !t.remoteIp || t.state === 'CLOSED' || t.state === 'LISTEN' || t.state === 'SYN_SENT') return null;
    return { host: this.#k.hostName(t.remoteIp), ip: t.remoteIp, port: t.remotePort };
  }

  #checkOpen(call: string): void {
    if (this.#tcb.fdClosed) {
      this.#k.traceCall(call, '', 'error', undefined, 'EBADF', this.fd, this.#who());
      throw new SocketError('EBADF', call, `fd ${this.fd} was closed`);
    }
  }

  #sync<T>(call: string, argsOrThunk: string | (() => string), f: () => T, show?: (v: T) => string): T {
    this.#checkOpen(call);
    const args = typeof argsOrThunk === 'string' ? argsOrThunk : this.#k.tracingCalls ? argsOrThunk() : '';
    try {
      const v = f();
      this.#k.traceCall(call, args, 'return', show ? show(v) : '0', undefined, this.fd, this.#who());
      return v;
    } catch (e) {
      const err = toSocketError(e, call);
      if (err instanceof SocketError) this.#k.traceCall(call, args, 'error', undefined, err.code, this.fd, this.#who());
      throw err;
    }
  }

  setsockopt<K extends SocketOption>(name: K, value: SocketOptions[K]): void {
    this.#sync('setsockopt', () => `${name}, ${fmtArgs(value)}`, () => {
      const t = this.#tcb;
      switch (name) {
        case 'SO_REUSEADDR':
        case 'SO_REUSEPORT':
          if (typeof value !== 'boolean' && value !== 0 && value !== 1)
            throw new SocketError('EINVAL', 'setsockopt', `${name} takes true or false, got ${JSON.stringify(value)}`);
          if (name === 'SO_REUSEADDR') t.reuse = !!value;
          else t.reuseport = !!value;
          return;
        case 'SO_LINGER': {
          const l = value as SocketOptions['SO_LINGER'];
          if (!l || typeof l !== 'object' || typeof l.linger !== 'number' || !Number.isInteger(l.linger) || l.linger < 0 || !('onoff' in l))
            throw new SocketError('EINVAL', 'setsockopt', `SO_LINGER takes { onoff: boolean, linger: seconds (integer >= 0) }, got ${JSON.stringify(value)}`);
          t.linger = { onoff: !!l.onoff, linger: l.linger };
          return;
        }
        case 'SO_RCVBUF':
        case 'SO_SNDBUF': {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
            throw new SocketError('EINVAL', 'setsockopt', `${name} takes a positive integer (bytes), got ${JSON.stringify(value)}`);
          // The kernel keeps the value doubled (doubledBuf) and advertises a window of
          // about half the buffer (tcp_win_from_space: tcp_adv_win_scale 1, or the
          // scaling_ratio of current kernels): the simulator's window and send queue
          // take exactly half, the value the program set (at least half the minimum).
          if (name === 'SO_RCVBUF') {
            t.rcvBufSize = doubledBuf(value, t.stack.sysctl('net.core.rmem_max'), SOCK_MIN_RCVBUF) / 2;
            t.rcvBufLocked = true;
          } else {
            t.sndBufSize = doubledBuf(value, t.stack.sysctl('net.core.wmem_max'), SOCK_MIN_SNDBUF) / 2;
            t.sndBufLocked = true;
          }
          return;
        }
        case 'SO_KEEPALIVE':
          if (typeof value !== 'boolean' && value !== 0 && value !== 1)
            throw new SocketError('EINVAL', 'setsockopt', `SO_KEEPALIVE takes true or false, got ${JSON.stringify(value)}`);
          t.setKeepalive(!!value);
          return;
        case 'TCP_KEEPIDLE':
        case 'TCP_KEEPINTVL':
        case 'TCP_KEEPCNT': {
          const max = KEEPALIVE_RANGES[name as keyof typeof KEEPALIVE_RANGES];
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
            throw new SocketError('EINVAL', 'setsockopt', `${name} takes an integer from 1 to ${max}${name === 'TCP_KEEPCNT' ? '' : ' (seconds)'}, got ${JSON.stringify(value)}`);
          if (name === 'TCP_KEEPIDLE') t.setKeepidle(value);
          else if (name === 'TCP_KEEPINTVL') t.deadPeer().intvl = value;
          else t.deadPeer().cnt = value;
          return;
        }
        case 'TCP_USER_TIMEOUT':
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
            throw new SocketError('EINVAL', 'setsockopt', `TCP_USER_TIMEOUT takes an integer >= 0 (milliseconds, 0 is off), got ${JSON.stringify(value)}`);
          t.deadPeer().userTimeout = value;
          return;
        case 'TCP_NODELAY':
        case 'TCP_CORK':
        case 'TCP_QUICKACK':
          if (typeof value !== 'boolean' && value !== 0 && value !== 1)
            throw new SocketError('EINVAL', 'setsockopt', `${name} takes true or false, got ${JSON.stringify(value)}`);
          if (name === 'TCP_NODELAY') t.setNodelay(!!value);
          else if (name === 'TCP_CORK') t.setCork(!!value);
          else t.setQuickack(!!value);
          return;
        default:
          throw new SocketError('ENOPROTOOPT', 'setsockopt', `unknown option ${JSON.stringify(name)}; known: ${OPTION_NAMES.join(', ')}`);
      }
    });
  }

  getsockopt<K extends SocketOption>(name: K): SocketOptions[K] {
    const t = this.#tcb;
    const v: unknown =
      name === 'SO_REUSEADDR'
        ? t.reuse
        : name === 'SO_REUSEPORT'
          ? t.reuseport
          : name === 'SO_LINGER'
            ? { ...t.linger }
            : name === 'SO_RCVBUF'
              ? t.rcvBufLocked ? t.rcvBufSize * 2 : TCP_RMEM_DEFAULT
              : name === 'SO_SNDBUF'
                ? t.sndBufLocked ? t.sndBufSize * 2 : TCP_WMEM_DEFAULT
                : name === 'SO_KEEPALIVE'
                  ? t.ka !== null && t.ka.on
                  : name === 'TCP_KEEPIDLE'
                    ? t.keepaliveTimeMs() / 1000
                    : name === 'TCP_KEEPINTVL'
                      ? t.keepaliveIntvlMs() / 1000
                      : name === 'TCP_KEEPCNT'
                        ? t.keepaliveProbes()
                        : name === 'TCP_USER_TIMEOUT'
                          ? (t.ka?.userTimeout ?? 0)
                          : name === 'TCP_NODELAY'
                            ? t.nodelay
                            : name === 'TCP_CORK'
                              ? t.cork
                              : name === 'TCP_QUICKACK'
                                ? !t.inPingpong() // do_tcp_getsockopt: !inet_csk_in_pingpong_mode
                                : undefined;
    if (v === undefined) throw new SocketError('ENOPROTOOPT', 'getsockopt', `unknown option ${JSON.stringify(name)}; known: ${OPTION_NAMES.join(', ')}`);
    return v as SocketOptions[K];
  }

  bind(addr: BindAddress = {}): void {
    if (addr === null || typeof addr !== 'object') throw new SocketError('EINVAL', 'bind', `bind takes { ip?, port? }, got ${JSON.stringify(addr)}`);
    this.#sync('bind', () => fmtArgs(addr), () => {
      const port = checkPort('bind', addr.port ?? 0, true);
      let ip = addr.ip ?? '0.0.0.0';
      if (typeof ip !== 'string' || !IPV4.test(ip)) {
        const resolved = typeof ip === 'string' ? this.#k.resolveHost(ip) : null;
        if (!resolved) throw new SocketError('EINVAL', 'bind', `ip must be a dotted IPv4 address, got ${JSON.stringify(ip)}`);
        ip = resolved;
      }
      this.#h.stack.bind(this.#tcb, ip, port);
    });
  }

  listen(backlog = 128): void {
    if (typeof backlog !== 'number' || !Number.isInteger(backlog))
      throw new SocketError('EINVAL', 'listen', `backlog must be an integer, got ${JSON.stringify(backlog)}`);
    this.#sync('listen', String(backlog), () => this.#h.stack.listen(this.#tcb, backlog));
  }

  accept(): Promise<Socket> {
    return this.#call(ACCEPT, undefined);
  }

  connect(addr: ConnectAddress): Promise<void> {
    return this.#call(CONNECT, addr);
  }

  send(data: string): Promise<number> {
    return this.#call(SEND, data);
  }

  recv(maxBytes?: number): Promise<string> {
    return this.#call(RECV, maxBytes);
  }

  shutdown(how: ShutdownHow): void {
    if (how !== 'SHUT_RD' && how !== 'SHUT_WR' && how !== 'SHUT_RDWR')
      throw new SocketError('EINVAL', 'shutdown', `how must be 'SHUT_RD', 'SHUT_WR' or 'SHUT_RDWR', got ${JSON.stringify(how)}`);
    this.#sync('shutdown', how, () => this.#h.stack.shutdown(this.#tcb, how !== 'SHUT_WR', how !== 'SHUT_RD'));
  }

  close(): Promise<void> {
    const t = this.#tcb;
    if (t.fdClosed) {
      this.#k.traceCall('close', '', 'error', undefined, 'EBADF', this.fd, this.#who());
      return Promise.reject(new SocketError('EBADF', 'close', `fd ${this.fd} was already closed`));
    }
    const mustWait = this.#h.stack.close(t);
    if (!mustWait) {
      this.#k.traceCall('close', '', 'return', '0', undefined, this.fd, this.#who());
      return RESOLVED;
    }
    // SO_LINGER N > 0: wait for the FIN's ACK or N seconds; Linux returns 0 either way (sk_stream_wait_close).
    const caller = this.#k.caller(this.#owner);
    this.#k.traceCall('close', `linger ${t.linger.linger} s`, 'call', undefined, undefined, this.fd, this.#who());
    let w: Waiter<void>;
    try {
      w = this.#k.waiter<void>('close', this.fd, caller);
    } catch (e) {
      return Promise.reject(e);
    }
    t.lingerWaiter = w;
    this.#k.wakeAt(w, this.#k.now() + t.linger.linger * 1000);
    return this.#k
      .park(w)
      .then(() => {
        t.lingerWaiter = null;
        this.#k.traceCall('close', '', 'return', '0', undefined, this.fd, this.#who());
      });
  }

  /**
   * A call that may wait: traced as call/return, errors as rejected promises
   * with the errno. The calls are module-level tables, so a call allocates no
   * closures; arguments and results are formatted only when someone reads syscalls.
   */
  #call<A, T>(op: WaitingCall<A, T>, a: A): Promise<T> {
    const k = this.#k;
    const who = this.#who();
    if (this.#tcb.fdClosed) {
      k.traceCall(op.name, k.tracingCalls ? op.args(a) : '', 'error', undefined, 'EBADF', this.fd, who);
      return Promise.reject(new SocketError('EBADF', op.name, `fd ${this.fd} was closed`));
    }
    const caller = k.caller(this.#owner);
    let r: T | Promise<T>;
    try {
      r = op.run(this, a, caller);
    } catch (e) {
      const err = toSocketError(e, op.name);
      if (err instanceof SocketError) k.traceCall(op.name, k.tracingCalls ? op.args(a) : '', 'error', undefined, err.code, this.fd, who);
      return Promise.reject(err);
    }
    if (!(r instanceof Promise)) {
      if (k.tracingCalls) k.traceCall(op.name, op.args(a), 'return', op.show(r), undefined, this.fd, who);
      return Promise.resolve(r);
    }
    if (!k.tracingCalls) return r; // nobody reads syscalls: no wrapper promise (the hot path of benchmarks)
    const args = op.args(a);
    k.traceCall(op.name, args, 'call', undefined, undefined, this.fd, who);
    return r.then(
      (v) => {
        if (this.#k.tracingCalls) this.#k.traceCall(op.name, args, 'return', op.show(v), undefined, this.fd, who);
        return v;
      },
      (e) => {
        const err = toSocketError(e, op.name);
        if (err instanceof SocketError) this.#k.traceCall(op.name, args, 'error', undefined, err.code, this.fd, who);
        throw err;
      },
    );
  }
}

/** A socket call that may wait: its checks and work (`run`), and how its arguments and result read in the trace. */
interface WaitingCall<A, T> {
  readonly name: string;
  args(a: A): string;
  show(v: T): string;
  run(s: SocketImpl, a: A, caller: Proc | null): T | Promise<T>;
}

const sockName = (s: Socket): string => `fd ${s.fd} (${s.remoteAddress ? `${s.remoteAddress.ip}:${s.remoteAddress.port}` : 'closed'})`;
const dataArg = (d: unknown): string => {
  if (d === undefined) return '';
  const str = String(d);
  return `${JSON.stringify(str.slice(0, 40))}${str.length > 40 ? '…' : ''} (${str.length} bytes)`;
};

/** accept(): the woken value (a connection from the queue) becomes a socket, as the process that accepts. */
function acceptTake(this: SocketImpl, c: Tcb): Socket {
  const k = kOf(this);
  const h = hOf(this);
  const owner = ownerOf(this);
  const p = k.caller(owner);
  h.stack.accepted(c, p?.name ?? '');
  return new SocketImpl(k, h, c, p);
}

const ACCEPT: WaitingCall<undefined, Socket> = {
  name: 'accept',
  args: () => '',
  show: sockName,
  run(s, _a, caller) {
    const t = tcbOf(s);
    if (t.state !== 'LISTEN') throw new SocketError('EINVAL', 'accept', `accept() needs a listening socket; this one is ${t.state}`);
    const ready = t.acceptQueue.shift();
    if (ready) return acceptTake.call(s, ready);
    const w = kOf(s).mappedWaiter('accept', s.fd, caller, acceptTake, s);
    t.acceptWaiters = append(t.acceptWaiters, w);
    return kOf(s).park(w);
  },
};

const CONNECT: WaitingCall<ConnectAddress, void> = {
  name: 'connect',
  args: fmtArgs,
  show: () => '0',
  run(s, addr, caller) {
    if (!addr || typeof addr !== 'object') throw new SocketError('EINVAL', 'connect', `connect takes { host, port }, got ${JSON.stringify(addr)}`);
    const port = checkPort('connect', addr.port, false);
    const target = (addr as { host?: unknown; ip?: unknown }).host ?? (addr as { ip?: unknown }).ip;
    if (typeof target !== 'string' || !target) throw new SocketError('EINVAL', 'connect', `connect needs a host name or IPv4 address in 'host', got ${JSON.stringify(target)}`);
    const ip = IPV4.test(target) ? target : kOf(s).resolveHost(target);
    if (!ip) throw new SocketError('EHOSTUNREACH', 'connect', `no host named '${target}' in this simulation`);
    const t = tcbOf(s);
    if (t.state === 'LISTEN' || t.state !== 'CLOSED' || t.remoteIp) {
      if (t.state === 'SYN_SENT') throw new SocketError('EALREADY', 'connect', 'a connect() is already in progress');
      throw new SocketError('EISCONN', 'connect', `the socket is ${t.state === 'CLOSED' ? 'already used for a connection' : t.state}`);
    }
    const w = kOf(s).waiter<void>('connect', s.fd, caller);
    hOf(s).stack.connect(t, ip, port, w); // may throw (EADDRNOTAVAIL): the process has not blocked yet
    return kOf(s).park(w);
  },
};

const SEND: WaitingCall<string, number> = {
  name: 'send',
  args: dataArg,
  show: String,
  run(s, data, caller) {
    if (typeof data !== 'string') throw new SocketError('EINVAL', 'send', `send takes a string, got ${data === null ? 'null' : typeof data}`);
    const t = tcbOf(s);
    if (t.state === 'LISTEN' || (t.state === 'CLOSED' && !t.remoteIp)) throw new SocketError('ENOTCONN', 'send', 'the socket is not connected');
    if (t.state === 'SYN_SENT' || t.state === 'SYN_RECEIVED') throw new SocketError('ENOTCONN', 'send', 'the handshake has not finished');
    const err = t.sendError();
    if (err) throw new SocketError(err, 'send', err === 'EPIPE' ? (t.shutWr && t.state !== 'CLOSED' ? 'sending was shut down (shutdown or close)' : 'the connection is closed') : undefined);
    const room = t.sndBufSize - t.sqLen;
    if (data.length <= room && t.sendWaiters.length === 0) {
      t.sqAppend(data);
      t.output();
      return data.length;
    }
    const w = kOf(s).waiter<number>('send', s.fd, caller);
    const p = kOf(s).park(w);
    t.sendWaiters = append(t.sendWaiters, { w, data, done: 0 });
    t.wakeSenders();
    return p;
  },
};

const RECV: WaitingCall<number | undefined, string> = {
  name: 'recv',
  args: (m) => (m === undefined ? '' : String(m)),
  show: (v) => (v === '' ? "'' (EOF)" : `${JSON.stringify(v.slice(0, 40))}${v.length > 40 ? '…' : ''} (${v.length} bytes)`),
  run(s, maxBytes, caller) {
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1))
      throw new SocketError('EINVAL', 'recv', `maxBytes must be a positive integer, got ${JSON.stringify(maxBytes)}`);
    const t = tcbOf(s);
    if (t.state === 'LISTEN') throw new SocketError('ENOTCONN', 'recv', 'a listening socket cannot recv: use accept()');
    if (t.state === 'CLOSED' && !t.remoteIp) throw new SocketError('ENOTCONN', 'recv', 'the socket is not connected');
    const max = maxBytes ?? Infinity;
    if (t.recvWaiters.length === 0) {
      const r = t.tryRecv(max);
      if (typeof r === 'string') return r;
      if (r) throw new SocketError(r.errno, 'recv');
    }
    const w = kOf(s).waiter<string>('recv', s.fd, caller);
    w.n = max;
    t.recvWaiters = append(t.recvWaiters, w);
    return kOf(s).park(w);
  },
};
