// TIME_WAIT against binding and ports: tcp-semantics.md items 15, 17, 18, 19.
import type { Scenario, Step } from '../scenario.ts';
import {
  PORT, accept, bind, close, connect, connectOne, listen, recvall, reuseaddr, reuseport, serveOne, signal,
  sleep, socket, ss, wait,
} from './steps.ts';

/**
 * Restart a server whose accepted connection it closed first (so the TIME_WAIT
 * socket sits on its port), with SO_REUSEADDR on the old listener or not, and on
 * the new socket or not. Linux (inet_bind_conflict): bind succeeds only if both
 * set it; the TIME_WAIT socket carries the flag of the listener it came from.
 */
function restart(oldFlag: boolean, newFlag: boolean): Scenario {
  const both = oldFlag && newFlag;
  return {
    id: `reuseaddr-restart-old-${oldFlag ? 'on' : 'off'}-new-${newFlag ? 'on' : 'off'}`,
    title: `Restart over TIME_WAIT: old listener SO_REUSEADDR ${oldFlag ? 'on' : 'off'}, new socket ${newFlag ? 'on' : 'off'}: bind ${both ? 'succeeds' : 'fails with EADDRINUSE'}`,
    teaches: '17',
    client: [...connectOne(), recvall('s', { data: '', end: 'eof' }), close('s', { ok: true }), signal('client-closed')],
    server: [
      ...serveOne('c', { reuseaddr: oldFlag }),
      close('c', { ok: true }),
      wait('client-closed'),
      sleep(100),
      ss('LISTEN', 'TIME-WAIT'),
      close('l', { ok: true }),
      socket('l2'),
      reuseaddr('l2', newFlag),
      bind('l2', PORT, both ? { ok: true } : { ok: false, errno: 'EADDRINUSE' }),
      ss('TIME-WAIT'),
    ],
  };
}

/**
 * `attempts` client connections from a 6-port range; `who` closes each first.
 * The range has an even size on purpose: __inet_hash_connect scans
 * `remaining &= ~1` ports (even offsets, then odd ones), so with an odd-sized
 * range one port, chosen by the random offset, is never tried, and whether
 * the last free port is found would depend on chance.
 */
function exhaustion(who: 'client' | 'server', attempts: number): Scenario {
  const client: Step[] = [wait('listening')];
  const server: Step[] = [socket('l'), bind('l', PORT, { ok: true }), listen('l', { ok: true }), signal('listening')];
  const ports = 6;
  for (let i = 1; i <= attempts; i++) {
    const s = `s${i}`;
    const c = `c${i}`;
    const fails = who === 'client' && i > ports;
    client.push(socket(s), connect(s, PORT, fails ? { ok: false, errno: 'EADDRNOTAVAIL' } : { ok: true }));
    if (fails) continue;
    server.push(accept('l', c, { ok: true }));
    if (who === 'client') {
      client.push(close(s, { ok: true }), wait(`served-${i}`));
      server.push(recvall(c, { data: '', end: 'eof' }), close(c, { ok: true }), signal(`served-${i}`));
    } else {
      server.push(close(c, { ok: true }));
      client.push(recvall(s, { data: '', end: 'eof' }), close(s, { ok: true }), signal(`closed-${i}`));
      server.push(wait(`closed-${i}`));
    }
  }
  client.push(sleep(100));
  server.push(sleep(100));
  if (who === 'client') {
    client.push(ss(...Array(ports).fill('TIME-WAIT')));
    server.push(ss('LISTEN'));
  } else {
    client.push(ss());
    server.push({
      op: 'ss',
      noCompare:
        'how many TIME_WAIT sockets the server keeps is how many distinct client ports were used: a new SYN ' +
        "replaces the TIME_WAIT of its 4-tuple (item 15), and Linux's port choice (__inet_hash_connect) is not modelled port for port",
    });
  }
  return {
    id: `port-exhaustion-${who}-closes-first`,
    title:
      who === 'client'
        ? 'Six ephemeral ports, client closes first: each port waits in TIME_WAIT, the seventh connect() fails with EADDRNOTAVAIL'
        : 'Six ephemeral ports, server closes first: TIME_WAIT sits on the server, ten connects in a row succeed',
    teaches: '18',
    sysctls: { client: { 'net.ipv4.ip_local_port_range': '40000 40005', 'net.ipv4.tcp_tw_reuse': 0 } },
    client,
    server,
    ...(who === 'server'
      ? {
          counts: [
            {
              side: 'client' as const,
              flags: 'R',
              noCompare:
                'in rare kernel runs (one of about a hundred here) the client sends one RST: a SYN on a reused port that meets ' +
                "the server's TIME_WAIT can be answered with an ACK, which the client resets before it retransmits the SYN. " +
                'Every connect() still succeeds; which port Linux reuses when is not modelled port for port',
            },
          ],
        }
      : {}),
    deliberate: ['Ephemeral port numbers are never compared: Linux picks them with a hash and a random offset (__inet_hash_connect).'],
  };
}

/**
 * One ephemeral port; the client closes first, then connects again before and
 * after TIME_WAIT is 1 s old (tcp_twsk_unique: with tcp_tw_reuse the port
 * search may take over a TIME_WAIT whose peer sent timestamps, after
 * tcp_tw_reuse_delay, 1 s; 2 means only for loopback addresses, a
 * `ipv4_is_loopback` source or destination, not merely a path over lo).
 * `to`: the peer is the server across the veth (the default), or a listener
 * of the client's own at 127.0.0.1 ('loopback') or at its own address ('self').
 */
function twReuse(reuse: 0 | 1 | 2, options: { timestamps?: 0 | 1; to?: 'loopback' | 'self'; id?: string; late?: boolean } = {}): Scenario {
  const timestamps = options.timestamps ?? 1;
  const to = options.to;
  const takesOver = timestamps === 1 && (reuse === 1 || (reuse === 2 && to === 'loopback'));
  const where = to === 'loopback' ? ' to 127.0.0.1' : to === 'self' ? " to the host's own address" : '';
  // late: the connection lives 600 ms before it closes, and the first attempt comes 0.85 s
  // into TIME_WAIT: after a change of second on the clock, still before the delay has passed
  // (it counts from the entry into TIME_WAIT, tw_entry_stamp, in ms since Linux 6.13).
  const late = options.late ?? false;
  const id = options.id ?? `tw-reuse-${reuse}${to ? `-${to}` : ''}${timestamps ? '' : '-timestamps-off'}${late ? '-delay-from-entry' : ''}`;
  const title =
    `tcp_tw_reuse=${reuse}${timestamps ? '' : ', timestamps off'}: a connect()${where} on the only port, held in TIME_WAIT, ` +
    (takesOver ? 'fails before 1 s and succeeds after' : 'keeps failing with EADDRNOTAVAIL');
  const sysctls = {
    client: { 'net.ipv4.ip_local_port_range': '40000 40000', 'net.ipv4.tcp_tw_reuse': reuse, 'net.ipv4.tcp_timestamps': timestamps },
  };
  const reconnect = (first: string[], after: string[]): Step[] => [
    // Before the 1 s of tcp_tw_reuse_delay has passed, whatever else is slow.
    ...(late ? [sleep(800)] : []),
    socket('s2'),
    connect('s2', PORT, { ok: false, errno: 'EADDRNOTAVAIL' }, to),
    ss(...first),
    sleep(late ? 500 : 1300),
    socket('s3'),
    connect('s3', PORT, takesOver ? { ok: true } : { ok: false, errno: 'EADDRNOTAVAIL' }, to),
    // Over loopback the listener's end must see the last ACK of the handshake first.
    ...(to ? [sleep(50)] : []),
    ss(...after),
  ];
  if (to) {
    // Both ends on the client: its own listener, and the TIME_WAIT of the client's end.
    return {
      id,
      title,
      teaches: '19',
      sysctls,
      client: [
        socket('l'),
        bind('l', PORT, { ok: true }),
        listen('l', { ok: true }),
        socket('s1'),
        connect('s1', PORT, { ok: true }, to),
        accept('l', 'c1', { ok: true }),
        close('s1', { ok: true }),
        recvall('c1', { data: '', end: 'eof' }),
        close('c1', { ok: true }),
        sleep(50),
        // With a takeover, the new connection waits in the listener's accept queue (ss lists it).
        ...reconnect(['LISTEN', 'TIME-WAIT'], takesOver ? ['ESTAB', 'ESTAB', 'LISTEN'] : ['LISTEN', 'TIME-WAIT']),
      ],
      server: [],
    };
  }
  return {
    id,
    title,
    teaches: '19',
    sysctls,
    client: [
      ...connectOne('s1'),
      ...(late ? [sleep(600)] : []),
      close('s1', { ok: true }),
      wait('served'),
      // Let the server's FIN arrive (the simulated link has 1 ms of delay).
      sleep(50),
      ...reconnect(['TIME-WAIT'], [takesOver ? 'ESTAB' : 'TIME-WAIT']),
      signal('done'),
    ],
    server: [
      ...serveOne('c1'),
      recvall('c1', { data: '', end: 'eof' }),
      close('c1', { ok: true }),
      signal('served'),
      wait('done'),
      sleep(50),
      // With reuse the server accepts the new incarnation; its old socket left at the last ACK.
      ss(...(takesOver ? ['ESTAB', 'LISTEN'] : ['LISTEN'])),
    ],
  };
}

/**
 * bind() to an explicit port, then connect() to the peer whose 4-tuple with
 * that port is in TIME_WAIT on this side: __inet_hash_connect checks only that
 * 4-tuple (check_established with no twp), and tcp_twsk_unique then takes over
 * any TIME_WAIT with the peer's timestamps at once, whatever tcp_tw_reuse says;
 * without timestamps the 4-tuple is in use (EADDRNOTAVAIL).
 */
function boundOverTimeWait(timestamps: 0 | 1): Scenario {
  const ok = timestamps === 1;
  return {
    id: `bound-connect-over-time-wait-timestamps-${ok ? 'on' : 'off'}`,
    title: `bind() then connect() on the 4-tuple this side holds in TIME_WAIT, tcp_tw_reuse=0, timestamps ${ok ? 'on: takes it over at once' : 'off: EADDRNOTAVAIL'}`,
    teaches: '15, 19',
    sysctls: { client: { 'net.ipv4.tcp_tw_reuse': 0, 'net.ipv4.tcp_timestamps': timestamps } },
    client: [
      socket('s1'),
      reuseaddr('s1'),
      bind('s1', 45000, { ok: true }),
      wait('listening'),
      connect('s1', PORT, { ok: true }),
      close('s1', { ok: true }),
      wait('served'),
      sleep(50),
      ss('TIME-WAIT'),
      socket('s2'),
      reuseaddr('s2'),
      // SO_REUSEADDR on both: bind() passes the TIME_WAIT (inet_bind_conflict); connect() decides.
      bind('s2', 45000, { ok: true }),
      connect('s2', PORT, ok ? { ok: true } : { ok: false, errno: 'EADDRNOTAVAIL' }),
      ss(ok ? 'ESTAB' : 'TIME-WAIT'),
      signal('done'),
    ],
    server: [
      ...serveOne('c1'),
      recvall('c1', { data: '', end: 'eof' }),
      close('c1', { ok: true }),
      signal('served'),
      ...(ok ? [accept('l', 'c2', { ok: true })] : []),
      wait('done'),
      sleep(50),
      ss(...(ok ? ['ESTAB', 'LISTEN'] : ['LISTEN'])),
    ],
  };
}

const HASHED =
  'which port of the expected parity comes first is a keyed hash and a random offset (secure_ipv4_port_ephemeral, get_random_u32_below), not modelled port for port';

/** The local port of `sock`, expected exactly or among `oneOf` (then not compared: Linux's choice among them is random). */
function localport(sock: string, expect: number | number[]): Step {
  return Array.isArray(expect)
    ? { op: 'localport', sock, expect: { oneOf: expect }, noCompare: HASHED }
    : { op: 'localport', sock, expect: { value: expect } };
}

/**
 * Port parity in a two-port range: bind(0) takes the odd offset first
 * (inet_csk_find_open_port: offset |= 1, "to not pollute connect() users"),
 * connect() the even one (__inet_hash_connect: offset &= ~1). A port bind()
 * holds is never used by connect() (its bind bucket has fastreuse >= 0), nor
 * one a connection holds by bind(0) (every socket on it conflicts).
 */
const parityTwoPorts: Scenario = {
  id: 'ports-bind0-odd-connect-even',
  title: 'ip_local_port_range of two ports: bind(0) takes the odd one, connect() the even one; then neither finds a port',
  teaches: '18',
  sysctls: { client: { 'net.ipv4.ip_local_port_range': '40000 40001' } },
  client: [
    wait('listening'),
    socket('a'),
    bind('a', undefined, { ok: true }),
    localport('a', 40001),
    socket('b'),
    connect('b', PORT, { ok: true }),
    localport('b', 40000),
    socket('c'),
    connect('c', PORT, { ok: false, errno: 'EADDRNOTAVAIL' }),
    socket('d'),
    bind('d', undefined, { ok: false, errno: 'EADDRINUSE' }),
    ss('ESTAB'),
    signal('done'),
  ],
  server: [...serveOne('c1'), wait('done'), ss('ESTAB', 'LISTEN')],
};

/**
 * bind(0) in a four-port range: the odd ports first, then the even ones. With
 * SO_REUSEADDR, inet_csk_find_open_port searches the lower half of the range
 * first (attempt_half), so the order is fixed: 40001, 40000, then 40003, 40002.
 */
function bind0Order(reuse: boolean): Scenario {
  const client: Step[] = [];
  const order = reuse ? [40001, 40000, 40003, 40002] : [[40001, 40003], [40001, 40003], [40000, 40002], [40000, 40002]];
  order.forEach((want, i) => {
    const s = `b${i + 1}`;
    client.push(socket(s));
    if (reuse) client.push(reuseaddr(s));
    client.push(bind(s, undefined, { ok: true }), localport(s, want));
  });
  client.push(socket('b5'));
  if (reuse) client.push(reuseaddr('b5'));
  client.push(bind('b5', undefined, { ok: false, errno: 'EADDRINUSE' }));
  return {
    id: `ports-bind0-order${reuse ? '-reuseaddr' : ''}`,
    title: reuse
      ? 'bind(0) with SO_REUSEADDR in four ports: the lower half first, odd before even (40001, 40000, 40003, 40002), then EADDRINUSE'
      : 'bind(0) in four ports: the two odd ones first, then the two even ones, then EADDRINUSE',
    teaches: '18',
    sysctls: { client: { 'net.ipv4.ip_local_port_range': '40000 40003' } },
    client,
    server: [],
  };
}

/** connect() in a four-port range: the two even ports first, then the odd ones, then EADDRNOTAVAIL. */
const connectOrder: Scenario = (() => {
  const client: Step[] = [wait('listening')];
  const server: Step[] = [socket('l'), bind('l', PORT, { ok: true }), listen('l', { ok: true }), signal('listening')];
  const order = [[40000, 40002], [40000, 40002], [40001, 40003], [40001, 40003]];
  order.forEach((want, i) => {
    const s = `s${i + 1}`;
    client.push(socket(s), connect(s, PORT, { ok: true }), localport(s, want));
    server.push(accept('l', `c${i + 1}`, { ok: true }));
  });
  client.push(socket('s5'), connect('s5', PORT, { ok: false, errno: 'EADDRNOTAVAIL' }), ss('ESTAB', 'ESTAB', 'ESTAB', 'ESTAB'), signal('done'));
  server.push(wait('done'));
  return {
    id: 'ports-connect-order',
    title: 'connect() in four ports to one server: the two even ones first, then the two odd ones, then EADDRNOTAVAIL',
    teaches: '18',
    sysctls: { client: { 'net.ipv4.ip_local_port_range': '40000 40003' } },
    client,
    server,
  };
})();

export const ports: Scenario[] = [
  restart(false, false),
  restart(false, true),
  restart(true, false),
  restart(true, true),
  {
    id: 'two-listeners-reuseaddr',
    title: 'SO_REUSEADDR never lets a second socket bind a port another socket listens on',
    teaches: '17',
    client: [],
    server: [
      socket('l1'),
      reuseaddr('l1'),
      bind('l1', PORT, { ok: true }),
      listen('l1', { ok: true }),
      socket('l2'),
      reuseaddr('l2'),
      bind('l2', PORT, { ok: false, errno: 'EADDRINUSE' }),
      ss('LISTEN'),
    ],
  },
  {
    id: 'two-listeners-reuseport',
    title: 'SO_REUSEPORT on both sockets: two listeners share one port',
    teaches: '17',
    client: [],
    server: [
      socket('l1'),
      reuseport('l1'),
      bind('l1', PORT, { ok: true }),
      listen('l1', { ok: true }),
      socket('l2'),
      reuseport('l2'),
      bind('l2', PORT, { ok: true }),
      listen('l2', { ok: true }),
      ss('LISTEN', 'LISTEN'),
    ],
  },
  exhaustion('client', 7),
  exhaustion('server', 10),
  twReuse(1, { id: 'tw-reuse-on' }),
  twReuse(0, { id: 'tw-reuse-off' }),
  twReuse(2),
  twReuse(1, { timestamps: 0 }),
  twReuse(1, { late: true }),
  twReuse(0, { to: 'loopback' }),
  twReuse(1, { to: 'loopback' }),
  twReuse(2, { to: 'loopback' }),
  twReuse(2, { to: 'self' }),
  boundOverTimeWait(1),
  boundOverTimeWait(0),
  parityTwoPorts,
  bind0Order(false),
  bind0Order(true),
  connectOrder,
  {
    id: 'syn-in-time-wait',
    title: 'A SYN for a 4-tuple in TIME_WAIT opens a new incarnation (sequence number beyond the old one)',
    teaches: '15',
    client: [
      socket('s1'),
      reuseaddr('s1'),
      bind('s1', 45000, { ok: true }),
      wait('listening'),
      connect('s1', PORT, { ok: true }),
      recvall('s1', { data: '', end: 'eof' }),
      close('s1', { ok: true }),
      signal('closed'),
      wait('sampled'),
      socket('s2'),
      reuseaddr('s2'),
      bind('s2', 45000, { ok: true }),
      connect('s2', PORT, { ok: true }),
      ss('ESTAB'),
    ],
    server: [
      ...serveOne('c1'),
      close('c1', { ok: true }),
      wait('closed'),
      sleep(100),
      ss('LISTEN', 'TIME-WAIT'),
      signal('sampled'),
      accept('l', 'c2', { ok: true }),
      ss('ESTAB', 'LISTEN'),
    ],
  },
];
