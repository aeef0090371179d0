// When ACKs and small segments go out: delayed ACKs (tcp_fin, the delayed-ACK
// timer) and Nagle's algorithm, segment by segment.
import type { Scenario, Step } from '../scenario.ts';
import { close, connectOne, recvall, send, serveOne, signal, sleep, socket, ss, wait } from './steps.ts';

const tcpOpt = (sock: string, opt: 'TCP_NODELAY' | 'TCP_QUICKACK', value: boolean): Step => ({ op: 'setsockopt', sock, opt, value });

/**
 * The client sends a request and closes; the server reads to EOF and closes.
 * tcp_fin() takes the server to CLOSE_WAIT in pingpong mode and only schedules
 * the ACK of the FIN: a server that closes promptly carries that ACK on its own
 * FIN (F. / F. / .); one that waits longer than the delayed-ACK timeout (40 ms
 * after data: TCP_ATO_MIN) sends the ACK alone first.
 */
function close3(promptly: boolean): Scenario {
  return {
    id: promptly ? 'three-segment-close' : 'delayed-ack-before-late-close',
    title: promptly
      ? 'A server that closes as soon as it reads EOF: its FIN carries the ACK of the client\'s FIN (F. / F. / .)'
      : 'A server that waits 300 ms after EOF: the ACK of the client\'s FIN goes alone after the delayed-ACK timeout (about 40 ms)',
    teaches: '1, 3',
    client: [
      ...connectOne(),
      send('s', 'hello', { bytes: 5 }),
      close('s', { ok: true }),
      wait('server-closed'),
      sleep(100),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      recvall('c', { data: 'hello', end: 'eof' }),
      ...(promptly ? [] : [sleep(300)]),
      close('c', { ok: true }),
      signal('server-closed'),
      sleep(100),
      ss('LISTEN'),
    ],
    counts: [
      // The handshake's ACK and the ACK of the server's FIN.
      { side: 'client', flags: '=.', expect: 2 },
      // The ACK of 'hello' (a quick ACK: the connection's first data), and, only when the server waits, the FIN's.
      { side: 'server', flags: '=.', expect: promptly ? 1 : 2 },
      { side: 'server', flags: 'F', expect: 1 },
    ],
    gaps: promptly
      ? []
      : [
          // From the quick ACK of 'hello' to the FIN's delayed ACK: the FIN arrives right after
          // 'hello', and the timer runs the ACK timeout (40 ms, ten jiffies at HZ=250).
          { side: 'server', flags: '=.', expect: [[30, 120]] },
        ],
  };
}

/**
 * Two one-byte writes in a row. The server turns TCP_QUICKACK off (pingpong
 * mode), so its ACK of the first byte waits for the delayed-ACK timer. With
 * Nagle (the default) the second byte waits for that ACK (tcp_nagle_check with
 * tcp_minshall_check: a small segment is unacknowledged); with TCP_NODELAY it
 * goes at once.
 */
function nagle(nodelay: boolean): Scenario {
  return {
    id: nodelay ? 'nodelay-small-writes' : 'nagle-holds-small-write',
    title: nodelay
      ? 'TCP_NODELAY: a second small write goes out at once, though the first is unacknowledged'
      : 'Nagle: a second small write waits until the first small segment is ACKed (about 40 ms when the peer delays its ACK)',
    teaches: '1',
    client: [
      socket('s'),
      ...(nodelay ? [tcpOpt('s', 'TCP_NODELAY', true)] : []),
      ...connectOne().slice(1),
      wait('delaying'),
      send('s', 'a', { bytes: 1 }),
      send('s', 'b', { bytes: 1 }),
      sleep(300),
      close('s', { ok: true }),
      sleep(100),
      ss('TIME-WAIT'),
    ],
    server: [
      ...serveOne(),
      tcpOpt('c', 'TCP_QUICKACK', false),
      signal('delaying'),
      recvall('c', { data: 'ab', end: 'eof' }),
      close('c', { ok: true }),
      sleep(100),
      ss('LISTEN'),
    ],
    counts: [{ side: 'client', flags: 'P', expect: 2 }],
    gaps: [
      // Between the two one-byte segments: the server's delayed ACK (40 ms) with Nagle, nothing without.
      { side: 'client', flags: 'P', expect: [nodelay ? [0, 15] : [30, 120]] },
    ],
  };
}

export const acks: Scenario[] = [close3(true), close3(false), nagle(false), nagle(true)];
