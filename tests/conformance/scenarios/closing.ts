// Closing paths: tcp-semantics.md items 1-9 and 13.
import type { Scenario } from '../scenario.ts';
import {
  close, connectOne, linger, recv, recvall, send, serveOne, shutdown, signal, sleep, sleepSince, ss, ssTimers, wait,
} from './steps.ts';

/**
 * The application still holds a socket whose connection reached TIME_WAIT
 * (it half-closed, then the peer's FIN arrived). On Linux the socket itself is
 * already CLOSED: tcp_fin() -> tcp_time_wait() hands the connection to a
 * timewait minisock and tcp_done()s the socket. So close() finds TCP_CLOSE and
 * sends nothing (__tcp_close: "already reset - kill it"), even with unread data
 * or SO_LINGER 0, and the TIME_WAIT minisock lives on.
 */
function closeAfterTimeWait(withLingerZero: boolean): Scenario {
  return {
    id: `close-in-time-wait${withLingerZero ? '-linger-zero' : '-unread-data'}`,
    title: `close() of a half-closed socket already in TIME_WAIT${withLingerZero ? ', with SO_LINGER 0,' : ', with unread data,'} sends nothing; TIME_WAIT stays`,
    teaches: '1, 8, 10',
    client: [
      ...connectOne(),
      shutdown('s', 'SHUT_WR', { ok: true }),
      wait('server-closed'),
      sleep(100),
      ss('TIME-WAIT'),
      ...(withLingerZero ? [linger('s', 0)] : []),
      close('s', { ok: true }),
      sleep(100),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      send('c', 'never read', { bytes: 10 }),
      close('c', { ok: true }),
      signal('server-closed'),
      sleep(300),
      ss('LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'client', flags: 'F', expect: 1 },
    ],
  };
}

export const closing: Scenario[] = [
  {
    id: 'active-close',
    title: 'Client closes first: FIN_WAIT_2 then TIME_WAIT; server CLOSE_WAIT then gone after LAST_ACK',
    teaches: '1, 3',
    client: [
      ...connectOne(),
      send('s', 'hello', { bytes: 5 }),
      close('s', { ok: true }),
      sleep(100),
      ss('FIN-WAIT-2'),
      signal('client-sampled'),
      wait('server-closed'),
      sleep(100),
      ss('TIME-WAIT'),
      ssTimers('TIME-WAIT timewait'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: 'hello', end: 'eof' }),
      sleep(50),
      ss('CLOSE-WAIT', 'LISTEN'),
      wait('client-sampled'),
      close('c', { ok: true }),
      signal('server-closed'),
      sleep(100),
      ss('LISTEN'),
    ],
    counters: [
      // __inet_twsk_schedule() counts a TIME_WAIT as it starts: TW for a timer over 4 s, TWKilled for a shorter one.
      { side: 'client', name: 'TcpExtTW', expect: 1 },
      { side: 'client', name: 'TcpActiveOpens', expect: 1 },
      { side: 'server', name: 'TcpPassiveOpens', expect: 1 },
      { side: 'server', name: 'TcpExtTW', expect: 0 },
    ],
    counts: [
      { side: 'client', flags: 'F', expect: 1 },
      { side: 'server', flags: 'F', expect: 1 },
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
  },
  {
    id: 'server-closes-first',
    title: 'Server closes first: TIME_WAIT moves to the server, the client ends with nothing',
    teaches: '1, 3, 18',
    client: [
      ...connectOne(),
      recvall('s', { data: 'bye', end: 'eof' }),
      sleep(50),
      ss('CLOSE-WAIT'),
      signal('client-sampled'),
      wait('server-sampled'),
      close('s', { ok: true }),
      sleep(100),
      ss(),
      signal('client-closed'),
    ],
    server: [
      ...serveOne(),
      send('c', 'bye', { bytes: 3 }),
      close('c', { ok: true }),
      wait('client-sampled'),
      ss('FIN-WAIT-2', 'LISTEN'),
      signal('server-sampled'),
      wait('client-closed'),
      ss('LISTEN', 'TIME-WAIT'),
    ],
    counters: [
      { side: 'server', name: 'TcpExtTW', expect: 1 },
      { side: 'client', name: 'TcpExtTW', expect: 0 },
    ],
    counts: [
      { side: 'client', flags: 'F', expect: 1 },
      { side: 'server', flags: 'F', expect: 1 },
    ],
  },
  {
    id: 'simultaneous-close',
    title: 'Both close while the link is cut; after it heals both end in TIME_WAIT',
    teaches: '2',
    client: [
      ...connectOne(),
      wait('accepted'),
      { op: 'drop', id: 'cut-c2s', from: 'client' },
      { op: 'drop', id: 'cut-s2c', from: 'server' },
      signal('cut'),
      close('s', { ok: true }),
      sleep(50),
      ss('FIN-WAIT-1'),
      sleep(450),
      { op: 'undrop', id: 'cut-c2s', noCompare: 'how many retransmissions fit in the cut depends on real timer slack' },
      { op: 'undrop', id: 'cut-s2c', noCompare: 'as above' },
      // Healing takes two nft calls, so for a few ms one direction is open and
      // an ACK may still be lost: wait through the next two FIN retransmissions
      // (about 1.6 s and 3.2 s after close) so the end state does not depend on it.
      sleep(3500),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      signal('accepted'),
      wait('cut'),
      close('c', { ok: true }),
      sleep(50),
      ss('FIN-WAIT-1', 'LISTEN'),
      sleep(4000),
      ss('LISTEN', 'TIME-WAIT'),
    ],
    counts: [
      // Each FIN is sent at least twice: once into the cut, once after it heals.
      { side: 'client', flags: 'F', expect: [2, 6], noCompare: 'depends on when the cut heals relative to the RTO' },
      { side: 'server', flags: 'F', expect: [2, 6], noCompare: 'as above' },
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
    segmentRepeats: 'how many FIN retransmissions fit in the cut depends on real timer slack',
  },
  {
    id: 'half-close',
    title: 'shutdown(SHUT_WR): the peer still sends back; send after shutdown fails with EPIPE',
    teaches: '5',
    client: [
      ...connectOne(),
      send('s', 'request', { bytes: 7 }),
      shutdown('s', 'SHUT_WR', { ok: true }),
      sleep(100),
      ss('FIN-WAIT-2'),
      send('s', 'more', { ok: false, errno: 'EPIPE' }),
      signal('client-sampled'),
      recvall('s', { data: 'response'.repeat(100), end: 'eof' }),
      close('s', { ok: true }),
      sleep(50),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: 'request', end: 'eof' }),
      wait('client-sampled'),
      send('c', 'response', { bytes: 800 }, 100),
      close('c', { ok: true }),
      sleep(150),
      ss('LISTEN'),
    ],
    counts: [
      { side: 'client', flags: 'F', expect: 1 },
      { side: 'server', flags: 'F', expect: 1 },
      { side: 'client', flags: 'R', expect: 0 },
    ],
  },
  {
    id: 'fin-wait-2-orphan-timeout',
    title: 'An orphan in FIN_WAIT_2 vanishes after tcp_fin_timeout; a late segment gets RST',
    teaches: '6, 9',
    sysctls: { client: { 'net.ipv4.tcp_fin_timeout': 3 } },
    client: [
      ...connectOne(),
      { ...close('s', { ok: true }), mark: 'closed' },
      sleep(500),
      ss('FIN-WAIT-2'),
      // Linux hands an orphan whose tcp_fin_timeout is at most 60 s to a
      // timewait minisock in the FIN_WAIT_2 substate (tcp_time_wait), so
      // `ss -o` shows its timer as timewait.
      ssTimers('FIN-WAIT-2 timewait'),
      // Timed from close(), not from the previous sample: a slow `ss` on a busy
      // machine must not push the check past the 3 s timeout.
      sleepSince('closed', 2300),
      ss('FIN-WAIT-2'),
      sleepSince('closed', 3800),
      ss(),
      signal('expired'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      wait('expired'),
      ss('CLOSE-WAIT', 'LISTEN'),
      send('c', 'late', { bytes: 4 }),
      sleep(200),
      ss('LISTEN'),
      // RST in CLOSE_WAIT sets EPIPE, not ECONNRESET (tcp_reset() in tcp_input.c).
      send('c', 'again', { ok: false, errno: 'EPIPE' }),
    ],
    counters: [
      // The orphan's FIN_WAIT_2 is a timewait minisock with a 3 s timer: counted as killed (timer <= 4 s), not as TW.
      { side: 'client', name: 'TcpExtTWKilled', expect: 1 },
      { side: 'client', name: 'TcpExtTW', expect: 0 },
      { side: 'server', name: 'TcpEstabResets', expect: 1 },
    ],
    counts: [
      { side: 'client', flags: 'F', expect: 1 },
      { side: 'client', flags: 'R', expect: 1 },
      { side: 'server', flags: 'F', expect: 0 },
    ],
  },
  {
    id: 'shutdown-wr-no-fin-wait-2-timeout',
    title: 'After shutdown(SHUT_WR) without close, FIN_WAIT_2 outlives tcp_fin_timeout',
    teaches: '5, 6',
    sysctls: { client: { 'net.ipv4.tcp_fin_timeout': 3 } },
    client: [
      ...connectOne(),
      shutdown('s', 'SHUT_WR', { ok: true }),
      sleep(3600),
      ss('FIN-WAIT-2'),
      // Not an orphan: no timer at all.
      ssTimers('FIN-WAIT-2 -'),
      signal('still-there'),
      recvall('s', { data: 'still here', end: 'eof' }),
      close('s', { ok: true }),
      sleep(50),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      wait('still-there'),
      send('c', 'still here', { bytes: 10 }),
      close('c', { ok: true }),
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
  },
  {
    id: 'close-wait-forever',
    title: 'A server that never closes on EOF keeps CLOSE_WAIT (no timer); the client waits in FIN_WAIT_2',
    teaches: '4, 6',
    client: [
      ...connectOne(),
      close('s', { ok: true }),
      sleep(3000),
      ss('FIN-WAIT-2'),
      // An orphan: tcp_fin_timeout (60 s by default) runs as a timewait timer.
      ssTimers('FIN-WAIT-2 timewait'),
    ],
    server: [
      ...serveOne(),
      recv('c', { data: '' }),
      sleep(500),
      ss('CLOSE-WAIT', 'LISTEN'),
      sleep(2500),
      ss('CLOSE-WAIT', 'LISTEN'),
      // CLOSE_WAIT has no timer: nothing will ever end it but close().
      ssTimers('CLOSE-WAIT -', 'LISTEN -'),
    ],
    counts: [
      { side: 'server', flags: 'F', expect: 0 },
      { side: 'server', flags: 'R', expect: 0 },
    ],
  },
  {
    id: 'close-with-unread-data',
    title: 'close() with unread data sends RST instead of FIN; the peer gets ECONNRESET',
    teaches: '8',
    client: [
      ...connectOne(),
      wait('sent'),
      sleep(100),
      close('s', { ok: true }),
      signal('closed'),
      sleep(100),
      ss(),
    ],
    server: [
      ...serveOne(),
      send('c', 'unread', { bytes: 6 }),
      signal('sent'),
      wait('closed'),
      sleep(100),
      recv('c', { ok: false, errno: 'ECONNRESET' }),
      ss('LISTEN'),
    ],
    counters: [
      { side: 'client', name: 'TcpExtTCPAbortOnClose', expect: 1 },
      { side: 'client', name: 'TcpOutRsts', expect: 1 },
      { side: 'server', name: 'TcpEstabResets', expect: 1 },
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 1 },
      { side: 'client', flags: 'F', expect: 0 },
    ],
  },
  {
    id: 'write-after-peer-closed',
    title: 'Writing to a peer that closed: the first send succeeds, the RST makes the next fail with EPIPE',
    teaches: '7, 9',
    client: [
      ...connectOne(),
      wait('sampled'),
      recv('s', { data: '' }),
      send('s', 'one', { bytes: 3 }),
      sleep(200),
      send('s', 'two', { ok: false, errno: 'EPIPE' }),
      ss(),
      signal('done'),
    ],
    server: [
      ...serveOne(),
      close('c', { ok: true }),
      sleep(100),
      ss('FIN-WAIT-2', 'LISTEN'),
      signal('sampled'),
      wait('done'),
      ss('LISTEN'),
    ],
    counters: [
      { side: 'server', name: 'TcpOutRsts', expect: 1 },
      { side: 'client', name: 'TcpEstabResets', expect: 1 },
    ],
    counts: [
      { side: 'server', flags: 'R', expect: 1 },
      { side: 'client', flags: 'F', expect: 0 },
    ],
  },
  {
    id: 'lost-last-ack',
    title: 'The last ACK is lost: LAST_ACK retransmits its FIN, TIME_WAIT ACKs each copy again',
    teaches: '13',
    client: [
      ...connectOne(),
      close('s', { ok: true }),
      wait('server-closed'),
      sleep(500),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: '', end: 'eof' }),
      { op: 'drop', id: 'last-ack', from: 'client', flags: '=.' },
      { ...close('c', { ok: true }), mark: 'closed' },
      signal('server-closed'),
      sleep(500),
      ss('LAST-ACK', 'LISTEN'),
      // The retransmission timer drives LAST_ACK.
      ssTimers('LAST-ACK on', 'LISTEN -'),
      sleepSince('closed', 1000),
      // The first ACK plus one re-ACK per retransmitted FIN (RTO 200 ms, doubling).
      {
        op: 'undrop',
        id: 'last-ack',
        expect: { hits: [3, 6] },
        noCompare: 'how many retransmissions fit before the rule goes depends on real scheduling; the gaps below are compared instead',
      },
      // Long enough for the next FIN whatever the back-off reached (a busy
      // machine may remove the rule late): that FIN's re-ACK ends LAST_ACK.
      sleep(3500),
      ss('LISTEN'),
    ],
    counters: [
      { side: 'server', name: 'TcpRetransSegs', expect: [3, 7] },
      { side: 'client', name: 'TcpRetransSegs', expect: 0 },
    ],
    counts: [
      { side: 'server', flags: 'F', expect: [4, 7], noCompare: 'as for the drop count' },
      { side: 'server', flags: 'F', rtx: true, expect: [3, 6], noCompare: 'as for the drop count' },
      { side: 'client', flags: 'F', expect: 1 },
      { side: 'client', flags: 'R', expect: 0 },
    ],
    segmentRepeats: 'how many FIN retransmissions (and re-ACKs) fit before the rule goes depends on real scheduling',
    gaps: [
      // Linux re-sends the FIN about 200 ms after the first one (a tail-loss
      // probe, RFC 8985, then the RTO at its tcp_rto_min floor of 200 ms, since
      // the handshake measured a tiny RTT), then backs off: ~200, ~200, ~400 ms.
      { side: 'server', flags: 'F', expect: [[180, 450], [180, 500], [350, 1000]] },
    ],
  },
  closeAfterTimeWait(false),
  closeAfterTimeWait(true),
];
