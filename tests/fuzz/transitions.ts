// The state changes a TCP socket may make: the edges of RFC 9293's state
// diagram (§3.3.2, Figure 5) and the event-processing text (§3.10), plus what
// Linux adds. A StateEvent whose from -> to is not listed here is a bug.
import type { TcpState } from '../../types/closing-time.d.ts';

export interface Edge {
  from: TcpState;
  to: TcpState;
  /** Where the edge comes from. */
  source: string;
}

const RFC_DIAGRAM = 'RFC 9293 §3.3.2 Figure 5';

export const EDGES: readonly Edge[] = [
  { from: 'CLOSED', to: 'LISTEN', source: `${RFC_DIAGRAM}: passive OPEN (listen())` },
  { from: 'CLOSED', to: 'SYN_SENT', source: `${RFC_DIAGRAM}: active OPEN, snd SYN (connect())` },
  { from: 'LISTEN', to: 'SYN_RECEIVED', source: `${RFC_DIAGRAM}: rcv SYN, snd SYN,ACK` },
  { from: 'LISTEN', to: 'SYN_SENT', source: `${RFC_DIAGRAM}: SEND, snd SYN` },
  { from: 'LISTEN', to: 'CLOSED', source: `${RFC_DIAGRAM}: CLOSE, delete TCB` },
  { from: 'SYN_SENT', to: 'SYN_RECEIVED', source: `${RFC_DIAGRAM}: rcv SYN (simultaneous open)` },
  { from: 'SYN_SENT', to: 'ESTABLISHED', source: `${RFC_DIAGRAM}: rcv SYN,ACK, snd ACK` },
  { from: 'SYN_SENT', to: 'CLOSED', source: `${RFC_DIAGRAM}: CLOSE; §3.10.7.3 RST (ECONNREFUSED); Linux tcp_write_timeout (ETIMEDOUT)` },
  { from: 'SYN_RECEIVED', to: 'ESTABLISHED', source: `${RFC_DIAGRAM}: rcv ACK of SYN` },
  { from: 'SYN_RECEIVED', to: 'FIN_WAIT_1', source: `${RFC_DIAGRAM}: CLOSE, snd FIN` },
  { from: 'SYN_RECEIVED', to: 'LISTEN', source: 'RFC 9293 §3.10.7.4 first check: RST in SYN-RECEIVED from a passive OPEN returns to LISTEN' },
  { from: 'SYN_RECEIVED', to: 'CLOSE_WAIT', source: 'RFC 9293 §3.10.7.4 eighth check: FIN in SYN-RECEIVED enters CLOSE-WAIT' },
  { from: 'ESTABLISHED', to: 'FIN_WAIT_1', source: `${RFC_DIAGRAM}: CLOSE, snd FIN (close() or shutdown(SHUT_WR))` },
  { from: 'ESTABLISHED', to: 'CLOSE_WAIT', source: `${RFC_DIAGRAM}: rcv FIN, snd ACK` },
  { from: 'FIN_WAIT_1', to: 'FIN_WAIT_2', source: `${RFC_DIAGRAM}: rcv ACK of FIN` },
  { from: 'FIN_WAIT_1', to: 'CLOSING', source: `${RFC_DIAGRAM}: rcv FIN, snd ACK (simultaneous close)` },
  { from: 'FIN_WAIT_1', to: 'TIME_WAIT', source: 'RFC 9293 §3.10.7.4 eighth check: FIN that also ACKs our FIN; Linux tcp_rcv_state_process + tcp_fin' },
  { from: 'FIN_WAIT_2', to: 'TIME_WAIT', source: `${RFC_DIAGRAM}: rcv FIN, snd ACK` },
  { from: 'CLOSING', to: 'TIME_WAIT', source: `${RFC_DIAGRAM}: rcv ACK of FIN` },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', source: `${RFC_DIAGRAM}: CLOSE, snd FIN` },
  { from: 'LAST_ACK', to: 'CLOSED', source: `${RFC_DIAGRAM}: rcv ACK of FIN, delete TCB` },
  { from: 'TIME_WAIT', to: 'CLOSED', source: `${RFC_DIAGRAM}: timeout = 2MSL (Linux: TCP_TIMEWAIT_LEN, 60 s); Linux tcp_timewait_state_process: RST with tcp_rfc1337=0, or a new SYN` },
  // Any synchronized state may end at once, without the diagram's steps.
  ...(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'] as const).map((from) => ({
    from,
    to: 'CLOSED' as const,
    source:
      'RFC 9293 §3.10.7.4 (RST received), §3.10.5 ABORT (SO_LINGER 0; close() with unread data, RFC 2525 §2.17), ' +
      '§3.8.3 R2 (retransmissions exhausted; Linux tcp_write_timeout, tcp_orphan_retries)',
  })),
  {
    from: 'FIN_WAIT_2',
    to: 'CLOSED',
    source:
      'Linux only: an orphan in FIN_WAIT_2 dies after tcp_fin_timeout (tcp_keepalive_timer / tcp_time_wait with TCP_FIN_WAIT2, ip-sysctl.rst); also RST or abort as above',
  },
];

const LEGAL = new Set(EDGES.map((e) => `${e.from}>${e.to}`));

export function isLegalTransition(from: TcpState, to: TcpState): boolean {
  return LEGAL.has(`${from}>${to}`);
}
