import type {
  Address,
  BindAddress,
  ConnectAddress,
  Host,
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
import type { Tcb } from './tcp/tcb.ts';
import type { Waiter } from './tcp/env.ts';

/** What processes and sockets need from the world. */
export interface Kernel {
  readonly current: Proc | null;
  now(): number;
  /** Waits in the current process; `register` stores the waiter where the stack will wake it. */
  block<T>(syscall: string, what: string, register: (w: Waiter<T>) => void, proc?: Proc | null): Promise<T>;
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
}

export type ProcStatus = Process['status'];

export class Proc implements Process {
  status: ProcStatus = 'blocked';
  waitingIn = 'start';
  /** Waits not yet settled. */
  waits = 0;
  /** Made on first use of `done`: most processes are never awaited. */
  private donePromise: Promise<void> | null = null;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private outcome: { error?: unknown } | null = null;
  /** Somebody took `done`: when this process ends, foreign continuations may run (see World.run). */
  doneObserved = false;
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
  constructor(
    private k: Kernel,
    private proc: Proc,
  ) {}
  get host(): Host {
    return this.proc.hostHandle.api;
  }
  get pid(): number {
    return this.proc.pid;
  }
  socket(): Socket {
    const tcb = this.proc.hostHandle.stack.socket(this.proc.name);
    this.k.traceCall('socket', '', 'return', `fd ${tcb.fd}`, undefined, tcb.fd);
    return new SocketImpl(this.k, this.proc.hostHandle, tcb, this.proc);
  }
  sleep(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new TypeError(`os.sleep(ms) takes a number of milliseconds >= 0, got ${JSON.stringify(ms)}`);
    }
    return this.k.sleep(ms, this.proc);
  }
  now(): number {
    return this.k.now();
  }
  spawn(fn: (os: OS) => unknown, name?: string): Process {
    if (typeof fn !== 'function') throw new TypeError('os.spawn(fn) takes a function (os) => { ... }');
    return this.k.spawn(this.proc.hostHandle, fn, name ?? `${this.proc.name}/${fn.name || 'child'}`);
  }
  ss(options?: SsOptions): SsTable {
    return this.proc.hostHandle.ss(options);
  }
  sysctl<K extends SysctlName>(name: K): Sysctls[K] {
    return this.proc.hostHandle.api.sysctl(name);
  }
}

const OPTION_NAMES: SocketOption[] = ['SO_REUSEADDR', 'SO_REUSEPORT', 'SO_LINGER', 'SO_RCVBUF', 'SO_SNDBUF'];

export class SocketImpl implements Socket {
  constructor(
    private k: Kernel,
    private h: HostHandle,
    readonly tcb: Tcb,
    /** The process that created or accepted it: who waits when no process is running (see Kernel.caller). */
    private owner: Proc | null,
  ) {}

  get fd(): number {
    return this.tcb.fd;
  }
  get state(): TcpState {
    return this.tcb.fdClosed ? 'CLOSED' : this.tcb.state;
  }
  get localAddress(): Address | null {
    const t = this.tcb;
    if (t.fdClosed || (!t.bound && !t.remoteIp)) return null;
    return { host: this.h.name, ip: t.localIp, port: t.localPort };
  }
  get remoteAddress(): Address | null {
    const t = this.tcb;
    if (t.fdClosed || !t.remoteIp || t.state === 'CLOSED' || t.state === 'LISTEN' || t.state === 'SYN_SENT') return null;
    return { host: this.k.hostName(t.remoteIp), ip: t.remoteIp, port: t.remotePort };
  }

  private checkOpen(call: string): void {
    if (this.tcb.fdClosed) {
      this.k.traceCall(call, '', 'error', undefined, 'EBADF', this.fd);
      throw new SocketError('EBADF', call, `fd ${this.fd} was closed`);
    }
  }

  private sync<T>(call: string, argsOrThunk: string | (() => string), f: () => T, show?: (v: T) => string): T {
    this.checkOpen(call);
    const args = typeof argsOrThunk === 'string' ? argsOrThunk : this.k.tracingCalls ? argsOrThunk() : '';
    try {
      const v = f();
      this.k.traceCall(call, args, 'return', show ? show(v) : '0', undefined, this.fd);
      return v;
    } catch (e) {
      const err = toSocketError(e, call);
      if (err instanceof SocketError) this.k.traceCall(call, args, 'error', undefined, err.code, this.fd);
      throw err;
    }
  }

  setsockopt<K extends SocketOption>(name: K, value: SocketOptions[K]): void {
    this.sync('setsockopt', () => `${name}, ${fmtArgs(value)}`, () => {
      const t = this.tcb;
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
          if (name === 'SO_RCVBUF') t.rcvBufSize = Math.max(256, value as number);
          else t.sndBufSize = Math.max(256, value as number);
          return;
        }
        default:
          throw new SocketError('ENOPROTOOPT', 'setsockopt', `unknown option ${JSON.stringify(name)}; known: ${OPTION_NAMES.join(', ')}`);
      }
    });
  }

  getsockopt<K extends SocketOption>(name: K): SocketOptions[K] {
    const t = this.tcb;
    const v: unknown =
      name === 'SO_REUSEADDR'
        ? t.reuse
        : name === 'SO_REUSEPORT'
          ? t.reuseport
          : name === 'SO_LINGER'
            ? { ...t.linger }
            : name === 'SO_RCVBUF'
              ? t.rcvBufSize
              : name === 'SO_SNDBUF'
                ? t.sndBufSize
                : undefined;
    if (v === undefined) throw new SocketError('ENOPROTOOPT', 'getsockopt', `unknown option ${JSON.stringify(name)}; known: ${OPTION_NAMES.join(', ')}`);
    return v as SocketOptions[K];
  }

  bind(addr: BindAddress = {}): void {
    if (addr === null || typeof addr !== 'object') throw new SocketError('EINVAL', 'bind', `bind takes { ip?, port? }, got ${JSON.stringify(addr)}`);
    this.sync('bind', () => fmtArgs(addr), () => {
      const port = checkPort('bind', addr.port ?? 0, true);
      let ip = addr.ip ?? '0.0.0.0';
      if (typeof ip !== 'string' || !IPV4.test(ip)) {
        const resolved = typeof ip === 'string' ? this.k.resolveHost(ip) : null;
        if (!resolved) throw new SocketError('EINVAL', 'bind', `ip must be a dotted IPv4 address, got ${JSON.stringify(ip)}`);
        ip = resolved;
      }
      this.h.stack.bind(this.tcb, ip, port);
    });
  }

  listen(backlog = 128): void {
    if (typeof backlog !== 'number' || !Number.isInteger(backlog))
      throw new SocketError('EINVAL', 'listen', `backlog must be an integer, got ${JSON.stringify(backlog)}`);
    this.sync('listen', String(backlog), () => this.h.stack.listen(this.tcb, Math.max(1, backlog)));
  }

  accept(): Promise<Socket> {
    return this.async('accept', '', () => {
      const t = this.tcb;
      if (t.state !== 'LISTEN') throw new SocketError('EINVAL', 'accept', `accept() needs a listening socket; this one is ${t.state}`);
      const take = (c: Tcb): Socket => {
        c.fdClosed = false;
        const p = this.k.caller(this.owner);
        c.owner = p?.name ?? '';
        c.fd = this.h.stack.allocFd();
        return new SocketImpl(this.k, this.h, c, p);
      };
      const ready = t.acceptQueue.shift();
      if (ready) return take(ready);
      return this.k.block<Tcb>('accept', `accept(fd ${this.fd})`, (w) => t.acceptWaiters.push(w), this.k.caller(this.owner)).then(take);
    }, (s) => `fd ${s.fd} (${s.remoteAddress ? `${s.remoteAddress.ip}:${s.remoteAddress.port}` : 'closed'})`);
  }

  connect(addr: ConnectAddress): Promise<void> {
    return this.async('connect', () => fmtArgs(addr), () => {
      if (!addr || typeof addr !== 'object') throw new SocketError('EINVAL', 'connect', `connect takes { host, port }, got ${JSON.stringify(addr)}`);
      const port = checkPort('connect', addr.port, false);
      const target = (addr as { host?: unknown; ip?: unknown }).host ?? (addr as { ip?: unknown }).ip;
      if (typeof target !== 'string' || !target) throw new SocketError('EINVAL', 'connect', `connect needs a host name or IPv4 address in 'host', got ${JSON.stringify(target)}`);
      const ip = IPV4.test(target) ? target : this.k.resolveHost(target);
      if (!ip) throw new SocketError('EHOSTUNREACH', 'connect', `no host named '${target}' in this simulation`);
      const t = this.tcb;
      if (t.state === 'LISTEN' || t.state !== 'CLOSED' || t.remoteIp) {
        if (t.state === 'SYN_SENT') throw new SocketError('EALREADY', 'connect', 'a connect() is already in progress');
        throw new SocketError('EISCONN', 'connect', `the socket is ${t.state === 'CLOSED' ? 'already used for a connection' : t.state}`);
      }
      return this.k.block<void>('connect', `connect(fd ${this.fd})`, (w) => {
        try {
          this.h.stack.connect(t, ip, port, w);
        } catch (e) {
          throw toSocketError(e, 'connect');
        }
      }, this.k.caller(this.owner));
    });
  }

  send(data: string): Promise<number> {
    const args = (): string => (data === undefined ? '' : `${JSON.stringify(String(data).slice(0, 40))}${String(data).length > 40 ? '…' : ''} (${String(data).length} bytes)`);
    return this.async('send', args, () => {
      if (typeof data !== 'string') throw new SocketError('EINVAL', 'send', `send takes a string, got ${data === null ? 'null' : typeof data}`);
      const t = this.tcb;
      if (t.state === 'LISTEN' || (t.state === 'CLOSED' && !t.remoteIp)) throw new SocketError('ENOTCONN', 'send', 'the socket is not connected');
      if (t.state === 'SYN_SENT' || t.state === 'SYN_RECEIVED') throw new SocketError('ENOTCONN', 'send', 'the handshake has not finished');
      const err = t.sendError();
      if (err) throw new SocketError(err, 'send', err === 'EPIPE' ? (t.shutWr && t.state !== 'CLOSED' ? 'sending was shut down (shutdown or close)' : 'the connection is closed') : undefined);
      const room = t.sndBufSize - t.sq.length;
      if (data.length <= room && t.sendWaiters.length === 0) {
        t.sq += data;
        t.output();
        return data.length;
      }
      return this.k.block<number>('send', `send(fd ${this.fd})`, (w) => {
        t.sendWaiters.push({ w, data, done: 0 });
        t.wakeSenders();
      }, this.k.caller(this.owner));
    }, String);
  }

  recv(maxBytes?: number): Promise<string> {
    return this.async('recv', maxBytes === undefined ? '' : String(maxBytes), () => {
      if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1))
        throw new SocketError('EINVAL', 'recv', `maxBytes must be a positive integer, got ${JSON.stringify(maxBytes)}`);
      const t = this.tcb;
      if (t.state === 'LISTEN') throw new SocketError('ENOTCONN', 'recv', 'a listening socket cannot recv: use accept()');
      if (t.state === 'CLOSED' && !t.remoteIp) throw new SocketError('ENOTCONN', 'recv', 'the socket is not connected');
      const max = maxBytes ?? Infinity;
      if (t.recvWaiters.length === 0) {
        const r = t.tryRecv(max);
        if (typeof r === 'string') return r;
        if (r) throw new SocketError(r.errno, 'recv');
      }
      return this.k.block<string>('recv', `recv(fd ${this.fd})`, (w) => t.recvWaiters.push({ w, max }), this.k.caller(this.owner));
    }, (s) => (s === '' ? "'' (EOF)" : `${JSON.stringify(s.slice(0, 40))}${s.length > 40 ? '…' : ''} (${s.length} bytes)`));
  }

  shutdown(how: ShutdownHow): void {
    if (how !== 'SHUT_RD' && how !== 'SHUT_WR' && how !== 'SHUT_RDWR')
      throw new SocketError('EINVAL', 'shutdown', `how must be 'SHUT_RD', 'SHUT_WR' or 'SHUT_RDWR', got ${JSON.stringify(how)}`);
    this.sync('shutdown', how, () => this.h.stack.shutdown(this.tcb, how !== 'SHUT_WR', how !== 'SHUT_RD'));
  }

  close(): Promise<void> {
    const t = this.tcb;
    if (t.fdClosed) {
      this.k.traceCall('close', '', 'error', undefined, 'EBADF', this.fd);
      return Promise.reject(new SocketError('EBADF', 'close', `fd ${this.fd} was already closed`));
    }
    const mustWait = this.h.stack.close(t);
    if (!mustWait) {
      this.k.traceCall('close', '', 'return', '0', undefined, this.fd);
      return Promise.resolve();
    }
    // SO_LINGER N > 0: wait for the FIN's ACK or N seconds; Linux returns 0 either way (sk_stream_wait_close).
    const caller = this.k.caller(this.owner);
    this.k.traceCall('close', `linger ${t.linger.linger} s`, 'call', undefined, undefined, this.fd, caller);
    return this.k
      .block<void>('close', `close(fd ${this.fd}) lingering`, (w) => {
        t.lingerWaiter = w;
        this.k.wakeAt(w, this.k.now() + t.linger.linger * 1000);
      }, this.k.caller(this.owner))
      .then(() => {
        t.lingerWaiter = null;
        this.k.traceCall('close', '', 'return', '0', undefined, this.fd);
      });
  }

  /** A call that may wait: traced as call/return, errors as rejected promises with the errno. */
  private async<T>(call: string, argsOrThunk: string | (() => string), f: () => T | Promise<T>, show?: (v: T) => string): Promise<T> {
    // Arguments are formatted only when someone reads the trace.
    const args = typeof argsOrThunk === 'string' ? argsOrThunk : this.k.tracingCalls ? argsOrThunk() : '';
    if (this.tcb.fdClosed) {
      this.k.traceCall(call, args, 'error', undefined, 'EBADF', this.fd);
      return Promise.reject(new SocketError('EBADF', call, `fd ${this.fd} was closed`));
    }
    const caller = this.k.caller(this.owner);
    let r: T | Promise<T>;
    try {
      r = f();
    } catch (e) {
      const err = toSocketError(e, call);
      if (err instanceof SocketError) this.k.traceCall(call, args, 'error', undefined, err.code, this.fd, caller);
      return Promise.reject(err);
    }
    if (!(r instanceof Promise)) {
      if (this.k.tracingCalls) this.k.traceCall(call, args, 'return', show ? show(r) : '0', undefined, this.fd);
      return Promise.resolve(r);
    }
    if (!this.k.tracingCalls) return r; // nobody reads syscalls: no wrapper promise (the hot path of benchmarks)
    this.k.traceCall(call, args, 'call', undefined, undefined, this.fd, caller);
    return r.then(
      (v) => {
        if (this.k.tracingCalls) this.k.traceCall(call, args, 'return', show ? show(v) : '0', undefined, this.fd);
        return v;
      },
      (e) => {
        const err = toSocketError(e, call);
        if (err instanceof SocketError) this.k.traceCall(call, args, 'error', undefined, err.code, this.fd);
        throw err;
      },
    );
  }
}
