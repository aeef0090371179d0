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

/** One ephemeral port; the client closes first, then connects again before and after TIME_WAIT is 1 s old. */
function twReuse(reuse: 0 | 1): Scenario {
  return {
    id: `tw-reuse-${reuse ? 'on' : 'off'}`,
    title: `tcp_tw_reuse=${reuse}: a connect() on the only port, held in TIME_WAIT, ${reuse ? 'fails before 1 s and succeeds after' : 'keeps failing with EADDRNOTAVAIL'}`,
    teaches: '19',
    sysctls: {
      client: { 'net.ipv4.ip_local_port_range': '40000 40000', 'net.ipv4.tcp_tw_reuse': reuse, 'net.ipv4.tcp_timestamps': 1 },
    },
    client: [
      ...connectOne('s1'),
      close('s1', { ok: true }),
      wait('served'),
      // Let the server's FIN arrive (the simulated link has 1 ms of delay).
      sleep(50),
      // Before the 1 s of tcp_tw_reuse_delay has passed, whatever else is slow.
      socket('s2'),
      connect('s2', PORT, { ok: false, errno: 'EADDRNOTAVAIL' }),
      ss('TIME-WAIT'),
      sleep(1300),
      socket('s3'),
      connect('s3', PORT, reuse ? { ok: true } : { ok: false, errno: 'EADDRNOTAVAIL' }),
      ss(reuse ? 'ESTAB' : 'TIME-WAIT'),
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
      ss(...(reuse ? ['ESTAB', 'LISTEN'] : ['LISTEN'])),
    ],
  };
}

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
  twReuse(1),
  twReuse(0),
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
