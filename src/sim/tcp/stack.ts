import type { Errno, SegmentInfo, SysctlName, Sysctls, TcpState } from '../../../types/closing-time.d.ts';
import type { TimeWaitPolicy, TimeWaitVerdict } from '../world-types.ts';
import { hash32 } from '../prng.ts';
import { ACK, RST, SegPath, Segment, seqAdd, seqGt, seqLt } from '../segment.ts';
import type { StackEnv, Waiter } from './env.ts';
import { OOW_RATELIMIT_MS, TCP_TW_REUSE_DELAY_MS, type ProfileParams, SYSCTL_DEFAULTS, TCP_RTO_MAX, TCP_TIMEWAIT_LEN, parsePortRange } from './params.ts';
import { ConnTable } from './conns.ts';
import { LISTEN_DROP_NOTE, LISTEN_OVERFLOW_NOTE, TcpCounters } from './counters.ts';
import { append, emptyQueue } from './lazy-queue.ts';
import { Tcb, type TcbStack } from './tcb.ts';
import { TW_BYBIND, TW_REUSE, TW_REUSEPORT, TimeWait } from './timewait.ts';
import { MinisockTimerQueue } from './timers.ts';
import { transition } from './transitions.ts';

/**
 * Sockets sharing a port taken with bind() (Linux's inet_bind_bucket with
 * fastreuse >= 0: connect()'s autobind never picks such a port). Ports that
 * connect() picked are only counted (autoPorts): a busy client holds tens of
 * thousands, and bind() is rare enough to look them up in the connection table.
 */
interface BindBucket {
  /** In the order they bound; a removed owner leaves a hole (owner.bindIdx is its index) until the array is compacted. */
  owners: (Tcb | TimeWait | undefined)[];
  live: number;
}

/**
 * Linux's new_state[] table of tcp_close_state() (net/ipv4/tcp.c): for each
 * state, where close() or shutdown(SHUT_WR) takes it and whether that sends
 * our FIN (TCP_ACTION_FIN). close() and shutdown() deal with LISTEN, SYN_SENT,
 * TIME_WAIT and CLOSED before they get here (tcp_disconnect, inet_shutdown);
 * their rows are Linux's, for completeness.
 */
export const CLOSE_STATE: Readonly<Record<TcpState, { readonly to: TcpState; readonly fin: boolean }>> = {
  ESTABLISHED: { to: 'FIN_WAIT_1', fin: true },
  SYN_SENT: { to: 'CLOSED', fin: false },
  SYN_RECEIVED: { to: 'FIN_WAIT_1', fin: true },
  FIN_WAIT_1: { to: 'FIN_WAIT_1', fin: false },
  FIN_WAIT_2: { to: 'FIN_WAIT_2', fin: false },
  TIME_WAIT: { to: 'CLOSED', fin: false },
  CLOSED: { to: 'CLOSED', fin: false },
  CLOSE_WAIT: { to: 'LAST_ACK', fin: true },
  LAST_ACK: { to: 'LAST_ACK', fin: false },
  LISTEN: { to: 'CLOSED', fin: false },
  CLOSING: { to: 'CLOSING', fin: false },
};

export class SocketCallError {
  constructor(
    readonly code: Errno,
    readonly message?: string,
  ) {}
}


/** One host's TCP: its tables, its ports and the demultiplexing of segments. */
export class Stack implements TcbStack {
  /** Connections by 4-tuple: peer (peerOf) and ports (portsKey). */
  readonly conns = new ConnTable();
  /** Small numbers for peer addresses, so that a 4-tuple key is one number rather than a string. */
  private ipIndex = new Map<string, number>();
  readonly listeners = new Map<number, Tcb[]>();
  readonly binds = new Map<number, BindBucket>();
  /** The ports of `binds` as a bitmap (bit p of word p >>> 5), for connect()'s port search. */
  private readonly bindBits = new Uint32Array(2048);
  /** Connections (and minisocks) per port that connect() picked, by port; allocated at the first connect(). */
  private autoPorts: Uint32Array | null = null;
  /**
   * The host's incarnation: a crash starts a new one, and every fd of an earlier
   * one is closed, whether or not its socket is in a table (Tcb.fdClosed). A
   * count rather than a set of open sockets: a set would keep alive every socket
   * a program never closed (measured: a third more CPU time in 100k lifecycles).
   */
  incarnation = 0;
  twCount = 0;
  /** Orphaned full sockets: closed by their application, not yet destroyed (Linux tcp_orphan_count). */
  orphanCount = 0;
  /** What `nstat` shows (counters.ts); the world starts them again after a crash, as a reboot does. */
  counters = new TcpCounters();
  private sysctls: Sysctls = { ...SYSCTL_DEFAULTS };
  private portRange: [number, number] = [32768, 60999];
  private hashOffset: number;
  private isnSecret: number;
  private tsSecret: number;
  timeWaitPolicy: TimeWaitPolicy | null = null;
  /** HostOptions.isn: false drops the ISN clock (every incarnation of a 4-tuple starts alike). */
  isnClock = true;
  private nextFd = 3;
  /** The timers of this host's TIME_WAIT and orphaned FIN_WAIT_2 minisocks (timers.ts). */
  private readonly twTimers: MinisockTimerQueue<TimeWait>;
  /** The world's host object for this stack (set by the world; the stack does not look inside). */
  host: unknown = null;

  constructor(
    readonly name: string,
    readonly ip: string,
    readonly env: StackEnv,
    readonly params: ProfileParams,
    private ids: () => number,
    /** Resolves a peer address to its host name (for the trace). */
    readonly hostOf: (ip: string) => string,
  ) {
    this.twTimers = new MinisockTimerQueue<TimeWait>(env, name, (tw) =>
      this.killTimeWait(tw, tw.substate === 'TIME_WAIT' ? 'TIME_WAIT timer' : 'FIN_WAIT_2 timer (tcp_fin_timeout)'),
    );
    this.hashOffset = env.random32();
    this.isnSecret = env.random32();
    this.tsSecret = env.random32();
  }

  private lastRip = '';
  private lastRipIndex = 0;

  /**
   * The peer half of a 4-tuple as a small number: (peer address index, local address
   * is loopback). The local address is this host's own or loopback, so one bit tells them apart.
   */
  peerOf(lip: string, rip: string): number {
    let i: number | undefined;
    if (rip === this.lastRip) i = this.lastRipIndex;
    else {
      i = this.ipIndex.get(rip);
      if (i === undefined) this.ipIndex.set(rip, (i = this.ipIndex.size + 1));
      this.lastRip = rip;
      this.lastRipIndex = i;
    }
    return i * 2 + (lip === this.ip ? 0 : 1);
  }

  sysctl<K extends SysctlName>(name: K): Sysctls[K] {
    return this.sysctls[name];
  }
  setSysctl<K extends SysctlName>(name: K, value: Sysctls[K]): void {
    if (name === 'net.ipv4.ip_local_port_range') this.portRange = parsePortRange(value)!;
    this.sysctls[name] = value;
  }

  // ---------------------------------------------------------------- sockets

  allocFd(): number {
    return this.nextFd++;
  }

  socket(owner: string): Tcb {
    const t = new Tcb(this, this.ids(), this.allocFd());
    t.owner = owner;
    return t;
  }

  /** accept() hands a queued connection to the process `owner`: it gets an fd. */
  accepted(c: Tcb, owner: string): void {
    c.fdClosed = false;
    c.owner = owner;
    c.fd = this.allocFd();
  }

  /** ISN: Linux secure_tcp_seq: a keyed hash of the 4-tuple plus a clock ticking every 64 ns. */
  isn(lip: string, lport: number, rip: string, rport: number): number {
    const h = hash32(this.isnSecret, ipNum(lip), lport, ipNum(rip), rport);
    return (h + (this.isnClock ? this.env.now() * 15_625 : 0)) | 0;
  }

  /** TCP timestamp value: a millisecond clock with a per-address-pair offset (Linux secure_tcp_ts_off). */
  tsval(rip: string, now: number): number {
    return (hash32(this.tsSecret, ipNum(this.ip), ipNum(rip)) + now) | 0;
  }

  // ---------------------------------------------------------------- binding

  private addrsOverlap(a: string, b: string): boolean {
    return a === '0.0.0.0' || b === '0.0.0.0' || a === b;
  }

  /** Linux inet_bind_conflict (relax = true, reuseport_ok = true, as inet_csk_get_port calls it). */
  private conflicts(sk: Tcb, ip: string, port: number): Tcb | TimeWait | null {
    const check = (o: Tcb | TimeWait): boolean => {
      if (o === sk || !this.addrsOverlap(ip, o.localIp)) return false;
      if (sk.reuse && o.reuse && o.state !== 'LISTEN') return false;
      if (sk.reuseport && o.reuseport) return false;
      return true;
    };
    const b = this.binds.get(port);
    if (b) for (const o of b.owners) if (o && check(o)) return o;
    if (this.autoPortUsed(port)) {
      for (const o of this.conns.values()) if (o.localPort === port && !o.boundByBind && check(o)) return o;
    }
    return null;
  }

  private autoPortRef(port: number, delta: number): void {
    const a = (this.autoPorts ??= new Uint32Array(65536));
    a[port] = Math.max(0, a[port]! + delta);
  }

  private autoPortUsed(port: number): boolean {
    return this.autoPorts !== null && this.autoPorts[port]! > 0;
  }

  bind(sk: Tcb, ip: string, port: number): void {
    if (sk.bound) throw new SocketCallError('EINVAL', 'the socket is already bound');
    if (ip !== '0.0.0.0' && ip !== this.ip && !ip.startsWith('127.'))
      throw new SocketCallError('EADDRNOTAVAIL', `${ip} is not an address of host ${this.name} (${this.ip})`);
    if (port === 0) {
      port = this.freePort(sk.reuse);
      if (!port) throw new SocketCallError('EADDRINUSE', 'no free port left in ip_local_port_range');
    } else {
      const c = this.conflicts(sk, ip, port);
      if (c) throw new SocketCallError('EADDRINUSE', describeHolder(c, port));
    }
    sk.localIp = ip;
    sk.localPort = port;
    sk.boundByBind = true;
    this.addOwner(port, sk);
    sk.bound = true;
  }

  /**
   * bind(0): a port nobody holds, neither bind() nor connect() (Linux
   * inet_csk_find_open_port, without ip_autobind_reuse): a random start, odd
   * offsets first, "to not pollute connect() users", who start with even ones
   * (ephemeralPort). A socket with SO_REUSEADDR searches the lower half of the
   * range first, then the upper half (attempt_half; ranges of 4 ports or more).
   */
  private freePort(reuse: boolean): number {
    const [lo, hi] = this.portRange;
    if (!reuse || hi + 1 - lo < 4) return this.freePortIn(lo, hi + 1);
    const half = lo + (((hi + 1 - lo) >> 2) << 1);
    return this.freePortIn(lo, half) || this.freePortIn(half, hi + 1);
  }

  /** One pass of inet_csk_find_open_port over the ports [low, high): odd offsets from a random start, then even ones. */
  private freePortIn(low: number, high: number): number {
    let remaining = high - low;
    if (remaining > 1) remaining &= ~1;
    let offset = (hash32(this.tsSecret, ++this.portDraws, 2, 0, 0) >>> 0) % remaining;
    offset |= 1;
    for (;;) {
      let port = low + offset;
      for (let i = 0; i < remaining; i += 2, port += 2) {
        if (port >= high) port -= remaining;
        port |= 0; // a small integer for V8, as every socket's localPort
        if (!this.binds.has(port) && !this.autoPortUsed(port)) return port;
      }
      offset--;
      if (offset & 1) return 0;
    }
  }

  private addOwner(port: number, o: Tcb | TimeWait): void {
    let b = this.binds.get(port);
    if (!b) {
      b = { owners: [], live: 0 };
      this.binds.set(port, b);
      this.bindBits[port >>> 5]! |= 1 << (port & 31);
    }
    o.bindIdx = b.owners.length;
    b.owners.push(o);
    b.live++;
  }

  private removeOwner(port: number, o: Tcb | TimeWait): void {
    const b = this.binds.get(port);
    if (!b || o.bindIdx < 0 || b.owners[o.bindIdx] !== o) return;
    b.owners[o.bindIdx] = undefined;
    o.bindIdx = -1;
    if (--b.live === 0) {
      this.binds.delete(port);
      this.bindBits[port >>> 5]! &= ~(1 << (port & 31));
    }
    else if (b.owners.length > 16 && b.live * 2 < b.owners.length) {
      let j = 0;
      for (const x of b.owners) {
        if (!x) continue;
        x.bindIdx = j;
        b.owners[j++] = x;
      }
      b.owners.length = j;
    }
  }

  /**
   * Linux __sys_listen and inet_listen. The backlog is capped at somaxconn with an
   * unsigned comparison, so a negative backlog becomes somaxconn too; 0 stays 0.
   * It is stored as sk_max_ack_backlog (see synToListener and synRecvSock for its use).
   */
  listen(sk: Tcb, backlog: number): void {
    const somaxconn = this.sysctl('net.core.somaxconn');
    const max = backlog < 0 || backlog > somaxconn ? somaxconn : backlog;
    if (sk.state === 'LISTEN') {
      sk.backlog = max;
      return;
    }
    if (sk.state !== 'CLOSED' || sk.fdClosed) throw new SocketCallError('EINVAL', `listen() on a socket in ${sk.state}`);
    if (!sk.bound) this.bind(sk, '0.0.0.0', 0);
    // inet_csk_listen_start checks the port again: two listeners need SO_REUSEPORT on both.
    const c = this.conflicts(sk, sk.localIp, sk.localPort);
    if (c) throw new SocketCallError('EADDRINUSE', describeHolder(c, sk.localPort));
    sk.backlog = max;
    let l = this.listeners.get(sk.localPort);
    if (!l) this.listeners.set(sk.localPort, (l = []));
    l.push(sk);
    sk.setState('LISTEN', 'listen()');
  }

  /**
   * Linux __inet_hash_connect: the local port of a connect(). A socket with a port
   * (bind() or bind(0)) keeps it and only its 4-tuple is checked; otherwise the
   * port is chosen from ip_local_port_range. Either way a TIME_WAIT holding the
   * 4-tuple may be taken over (tcp_twsk_unique; see takesOver).
   */
  connect(sk: Tcb, rip: string, rport: number, w: Waiter): void {
    const lip = sk.bound && sk.localIp !== '0.0.0.0' ? sk.localIp : rip.startsWith('127.') ? '127.0.0.1' : this.ip;
    let tw: TimeWait | null = null;
    let takeover = 'taken over by connect() from a bound port (timestamps)';
    if (sk.bound) {
      const old = this.conns.get(this.peerOf(lip, rip), portsKey(sk.localPort, rport));
      if (old && !(old instanceof TimeWait && this.takesOver(old, rip, true))) {
        throw new SocketCallError('EADDRNOTAVAIL', `the 4-tuple ${lip}:${sk.localPort} > ${rip}:${rport} is in use`);
      }
      if (old instanceof TimeWait) tw = old;
      sk.localIp = lip;
    } else {
      const chosen = this.ephemeralPort(lip, rip, rport);
      if (!chosen) {
        const [lo, hi] = this.portRange;
        throw new SocketCallError(
          'EADDRNOTAVAIL',
          `every local port in ip_local_port_range ${lo}-${hi} already has a connection to ${rip}:${rport} (TIME_WAIT counts)`,
        );
      }
      tw = this.twTaken;
      this.twTaken = null;
      takeover = 'reused by connect() (tcp_tw_reuse)';
      sk.localIp = lip;
      sk.localPort = chosen;
      this.autoPortRef(chosen, 1);
      sk.bound = true;
    }
    let iss = 0;
    if (tw !== null) {
      // tcp_twsk_unique: the new connection starts past the old one's sequence space
      // (write_seq = tw_snd_nxt + 65535 + 2) and keeps its peer's last timestamp.
      iss = seqAdd(tw.sndNxt32, 65_535 + 2) || 1;
      sk.setTsRecent(tw.tsRecent32);
      sk.tsRecentStamp = tw.tsRecentStamp;
      this.killTimeWait(tw, takeover);
    }
    sk.remoteIp = rip;
    sk.remotePort = rport;
    sk.remoteHost = this.hostOf(rip);
    sk.peer = this.peerOf(sk.localIp, rip);
    sk.key = portsKey(sk.localPort, rport);
    this.conns.set(sk.peer, sk.key, sk);
    sk.hashed = true;
    sk.activeOpen(iss || this.isn(sk.localIp, sk.localPort, rip, rport), this.sysctl('net.ipv4.tcp_timestamps') === 1, w);
  }

  /** The TIME_WAIT the port search decided to take over (ephemeralPort), for connect() to end. */
  private twTaken: TimeWait | null = null;
  /** Linux's table_perturb: per hashed destination, how far the next search starts past the last (sparse; seeded entries). */
  private perturb = new Map<number, number>();
  private portDraws = 0;

  /**
   * The port search of __inet_hash_connect (Linux 6.x): the range's size rounded
   * down to even (`remaining &= ~1`: with an odd-sized range one port is never
   * used), a start from a keyed hash of the destination plus its table_perturb
   * entry, ports of the start's parity first (even offsets; bind(0) takes odd ones
   * first, freePort), then the others. Ports taken with bind() are skipped; a
   * port whose 4-tuple is held is skipped unless its TIME_WAIT can be taken over.
   * 0 when none is left.
   */
  private ephemeralPort(lip: string, rip: string, rport: number): number {
    const [lo, hi] = this.portRange;
    const high = hi + 1;
    let remaining = high - lo;
    if (remaining > 1) remaining &= ~1;
    // secure_ipv4_port_ephemeral: a keyed hash of the addresses and the destination port.
    const index = hash32(this.isnSecret, ipNum(lip), ipNum(rip), rport) & (PERTURB_SIZE - 1);
    let perturb = this.perturb.get(index);
    if (perturb === undefined) perturb = hash32(this.tsSecret, index, 0, 0, 0) >>> 0; // get_random_sleepable_once
    const high32 = hash32(this.hashOffset, ipNum(lip), ipNum(rip), rport) >>> 0;
    let offset = ((perturb + high32) >>> 0) % remaining;
    offset &= ~1;
    const peer = this.peerOf(lip, rip);
    const reusable = this.twReuseOn(rip);
    for (;;) {
      let i = -1;
      if (!reusable) {
        // No TIME_WAIT can be taken over: a port is usable when nothing holds it, and the
        // bitmaps answer that for 32 ports at a time (the same walk, the same answer).
        i = this.walkFree(lo, high - lo, remaining, offset, this.conns.localPortsTo(peer, rport));
      } else {
        let port = lo + offset;
        for (let k = 0; k < remaining; k += 2, port += 2) {
          if (port >= high) port -= remaining;
          if (this.binds.has(port)) continue; // a bind() bucket (fastreuse >= 0): not for connect()
          const old = this.conns.get(peer, portsKey(port | 0, rport));
          if (old) {
            if (!(old instanceof TimeWait && this.takesOver(old, rip, false))) continue;
            this.twTaken = old;
          }
          i = k;
          break;
        }
      }
      if (i >= 0) {
        let pos = offset + i;
        if (pos >= high - lo) pos -= remaining;
        // A little randomness in the next start: i = max(i, get_random_u32_below(8) * 2).
        const step = Math.max(i, (hash32(this.tsSecret, ++this.portDraws, 1, 0, 0) % 8) * 2);
        this.perturb.set(index, (perturb + step + 2) >>> 0);
        return (lo + pos) | 0; // a small integer to V8, as every socket's localPort must stay
      }
      offset++;
      if (!((offset & 1) && remaining > 1)) return 0;
    }
  }

  /**
   * ephemeralPort's walk of one parity, on bitmaps: positions offset, offset + 2, ...
   * below `count`, then wrapped by `remaining` (as __inet_hash_connect's `port -= remaining`).
   * Returns how far the walk went (i, in ports) to the first port neither bound nor
   * holding a connection to the destination, or -1.
   */
  private walkFree(lo: number, count: number, remaining: number, offset: number, used: Uint32Array | undefined): number {
    const steps = Math.ceil(remaining / 2); // i = 0, 2, ... below remaining
    const endA = Math.min(count, offset + 2 * (steps - 1) + 1);
    const a = this.scanFree(lo + offset, lo + endA, used);
    if (a >= 0) return a - lo - offset;
    const k0 = Math.ceil((count - offset) / 2); // the first step past the range's end, which wraps
    if (k0 >= steps) return -1;
    const b0 = offset + 2 * k0 - remaining;
    const b = this.scanFree(lo + b0, lo + offset + 2 * (steps - 1) - remaining + 1, used);
    return b >= 0 ? 2 * k0 + (b - lo - b0) : -1;
  }

  /** The first port in [from, to) of from's parity that is neither bound nor in `used`, or -1. */
  private scanFree(from: number, to: number, used: Uint32Array | undefined): number {
    if (from >= to) return -1;
    const parity = from & 1 ? 0xaaaaaaaa | 0 : 0x55555555;
    const bound = this.bindBits;
    for (let w = from >>> 5, last = (to - 1) >>> 5; w <= last; w++) {
      const base = w << 5;
      let free = ~((used === undefined ? 0 : used[w]!) | bound[w]!) & parity;
      if (base < from) free &= -1 << (from - base);
      if (to - base < 32) free &= (1 << (to - base)) - 1;
      if (free !== 0) return base + (31 - Math.clz32(free & -free));
    }
    return -1;
  }

  /**
   * tcp_twsk_unique: may connect() take over this TIME_WAIT 4-tuple? From a port the
   * socket already had (`bound`: bind() or bind(0); the kernel passes no twp), any
   * minisock with the peer's timestamps, whatever tcp_tw_reuse says. From the port
   * search, only with tcp_tw_reuse (2: loopback only), timestamps, a TIME_WAIT (not
   * FIN_WAIT_2) that entered TIME_WAIT more than tcp_tw_reuse_delay (1 s) ago
   * (Linux 6.13 on: tw_entry_stamp in ms; before, the peer's last timestamp had to
   * be from an earlier second, tw_ts_recent_stamp).
   */
  private takesOver(tw: TimeWait, rip: string, bound: boolean): boolean {
    if (!tw.hasTs) return false;
    if (bound) return true;
    if (tw.substate === 'FIN_WAIT_2' || !this.twReuseOn(rip)) return false;
    return this.env.now() > tw.since + TCP_TW_REUSE_DELAY_MS; // time_after32(tcp_clock_ms(), reuse_thresh)
  }

  /**
   * tcp_tw_reuse applies to connections to `rip`: 1 always, 2 for loopback addresses
   * only (tcp_twsk_unique: ipv4_is_loopback of either address; a connection to the
   * host's own address also runs over lo, but does not count), 0 never.
   */
  private twReuseOn(rip: string): boolean {
    const reuse = this.sysctl('net.ipv4.tcp_tw_reuse');
    return reuse === 1 || (reuse === 2 && rip.startsWith('127.'));
  }

  // ---------------------------------------------------------------- closing

  /** Linux __tcp_close. Returns true when the caller must wait for linger. */
  close(sk: Tcb, cause = 'close()'): boolean {
    if (sk.fdClosed) return false;
    sk.fdClosed = true;
    sk.shutRd = true;
    sk.shutWr = true;
    if (sk.state === 'LISTEN') {
      this.stopListening(sk);
      return false;
    }
    sk.orphan = true;
    // Already over (reset, or handed to a TIME_WAIT minisock): nothing to send (__tcp_close: sk_state == TCP_CLOSE).
    if (sk.state === 'TIME_WAIT') {
      this.releaseFromTimeWait(sk);
      return false;
    }
    if (sk.state === 'CLOSED') {
      this.unhash(sk);
      return false;
    }
    // Data the application never read: RST instead of FIN (RFC 2525 §2.17). An unread FIN is not data.
    const unread = sk.rqBytes > 0 || sk.oooBytes > 0;
    if (unread && sk.state !== 'SYN_SENT') {
      sk.rq = emptyQueue();
      sk.rqBytes = 0;
      this.counters.abortOnClose++;
      sk.sendActiveReset();
      sk.done(`${cause} with unread data`);
      return false;
    }
    if (sk.linger.onoff && sk.linger.linger === 0) {
      this.counters.abortOnData++; // tcp_close: Linux counts SO_LINGER 0 as OnData
      this.abort(sk, `${cause} with SO_LINGER 0`);
      return false;
    }
    if (sk.state === 'SYN_SENT') {
      sk.done(cause); // tcp_close_state: SYN_SENT -> CLOSE, nothing to send
      return false;
    }
    if (sk.state === 'FIN_WAIT_2') {
      // Already shut down for writing: now orphaned, the FIN_WAIT_2 timer starts (Linux only).
      this.orphanFinWait2(sk);
      return false;
    }
    this.closeState(sk, cause); // FIN_WAIT_1, CLOSING, LAST_ACK stay: the FIN is on its way already
    if (sk.hashed && (sk.state as TcpState) !== 'CLOSED') {
      sk.orphanCounted = true;
      this.orphanCount++; // __tcp_close: tcp_orphan_count_inc
      // __tcp_close: past tcp_max_orphans the new orphan is reset at once, after its FIN (tcp_check_oom).
      if (this.tooManyOrphans(0)) {
        this.counters.abortOnMemory++;
        sk.sendActiveReset();
        sk.done(`${cause}; too many orphaned sockets`);
        return false;
      }
    }
    const st = sk.state as TcpState;
    return sk.linger.onoff && sk.linger.linger > 0 && (st === 'FIN_WAIT_1' || st === 'CLOSING' || st === 'LAST_ACK');
  }

  /** Linux tcp_disconnect: RST from the states where the peer holds a connection (tcp_need_reset), then CLOSED. */
  abort(sk: Tcb, cause: string): void {
    const st = sk.state;
    const needReset =
      st === 'ESTABLISHED' || st === 'CLOSE_WAIT' || st === 'FIN_WAIT_1' || st === 'FIN_WAIT_2' || st === 'SYN_RECEIVED' ||
      ((st === 'CLOSING' || st === 'LAST_ACK') && sk.sndNxt !== seqAdd(sk.sndUna, sk.sqLen + (sk.finQueued ? 1 : 0)));
    if (needReset) sk.sendActiveReset();
    sk.rq = emptyQueue();
    sk.rqBytes = 0;
    sk.done(cause);
  }

  shutdown(sk: Tcb, rd: boolean, wr: boolean): void {
    const st = sk.state;
    if (rd) sk.shutRd = true;
    if (wr) sk.shutWr = true;
    if (st === 'CLOSED' || st === 'TIME_WAIT') throw new SocketCallError('ENOTCONN', `the socket is ${st === 'CLOSED' ? 'not connected' : 'in TIME_WAIT'}`);
    if (st === 'LISTEN') {
      if (rd) this.stopListening(sk);
      return;
    }
    if (st === 'SYN_SENT') {
      sk.done('shutdown()');
      return;
    }
    if (rd) sk.wakeReaders();
    if (!wr) return;
    // tcp_shutdown: send FIN from ESTABLISHED, SYN_RECV and CLOSE_WAIT; the other states stay.
    this.closeState(sk, 'shutdown(SHUT_WR)');
    sk.wakeSenders();
  }

  /**
   * Linux tcp_close_state(), shared by close() and shutdown(SHUT_WR): the
   * state the connection moves to and, where the table says so, our FIN.
   */
  private closeState(sk: Tcb, cause: string): void {
    const next = CLOSE_STATE[sk.state];
    if (!next.fin) return;
    sk.finQueued = true;
    sk.setState(next.to, cause);
    sk.output();
  }

  /** inet_csk_listen_stop: connections nobody accepted are reset. */
  private stopListening(sk: Tcb): void {
    const l = this.listeners.get(sk.localPort);
    if (l) {
      const i = l.indexOf(sk);
      if (i >= 0) l.splice(i, 1);
      if (!l.length) this.listeners.delete(sk.localPort);
    }
    for (const child of sk.acceptQueue.splice(0)) {
      child.orphan = true;
      child.fdClosed = true;
      this.abort(child, 'listener closed');
    }
    for (const c of this.conns.values()) {
      if (c instanceof Tcb && c.parent === sk) {
        c.parent = null;
        c.orphan = true;
        c.done('listener closed');
      }
    }
    sk.synQueue = 0;
    sk.setState('CLOSED', 'close()');
    for (const w of sk.acceptWaiters.splice(0)) this.env.fail(w, 'EINVAL', 'accept', 'the listening socket was closed');
    this.removeOwner(sk.localPort, sk);
  }

  /**
   * Linux tcp_too_many_orphans(shift), half of tcp_check_oom (tcp_mem, the other
   * half, is not modelled): more orphans than net.ipv4.tcp_max_orphans, counted
   * double (shift 1) for an orphan that has been quiet a long time.
   */
  private tooManyOrphans(shift: number): boolean {
    if (this.orphanCount * 2 ** shift <= this.sysctl('net.ipv4.tcp_max_orphans')) return false;
    this.env.note('warn', 'TCP: too many orphaned sockets', this.name); // net_info_ratelimited in tcp_check_oom
    return true;
  }

  /**
   * Linux tcp_out_of_resources, from an orphan's retransmit or probe timer: an
   * orphan that sent no data for 2 × TCP_RTO_MAX, or that has given up anyway
   * (no do_reset), counts double; over the limit it is destroyed
   * (TCPAbortOnMemory), with a RST if it sent data within TCP_TIMEWAIT_LEN or
   * its peer's window is shut with nothing in flight.
   */
  outOfResources(sk: Tcb, doReset: boolean): boolean {
    const idle = this.env.now() - sk.lsndtime;
    if (!this.tooManyOrphans(idle > 2 * TCP_RTO_MAX || !doReset ? 1 : 0)) return false;
    if (idle <= TCP_TIMEWAIT_LEN || (sk.sndWnd === 0 && sk.sndNxt === sk.sndUna)) doReset = true;
    if (doReset) sk.sendActiveReset();
    this.counters.abortOnMemory++;
    sk.done('too many orphaned sockets');
    return true;
  }

  /** Remove a full socket from every table (tcp_set_state(TCP_CLOSE) → inet_put_port, unhash). */
  unhash(sk: Tcb): void {
    if (sk.hashed) {
      this.conns.delete(sk.peer, sk.key);
      sk.hashed = false;
      this.forget(sk);
    }
    // An explicitly bound port stays with its fd until close() (Linux SOCK_BINDPORT_LOCK).
    if (sk.bound && !(sk.boundByBind && !sk.fdClosed)) {
      if (sk.boundByBind) this.removeOwner(sk.localPort, sk);
      else this.autoPortRef(sk.localPort, -1);
      sk.bound = false;
    }
  }

  // ---------------------------------------------------------------- TIME_WAIT and orphan FIN_WAIT_2

  /** Linux tcp_time_wait(sk, TCP_TIME_WAIT, 0). */
  enterTimeWait(sk: Tcb, cause: string): void {
    this.toMinisock(sk, 'TIME_WAIT', this.timeWaitLength(), cause);
  }

  timeWaitLength(): number {
    if (!this.timeWaitPolicy) return this.params.timeWaitMs;
    try {
      const d = this.timeWaitPolicy.durationMs();
      if (typeof d === 'number' && d >= 0 && Number.isFinite(d)) return Math.round(d);
      this.env.note('warn', `TIME_WAIT durationMs() returned ${JSON.stringify(d)}; expected milliseconds >= 0. Using ${this.params.timeWaitMs}.`, this.name);
    } catch (e) {
      this.env.policyError(e);
    }
    return this.params.timeWaitMs;
  }

  /** An orphan whose FIN was ACKed: parked as a minisock for tcp_fin_timeout (Linux); kept forever under RFC 9293. */
  orphanFinWait2(sk: Tcb): void {
    if (!this.params.finWait2Timeout) return;
    this.toMinisock(sk, 'FIN_WAIT_2', this.sysctl('net.ipv4.tcp_fin_timeout') * 1000, 'orphaned');
  }

  private toMinisock(sk: Tcb, substate: 'FIN_WAIT_2' | 'TIME_WAIT', lengthMs: number, cause: string): void {
    const now = this.env.now();
    const from = sk.state;
    if (this.twCount >= this.sysctl('net.ipv4.tcp_max_tw_buckets')) {
      // tcp_time_wait: no bucket left, the socket is closed at once (LINUX_MIB_TCPTIMEWAITOVERFLOW).
      this.env.note('warn', 'TCP: time wait bucket table overflow', this.name);
      this.counters.twOverflow++;
      sk.setTimerNull();
      sk.done(`${cause}; tcp_max_tw_buckets reached`);
      return;
    }
    const tw = new TimeWait(
      sk.id,
      sk.localIp,
      sk.localPort,
      sk.remoteIp,
      sk.remotePort,
      substate,
      sk.rcvNxt,
      sk.sndNxt,
      sk.rcvWnd(),
      sk.tsOn && sk.tsSeen ? sk.tsRecent >>> 0 : -1,
      sk.tsRecentStamp,
      (sk.reuse ? TW_REUSE : 0) | (sk.reuseport ? TW_REUSEPORT : 0) | (sk.boundByBind ? TW_BYBIND : 0),
      now,
    );
    this.twCount++;
    sk.setTimerNull();
    // The full socket's state event, then hand its table slots to the minisock.
    if (from !== substate) sk.moveState(substate, cause);
    this.conns.set(sk.peer, sk.key, tw);
    sk.hashed = false;
    this.forget(sk);
    if (sk.boundByBind) {
      this.removeOwner(sk.localPort, sk);
      this.addOwner(sk.localPort, tw);
    } // a connect()-picked port keeps its count: the minisock holds it now
    if (!sk.fdClosed) {
      tw.tcb = sk; // socket.state shows TIME_WAIT while the application still holds the fd
      sk.shutWr = true;
    }
    sk.bound = false;
    sk.wakeLinger();
    this.counters.timeWaitScheduled(lengthMs); // inet_twsk_schedule, first arming
    this.twTimers.arm(tw, now + lengthMs);
  }

  killTimeWait(tw: TimeWait, cause: string): void {
    this.conns.deleteIf(this.peerOf(tw.localIp, tw.remoteIp), portsKey(tw.localPort, tw.remotePort), tw);
    if (tw.boundByBind) this.removeOwner(tw.localPort, tw);
    else this.autoPortRef(tw.localPort, -1);
    this.twCount--;
    this.twTimers.unqueue(tw);
    transition(this.env, this.name, tw, tw.substate, 'CLOSED', cause);
    if (tw.tcb) {
      tw.tcb.leaveMinisock(cause);
      tw.tcb = null;
    }
  }

  /** close() on an fd whose connection sits in TIME_WAIT: the minisock lives on, now an orphan. */
  private releaseFromTimeWait(sk: Tcb): void {
    const tw = this.conns.get(sk.peer, sk.key);
    if (tw instanceof TimeWait && tw.tcb === sk) tw.tcb = null;
    sk.leaveMinisock('close()');
  }

  /** Linux tcp_timewait_state_process. */
  private twInput(tw: TimeWait, seg: Segment): void {
    const now = this.env.now();
    const ts = seg.hasTs && tw.hasTs;
    const pawsReject = ts && !seg.rst && ((seg.tsval32 - tw.tsRecent32) | 0) < 0;
    const endSeq = seqAdd(seg.seq32, seg.seqLen);

    if (tw.substate === 'FIN_WAIT_2') {
      const inWindow = !seqLt(endSeq, tw.rcvNxt32) && !seqGt(seg.seq32, seqAdd(tw.rcvNxt32, tw.rcvWnd));
      if (pawsReject || !inWindow) return this.twOowAck(tw, seg);
      if (seg.rst) return this.killTimeWait(tw, 'rcv RST');
      if (seg.syn && !seqLt(seg.seq32, tw.rcvNxt32)) return this.sendReset(seg);
      if (!seg.ackFlag || !seqGt(endSeq, tw.rcvNxt32) || endSeq === seg.seq32) return; // a duplicate ACK
      // New data after the application closed: reset (half-duplex close, RFC 2525 §2.17).
      if (!seg.fin || endSeq !== seqAdd(tw.rcvNxt32, 1)) {
        this.sendReset(seg, 'FIN_WAIT_2');
        return this.killTimeWait(tw, 'data after close()');
      }
      // The peer's FIN: into real TIME_WAIT (tcp_timewait_state_process restamps tw_entry_stamp).
      tw.substate = 'TIME_WAIT';
      tw.since = now;
      tw.rcvNxt32 = endSeq;
      if (seg.hasTs && tw.hasTs) {
        tw.tsRecent = seg.tsval32;
        tw.tsRecentStamp = now;
      }
      transition(this.env, this.name, tw, 'FIN_WAIT_2', 'TIME_WAIT', 'rcv FIN');
      this.twTimers.arm(tw, now + this.timeWaitLength());
      return this.twAck(tw);
    }

    if (this.timeWaitPolicy) {
      // The handler gets copies: it decides, it cannot edit the kernel's state.
      const view = Object.freeze({
        local: tw.local,
        remote: tw.remote,
        rcvNxt: tw.rcvNxt,
        sndNxt: tw.sndNxt,
        ...(tw.tsRecent >= 0 ? { tsRecent: tw.tsRecent } : {}),
        since: tw.since,
        expiresAt: tw.expiresAt,
      });
      let verdict: TimeWaitVerdict;
      try {
        verdict = this.timeWaitPolicy.onSegment(view, Object.freeze(seg.toJSON()) as SegmentInfo);
      } catch (e) {
        this.env.policyError(e);
        return;
      }
      return this.applyVerdict(tw, seg, verdict);
    }

    // In-window: only a RST or a bare ACK may carry exactly rcv_nxt.
    if (!pawsReject && seg.seq32 === tw.rcvNxt32 && (endSeq === seg.seq32 || seg.rst)) {
      if (seg.rst) {
        // TIME_WAIT assassination (RFC 1337): Linux lets it kill unless tcp_rfc1337 = 1.
        if (this.sysctl('net.ipv4.tcp_rfc1337') === 0) return this.killTimeWait(tw, 'rcv RST (TIME_WAIT assassination)');
      } else this.twTimers.arm(tw, now + this.timeWaitLength());
      if (ts && !pawsReject) {
        tw.tsRecent = seg.tsval32;
        tw.tsRecentStamp = now;
      }
      return;
    }

    // A new SYN: a new incarnation if its sequence number is beyond the old rcv_nxt or its timestamp is newer (RFC 6191).
    if (seg.syn && !seg.rst && !seg.ackFlag && !pawsReject && (seqGt(seg.seq32, tw.rcvNxt32) || (ts && ((tw.tsRecent32 - seg.tsval32) | 0) < 0))) {
      return this.acceptSynInTimeWait(tw, seg);
    }

    if (!seg.rst) {
      // Everything else is ACKed; the timer restarts for an ACK (e.g. a retransmitted FIN+ACK).
      if (pawsReject || seg.ackFlag) this.twTimers.arm(tw, now + this.timeWaitLength());
      return this.twOowAck(tw, seg);
    }
  }

  private applyVerdict(tw: TimeWait, seg: Segment, v: TimeWaitVerdict): void {
    const now = this.env.now();
    switch (v) {
      case 'ack':
        return this.twAck(tw);
      case 'ack-restart':
        this.twTimers.arm(tw, now + this.timeWaitLength());
        return this.twAck(tw);
      case 'ignore':
        return;
      case 'kill':
        return this.killTimeWait(tw, 'TIME_WAIT handler: kill');
      case 'rst':
        return this.sendReset(seg);
      case 'accept-syn':
        if (seg.syn) return this.acceptSynInTimeWait(tw, seg);
        return this.twAck(tw);
      default:
        this.env.note('warn', `TIME_WAIT handler returned ${JSON.stringify(v)}; expected ack, ack-restart, ignore, kill, rst or accept-syn`, this.name);
    }
  }

  private acceptSynInTimeWait(tw: TimeWait, seg: Segment): void {
    const listener = this.findListener(seg.dstIp, seg.dstPort, seg);
    if (!listener) return this.twAck(tw); // tcp_v4_rcv: TCP_TW_SYN without a listener falls through to an ACK
    const isn = seqAdd(tw.sndNxt32, 65_535 + 2);
    this.killTimeWait(tw, 'rcv SYN (new incarnation)');
    this.synToListener(listener, seg, isn || 1);
  }

  /** tcp_timewait_check_oow_rate_limit: pure ACKs and SYNs draw at most one ACK per 500 ms. */
  private twOowAck(tw: TimeWait, seg: Segment): void {
    if (seg.seqLen === 0 || seg.syn) {
      const now = this.env.now();
      if (now - tw.oowAckAt < OOW_RATELIMIT_MS) return;
      tw.oowAckAt = now;
    }
    this.twAck(tw);
  }

  private twAck(tw: TimeWait): void {
    const now = this.env.now();
    const seg = new Segment(
      new SegPath(this.name, tw.localIp, this.hostOf(tw.remoteIp), tw.remoteIp),
      tw.localPort,
      tw.remotePort,
      tw.sndNxt32,
      tw.rcvNxt32,
      ACK,
      tw.rcvWnd,
      '',
      tw.hasTs ? this.tsval(tw.remoteIp, now) : undefined,
      tw.hasTs ? tw.tsRecent32 : undefined,
      false,
      tw.substate,
    );
    this.env.transmit(seg, this);
  }

  // ---------------------------------------------------------------- demultiplexing

  /**
   * A front for the connection table on every segment's path: the socket that
   * took the last segment whose ports hash to each slot (direct-mapped, checked
   * against the whole 4-tuple before use). A busy host's segments mostly come in
   * runs per connection, and the check is cheaper than the table's lookup
   * (peer index, hash, probe). Allocated at the first segment; a socket leaves
   * it when it leaves the table (forget), so it keeps no closed socket alive.
   */
  private demux: (Tcb | undefined)[] | null = null;

  private forget(sk: Tcb): void {
    if (sk.orphanCounted) {
      sk.orphanCounted = false;
      this.orphanCount--; // inet_csk_destroy_sock: tcp_orphan_count_dec
    }
    const d = this.demux;
    if (d !== null) {
      const slot = demuxSlot(sk.remotePort, sk.localPort);
      if (d[slot] === sk) d[slot] = undefined;
    }
  }

  /** A segment arrives at this host. */
  deliver(seg: Segment): void {
    const sport = seg.srcPort;
    const dport = seg.dstPort;
    const demux = (this.demux ??= new Array<Tcb | undefined>(DEMUX_SLOTS).fill(undefined));
    const slot = demuxSlot(sport, dport);
    let c: Tcb | TimeWait | undefined = demux[slot];
    if (
      c === undefined ||
      c.localPort !== dport ||
      c.remotePort !== sport ||
      c.remoteIp !== seg.path.srcIp ||
      c.localIp !== seg.path.dstIp ||
      !c.hashed
    ) {
      c = this.conns.get(this.peerOf(seg.dstIp, seg.srcIp), portsKey(dport, sport));
      if (c instanceof Tcb) demux[slot] = c;
    }
    if (c) {
      if (c instanceof TimeWait) this.twInput(c, seg);
      else c.input(seg);
      return;
    }
    const l = this.findListener(seg.dstIp, seg.dstPort, seg);
    if (l) return this.listenInput(l, seg);
    this.sendReset(seg);
  }

  /** A listener for this address, chosen within a SO_REUSEPORT group by the 4-tuple's hash. */
  private findListener(ip: string, port: number, seg: Segment): Tcb | null {
    const ls = this.listeners.get(port);
    if (!ls || !ls.length) return null;
    if (ls.length === 1) {
      const l = ls[0]!;
      return l.localIp === ip || l.localIp === '0.0.0.0' ? l : null;
    }
    const exact = ls.filter((l) => l.localIp === ip);
    const group = exact.length ? exact : ls.filter((l) => l.localIp === '0.0.0.0');
    if (!group.length) return null;
    if (group.length === 1) return group[0]!;
    return group[hash32(this.hashOffset, ipNum(seg.srcIp), seg.srcPort) % group.length]!;
  }

  /** Linux tcp_rcv_state_process, case TCP_LISTEN. */
  private listenInput(l: Tcb, seg: Segment): void {
    if (seg.rst) return;
    if (seg.ackFlag) return this.sendReset(seg);
    if (!seg.syn) return;
    this.synToListener(l, seg, 0);
  }

  /**
   * Linux tcp_conn_request (tcp_v4_conn_request): a SYN for listener `l`. `isn` is
   * non-zero for a SYN that took over a TIME_WAIT socket (tcp_timewait_state_process).
   */
  private synToListener(l: Tcb, seg: Segment, isn: number): void {
    // inet_csk_reqsk_queue_is_full: as many requests (SYN_RECV) as the backlog. With
    // tcp_syncookies=0 the SYN is dropped (the client retransmits it); with 1 (the default)
    // Linux answers it with a SYN cookie (tcp_syn_flood_action) and keeps no request. In the
    // simulator, no SYN cookies: the SYN is answered and kept as a request like any other
    // (its SYN-ACK is retransmitted and ss lists it, where Linux has nothing). A SYN that
    // took over a TIME_WAIT socket skips this check (tcp_v4_conn_request's `!isn`).
    if (!isn && l.synQueue >= l.backlog && this.sysctl('net.ipv4.tcp_syncookies') === 0) {
      this.counters.listenDrops++; // tcp_listendrop
      this.env.note('info', `${LISTEN_DROP_NOTE}${l.local} has ${l.synQueue} connection(s) in SYN_RECV, backlog ${l.backlog}, tcp_syncookies=0: SYN from ${seg.srcIp}:${seg.srcPort} dropped`, this.name);
      return;
    }
    // sk_acceptq_is_full: more established connections waiting for accept() than the backlog.
    if (acceptQueueFull(l)) {
      this.counters.listenOverflows++;
      this.counters.listenDrops++; // tcp_listendrop
      this.env.note('info', `${LISTEN_OVERFLOW_NOTE}${l.local} has ${l.acceptQueue.length} connection(s) waiting for accept(), backlog ${l.backlog}: SYN from ${seg.srcIp}:${seg.srcPort} dropped`, this.name);
      return;
    }
    const c = Tcb.fromSyn(this, this.ids(), l, seg, isn || this.isn(seg.dstIp, seg.dstPort, seg.srcIp, seg.srcPort), this.sysctl('net.ipv4.tcp_timestamps') === 1);
    c.peer = this.peerOf(c.localIp, c.remoteIp);
    c.key = portsKey(c.localPort, c.remotePort);
    l.synQueue++;
    this.conns.set(c.peer, c.key, c);
    c.hashed = true;
    this.addOwner(c.localPort, c);
    c.passiveOpen();
  }

  /**
   * The final ACK of a passive handshake arrived at request socket `c` (Linux
   * tcp_check_req calling tcp_v4_syn_recv_sock): true if the child may be made.
   * With the listener's accept queue full it is not: the ACK is dropped
   * (ListenOverflows, ListenDrops). With tcp_abort_on_overflow=0 (the default) the
   * request stays in SYN_RECV and its timer retransmits the SYN-ACK, whose answer
   * tries again (inet_rsk(req)->acked); with 1 the request is dropped and a RST
   * answers the ACK (tcp_check_req's embryonic_reset).
   */
  synRecvSock(c: Tcb, seg: Segment): boolean {
    const l = c.parent;
    if (!l || l.state !== 'LISTEN' || !acceptQueueFull(l)) return true;
    this.counters.listenOverflows++;
    this.counters.listenDrops++; // tcp_listendrop
    const abort = this.sysctl('net.ipv4.tcp_abort_on_overflow') === 1;
    this.env.note(
      'info',
      `${LISTEN_OVERFLOW_NOTE}${l.local} has ${l.acceptQueue.length} connection(s) waiting for accept(), backlog ${l.backlog}: ACK from ${seg.srcIp}:${seg.srcPort} dropped${abort ? ', RST sent (tcp_abort_on_overflow=1)' : ', the SYN-ACK will be retransmitted'}`,
      this.name,
    );
    if (abort) {
      this.sendReset(seg);
      l.synQueue--; // inet_csk_reqsk_queue_drop
      c.parent = null;
      c.done('accept queue full (tcp_abort_on_overflow)');
    }
    return false;
  }

  /** A passive connection finished its handshake: into the accept queue (inet_csk_complete_hashdance). */
  established(c: Tcb): void {
    const l = c.parent;
    if (!l) return;
    this.counters.passiveOpens++; // tcp_create_openreq_child
    l.synQueue--;
    c.parent = null;
    if (l.state !== 'LISTEN') {
      c.orphan = true;
      this.abort(c, 'listener closed');
      return;
    }
    l.acceptQueue = append(l.acceptQueue, c);
    const w = l.acceptWaiters.shift();
    if (w) this.env.wake(w, l.acceptQueue.shift()!);
  }

  /** RST in reply to a segment no socket wants (RFC 9293 §3.10.7.1, Linux tcp_v4_send_reset). */
  sendReset(seg: Segment, state?: TcpState): void {
    if (seg.rst) return;
    const seq = seg.ackFlag ? seg.ack32 : 0;
    const ack = seg.ackFlag ? 0 : seqAdd(seg.seq32, seg.seqLen);
    const bits = seg.ackFlag ? RST : RST | ACK;
    this.counters.outRsts++; // tcp_v4_send_reset
    this.env.transmit(
      new Segment(new SegPath(this.name, seg.dstIp, seg.srcHost, seg.srcIp), seg.dstPort, seg.srcPort, seq, ack, bits, 0, '', undefined, undefined, false, state),
      this,
    );
  }

  // ---------------------------------------------------------------- crash and listing

  /** Power loss: everything vanishes without a segment. */
  crash(): Tcb[] {
    this.incarnation++; // every fd of the host is gone, whether or not its socket is in a table
    const all: Tcb[] = [];
    for (const c of this.conns.values()) {
      if (c instanceof Tcb) {
        c.hashed = false;
        all.push(c);
      }
    }
    for (const ls of this.listeners.values()) all.push(...ls);
    this.conns.clear();
    this.demux = null;
    this.twTimers.clear();
    this.listeners.clear();
    this.binds.clear();
    this.bindBits.fill(0);
    this.autoPorts = null;
    this.twCount = 0;
    this.orphanCount = 0;
    return all;
  }

  /** Every socket ss would list, in a stable order. */
  allSockets(): (Tcb | TimeWait)[] {
    const out: (Tcb | TimeWait)[] = [];
    for (const ls of this.listeners.values()) out.push(...ls);
    for (const c of this.conns.values()) out.push(c);
    return out;
  }
}

/** Linux sk_acceptq_is_full: `sk_ack_backlog > sk_max_ack_backlog`, so a backlog of N holds N + 1 connections. */
function acceptQueueFull(l: Tcb): boolean {
  return l.acceptQueue.length > l.backlog;
}

const DEMUX_SLOTS = 4096;
/** INET_TABLE_PERTURB_SIZE (1 << CONFIG_INET_TABLE_PERTURB_ORDER, 16). */
const PERTURB_SIZE = 1 << 16;

/** The demultiplexing cache's slot for a segment from `sport` to `dport` (ephemeral ports are mostly consecutive: their low bits spread). */
function demuxSlot(sport: number, dport: number): number {
  return (sport ^ (dport << 3) ^ (dport >>> 9)) & (DEMUX_SLOTS - 1);
}

/** The ports half of a 4-tuple: both ports in one int32 (a small integer to V8). */
function portsKey(lport: number, rport: number): number {
  return (lport << 16) | rport;
}

/** Addresses met so far, as numbers (the hot paths hash addresses for every connection). */
const ipNums = new Map<string, number>();
/** The last two addresses looked up: a connection's own and its peer's, asked for in turns. */
let ipA = '';
let ipANum = 0;
let ipB = '';
let ipBNum = 0;

export function ipNum(ip: string): number {
  if (ip === ipA) return ipANum;
  if (ip === ipB) return ipBNum;
  let v = ipNums.get(ip);
  if (v === undefined) {
    v = parseIp(ip);
    if (ipNums.size < 4096) ipNums.set(ip, v);
  }
  ipB = ipA;
  ipBNum = ipANum;
  ipA = ip;
  ipANum = v;
  return v;
}

function parseIp(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = (n * 256 + part) >>> 0;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return (n * 256 + part) >>> 0;
}

function describeHolder(c: Tcb | TimeWait, port: number): string {
  if (c instanceof TimeWait)
    return `port ${port} is held by a connection in TIME_WAIT (${c.local} > ${c.remote})${c.reuse ? '' : ' whose socket did not set SO_REUSEADDR'}`;
  if (c.state === 'LISTEN') return `port ${port} already has a listener (${c.local})`;
  return `port ${port} is used by a socket in ${c.state}${c.remoteIp ? ` (${c.local} > ${c.remote})` : ''}`;
}
