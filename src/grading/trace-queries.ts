// Questions checkers ask of a finished run: who sent which segments, which
// sockets are left in which state, which processes failed and why. Answers come
// back as data plus the wording a learner-facing message needs.
import type { ProcessEvent, RunSummary, SegmentEvent, SsState, StateEvent, TcpState, TraceEvent, World } from '../sim/index.ts';
import type { GradeLang } from './messages.ts';

export interface SegmentFilter {
  /** Sending host. */
  from?: string;
  /** Receiving host. */
  to?: string;
  rst?: boolean;
  fin?: boolean;
  syn?: boolean;
  /** Only segments that carry data. */
  data?: boolean;
  action?: SegmentEvent['action'];
}

function isSegment(e: TraceEvent): e is SegmentEvent {
  return e.kind === 'segment';
}

/** Segments in the trace (default: as sent) that match every given field. */
export function segments(world: World, filter: SegmentFilter = {}): SegmentEvent[] {
  const action = filter.action ?? 'send';
  const out: SegmentEvent[] = [];
  for (const e of world.trace) {
    if (!isSegment(e) || e.action !== action) continue;
    const s = e.seg;
    if (filter.from !== undefined && s.src.host !== filter.from) continue;
    if (filter.to !== undefined && s.dst.host !== filter.to) continue;
    if (filter.rst !== undefined && s.rst !== filter.rst) continue;
    if (filter.fin !== undefined && s.fin !== filter.fin) continue;
    if (filter.syn !== undefined && s.syn !== filter.syn) continue;
    if (filter.data !== undefined && s.len > 0 !== filter.data) continue;
    out.push(e);
  }
  return out;
}

/** State changes of sockets on `host` (optionally into `to`). */
export function stateChanges(world: World, host: string, to?: TcpState): StateEvent[] {
  const out: StateEvent[] = [];
  for (const e of world.trace) {
    if (e.kind === 'state' && e.host === host && (to === undefined || e.to === to)) out.push(e);
  }
  return out;
}

/** Rows of a host's `ss -tan` in one state. */
export function socketsIn(world: World, host: string, state: SsState) {
  const h = world.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`no host named ${host}`);
  return h.ss().inState(state);
}

/** Processes that threw, optionally only those whose name starts with `prefix`. */
export function failures(summary: RunSummary, prefix?: string): ProcessEvent[] {
  return summary.failed.filter((f) => prefix === undefined || f.process.startsWith(prefix));
}

/** "process 'client' on client threw SocketError: ECONNRESET ... (line 12)"; in Chinese with lang 'zh-CN'. */
export function describeFailure(f: ProcessEvent, lang: GradeLang = 'en'): string {
  const err = f.error;
  const pos = err?.line !== undefined ? `${err.line}${err.column !== undefined ? `:${err.column}` : ''}` : undefined;
  if (lang === 'zh-CN') {
    const what = err ? `${err.name}: ${err.message}` : '一个错误';
    return `${f.host} 上的进程 '${f.process}' 抛出了 ${what}${pos ? `（第 ${pos} 行）` : ''}`;
  }
  const where = pos ? ` (line ${pos})` : '';
  const what = err ? `${err.name}: ${err.message}` : 'an error';
  return `process '${f.process}' on ${f.host} threw ${what}${where}`;
}

/** "1 socket" / "12 sockets". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** First few items of a list as text, with "and N more". */
export function listSome(items: string[], most = 3, lang: GradeLang = 'en'): string {
  if (lang === 'zh-CN') {
    if (items.length <= most) return items.join('、');
    const shown = items.slice(0, most).join('、');
    // A space between Chinese and Latin text or digits, none next to a Chinese character or full-width punctuation.
    return `${shown}${/[\p{Script=Han}\u3000-\u303f\uff00-\uffef]$/u.test(shown) ? '' : ' '}等 ${items.length} 个`;
  }
  if (items.length <= most) return items.join(', ');
  return `${items.slice(0, most).join(', ')} and ${items.length - most} more`;
}

/** Time as a learner reads it: "t=1.234 s". */
export function at(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)} s`;
}

/** " from state FIN_WAIT_1" when the trace knows the sender's state, else ''. */
export function fromState(e: SegmentEvent): string {
  const state = e.state ?? (e.seg as { senderState?: TcpState }).senderState;
  return state ? ` from state ${state}` : '';
}

/** A descriptor a process got from socket() or accept() and never closed. */
export interface OpenDescriptor {
  host: string;
  fd: number;
  /** The process that opened it. */
  process: string;
  via: 'socket' | 'accept';
  /** Virtual time it was opened, ms. */
  t: number;
  /** For accept(): the peer, "ip:port". */
  peer?: string;
}

/**
 * Descriptors still open at the end of the run, from the trace's syscalls:
 * every fd that socket() or accept() returned and no close() returned for.
 * `ss` cannot show these (a shut-down socket whose connection ended is CLOSED
 * and hidden, yet its descriptor is still held). A host crash closes them all.
 */
export function openDescriptors(world: World, host?: string): OpenDescriptor[] {
  const book = new DescriptorBook(host);
  for (const e of world.trace) book.see(e);
  return book.open();
}

/** Descriptors opened and not yet closed, from syscall and crash events seen in order. */
class DescriptorBook {
  private readonly fds = new Map<string, OpenDescriptor>();
  constructor(private readonly host?: string) {}
  see(e: TraceEvent): void {
    if (e.kind === 'note' && e.host && e.text.endsWith('crashed: its processes and sockets are gone')) {
      for (const [key, d] of this.fds) if (d.host === e.host) this.fds.delete(key);
      return;
    }
    if (e.kind !== 'syscall' || e.phase !== 'return') return;
    if (this.host !== undefined && e.host !== this.host) return;
    if (e.call === 'socket' && e.fd !== undefined) {
      this.fds.set(`${e.host}/${e.fd}`, { host: e.host, fd: e.fd, process: e.process, via: 'socket', t: e.t });
    } else if (e.call === 'accept' && e.result) {
      const m = /^fd (\d+) \(([^)]*)\)/.exec(e.result);
      if (m) this.fds.set(`${e.host}/${m[1]}`, { host: e.host, fd: Number(m[1]), process: e.process, via: 'accept', t: e.t, peer: m[2] });
    } else if (e.call === 'close' && e.fd !== undefined) {
      this.fds.delete(`${e.host}/${e.fd}`);
    }
  }
  open(): OpenDescriptor[] {
    return [...this.fds.values()];
  }
}

/** "fd 5 from accept() of 10.0.0.2:40001 (process 'handle', t=0.120 s)". */
export function describeDescriptor(d: OpenDescriptor): string {
  return describeDescriptorIn('en', d);
}

/** The same in `lang`. */
export function describeDescriptorIn(lang: GradeLang, d: OpenDescriptor): string {
  if (lang === 'zh-CN') return `由 ${d.via}()${d.peer ? `（对端 ${d.peer}）` : ' '}得到的 fd ${d.fd}（进程 '${d.process}'，${at(d.t)}）`;
  return `fd ${d.fd} from ${d.via}()${d.peer ? ` of ${d.peer}` : ''} (process '${d.process}', ${at(d.t)})`;
}

// ---- many-short-connections

/**
 * Like openDescriptors, but for a run that does not record its trace
 * (`record: false`): subscribes to the world's events as they happen. Call
 * before the run; the returned function lists the descriptors open so far.
 */
export function watchDescriptors(world: World, host?: string): () => OpenDescriptor[] {
  const book = new DescriptorBook(host);
  world.on('note', (e) => book.see(e));
  world.on('syscall', (e) => book.see(e));
  return () => book.open();
}

// ---- close-wait-leak

/** State changes, in order, of the socket on `host` connected to `peer` ("ip:port"). */
export function socketHistory(world: World, host: string, peer: string): StateEvent[] {
  const out: StateEvent[] = [];
  for (const e of world.trace) if (e.kind === 'state' && e.host === host && e.sock.remote === peer) out.push(e);
  return out;
}

/** "ESTABLISHED -> FIN_WAIT_1 by close() at t=0.120 s, FIN_WAIT_1 -> FIN_WAIT_2 by rcv ACK of FIN at t=0.125 s". */
export function describeHistory(events: readonly StateEvent[]): string {
  return events.map((e) => `${e.from} -> ${e.to} by ${e.cause} at ${at(e.t)}`).join(', ');
}

// ---- clean-client

/**
 * What made a host send this RST, from the state change that went with it:
 * the socket's state before (`from`) and the cause the trace gives ('close() with
 * unread data', 'close() with SO_LINGER 0', 'data after close()' ...). Both
 * are undefined for a RST that answered a segment no socket was there for.
 */
export function resetCause(world: World, rst: SegmentEvent): { from?: TcpState; cause?: string } {
  const local = `${rst.seg.src.ip}:${rst.seg.src.port}`;
  const remote = `${rst.seg.dst.ip}:${rst.seg.dst.port}`;
  let best: StateEvent | undefined;
  for (const e of world.trace) {
    if (e.t > rst.t) break;
    if (e.kind !== 'state' || e.t !== rst.t || e.host !== rst.seg.src.host) continue;
    if (e.sock.local !== local || e.sock.remote !== remote) continue;
    // The change into CLOSED is the one the RST belongs to (an 'rcv FIN' may share its instant).
    const rank = (x: StateEvent) => (x.to === 'CLOSED' ? 0 : 1);
    if (!best || rank(e) < rank(best) || (rank(e) === rank(best) && Math.abs(e.n - rst.n) < Math.abs(best.n - rst.n))) best = e;
  }
  if (best) return { from: best.from, cause: best.cause };
  return rst.state ? { from: rst.state } : {};
}

/** Syscalls that returned (or failed) on one descriptor after it was opened (optionally only `call`), e.g. to tell shutdown() from close(). */
export function callsOn(world: World, d: OpenDescriptor, call?: string): import('../sim/index.ts').SyscallEvent[] {
  const out: import('../sim/index.ts').SyscallEvent[] = [];
  for (const e of world.trace) {
    if (e.kind !== 'syscall' || e.phase === 'call' || e.host !== d.host || e.fd !== d.fd || e.t < d.t || e.call === 'socket' || e.call === 'accept') continue;
    if (call === undefined || e.call === call) out.push(e);
  }
  return out;
}

/**
 * "fd 3 from socket() (process 'fetchAll', t=0.000 s): close() was never called
 * on it (shutdown(SHUT_WR) was, at t=0.420 s: it sends the FIN but does not
 * release the descriptor)".
 */
export function describeLeak(world: World, d: OpenDescriptor, lang: GradeLang = 'en'): string {
  const shut = callsOn(world, d, 'shutdown')[0];
  if (lang === 'zh-CN') {
    const how = shut ? `（调用过 shutdown(${shut.args || 'SHUT_WR'})，在 ${at(shut.t)}：shutdown() 只结束连接的一个方向，并不释放文件描述符）` : '';
    return `${describeDescriptorIn(lang, d)}：从未对它调用 close()${how}`;
  }
  const how = shut ? ` (shutdown(${shut.args || 'SHUT_WR'}) was, at ${at(shut.t)}: shutdown() ends a direction of the connection but does not release the descriptor)` : '';
  return `${describeDescriptorIn(lang, d)}: close() was never called on it${how}`;
}

/** The trace's id of the socket behind a descriptor (from its connect() or its accepted peer), if the trace tells. */
export function socketIdOf(world: World, d: OpenDescriptor): number | undefined {
  if (d.via === 'accept') {
    let id: number | undefined;
    for (const e of world.trace) {
      if (e.t > d.t) break;
      if (e.kind === 'state' && e.host === d.host && e.sock.remote === d.peer) id = e.sock.id;
    }
    return id;
  }
  const connect = world.trace.find((e) => e.kind === 'syscall' && e.host === d.host && e.fd === d.fd && e.call === 'connect' && e.phase === 'call' && e.t >= d.t);
  if (!connect) return undefined;
  let best: StateEvent | undefined;
  for (const e of world.trace) {
    if (e.t > connect.t) break;
    if (e.kind === 'state' && e.host === d.host && e.t === connect.t && e.cause === 'connect()' && (!best || Math.abs(e.n - connect.n) < Math.abs(best.n - connect.n))) best = e;
  }
  return best?.sock.id;
}

/**
 * openDescriptors, less those whose socket the trace shows closed by close()
 * (a state change caused by 'close()'): a close() made from a continuation
 * that runs while another process is current can be traced under that
 * process's host, so its syscall event alone is not proof it never happened.
 */
export function unclosedDescriptors(world: World, host: string): OpenDescriptor[] {
  return openDescriptors(world, host).filter((d) => {
    const id = socketIdOf(world, d);
    if (id === undefined) return true;
    return !world.trace.some((e) => e.kind === 'state' && e.host === host && e.sock.id === id && e.cause.startsWith('close()'));
  });
}
