// The state changes a TCP connection may make, in one table: the edges of RFC
// 9293's state diagram (§3.3.2, Figure 5) and its event-processing text
// (§3.10), plus what Linux adds. Every state change of the simulator goes
// through `transition()` below, which traces it and, when strict checking is
// on (the tests switch it on), throws on an edge the table does not list. The
// fuzz suite's invariant checker and the course's state diagram read the same
// table.
import type { TcpState } from '../../../types/closing-time.d.ts';
import type { StackEnv } from './env.ts';

export interface Edge {
  readonly from: TcpState;
  readonly to: TcpState;
  /** The event and what is sent, as RFC 9293's diagram labels its arrows ("rcv FIN / ACK"). */
  readonly label: string;
  /** Where the edge comes from: RFC section or kernel function. */
  readonly source: string;
}

const FIGURE_5 = 'RFC 9293 §3.3.2 Figure 5';
const ABORTS =
  'RFC 9293 §3.10.7.4 (RST received), §3.10.5 ABORT (SO_LINGER 0; close() with unread data, RFC 2525 §2.17), ' +
  '§3.8.3 R2 (retransmissions exhausted; Linux tcp_write_timeout, tcp_orphan_retries); ' +
  "Linux tcp_check_req's embryonic_reset: a final ACK that finds the accept queue full with tcp_abort_on_overflow=1 (SYN_RECEIVED only)";
/** A crashed host loses every socket at once, whatever its state (the simulator's crash(); no RFC event). */
const CRASH = 'the simulator: host.crash() ends every socket of the host';

export const EDGES: readonly Edge[] = [
  // Opening
  { from: 'CLOSED', to: 'LISTEN', label: 'listen()', source: `${FIGURE_5}: passive OPEN` },
  { from: 'CLOSED', to: 'SYN_SENT', label: 'connect() / SYN', source: `${FIGURE_5}: active OPEN, snd SYN` },
  {
    from: 'LISTEN',
    to: 'SYN_RECEIVED',
    label: 'rcv SYN / SYN+ACK',
    // The new connection's trace starts here: in RFC 9293's model the listening TCB
    // itself moves on; Linux keeps the listener in LISTEN and makes a child from it
    // (tcp_conn_request, inet_csk_clone_lock), which the simulator shows as that
    // child leaving LISTEN (Stack.synToListener creates it in LISTEN).
    source: `${FIGURE_5}: rcv SYN, snd SYN,ACK; Linux tcp_conn_request clones the listener into a child in SYN_RECV`,
  },
  { from: 'LISTEN', to: 'SYN_SENT', label: 'send / SYN', source: `${FIGURE_5}: SEND, snd SYN` },
  { from: 'LISTEN', to: 'CLOSED', label: 'close()', source: `${FIGURE_5}: CLOSE, delete TCB (Linux inet_csk_listen_stop); ${CRASH}` },
  { from: 'SYN_SENT', to: 'SYN_RECEIVED', label: 'rcv SYN / SYN+ACK', source: `${FIGURE_5}: rcv SYN, snd ACK (simultaneous open)` },
  { from: 'SYN_SENT', to: 'ESTABLISHED', label: 'rcv SYN+ACK / ACK', source: `${FIGURE_5}: rcv SYN,ACK, snd ACK` },
  {
    from: 'SYN_SENT',
    to: 'CLOSED',
    label: 'close(), RST or timeout',
    source: `${FIGURE_5}: CLOSE; §3.10.7.3 RST (ECONNREFUSED); Linux tcp_write_timeout (ETIMEDOUT); ${CRASH}`,
  },
  { from: 'SYN_RECEIVED', to: 'ESTABLISHED', label: 'rcv ACK', source: `${FIGURE_5}: rcv ACK of SYN` },
  { from: 'SYN_RECEIVED', to: 'FIN_WAIT_1', label: 'close() / FIN', source: `${FIGURE_5}: CLOSE, snd FIN` },
  { from: 'SYN_RECEIVED', to: 'LISTEN', label: 'rcv RST', source: 'RFC 9293 §3.10.7.4 first check: RST in SYN-RECEIVED from a passive OPEN returns to LISTEN' },
  { from: 'SYN_RECEIVED', to: 'CLOSE_WAIT', label: 'rcv FIN / ACK', source: 'RFC 9293 §3.10.7.4 eighth check: FIN in SYN-RECEIVED enters CLOSE-WAIT' },
  // Closing
  { from: 'ESTABLISHED', to: 'FIN_WAIT_1', label: 'close() / FIN', source: `${FIGURE_5}: CLOSE, snd FIN (close() or shutdown(SHUT_WR); Linux tcp_close_state)` },
  { from: 'ESTABLISHED', to: 'CLOSE_WAIT', label: 'rcv FIN / ACK', source: `${FIGURE_5}: rcv FIN, snd ACK (Linux tcp_fin)` },
  {
    from: 'FIN_WAIT_1',
    to: 'FIN_WAIT_2',
    label: 'rcv ACK of FIN',
    // Also when the segment that ACKs our FIN carries the peer's FIN: it goes on from FIN_WAIT_2
    // to TIME_WAIT at that FIN, two state changes for one segment (there is no FIN_WAIT_1 ->
    // TIME_WAIT edge in the RFC or in Linux).
    source: `${FIGURE_5}: rcv ACK of FIN; §3.10.7.4 fifth check, FIN-WAIT-1: "enter FIN-WAIT-2 and continue processing in that state" (Linux tcp_rcv_state_process)`,
  },
  { from: 'FIN_WAIT_1', to: 'CLOSING', label: 'rcv FIN / ACK', source: `${FIGURE_5}: rcv FIN, snd ACK (simultaneous close; Linux tcp_fin)` },
  { from: 'FIN_WAIT_2', to: 'TIME_WAIT', label: 'rcv FIN / ACK', source: `${FIGURE_5}: rcv FIN, snd ACK (Linux tcp_fin; tcp_timewait_state_process for a FIN_WAIT_2 minisock)` },
  { from: 'CLOSING', to: 'TIME_WAIT', label: 'rcv ACK of FIN', source: `${FIGURE_5}: rcv ACK of FIN` },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', label: 'close() / FIN', source: `${FIGURE_5}: CLOSE, snd FIN (Linux tcp_close_state)` },
  { from: 'LAST_ACK', to: 'CLOSED', label: 'rcv ACK of FIN', source: `${FIGURE_5}: rcv ACK of FIN, delete TCB; also ${ABORTS}; ${CRASH}` },
  {
    from: 'TIME_WAIT',
    to: 'CLOSED',
    label: '2×MSL timer (Linux: 60 s)',
    source: `${FIGURE_5}: timeout = 2MSL (Linux: TCP_TIMEWAIT_LEN, 60 s); Linux tcp_timewait_state_process: RST with tcp_rfc1337=0, or a new SYN; ${CRASH}`,
  },
  // Any synchronized state may end at once, without the diagram's steps.
  ...(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSE_WAIT', 'CLOSING'] as const).map(
    (from): Edge => ({ from, to: 'CLOSED', label: 'RST, abort or timeout', source: `${ABORTS}; ${CRASH}` }),
  ),
  {
    from: 'FIN_WAIT_2',
    to: 'CLOSED',
    label: 'tcp_fin_timeout (orphans)',
    source:
      'Linux only: an orphan in FIN_WAIT_2 dies after tcp_fin_timeout (tcp_keepalive_timer / tcp_time_wait with TCP_FIN_WAIT2, ip-sysctl.rst); also RST or abort as above; ' +
      CRASH,
  },
];

const LEGAL = new Set(EDGES.map((e) => `${e.from}>${e.to}`));

export function isLegalTransition(from: TcpState, to: TcpState): boolean {
  return LEGAL.has(`${from}>${to}`);
}

/** The table's row for from -> to, if there is one. */
export function edgeOf(from: TcpState, to: TcpState): Edge | undefined {
  return EDGES.find((e) => e.from === from && e.to === to);
}

let strict = false;

/**
 * Strict mode: `transition()` throws on an edge the table does not list. The
 * tests switch it on; in production an unlisted edge costs nothing (one
 * boolean test per state change) and is not looked for.
 */
export function setStrictTransitions(on: boolean): void {
  strict = on;
}

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/** What a trace line needs of the socket that changes state: a Tcb or a minisock. */
export interface TransitionSubject {
  readonly id: number;
  readonly local: string;
  readonly remote: string;
}

/**
 * Checks an edge without tracing it: for a socket whose state follows a
 * connection that is traced elsewhere (an fd that held a TIME_WAIT minisock).
 */
export function checkTransition(host: string, sock: TransitionSubject, from: TcpState, to: TcpState, cause: string): void {
  if (strict && !LEGAL.has(`${from}>${to}`)) {
    throw new IllegalTransitionError(`${host} socket ${sock.id} (${sock.local} ${sock.remote}) went ${from} -> ${to} (cause '${cause}'): not an edge of src/sim/tcp/transitions.ts`);
  }
}

/**
 * The one traced state change: every change of a connection's state (a Tcb's,
 * or a minisock's) goes through here. The caller changes its state field.
 */
export function transition(env: StackEnv, host: string, sock: TransitionSubject, from: TcpState, to: TcpState, cause: string): void {
  if (strict) checkTransition(host, sock, from, to, cause);
  if (env.tracingState) env.traceState(host, sock.id, sock.local, sock.remote, from, to, cause);
}
