/**
 * Closing Time: the program API.
 *
 * A program is a module whose default export builds a world and starts
 * processes. Names follow BSD sockets so that what you write here maps onto
 * real code: `socket`, `bind`, `listen`, `accept`, `connect`, `send`, `recv`,
 * `shutdown`, `close`, `setsockopt`.
 *
 * ```ts
 * import type { Simulation } from 'closing-time';
 *
 * export default function (sim: Simulation) {
 *   const client = sim.host('client');
 *   const server = sim.host('server');
 *   sim.link(client, server, { delayMs: 10 });
 *   server.run(async (os) => { ... });
 *   client.run(async (os) => { ... });
 * }
 * ```
 *
 * Time is virtual: `os.sleep(1000)` takes a simulated second and no real time.
 * Data is text: each character of a string is one byte on the wire.
 */

/** The eleven states of RFC 9293 §3.3.2, as `socket.state` reports them. */
export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

/** Error names as Linux's errno(3) spells them. */
export type Errno =
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'ETIMEDOUT'
  | 'ENOTCONN'
  | 'EISCONN'
  | 'EALREADY'
  | 'EINVAL'
  | 'EBADF'
  | 'ENOPROTOOPT'
  | 'EOPNOTSUPP'
  | 'EHOSTUNREACH';

/**
 * What a failing socket call throws (or rejects with). `code` is the errno
 * name Linux would return from the same call, e.g. `EADDRINUSE` from `bind`.
 */
export declare class SocketError extends Error {
  constructor(code: Errno, syscall: string, message?: string);
  readonly code: Errno;
  /** The call that failed: 'bind', 'connect', 'send', ... */
  readonly syscall: string;
}

/** A bound or connected address, as `getsockname`/`getpeername` give it. */
export interface Address {
  /** The host's name in this simulation, e.g. 'server'. */
  readonly host: string;
  /** Its IPv4 address, e.g. '10.0.0.2'. '0.0.0.0' for a wildcard bind. */
  readonly ip: string;
  readonly port: number;
}

/** Where to connect: a host name or an IP address, and a port. */
export interface ConnectAddress {
  /** A host name ('server') or a dotted IPv4 address ('10.0.0.2'). */
  host: string;
  port: number;
}

/** Where to bind. Leave out `ip` (or use '0.0.0.0') for every address; port 0 picks a free one. */
export interface BindAddress {
  ip?: string;
  port?: number;
}

/** SO_LINGER, as `struct linger`: `linger` is in seconds. */
export interface Linger {
  onoff: boolean;
  linger: number;
}

/** Socket options and the type of their values. */
export interface SocketOptions {
  /** Linux: bind may share a port with sockets in non-LISTEN states only if both sides set it. */
  SO_REUSEADDR: boolean;
  /** Every socket sharing the port sets it: then even several listeners may share one port. */
  SO_REUSEPORT: boolean;
  /** `{ onoff: true, linger: 0 }` makes close() abort with RST; `linger: N > 0` makes close() wait up to N s. */
  SO_LINGER: Linger;
  /**
   * Receive buffer in bytes. As in Linux the kernel keeps twice the value set (at least
   * 2304, at most twice net.core.rmem_max) and getsockopt reports that; the window
   * advertised is half of it, the value set (at most 65535). Unset: 131072 reported
   * (net.ipv4.tcp_rmem's default), a window of up to 65535.
   */
  SO_RCVBUF: number;
  /**
   * Send buffer in bytes: send() waits while half of it (the value set) is queued. Doubled
   * as SO_RCVBUF (at least 4608, at most twice net.core.wmem_max). Unset: 16384 reported
   * (net.ipv4.tcp_wmem's default, which Linux grows as it sends), 65535 bytes queued at most.
   */
  SO_SNDBUF: number;
  /** Keepalive probes on an idle connection (Linux SOCK_KEEPOPEN). Default false. Inherited by accepted sockets. */
  SO_KEEPALIVE: boolean;
  /** Seconds of idleness (nothing received) before the first keepalive probe, 1-32767. Default net.ipv4.tcp_keepalive_time. */
  TCP_KEEPIDLE: number;
  /** Seconds between unanswered keepalive probes, 1-32767. Default net.ipv4.tcp_keepalive_intvl. */
  TCP_KEEPINTVL: number;
  /** Unanswered keepalive probes before the connection is reset (ETIMEDOUT), 1-127. Default net.ipv4.tcp_keepalive_probes. */
  TCP_KEEPCNT: number;
  /**
   * Milliseconds data may stay unacknowledged before the connection fails with ETIMEDOUT
   * (it replaces tcp_retries2); with keepalive, also the longest a peer may stay silent
   * once probes have started (it replaces TCP_KEEPCNT). 0 (default) is off.
   */
  TCP_USER_TIMEOUT: number;
  /**
   * Turns Nagle's algorithm off: a small write goes out at once even while an
   * earlier small segment is unacknowledged. Default false (Nagle on, as in Linux).
   */
  TCP_NODELAY: boolean;
  /** Holds partial segments back until it is cleared (or for about 200 ms with nothing in flight). Default false. */
  TCP_CORK: boolean;
  /**
   * true: ACK at once for now (Linux leaves interactive "pingpong" mode and sends
   * a pending delayed ACK); false: delay ACKs (enter pingpong mode). Not sticky:
   * the stack changes the mode as traffic goes. getsockopt reports whether the
   * socket is out of pingpong mode.
   */
  TCP_QUICKACK: boolean;
}
export type SocketOption = keyof SocketOptions;

/** How `shutdown` closes a direction: SHUT_WR sends FIN (half-close). */
export type ShutdownHow = 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR';

/** A TCP socket, as returned by `os.socket()` or `listener.accept()`. */
export interface Socket {
  /** A small number unique within its host, like a file descriptor. */
  readonly fd: number;
  /** RFC 9293 state of the connection. After close() it reads 'CLOSED' even while the kernel keeps an orphan (see `os.ss()`). */
  readonly state: TcpState;
  /** getsockname(): null until bound or connected. */
  readonly localAddress: Address | null;
  /** getpeername(): null unless connected. */
  readonly remoteAddress: Address | null;

  setsockopt<K extends SocketOption>(name: K, value: SocketOptions[K]): void;
  getsockopt<K extends SocketOption>(name: K): SocketOptions[K];

  /** Throws EADDRINUSE (port taken under Linux's rules), EADDRNOTAVAIL (not this host's address), EINVAL (already bound). */
  bind(addr?: BindAddress): void;
  /** Binds a free port if unbound. Throws EADDRINUSE if another listener holds the port without SO_REUSEPORT on both. */
  listen(backlog?: number): void;
  /** Waits for a connection that finished the handshake. */
  accept(): Promise<Socket>;
  /**
   * Three-way handshake. Rejects with ECONNREFUSED (RST in reply), ETIMEDOUT
   * (SYN retransmissions exhausted), EADDRNOTAVAIL (no free ephemeral port for
   * this destination), EISCONN.
   */
  connect(addr: ConnectAddress): Promise<void>;
  /**
   * Queues data and resolves with its length once all of it fits in the send
   * buffer. Rejects with EPIPE after shutdown(SHUT_WR)/close or once the peer
   * has reset a closed connection, ECONNRESET after a reset, ENOTCONN if never
   * connected.
   */
  send(data: string): Promise<number>;
  /**
   * Waits for data and resolves with up to `maxBytes` of it (default: all that is
   * queued). Resolves with '' at end of stream (the peer's FIN).
   * Rejects with ECONNRESET after a RST, ETIMEDOUT after retransmissions gave up.
   */
  recv(maxBytes?: number): Promise<string>;
  /** SHUT_WR sends FIN once queued data is sent. Throws ENOTCONN if not connected. */
  shutdown(how: ShutdownHow): void;
  /**
   * Releases the socket. Normally resolves at once: the kernel goes on sending
   * queued data and FIN on its own (an orphan). With unread received data, it
   * sends RST instead (RFC 2525 §2.17). With SO_LINGER { onoff: true, linger: 0 } it
   * aborts with RST. With linger N > 0 it waits until the FIN is acknowledged or N
   * seconds pass, and on Linux resolves either way.
   */
  close(): Promise<void>;
}

/** Names as in `ss -tan`. */
export type SsState =
  | 'UNCONN'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'ESTAB'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

/** One row of `ss -tan` (with `-o`: the timer column). */
export interface SsRow {
  readonly state: SsState;
  readonly recvQ: number;
  readonly sendQ: number;
  /** e.g. '10.0.0.2:49152' */
  readonly local: string;
  /** e.g. '10.0.0.1:80', or '*:*' for a listener */
  readonly peer: string;
  /** As `ss -o` prints it, e.g. 'timewait,59sec,0' or 'on,200ms,1'; undefined when no timer runs. */
  readonly timer?: string;
  /** The owning process, undefined for orphans and TIME_WAIT sockets (nobody owns them). */
  readonly process?: string;
}

/** The rows of `ss -tan`; `String(table)` (and console.log) prints them as ss does. */
export interface SsTable extends ReadonlyArray<SsRow> {
  toString(): string;
  /** Rows in one ss state, e.g. table.inState('CLOSE-WAIT'). */
  inState(state: SsState): SsRow[];
}

/** The TCP counters the course teaches, with the names `nstat -az` prints (Linux's /proc/net/snmp and /proc/net/netstat). */
export type NstatName =
  /** connect() sent a SYN (tcp_connect). */
  | 'TcpActiveOpens'
  /** A listener's handshake completed: the final ACK made the child socket (tcp_create_openreq_child). */
  | 'TcpPassiveOpens'
  /** A connection went to CLOSED straight from ESTABLISHED or CLOSE_WAIT (a RST sent or received, a timeout). */
  | 'TcpEstabResets'
  /** Segments sent again: data, FIN, SYN or SYN-ACK retransmissions. */
  | 'TcpRetransSegs'
  /** RSTs sent, by a socket (abort) or for a segment no socket wants. */
  | 'TcpOutRsts'
  /** TIME_WAIT (or orphaned FIN_WAIT_2) minisocks whose timer was armed for more than 4 s; counted when armed, not when they expire. */
  | 'TcpExtTW'
  /** The same, with a timer of 4 s or less (e.g. a short tcp_fin_timeout). */
  | 'TcpExtTWKilled'
  /** A SYN or a handshake's final ACK dropped because the listener's accept queue was full (sk_acceptq_is_full). */
  | 'TcpExtListenOverflows'
  /** Every SYN or final ACK a listener dropped: the overflows above, and SYNs dropped for a full request queue (in the simulator, no SYN cookies). */
  | 'TcpExtListenDrops'
  /** close() with SO_LINGER 0 (Linux counts it here), or new data arriving after close() in FIN_WAIT_1/2. */
  | 'TcpExtTCPAbortOnData'
  /** close() with data the application never read: RST instead of FIN. */
  | 'TcpExtTCPAbortOnClose'
  /** An orphan killed because the host held more than net.ipv4.tcp_max_orphans (at close() or from its timers; tcp_mem is not modelled). */
  | 'TcpExtTCPAbortOnMemory'
  /** A connection given up after its retransmissions or zero-window probes went unanswered (ETIMEDOUT). */
  | 'TcpExtTCPAbortOnTimeout'
  /** close() in FIN_WAIT_2 with TCP_LINGER2 < 0 (not modelled: always 0). */
  | 'TcpExtTCPAbortOnLinger'
  /** A connection that should have entered TIME_WAIT was destroyed at once: tcp_max_tw_buckets was reached. */
  | 'TcpExtTCPTimeWaitOverflow';

/**
 * A host's counters since it started (or last crashed), frozen: name -> value.
 * `String(table)` prints it as `nstat -az` does (name, value, a rate of 0.0).
 */
export type NstatTable = Readonly<Record<NstatName, number>> & { toString(): string };

export interface SsOptions {
  /** Like `ss -o`: add the timer column. */
  timers?: boolean;
  /** Like `ss -a` (the default): include listeners. false leaves out listeners only (plain `ss -t` also hides TIME-WAIT and SYN-RECV; filter the rows for that). */
  all?: boolean;
}

/** Linux sysctls the simulator honours, with their defaults on Linux 6.x. */
export interface Sysctls {
  /** Seconds an orphaned socket may stay in FIN_WAIT_2. Default 60. Does not change TIME_WAIT. */
  'net.ipv4.tcp_fin_timeout': number;
  /** 0 off, 1 on, 2 loopback only (default): outgoing connect() may reuse a TIME_WAIT 4-tuple older than 1 s (needs timestamps). */
  'net.ipv4.tcp_tw_reuse': 0 | 1 | 2;
  /** Ephemeral ports for connect(), as 'low high'. Default '32768 60999'. */
  'net.ipv4.ip_local_port_range': string;
  /** Most TIME_WAIT sockets at once; past it new ones are destroyed at once. Default 262144. */
  'net.ipv4.tcp_max_tw_buckets': number;
  /** 1: ignore RST in TIME_WAIT (RFC 1337). Default 0 (an RST kills TIME_WAIT). */
  'net.ipv4.tcp_rfc1337': 0 | 1;
  /** TCP timestamps (RFC 7323). Default 1. */
  'net.ipv4.tcp_timestamps': 0 | 1;
  /** SYN retransmissions before connect() fails with ETIMEDOUT. Default 6. */
  'net.ipv4.tcp_syn_retries': number;
  /** SYN-ACK retransmissions for a half-open connection. Default 5. */
  'net.ipv4.tcp_synack_retries': number;
  /** Retransmissions of data before the connection fails with ETIMEDOUT. Default 15. */
  'net.ipv4.tcp_retries2': number;
  /** Retransmissions and unanswered zero-window probes for orphaned sockets; 0 means 8 (0 once the backed-off timeout reaches 120 s). Default 0. */
  'net.ipv4.tcp_orphan_retries': number;
  /** Most orphaned sockets (closed by their application, still sending) at once; past it close() and an orphan's timers reset them. Default 262144 (on Linux it depends on memory). */
  'net.ipv4.tcp_max_orphans': number;
  /** Seconds a connection with SO_KEEPALIVE may be idle before the first probe. Default 7200. */
  'net.ipv4.tcp_keepalive_time': number;
  /** Seconds between keepalive probes. Default 75. */
  'net.ipv4.tcp_keepalive_intvl': number;
  /** Unanswered keepalive probes before the connection is reset. Default 9. */
  'net.ipv4.tcp_keepalive_probes': number;
  /** Cap on listen() backlogs (a negative backlog also becomes this). Default 4096. */
  'net.core.somaxconn': number;
  /** 1: a handshake's final ACK that finds the accept queue full is answered with a RST; 0 drops it and the SYN-ACK is retransmitted. Default 0. */
  'net.ipv4.tcp_abort_on_overflow': 0 | 1;
  /**
   * SYN cookies when a listener has as many half-open connections as its backlog. 0 drops the SYN.
   * In the simulator, no SYN cookies: with 1 or 2 such a SYN is answered and kept in SYN_RECV as any other
   * (Linux answers it with a cookie and keeps nothing until the final ACK; 2, cookies always, acts as 1). Default 1.
   */
  'net.ipv4.tcp_syncookies': 0 | 1 | 2;
  /**
   * Largest SO_RCVBUF a program may set (the kernel keeps twice the value set, up to twice this). Default 4194304.
   * Global on Linux, not per network namespace: a kernel run (`--kernel`) can read it but not set it.
   */
  'net.core.rmem_max': number;
  /** Largest SO_SNDBUF a program may set (doubled as SO_RCVBUF). Default 4194304. */
  'net.core.wmem_max': number;
}
export type SysctlName = keyof Sysctls;

/** The operating system as one process sees it. */
export interface OS {
  /** The host this process runs on. */
  readonly host: Host;
  readonly pid: number;
  /** A new, unbound TCP socket (socket(AF_INET, SOCK_STREAM, 0)). */
  socket(): Socket;
  /** Waits `ms` milliseconds of virtual time. */
  sleep(ms: number): Promise<void>;
  /** Virtual time in milliseconds since the world started. */
  now(): number;
  /** Starts another process on this host, e.g. one per accepted connection. */
  spawn(fn: (os: OS) => unknown, name?: string): Process;
  /** This host's sockets, as `ss -tan` shows them. */
  ss(options?: SsOptions): SsTable;
  /** This host's TCP counters, as `nstat -az` shows them (e.g. `os.nstat().TcpExtTW`). */
  nstat(): NstatTable;
  /** Reads a sysctl of this host. */
  sysctl<K extends SysctlName>(name: K): Sysctls[K];
}

/**
 * A process on a host. Sockets belong to the host's program, not to one process
 * (think of processes as threads sharing one table of file descriptors): a
 * process that returns does not close its sockets, so a handler that forgets
 * close() leaves its connection in CLOSE_WAIT for as long as the run lasts.
 */
export interface Process {
  readonly pid: number;
  readonly name: string;
  readonly host: Host;
  /** 'blocked' means waiting on a call that has not returned (accept, recv, sleep ...). */
  readonly status: 'running' | 'blocked' | 'exited' | 'failed' | 'killed';
  /** Resolves when the process function returns; rejects with what it threw. */
  readonly done: Promise<void>;
}

export type Profile = 'linux' | 'rfc9293';

export interface HostOptions {
  /** IPv4 address; assigned 10.0.0.N in creation order if left out. */
  ip?: string;
  /** 'linux' (default) or 'rfc9293'. */
  profile?: Profile;
  /** Maximum segment lifetime for the rfc9293 profile, ms. Default 120000 (TIME_WAIT = 2 × MSL). */
  mslMs?: number;
  /**
   * How initial sequence numbers are chosen. 'rfc6528' (default, as Linux): a keyed hash of the
   * 4-tuple plus a clock ticking every 64 ns, so a new incarnation starts beyond the old one.
   * 'per-tuple': the hash alone, so every incarnation of a 4-tuple starts at the same number
   * (as weak stacks did): then TIME_WAIT is the only guard against old duplicates.
   */
  isn?: 'rfc6528' | 'per-tuple';
}

export interface Host {
  readonly name: string;
  readonly ip: string;
  readonly profile: Profile;
  /** Starts a process on this host. */
  run(fn: (os: OS) => unknown, name?: string): Process;
  /** Reads a sysctl. */
  sysctl<K extends SysctlName>(name: K): Sysctls[K];
  /** Sets a sysctl (per host, like a network namespace). Throws EINVAL for a value Linux would refuse. */
  sysctl<K extends SysctlName>(name: K, value: Sysctls[K]): void;
  /** This host's sockets, as `ss -tan` shows them. */
  ss(options?: SsOptions): SsTable;
  /** This host's TCP counters, as `nstat -az` shows them. A crash starts them again from 0, as a reboot does. */
  nstat(): NstatTable;
  /**
   * Power failure: every process and socket vanishes without sending anything.
   * Segments that arrive later are answered with RST. `host.run` works again after.
   */
  crash(): void;
}

export interface LinkOptions {
  /** One-way delay, ms. Default 10. */
  delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs]. Segments may overtake each other. Default 0. */
  jitterMs?: number;
  /** Probability (0..1) that a segment is lost. Default 0. */
  loss?: number;
  /** Probability (0..1) that a segment arrives twice. Default 0. */
  duplicate?: number;
  /** Probability (0..1) that a segment is held back by `reorderDelayMs` so later ones overtake it. Default 0. */
  reorder?: number;
  /** Extra delay of a reordered segment. Default 3 × delayMs. */
  reorderDelayMs?: number;
}

export interface Link {
  readonly a: Host;
  readonly b: Host;
  /** Changes the link's properties from now on. */
  set(options: LinkOptions): void;
}

/**
 * A targeted fault: act on segments that match every given field.
 * Flags are letters: S (SYN), F (FIN), R (RST), P (PSH), A or '.' (ACK);
 * a segment matches if it has all of them. Prefix '=' for an exact set: '=A' is a bare ACK.
 */
export interface FaultRule {
  action: 'drop' | 'delay' | 'duplicate';
  /** Sending host. */
  from?: Host | string;
  /** Receiving host. */
  to?: Host | string;
  flags?: string;
  /** Matches segments whose data contains this text (or matches the pattern). */
  payload?: string | RegExp;
  /** State of the sending socket when the segment left, e.g. 'TIME_WAIT' picks the last ACK. */
  state?: TcpState | TcpState[];
  /** Match only retransmissions (true) or only first transmissions (false). */
  retransmission?: boolean;
  /** Act on the nth matching segment (1-based) ... */
  nth?: number;
  /** ... and on this many matches from there. Default 1 with `nth`, every match without. */
  count?: number;
  /** For 'delay': extra delay. For 'duplicate': how much later the copy arrives. Default 1000. */
  delayMs?: number;
  /** Active from this virtual time (ms). */
  fromMs?: number;
  /** Active until this virtual time (ms). */
  untilMs?: number;
}

export interface Fault {
  /** How many segments this rule has acted on so far. */
  readonly hits: number;
  remove(): void;
}

// ---------------------------------------------------------------------------
// Trace: every observable step of a run.

export interface Endpoint {
  readonly host: string;
  readonly ip: string;
  readonly port: number;
}

/** The TCP header and data of one segment, as a trace shows it. */
export interface SegmentInfo {
  /** Unique per run; a duplicate keeps its original's id. */
  readonly id: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** Absolute sequence and acknowledgment numbers (32-bit). */
  readonly seq: number;
  readonly ack: number;
  /** In tcpdump's letters: 'S', 'S.', '.', 'P.', 'F.', 'R', 'R.', 'FP.' ... */
  readonly flags: string;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly ackFlag: boolean;
  readonly win: number;
  /** Bytes of data. */
  readonly len: number;
  /** The data (text). */
  readonly data: string;
  /** TCP timestamps option (RFC 7323), if present. */
  readonly tsval?: number;
  readonly tsecr?: number;
  /** True if this segment is a retransmission. */
  readonly retransmission: boolean;
}

export interface SocketRef {
  readonly host: string;
  /** Socket id, unique in the run. */
  readonly id: number;
  readonly local: string;
  readonly remote: string;
}

interface TraceBase {
  /** Virtual time, ms. */
  readonly t: number;
  /** Position in the trace. */
  readonly n: number;
}

export interface SegmentEvent extends TraceBase {
  readonly kind: 'segment';
  /** send: left `host`; deliver: reached `host`; drop: lost on the way. */
  readonly action: 'send' | 'deliver' | 'drop';
  readonly host: string;
  readonly seg: SegmentInfo;
  /** Why a segment was dropped or delayed: 'loss', 'fault', 'partition', 'no-route', 'duplicate'. */
  readonly reason?: string;
  /** State of the sending socket when it was sent. */
  readonly state?: TcpState;
}

export interface StateEvent extends TraceBase {
  readonly kind: 'state';
  readonly host: string;
  readonly sock: SocketRef;
  readonly from: TcpState;
  readonly to: TcpState;
  /** What caused it: 'connect()', 'close()', 'rcv FIN', 'rcv ACK of FIN', 'rcv RST', 'TIME_WAIT timer', ... */
  readonly cause: string;
}

export type TimerName = 'retransmit' | 'time-wait' | 'fin-wait-2' | 'persist' | 'linger' | 'syn-ack' | 'keepalive' | 'delayed-ack';

export interface TimerEvent extends TraceBase {
  readonly kind: 'timer';
  readonly host: string;
  readonly sock: SocketRef;
  readonly timer: TimerName;
  readonly action: 'set' | 'fire' | 'cancel';
  /** When it fires (for 'set'), virtual ms. */
  readonly at?: number;
}

export interface SyscallEvent extends TraceBase {
  readonly kind: 'syscall';
  readonly host: string;
  readonly pid: number;
  readonly process: string;
  readonly call: string;
  /** Arguments as text, e.g. "{ port: 80 }". */
  readonly args: string;
  /** 'call' when it starts, 'return' or 'error' when it ends (for calls that block). */
  readonly phase: 'call' | 'return' | 'error';
  readonly result?: string;
  readonly errno?: Errno;
  readonly fd?: number;
}

export interface OutputEvent extends TraceBase {
  readonly kind: 'output';
  readonly host: string;
  readonly pid: number;
  readonly process: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface ProcessEvent extends TraceBase {
  readonly kind: 'process';
  readonly host: string;
  readonly pid: number;
  readonly process: string;
  readonly action: 'start' | 'exit' | 'fail' | 'kill';
  /** For 'fail': the error's message and where it came from. */
  readonly error?: { readonly name: string; readonly message: string; readonly line?: number; readonly column?: number; readonly stack?: string };
}

export interface NoteEvent extends TraceBase {
  readonly kind: 'note';
  readonly level: 'info' | 'warn';
  readonly host?: string;
  readonly text: string;
}

export type TraceEvent = SegmentEvent | StateEvent | TimerEvent | SyscallEvent | OutputEvent | ProcessEvent | NoteEvent;
export type TraceKind = TraceEvent['kind'];

export interface SimulationOptions {
  /** Default profile of new hosts. */
  profile?: Profile;
  /** Default MSL for rfc9293 hosts, ms. */
  mslMs?: number;
}

/** The world: hosts, links, faults, and the clock. */
export interface Simulation {
  /** The seed of this run's random numbers: same program + seed, same trace. */
  readonly seed: number;
  /** A new host. `sim.host('client')` or `sim.host('client', '10.0.0.1')` or with options. */
  host(name: string, ipOrOptions?: string | HostOptions): Host;
  /**
   * Joins two hosts. Hosts that no link joins cannot reach each other,
   * except that a program that declares no link at all gets every pair joined
   * with the defaults.
   */
  link(a: Host, b: Host, options?: LinkOptions): Link;
  /** Adds a targeted fault rule. */
  fault(rule: FaultRule): Fault;
  /** Cuts the link between a and b (both directions) from `fromMs` to `untilMs`. */
  partition(a: Host, b: Host, window: { fromMs: number; untilMs: number }): void;
  /** Runs `fn` at virtual time `ms` (e.g. to crash a host). */
  at(ms: number, fn: () => void): void;
  /** Sets the virtual-time limit of the run, ms. */
  until(ms: number): void;
  /** Sets defaults: the profile and MSL of hosts created after. */
  configure(options: SimulationOptions): void;
  /** Calls `fn` for each trace event of this kind ('*' for all) as it happens. Returns an unsubscribe function. */
  on<K extends TraceKind>(kind: K, fn: (event: Extract<TraceEvent, { kind: K }>) => void): () => void;
  on(kind: '*', fn: (event: TraceEvent) => void): () => void;
  /** Virtual time, ms. */
  now(): number;
  /** Every trace event so far, in order. */
  readonly trace: readonly TraceEvent[];
}
