// What the kernel does that a learner can only see with its own tools:
// TIME_WAIT assassination by a RST (RFC 1337), the TIME_WAIT bucket limit,
// SO_RCVBUF as getsockopt reports it, and the timer values `ss -tano` prints.
import type { Scenario, Step } from '../scenario.ts';
import { PORT, accept, bind, close, connect, connectOne, recv, recvall, send, serveOne, signal, sleep, socket, ss, wait } from './steps.ts';

/** `ss -tano` with the ms left on each timer: rows sorted, one range per row. */
const ssValues = (rows: [string, [number, number] | null][]): Step => {
  const sorted = [...rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    op: 'ss',
    timers: true,
    values: true,
    expect: { timers: sorted.map((r) => r[0]), timerMs: sorted.map((r) => r[1]) },
  };
};

const NO_INJECTION = 'the simulator cannot put a segment on the wire that no socket made';

/**
 * The client closes first and sits in TIME_WAIT; then a RST arrives for that
 * 4-tuple with exactly the sequence number TIME_WAIT expects (rcv_nxt).
 * tcp_timewait_state_process(): with tcp_rfc1337 0 the RST kills the
 * TIME_WAIT socket ("TIME_WAIT assassination"); with 1 it is ignored.
 */
function rstInTimeWait(rfc1337: 0 | 1): Scenario {
  return {
    id: `rst-in-time-wait-rfc1337-${rfc1337}`,
    title: `A RST in TIME_WAIT with tcp_rfc1337 = ${rfc1337}: ${rfc1337 ? 'ignored, TIME_WAIT stays' : 'TIME_WAIT ends at once'}`,
    teaches: '4',
    sysctls: { client: { 'net.ipv4.tcp_rfc1337': rfc1337 } },
    client: [
      ...connectOne(),
      close('s', { ok: true }),
      wait('server-closed'),
      sleep(100),
      ss('TIME-WAIT'),
      signal('tw-seen'),
      wait('rst-sent'),
      sleep(100),
      { ...(rfc1337 ? ss('TIME-WAIT') : ss()), kernelOnly: rfc1337 ? undefined : NO_INJECTION },
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      close('c', { ok: true }),
      signal('server-closed'),
      wait('tw-seen'),
      // A raw socket sends R with seq = the server's FIN + 1, what TIME_WAIT expects.
      { op: 'inject', sock: 'c', flags: 'R', expect: { ok: true }, kernelOnly: NO_INJECTION },
      signal('rst-sent'),
      sleep(100),
      ss('LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      // The injected RST (the capture sees it leave the server's namespace).
      { side: 'server', flags: 'R', expect: 1, kernelOnly: NO_INJECTION },
    ],
    counters: [
      { side: 'client', name: 'TcpActiveOpens', expect: 1 },
      { side: 'server', name: 'TcpPassiveOpens', expect: 1 },
    ],
  };
}

export const kernelTruth: Scenario[] = [
  rstInTimeWait(0),
  rstInTimeWait(1),
  {
    id: 'time-wait-bucket-overflow',
    title: 'tcp_max_tw_buckets = 0: no TIME_WAIT socket is created, TCPTimeWaitOverflow counts it, the kernel log stays quiet',
    teaches: '5',
    sysctls: { client: { 'net.ipv4.tcp_max_tw_buckets': 0 } },
    client: [
      ...connectOne(),
      { op: 'shutdown', sock: 's', how: 'SHUT_WR', expect: { ok: true } },
      wait('server-closed'),
      sleep(100),
      // The peer's FIN would have made TIME_WAIT; with no bucket free the
      // connection is done at once (tcp_time_wait -> tcp_done).
      ss(),
      close('s', { ok: true }),
      sleep(100),
      ss(),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      close('c', { ok: true }),
      signal('server-closed'),
      sleep(300),
      ss('LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
    counters: [
      { side: 'client', name: 'TcpExtTCPTimeWaitOverflow', expect: 1 },
      { side: 'client', name: 'TcpActiveOpens', expect: 1 },
    ],
    // "TCP: time wait bucket table overflow" was a net_info_ratelimited() message once; current kernels only count.
    kernelLog: { contains: 'time wait bucket table overflow', expect: 0 },
  },
  {
    id: 'retransmissions-exhausted',
    title: 'Data never acknowledged: after tcp_retries2 retransmissions the connection is dropped with ETIMEDOUT, no RST, and TCPAbortOnTimeout counts it',
    teaches: '13',
    sysctls: { client: { 'net.ipv4.tcp_retries2': 2 } },
    client: [
      ...connectOne(),
      wait('cut'),
      send('s', 'hello', { bytes: 5 }),
      // Linux: a tail-loss probe about 200 ms after the send, then RTOs of 200,
      // 400 and 800 ms, and the abort when the next one (1.6 s) fires: about 3.3 s.
      {
        ...recv('s', { ok: false, errno: 'ETIMEDOUT', tookMs: [2500, 5000] }),
        kernelOnly: 'the simulator sends no tail-loss probe and gives up at 1.4 s (listed)',
      },
      ss(),
      signal('client-done'),
    ],
    server: [
      ...serveOne(),
      // Everything the server sends is lost: the client never sees an ACK.
      { op: 'drop', id: 'cut', from: 'server' },
      signal('cut'),
      wait('client-done'),
      { op: 'undrop', id: 'cut', noCompare: 'how many ACKs the server sent into the cut depends on real timing' },
      ss('ESTAB', 'LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      // The probe and three RTO retransmissions.
      { side: 'client', flags: 'P', rtx: true, expect: 4, kernelOnly: 'the simulator retransmits twice (listed)' },
    ],
    counters: [
      { side: 'client', name: 'TcpExtTCPAbortOnTimeout', expect: 1 },
      { side: 'client', name: 'TcpRetransSegs', expect: 4, kernelOnly: 'the simulator retransmits twice (listed)' },
      // tcp_done() from ESTABLISHED counts as an established connection reset.
      { side: 'client', name: 'TcpEstabResets', expect: 1 },
      { side: 'client', name: 'TcpOutRsts', expect: 0 },
    ],
  },
  {
    id: 'so-rcvbuf-doubled',
    title: 'SO_RCVBUF and SO_SNDBUF read back twice the value set (socket(7): room for bookkeeping), at least one minimal buffer, at most twice net.core.rmem_max / wmem_max; unset, tcp_rmem[1] and tcp_wmem[1]',
    teaches: '11',
    client: [
      { op: 'socket', sock: 's' },
      { op: 'setsockopt', sock: 's', opt: 'SO_RCVBUF', value: 10000 },
      { op: 'getsockopt', sock: 's', opt: 'SO_RCVBUF', expect: { value: 20000 } },
      { op: 'setsockopt', sock: 's', opt: 'SO_SNDBUF', value: 10000 },
      { op: 'getsockopt', sock: 's', opt: 'SO_SNDBUF', expect: { value: 20000 } },
      // A socket that never set them: the defaults of net.ipv4.tcp_rmem and tcp_wmem.
      { op: 'socket', sock: 'd' },
      { op: 'getsockopt', sock: 'd', opt: 'SO_RCVBUF', expect: { value: 131072 } },
      { op: 'getsockopt', sock: 'd', opt: 'SO_SNDBUF', expect: { value: 16384 } },
      // Too small: SOCK_MIN_RCVBUF (2048 bytes and an sk_buff) and SOCK_MIN_SNDBUF (twice that).
      { op: 'setsockopt', sock: 'd', opt: 'SO_RCVBUF', value: 100 },
      { op: 'getsockopt', sock: 'd', opt: 'SO_RCVBUF', expect: { value: 2304 } },
      { op: 'setsockopt', sock: 'd', opt: 'SO_SNDBUF', value: 100 },
      { op: 'getsockopt', sock: 'd', opt: 'SO_SNDBUF', expect: { value: 4608 } },
      // Too large: capped at net.core.rmem_max (4 MB by default), then doubled.
      { op: 'setsockopt', sock: 'd', opt: 'SO_RCVBUF', value: 10_000_000 },
      { op: 'getsockopt', sock: 'd', opt: 'SO_RCVBUF', expect: { value: 8_388_608 } },
    ],
    server: [],
  },
  {
    id: 'ss-timer-values',
    title: 'ss -tano counts down: an orphan in FIN_WAIT_2 shows tcp_fin_timeout left, TIME_WAIT shows 60 s left',
    teaches: '3, 5',
    sysctls: { client: { 'net.ipv4.tcp_fin_timeout': 30 } },
    client: [
      ...connectOne(),
      { ...close('s', { ok: true }), mark: 'closed' },
      sleep(200),
      // Linux keeps an orphan FIN_WAIT_2 as a timewait minisock (tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)).
      ssValues([['FIN-WAIT-2 timewait', [28_000, 30_000]]]),
      signal('sampled'),
      wait('server-closed'),
      sleep(100),
      ssValues([['TIME-WAIT timewait', [58_000, 60_000]]]),
    ],
    server: [
      ...serveOne(),
      wait('sampled'),
      recvall('c', { data: '', end: 'eof' }),
      close('c', { ok: true }),
      signal('server-closed'),
      sleep(300),
      ssValues([['LISTEN -', null]]),
    ],
  },
  {
    id: 'accept-queue-overflow',
    title: 'listen() with backlog 1 and no accept(): two connections complete (a backlog of N holds N + 1), the third SYN is dropped while the queue is full (ListenOverflows, ListenDrops), and its retransmission after accept() made room connects',
    teaches: '1',
    client: [
      socket('a'),
      socket('b'),
      socket('x'),
      wait('listening'),
      connect('a', PORT, { ok: true }),
      connect('b', PORT, { ok: true }),
      sleep(100),
      signal('two-connected'),
      // sk_acceptq_is_full (2 > 1): tcp_conn_request drops the SYN and its retransmission 1 s later;
      // the next one finds room (the server accepted at about 1.5 s). It comes 2 s after the first
      // SYN on this kernel (tcp_syn_linear_timeouts: the first SYN retransmissions 1 s apart), 3 s in
      // the simulator (exponential backoff from the start).
      connect('x', PORT, { ok: true, tookMs: [1700, 4500] }),
      sleep(100),
      ss('ESTAB', 'ESTAB', 'ESTAB'),
      signal('client-done'),
    ],
    server: [
      socket('l'),
      bind('l', PORT, { ok: true }),
      { op: 'listen', sock: 'l', backlog: 1, expect: { ok: true } },
      signal('listening'),
      wait('two-connected'),
      sleep(500),
      // Both wait in the accept queue; no request socket (SYN-RECV) for the third.
      ss('ESTAB', 'ESTAB', 'LISTEN'),
      sleep(1000),
      accept('l', 'c', { ok: true }),
      wait('client-done'),
      ss('ESTAB', 'ESTAB', 'ESTAB', 'LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'S', rtx: true, expect: 2 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
    counters: [
      { side: 'client', name: 'TcpActiveOpens', expect: 3 },
      { side: 'server', name: 'TcpPassiveOpens', expect: 3 },
      { side: 'server', name: 'TcpExtListenOverflows', expect: 2 },
      { side: 'server', name: 'TcpExtListenDrops', expect: 2 },
    ],
  },
];
