// Dead peers: keepalive (SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT) in
// ESTABLISHED and CLOSE_WAIT, and TCP_USER_TIMEOUT. A drop rule makes the peer
// look dead: everything it sends is lost, as if its host had gone away.
import type { Scenario, Step } from '../scenario.ts';
import { close, connectOne, recv, recvall, send, serveOne, signal, sleep, sleepSince, ss, ssTimers, wait } from './steps.ts';

/**
 * The client writes 32 KB to a server that never reads: the server's 4 KB
 * receive buffer fills, its window shuts, and the client's data waits behind
 * zero-window probes (its send buffer is large enough that send() returns).
 */
const fillWindow = (extra: Step[] = []): Step[] => [
  ...connectOne(),
  { op: 'setsockopt', sock: 's', opt: 'SO_SNDBUF', value: 65536 },
  ...extra,
  send('s', 'c', { bytes: 32768 }, 32768),
  wait('full'),
];

/** The server's side of fillWindow: accept with a 4 KB buffer, read nothing, and tell the client when the window has had time to shut. */
const stopReading = (): Step[] => [...serveOne('c', { rcvbuf: 4096 }), sleep(1000), signal('full')];

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
  {
    id: 'zero-window-answered',
    title: 'A peer whose application stopped reading answers each zero-window probe: the count of unanswered probes starts again at every answer, so even with tcp_retries2 = 2 the sender waits as long as the peer keeps its window shut',
    teaches: '23',
    sysctls: { client: { 'net.ipv4.tcp_retries2': 2 } },
    client: [...fillWindow(), ssTimers('ESTAB persist'), sleep(5000), ssTimers('ESTAB persist'), signal('done')],
    server: [...stopReading(), wait('done'), ss('ESTAB', 'LISTEN')],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'client', flags: '', expect: [3, 300], noCompare: 'how many probes fit in the run depends on real time (the simulator runs on past the steps, virtual time)' },
    ],
    counters: [{ side: 'client', name: 'TcpExtTCPAbortOnTimeout', expect: 0 }],
    deliberate: ['Linux doubles SO_RCVBUF and SO_SNDBUF (socket(7)); only "the data does not fit the window" matters here.'],
  },
  {
    id: 'orphan-zero-window-user-timeout',
    title: 'An orphan in FIN_WAIT_1 behind a zero window, its probes answered: TCP_USER_TIMEOUT counts from the first probe and ends it with no RST; the peer, still ESTABLISHED, is reset when it reads at last',
    teaches: '23',
    client: [
      ...fillWindow([{ op: 'setsockopt', sock: 's', opt: 'TCP_USER_TIMEOUT', value: 2000 }]),
      // Our FIN waits behind the data: FIN_WAIT_1, and still only the probe timer.
      { ...close('s', { ok: true }), mark: 'closed' },
      ssTimers('FIN-WAIT-1 persist'),
      // The user timeout ran out about 2.2 s after the window shut, 1.2 s after close().
      sleepSince('closed', 3000),
      ss(),
      signal('gone'),
    ],
    server: [
      ...stopReading(),
      wait('gone'),
      ss('ESTAB', 'LISTEN'),
      // Reading opens the window; the window update reaches a host with no socket: RST.
      { ...recvall('c', { end: 'ECONNRESET' }), noCompare: 'how many bytes the receive buffer held: Linux doubles SO_RCVBUF' },
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 1 },
      { side: 'client', flags: 'F', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
    counters: [
      { side: 'client', name: 'TcpExtTCPAbortOnTimeout', expect: 1 },
      { side: 'server', name: 'TcpEstabResets', expect: 1 },
    ],
    deliberate: ['Linux doubles SO_RCVBUF and SO_SNDBUF (socket(7)); only "the data does not fit the window" matters here.'],
  },
  {
    id: 'orphan-zero-window-dead-peer',
    title: 'An orphan in FIN_WAIT_1 behind a zero window whose peer then vanished: after tcp_orphan_retries unanswered probes it is destroyed without a RST; the peer keeps a half-open ESTABLISHED connection',
    teaches: '23',
    sysctls: { client: { 'net.ipv4.tcp_orphan_retries': 2 } },
    client: [
      ...fillWindow(),
      { ...close('s', { ok: true }), mark: 'closed' },
      ssTimers('FIN-WAIT-1 persist'),
      // Probe timers at about 0.2, 0.6 and 1.4 s after the window shut; the third gives up.
      sleepSince('closed', 3000),
      ss(),
      signal('gone'),
    ],
    server: [
      ...serveOne('c', { rcvbuf: 4096 }),
      sleep(1000),
      // From now on everything the server sends is lost, as if its host had gone away.
      { op: 'drop', id: 'dead', from: 'server' },
      signal('full'),
      wait('gone'),
      { op: 'undrop', id: 'dead', noCompare: 'how many probe answers the rule dropped depends on when the probe timer fired before the cut' },
      ss('ESTAB', 'LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'client', flags: 'F', expect: 0 },
    ],
    counters: [
      { side: 'client', name: 'TcpExtTCPAbortOnTimeout', expect: 1 },
      { side: 'client', name: 'TcpExtTCPAbortOnMemory', expect: 0 },
    ],
    deliberate: ['Linux doubles SO_RCVBUF and SO_SNDBUF (socket(7)); only "the data does not fit the window" matters here.'],
  },
];
