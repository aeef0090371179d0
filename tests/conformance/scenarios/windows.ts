// Full receive windows on both sides: the case the course's "a peer that does
// not read" labs build on (SO_LINGER N, CLOSE_WAIT leaks).
import type { Scenario } from '../scenario.ts';
import { connectOne, send, serveOne, signal, sleep, ss, wait } from './steps.ts';

const BUFFERS = [
  { op: 'setsockopt', sock: 's', opt: 'SO_RCVBUF', value: 4096 },
  { op: 'setsockopt', sock: 's', opt: 'SO_SNDBUF', value: 65536 },
] as const;

export const windows: Scenario[] = [
  {
    id: 'both-windows-full',
    title: 'Both sides write and neither reads: once both windows are full the connection goes quiet but for zero-window probes',
    teaches: '11',
    client: [
      ...connectOne(),
      ...BUFFERS,
      send('s', 'c', { bytes: 32768 }, 32768),
      wait('sent'),
      sleep(3000),
      ss('ESTAB'),
      signal('done'),
    ],
    server: [
      ...serveOne('c', { rcvbuf: 4096 }),
      { op: 'setsockopt', sock: 'c', opt: 'SO_SNDBUF', value: 65536 },
      send('c', 's', { bytes: 32768 }, 32768),
      signal('sent'),
      wait('done'),
      ss('ESTAB', 'LISTEN'),
    ],
    counts: [
      // Data (32 KB cannot pass a 4 KB window, so a handful of segments), the
      // ACKs, and zero-window probes backing off from 200 ms: tens, not thousands.
      { side: 'client', flags: '', expect: [3, 300], noCompare: 'how many probes fit in 3 s of real time depends on scheduling' },
      { side: 'server', flags: '', expect: [3, 300], noCompare: 'as above' },
    ],
    deliberate: ['Linux doubles SO_RCVBUF and SO_SNDBUF (socket(7)); only "the data does not fit the window" matters here.'],
  },
];
