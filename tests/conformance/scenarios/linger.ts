// SO_LINGER: tcp-semantics.md items 10 and 11.
import type { Scenario } from '../scenario.ts';
import { close, connectOne, linger, recv, send, serveOne, signal, sleep, ss, wait } from './steps.ts';

export const lingering: Scenario[] = [
  {
    id: 'linger-zero-abort',
    title: 'SO_LINGER {1, 0}: close() aborts with RST; the peer reads what was delivered, then ECONNRESET',
    teaches: '10',
    client: [
      ...connectOne(),
      send('s', 'delivered', { bytes: 9 }),
      sleep(100),
      linger('s', 0),
      close('s', { ok: true }),
      signal('aborted'),
      sleep(50),
      ss(),
    ],
    server: [
      ...serveOne(),
      wait('aborted'),
      sleep(100),
      ss('LISTEN'),
      recv('c', { data: 'delivered' }),
      recv('c', { ok: false, errno: 'ECONNRESET' }),
    ],
    counters: [
      // SO_LINGER 0 with nothing unread: tcp_close() counts TCPAbortOnData.
      { side: 'client', name: 'TcpExtTCPAbortOnData', expect: 1 },
      { side: 'client', name: 'TcpExtTCPAbortOnClose', expect: 0 },
      { side: 'client', name: 'TcpOutRsts', expect: 1 },
      { side: 'server', name: 'TcpEstabResets', expect: 1 },
    ],
    counts: [
      { side: 'client', flags: 'R', expect: 1 },
      { side: 'client', flags: 'F', expect: 0 },
    ],
  },
  {
    id: 'linger-timeout-peer-not-reading',
    title: 'SO_LINGER {1, 2} with a peer that does not read: close() blocks about 2 s, returns 0, the orphan stays in FIN_WAIT_1',
    teaches: '11',
    client: [
      ...connectOne(),
      // Room for all 32 KB in our send buffer, so send() returns and close() is what waits.
      { op: 'setsockopt', sock: 's', opt: 'SO_SNDBUF', value: 65536 },
      linger('s', 2),
      send('s', 'x', { bytes: 32768 }, 32768),
      close('s', { ok: true, tookMs: [1900, 3000] }),
      ss('FIN-WAIT-1'),
      signal('closed'),
    ],
    server: [
      // A small receive buffer: the 32 KB cannot all be acknowledged, so neither can the FIN.
      ...serveOne('c', { rcvbuf: 4096 }),
      wait('closed'),
      ss('ESTAB', 'LISTEN'),
    ],
    counts: [{ side: 'client', flags: 'R', expect: 0 }],
    deliberate: [
      'close() duration is wall time on the kernel and virtual time in the simulator: both must fall in 1.9-3 s (a busy machine wakes the thread late), not match to the millisecond.',
      'Linux doubles SO_RCVBUF/SO_SNDBUF (socket(7)); the simulator takes them as given. Only "the data does not fit the window" matters here.',
    ],
  },
];
