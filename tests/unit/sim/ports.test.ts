// tcp-semantics 17-19: binding, ephemeral ports, tcp_tw_reuse, tcp_max_tw_buckets.
import { describe, expect, it } from 'vitest';
import type { OS, Simulation, Socket } from '../../../src/sim/index.ts';
import { run } from './harness.ts';

function pair(sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  return { client, server };
}

function tryBind(os: OS, port: number, opts: { reuse?: boolean; reuseport?: boolean } = {}): { s: Socket; err: string } {
  const s = os.socket();
  if (opts.reuse) s.setsockopt('SO_REUSEADDR', true);
  if (opts.reuseport) s.setsockopt('SO_REUSEPORT', true);
  try {
    s.bind({ port });
    return { s, err: 'ok' };
  } catch (e: any) {
    return { s, err: e.code };
  }
}

/** A server whose one connection was closed by the server first (TIME_WAIT on the server), then a restart. */
async function restartMatrix(oldReuse: boolean, newReuse: boolean): Promise<string> {
  let result = '';
  await run((sim) => {
    const { client, server } = pair(sim);
    server.run(async (os) => {
      const ls = os.socket();
      if (oldReuse) ls.setsockopt('SO_REUSEADDR', true);
      ls.bind({ port: 80 });
      ls.listen();
      const c = await ls.accept();
      await c.close(); // server closes first
      await ls.close(); // the "old server" exits
      await os.sleep(1000);
      const { s, err } = tryBind(os, 80, { reuse: newReuse });
      result = err;
      if (err === 'ok') s.listen();
    });
    client.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.recv();
      await s.close();
    });
  });
  return result;
}

describe('binding (tcp-semantics 17)', () => {
  it('17 SO_REUSEADDR restart over TIME_WAIT succeeds only if both the old and the new socket set it', async () => {
    expect(await restartMatrix(false, false)).toBe('EADDRINUSE');
    expect(await restartMatrix(false, true)).toBe('EADDRINUSE'); // the TIME_WAIT socket inherited "no"
    expect(await restartMatrix(true, false)).toBe('EADDRINUSE');
    expect(await restartMatrix(true, true)).toBe('ok');
  });

  it('17 SO_REUSEADDR never allows two listeners on one port; SO_REUSEPORT on both does', async () => {
    const out: string[] = [];
    await run((sim) => {
      const h = sim.host('a');
      h.run(async (os) => {
        const a = tryBind(os, 80, { reuse: true });
        a.s.listen();
        const b = tryBind(os, 80, { reuse: true });
        out.push(`reuseaddr bind: ${b.err}`);
        const c = tryBind(os, 81, { reuseport: true });
        c.s.listen();
        const d = tryBind(os, 81, { reuseport: true });
        d.s.listen();
        out.push(`reuseport: ${d.err}, ${os.ss().inState('LISTEN').length} listeners`);
        const e = tryBind(os, 81, {});
        out.push(`third without flag: ${e.err}`);
      });
    });
    expect(out).toEqual(['reuseaddr bind: EADDRINUSE', 'reuseport: ok, 3 listeners', 'third without flag: EADDRINUSE']);
  });

  it('17 two sockets bound with SO_REUSEADDR: the second listen() fails with EADDRINUSE', async () => {
    let err = '';
    await run((sim) => {
      sim.host('a').run(async (os) => {
        const a = tryBind(os, 80, { reuse: true });
        const b = tryBind(os, 80, { reuse: true });
        expect([a.err, b.err]).toEqual(['ok', 'ok']);
        a.s.listen();
        try {
          b.s.listen();
        } catch (e: any) {
          err = e.code;
        }
      });
    });
    expect(err).toBe('EADDRINUSE');
  });

  it('17 accepted connections inherit the listener flag: restart succeeds over ESTABLISHED ones when both set it', async () => {
    let err = '';
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const ls = tryBind(os, 80, { reuse: true }).s;
        ls.listen();
        await ls.accept();
        await ls.close();
        err = tryBind(os, 80, { reuse: true }).err;
      });
      client.run(async (os) => {
        await os.socket().connect({ host: 'server', port: 80 });
      });
    });
    expect(err).toBe('ok');
  });

  it('17 the port stays held by every accepted connection still open, however many came and went', async () => {
    // 40 connections share port 80 with the listener; 30 end (the client closes first, so no TIME_WAIT on the
    // server), then the listener closes. The 10 still ESTABLISHED keep the port: bind() without SO_REUSEADDR fails.
    const out: string[] = [];
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const ls = tryBind(os, 80, { reuse: true }).s;
        ls.listen(64);
        const conns: Socket[] = [];
        for (let i = 0; i < 40; i++) conns.push(await ls.accept());
        for (const c of conns.slice(0, 30)) {
          await c.recv(); // EOF
          await c.close();
        }
        await ls.close();
        await os.sleep(1000);
        const again = tryBind(os, 80, { reuse: true });
        out.push(`held by ${os.ss().inState('ESTAB').length}: ${tryBind(os, 80).err}, with SO_REUSEADDR: ${again.err}`);
        await again.s.close();
        for (const c of conns.slice(30)) await c.close(); // the server closes these first: TIME_WAIT holds the port
        await os.sleep(1000);
        out.push(`in TIME_WAIT: ${tryBind(os, 80).err}`);
        await os.sleep(60_000);
        out.push(`after TIME_WAIT: ${tryBind(os, 80).err}`);
      });
      client.run(async (os) => {
        const socks: Socket[] = [];
        for (let i = 0; i < 40; i++) {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          socks.push(s);
        }
        for (const s of socks.slice(0, 30)) await s.close();
      });
    });
    expect(out).toEqual(['held by 10: EADDRINUSE, with SO_REUSEADDR: ok', 'in TIME_WAIT: EADDRINUSE', 'after TIME_WAIT: ok']);
  });
});

describe('ephemeral ports (tcp-semantics 18-19)', () => {
  /** n connections to one server; who closes first decides where TIME_WAIT lands. */
  async function shortConnections(n: number, clientClosesFirst: boolean, sysctls: Record<string, number | string> = {}) {
    const errors: string[] = [];
    let done = 0;
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      for (const [k, v] of Object.entries(sysctls)) client.sysctl(k as any, v as any);
      client.sysctl('net.ipv4.ip_local_port_range', '40000 40009'); // 10 ports
      server.run(async (os) => {
        const ls = tryBind(os, 80, { reuse: true }).s;
        ls.listen(4096);
        for (;;) {
          const c = await ls.accept();
          os.spawn(async () => {
            if (clientClosesFirst) await c.recv();
            await c.close();
          });
        }
      });
      client.run(async (os) => {
        for (let i = 0; i < n; i++) {
          const s = os.socket();
          try {
            await s.connect({ host: 'server', port: 80 });
          } catch (e: any) {
            errors.push(e.code);
            continue;
          }
          if (clientClosesFirst) await s.close();
          else {
            await s.recv();
            await s.close();
          }
          done++;
          await os.sleep(100);
        }
      });
    }, { untilMs: 30_000 });
    return { errors, done, r };
  }

  it('18 default ip_local_port_range is 32768-60999', async () => {
    let range = '';
    await run((sim) => {
      const h = sim.host('a');
      range = h.sysctl('net.ipv4.ip_local_port_range');
    });
    expect(range).toBe('32768 60999');
  });

  it('18 client closes first: each port sits in TIME_WAIT, connect() fails with EADDRNOTAVAIL once the range is used up', async () => {
    const { errors, done, r } = await shortConnections(15, true);
    expect(done).toBe(10);
    expect(errors).toEqual(Array(5).fill('EADDRNOTAVAIL'));
    expect(r.world.hosts.find((h) => h.name === 'client')!.ss().inState('TIME-WAIT').length).toBeGreaterThan(0);
  });

  it('18 server closes first: TIME_WAIT sits on the server and the client ports stay free', async () => {
    const { errors, done, r } = await shortConnections(15, false);
    expect(errors).toEqual([]);
    expect(done).toBe(15);
    const server = r.summary.hosts.find((h) => h.name === 'server')!;
    void server;
    expect(r.states('server').filter((s) => s.endsWith('->TIME_WAIT'))).toHaveLength(15);
    expect(r.states('client').filter((s) => s.endsWith('->TIME_WAIT'))).toHaveLength(0);
  });

  it('19 tcp_tw_reuse = 1 lets connect() reuse a TIME_WAIT 4-tuple older than 1 s (with timestamps)', async () => {
    const reuse = await shortConnections(15, true, { 'net.ipv4.tcp_tw_reuse': 1 });
    expect(reuse.errors).toEqual([]);
    const noTs = await shortConnections(15, true, { 'net.ipv4.tcp_tw_reuse': 1, 'net.ipv4.tcp_timestamps': 0 });
    expect(noTs.errors).toContain('EADDRNOTAVAIL');
    // The default, 2, applies to loopback only: not to another host.
    const dflt = await shortConnections(15, true);
    expect(dflt.errors).toContain('EADDRNOTAVAIL');
  });

  it('19 tcp_max_tw_buckets caps TIME_WAIT: past it sockets are destroyed at once, with a warning', async () => {
    const { errors, r } = await shortConnections(15, true, { 'net.ipv4.tcp_max_tw_buckets': 3 });
    expect(errors).toEqual([]);
    expect(r.trace.some((e) => e.kind === 'note' && e.text.includes('time wait bucket table overflow'))).toBe(true);
    expect(r.states('client').filter((s) => s.endsWith('->TIME_WAIT')).length).toBe(3 + 0);
  });
});

describe('how connect() and bind(0) pick ports, and what a bound connect() may take over (Linux __inet_hash_connect, inet_csk_find_open_port, tcp_twsk_unique)', () => {
  /** Local ports of `n` connect()s from one client (each left open), and the errnos. */
  async function connectPorts(range: string, n: number, seed = 7) {
    const ports: number[] = [];
    const errors: string[] = [];
    await run(
      (sim) => {
        const { client, server } = pair(sim);
        client.sysctl('net.ipv4.ip_local_port_range', range);
        server.run(async (os) => {
          const ls = tryBind(os, 80, { reuse: true }).s;
          ls.listen(4096);
          for (;;) await ls.accept();
        });
        client.run(async (os) => {
          for (let i = 0; i < n; i++) {
            const s = os.socket();
            try {
              await s.connect({ host: 'server', port: 80 });
              ports.push(s.localAddress!.port);
            } catch (e: any) {
              errors.push(e.code);
            }
          }
        });
      },
      { seed, untilMs: 10_000 },
    );
    return { ports, errors };
  }

  it('connect() takes ports of even offset in the range first, then odd ones', async () => {
    for (const seed of [1, 2, 3]) {
      const { ports, errors } = await connectPorts('40000 40019', 20, seed);
      expect(errors).toEqual([]);
      expect(new Set(ports).size).toBe(20);
      expect(ports.slice(0, 10).every((p) => (p - 40000) % 2 === 0)).toBe(true);
      expect(ports.slice(10).every((p) => (p - 40000) % 2 === 1)).toBe(true);
    }
  });

  it('with an odd number of ports in the range, connect() never uses one of them (remaining &= ~1)', async () => {
    const { ports, errors } = await connectPorts('40000 40002', 3);
    expect(ports.sort()).toEqual([40000, 40001]);
    expect(errors).toEqual(['EADDRNOTAVAIL']);
  });

  it('bind(0) takes a port of odd offset first, leaving even ones to connect()', async () => {
    const ports: number[] = [];
    await run((sim) => {
      const h = sim.host('a');
      h.sysctl('net.ipv4.ip_local_port_range', '40000 40009');
      h.run(async (os) => {
        for (let i = 0; i < 6; i++) {
          const s = os.socket();
          s.bind({ port: 0 });
          ports.push(s.localAddress!.port);
        }
      });
    });
    expect(ports.slice(0, 5).every((p) => (p - 40000) % 2 === 1)).toBe(true);
    expect((ports[5]! - 40000) % 2).toBe(0);
  });

  it('bind(0) with SO_REUSEADDR searches the lower half of the range first, odd before even, then the upper half', async () => {
    const ports: (number | string)[] = [];
    await run((sim) => {
      const h = sim.host('a');
      h.sysctl('net.ipv4.ip_local_port_range', '40000 40003');
      h.run(async (os) => {
        for (let i = 0; i < 5; i++) {
          const s = os.socket();
          s.setsockopt('SO_REUSEADDR', true);
          try {
            s.bind({ port: 0 });
            ports.push(s.localAddress!.port);
          } catch (e: any) {
            ports.push(e.code);
          }
        }
      });
    });
    // As the kernel does it (conformance scenario ports-bind0-order-reuseaddr).
    expect(ports).toEqual([40001, 40000, 40003, 40002, 'EADDRINUSE']);
  });

  it('tcp_tw_reuse = 2 takes over a TIME_WAIT to 127.0.0.1, not one to the host\'s own address (also over lo)', async () => {
    const results: Record<string, string> = {};
    for (const to of ['127.0.0.1', 'own']) {
      await run((sim) => {
        const h = sim.host('a');
        h.sysctl('net.ipv4.ip_local_port_range', '40000 40000');
        h.run(async (os) => {
          const host = to === 'own' ? h.ip : to;
          const l = os.socket();
          l.bind({ port: 80 });
          l.listen();
          const s1 = os.socket();
          await s1.connect({ host, port: 80 });
          const c1 = await l.accept();
          await s1.close();
          await c1.recv();
          await c1.close();
          await os.sleep(1500);
          const s2 = os.socket();
          try {
            await s2.connect({ host, port: 80 });
            results[to] = 'connected';
          } catch (e: any) {
            results[to] = e.code;
          }
        });
      });
    }
    // As the kernel does it (conformance scenarios tw-reuse-2-loopback, tw-reuse-2-self).
    expect(results).toEqual({ '127.0.0.1': 'connected', own: 'EADDRNOTAVAIL' });
  });

  it('tcp_tw_reuse waits 1 s from the entry into TIME_WAIT, in ms, not for the next second of the peer\'s timestamp', async () => {
    const results: string[] = [];
    await run((sim) => {
      const { client, server } = pair(sim);
      client.sysctl('net.ipv4.ip_local_port_range', '40000 40000');
      client.sysctl('net.ipv4.tcp_tw_reuse', 1);
      server.run(async (os) => {
        const ls = tryBind(os, 80, { reuse: true }).s;
        ls.listen();
        for (;;) {
          const c = await ls.accept();
          os.spawn(async () => {
            await c.recv();
            await c.close();
          });
        }
      });
      client.run(async (os) => {
        const s1 = os.socket();
        await s1.connect({ host: 'server', port: 80 });
        await os.sleep(600);
        await s1.close();
        await os.sleep(50); // the server's FIN has come: TIME_WAIT since about 0.6 s
        for (const wait of [800, 500]) {
          await os.sleep(wait);
          const s = os.socket();
          try {
            await s.connect({ host: 'server', port: 80 });
            results.push('connected');
          } catch (e: any) {
            results.push(e.code);
          }
        }
      });
    });
    // 0.85 s into TIME_WAIT (past a change of second): not yet; 1.35 s: taken over.
    // As the kernel does it (conformance scenario tw-reuse-1-delay-from-entry).
    expect(results).toEqual(['EADDRNOTAVAIL', 'connected']);
  });

  /**
   * A client bound to port 5000 connects to the server, closes first (TIME_WAIT on
   * the client), then a second socket binds 5000 again (SO_REUSEADDR) and connects to
   * the same server port: the same 4-tuple.
   */
  async function boundReconnect(sysctls: Record<string, number>) {
    const out: string[] = [];
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      for (const [k, v] of Object.entries(sysctls)) client.sysctl(k as any, v as any);
      server.run(async (os) => {
        const ls = tryBind(os, 80, { reuse: true }).s;
        ls.listen();
        for (;;) {
          const c = await ls.accept();
          os.spawn(async () => {
            await c.recv();
            await c.close();
          });
        }
      });
      client.run(async (os) => {
        const first = tryBind(os, 5000, { reuse: true }).s;
        await first.connect({ host: 'server', port: 80 });
        await first.close();
        await os.sleep(2000);
        out.push(String(os.ss().inState('TIME-WAIT').length));
        const second = tryBind(os, 5000, { reuse: true }).s;
        try {
          await second.connect({ host: 'server', port: 80 });
          out.push('connected');
        } catch (e: any) {
          out.push(e.code);
        }
      });
    });
    return { out, r };
  }

  it('a connect() from a bound port takes over its 4-tuple\'s TIME_WAIT when timestamps are on, whatever tcp_tw_reuse says', async () => {
    for (const reuse of [0, 1, 2]) {
      const { out, r } = await boundReconnect({ 'net.ipv4.tcp_tw_reuse': reuse });
      expect(out).toEqual(['1', 'connected']);
      expect(r.states('client')).toContain('client TIME_WAIT->CLOSED');
    }
  });

  it('without timestamps the bound connect() fails with EADDRNOTAVAIL while the TIME_WAIT lasts', async () => {
    const { out } = await boundReconnect({ 'net.ipv4.tcp_timestamps': 0 });
    expect(out).toEqual(['1', 'EADDRNOTAVAIL']);
  });

  it('the connection that takes over starts past the old sequence space (snd_nxt + 65537) and echoes the peer\'s last timestamp in its SYN', async () => {
    const { r } = await boundReconnect({});
    const syns = r.sent('client').filter((e) => e.seg.syn);
    const finOfFirst = r.sent('client').find((e) => e.seg.fin)!;
    const oldSndNxt = (finOfFirst.seg.seq + 1) >>> 0;
    expect(syns).toHaveLength(2);
    expect(syns[1]!.seg.seq).toBe((oldSndNxt + 65_537) >>> 0);
    const lastFromServer = r.sent('server').filter((e) => e.seg.tsval !== undefined && e.n < syns[1]!.n).at(-1)!;
    expect(syns[1]!.seg.tsecr).toBe(lastFromServer.seg.tsval);
  });
});


describe('the port search on bitmaps walks the same ports as one lookup per port', () => {
  it('gives the same ports with tcp_tw_reuse 0 (bitmap walk) and 1 (port-by-port walk) while nothing can be taken over, for every range size from 1 to 9', async () => {
    for (let size = 1; size <= 9; size++) {
      const picks: string[] = [];
      for (const reuse of [0, 1]) {
        const ports: (number | string)[] = [];
        await run((sim) => {
          const { client, server } = pair(sim);
          client.sysctl('net.ipv4.ip_local_port_range', `40000 ${40000 + size - 1}`);
          client.sysctl('net.ipv4.tcp_tw_reuse', reuse as 0 | 1);
          client.sysctl('net.ipv4.tcp_timestamps', 0); // no TIME_WAIT is ever reusable: both walks skip the same ports
          server.run(async (os) => {
            const ls = tryBind(os, 80, { reuse: true }).s;
            ls.listen(4096);
            for (;;) await ls.accept();
          });
          client.run(async (os) => {
            for (let i = 0; i < size + 1; i++) {
              const s = os.socket();
              try {
                await s.connect({ host: 'server', port: 80 });
                ports.push(s.localAddress!.port);
              } catch (e: any) {
                ports.push(e.code);
              }
            }
          });
        });
        picks.push(ports.join(' '));
      }
      expect(picks[0], `range of ${size}`).toBe(picks[1]);
      expect(picks[0]).not.toMatch(/^EADDRNOTAVAIL/);
    }
  });
});
