// Dead peers: keepalive (SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT) in
// ESTABLISHED and CLOSE_WAIT, and TCP_USER_TIMEOUT. A drop rule makes the peer
// look dead: everything it sends is lost, as if its host had gone away.
import type { Scenario, Step } from '../scenario.ts';
import { close, connectOne, recv, recvall, send, serveOne, signal, sleep, ss, ssTimers, wait } from './steps.ts';

/** Keepalive on socket `sock`: idle 1 s, a probe every second, two probes. */
const keepalive = (sock: string): Step[] => [
  { op: 'setsockopt', sock, opt: 'TCP_KEEPIDLE', value: 1 },
  { op: 'setsockopt', sock, opt: 'TCP_KEEPINTVL', value: 1 },
  { op: 'setsockopt', sock, opt: 'TCP_KEEPCNT', value: 2 },
  { op: 'setsockopt', sock, opt: 'SO_KEEPALIVE', value: true },
];

export const deadPeers: Scenario[] = [
  {
    id: 'keepalive-established',
    title: 'Keepalive on an idle connection whose peer went silent: a probe after TCP_KEEPIDLE, one per TCP_KEEPINTVL, and after TCP_KEEPCNT unanswered probes RST and ETIMEDOUT',
    teaches: '23',
    client: [...connectOne(), recv('s', { ok: false, errno: 'ECONNRESET' }), ss()],
    server: [
      ...serveOne(),
      // The client's answers to the probes are lost.
      { op: 'drop', id: 'dead', from: 'client' },
      ...keepalive('c'),
      ssTimers('ESTAB keepalive', 'LISTEN -'),
      // Probes at 1 s and 2 s, the RST at 3 s.
      recv('c', { ok: false, errno: 'ETIMEDOUT', tookMs: [2500, 4500] }),
      ss('LISTEN'),
      { op: 'undrop', id: 'dead', expect: { hits: 2 } },
    ],
    counts: [
      { side: 'server', flags: 'R', expect: 1 },
      { side: 'client', flags: 'R', expect: 0 },
    ],
    counters: [
      { side: 'server', name: 'TcpExtTCPAbortOnTimeout', expect: 1 },
      { side: 'server', name: 'TcpOutRsts', expect: 1 },
      { side: 'server', name: 'TcpEstabResets', expect: 1 },
    ],
  },
  {
    id: 'keepalive-close-wait',
    title: 'Keepalive runs in CLOSE_WAIT: a dead peer\'s connection is reset and leaves ss, but the descriptor stays open until close() (send() reports ETIMEDOUT)',
    teaches: '23',
    client: [...connectOne(), close('s', { ok: true }), wait('server-done'), ss()],
    server: [
      ...serveOne(),
      recvall('c', { end: 'eof' }),
      // From now on the client's segments are lost (its orphan in FIN_WAIT_2 answers the probes).
      { op: 'drop', id: 'dead', from: 'client' },
      ...keepalive('c'),
      ssTimers('CLOSE-WAIT keepalive', 'LISTEN -'),
      { ...sleep(4_500), mark: 'reset' },
      // The connection is gone from ss; the application still holds the fd.
      ss('LISTEN'),
      send('c', 'late', { ok: false, errno: 'ETIMEDOUT' }),
      close('c', { ok: true }),
      { op: 'undrop', id: 'dead', expect: { hits: 2 } },
      signal('server-done'),
    ],
    counts: [
      { side: 'server', flags: 'R', expect: 1 },
      { side: 'server', flags: 'F', expect: 0 },
    ],
    counters: [
      { side: 'server', name: 'TcpExtTCPAbortOnTimeout', expect: 1 },
      { side: 'server', name: 'TcpOutRsts', expect: 1 },
    ],
  },
  {
    id: 'user-timeout',
    title: 'TCP_USER_TIMEOUT: data unacknowledged for that long ends the connection with ETIMEDOUT, long before tcp_retries2 would, and no RST',
    teaches: '23',
    client: [
      ...connectOne(),
      { op: 'setsockopt', sock: 's', opt: 'TCP_USER_TIMEOUT', value: 1_500 },
      wait('cut'),
      send('s', 'hello', { bytes: 5 }),
      recv('s', { ok: false, errno: 'ETIMEDOUT', tookMs: [1_300, 2_600] }),
      ss(),
      signal('client-done'),
    ],
    server: [
      ...serveOne(),
      // Everything the server sends is lost: the client never sees an ACK.
      { op: 'drop', id: 'cut', from: 'server' },
      signal('cut'),
      wait('client-done'),
      { op: 'undrop', id: 'cut', noCompare: 'how many ACKs the server sent into the cut depends on how many retransmissions Linux sends' },
      ss('ESTAB', 'LISTEN'),
    ],
    counts: [{ side: 'client', flags: 'R', expect: 0 }],
    counters: [{ side: 'client', name: 'TcpExtTCPAbortOnTimeout', expect: 1 }],
  },
];
