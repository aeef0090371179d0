// One test per numbered behaviour of tcp-semantics.md ("Closing", "SO_LINGER",
// "TIME_WAIT and 2MSL"), each driven through the public program API.
import { describe, expect, it } from 'vitest';
import type { OS, Simulation, Socket } from '../../../src/sim/index.ts';
import { run } from './harness.ts';

/** A client and a server 10 ms apart; the server listens on port 80. */
function pair(sim: Simulation, delayMs = 10) {
  const client = sim.host('client');
  const server = sim.host('server');
  const link = sim.link(client, server, { delayMs });
  return { client, server, link };
}

async function listen(os: OS, port = 80, reuse = false): Promise<Socket> {
  const ls = os.socket();
  if (reuse) ls.setsockopt('SO_REUSEADDR', true);
  ls.bind({ port });
  ls.listen();
  return ls;
}

async function readAll(s: Socket): Promise<string> {
  let all = '';
  for (;;) {
    const d = await s.recv();
    if (d === '') return all;
    all += d;
  }
}

describe('closing (tcp-semantics 1-9)', () => {
  it('1 active close: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED after 60 s; FIN takes one sequence number', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        expect(await c.recv()).toBe('');
        // Longer than the delayed-ACK timeout: the ACK of the client's FIN goes alone, and the client sees FIN_WAIT_2.
        await os.sleep(100);
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await os.sleep(100);
        await s.close();
      });
    });
    expect(r.states('client')).toEqual([
      'client CLOSED->SYN_SENT',
      'client SYN_SENT->ESTABLISHED',
      'client ESTABLISHED->FIN_WAIT_1',
      'client FIN_WAIT_1->FIN_WAIT_2',
      'client FIN_WAIT_2->TIME_WAIT',
      'client TIME_WAIT->CLOSED',
    ]);
    const fin = r.sent('client').find((e) => e.seg.fin)!;
    const ackOfFin = r.sent('server').find((e) => e.seg.ackFlag && e.seg.ack === ((fin.seg.seq + 1) >>> 0));
    expect(ackOfFin).toBeDefined();
    const tw = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.to === 'TIME_WAIT')!;
    const closed = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'TIME_WAIT')!;
    expect(closed.t - tw.t).toBe(60_000);
  });

  it('1 a FIN that also ACKs ours goes from FIN_WAIT_1 through FIN_WAIT_2 to TIME_WAIT on that one segment', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      // Hold back the server's pure ACK of the client's FIN so that its own FIN carries the ACK.
      sim.fault({ action: 'drop', from: server, flags: '=A', state: 'CLOSE_WAIT' });
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await c.recv();
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const states = r.states('client');
    expect(states.slice(states.indexOf('client FIN_WAIT_1->FIN_WAIT_2'), -1)).toEqual(['client FIN_WAIT_1->FIN_WAIT_2', 'client FIN_WAIT_2->TIME_WAIT']);
    const [fw2, tw] = r.trace.filter((e) => e.kind === 'state' && e.host === 'client' && (e.to === 'FIN_WAIT_2' || e.to === 'TIME_WAIT'));
    expect(fw2!.t).toBe(tw!.t);
    // The server's FIN,ACK was the only segment the client got after sending its FIN.
    expect(r.delivered('client').filter((e) => e.t > 0 && e.seg.fin)).toHaveLength(1);
  });

  it('2 simultaneous close: FIN crosses FIN, both sides go through CLOSING and end in TIME_WAIT', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await os.sleep(200 - os.now()); // both close at t = 200 ms
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await os.sleep(200 - os.now());
        await s.close();
      });
    });
    for (const h of ['client', 'server']) {
      const st = r.states(h);
      expect(st).toContain(`${h} FIN_WAIT_1->CLOSING`);
      expect(st).toContain(`${h} CLOSING->TIME_WAIT`);
      expect(st.at(-1)).toBe(`${h} TIME_WAIT->CLOSED`);
    }
  });

  it('3 passive close: the FIN\'s ACK is delayed (alone when the server closes late), recv returns EOF, close sends FIN from LAST_ACK, no TIME_WAIT, late segments get RST', async () => {
    let eof: string | undefined;
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        eof = await c.recv();
        await os.sleep(500);
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
      // A late segment to the closed connection: replay the client's FIN after everything ended.
      sim.fault({ action: 'duplicate', from: client, flags: 'F', delayMs: 5_000 });
    });
    expect(eof).toBe('');
    const st = r.states('server');
    expect(st).toContain('server ESTABLISHED->CLOSE_WAIT');
    expect(st).toContain('server CLOSE_WAIT->LAST_ACK');
    expect(st.at(-1)).toBe('server LAST_ACK->CLOSED');
    expect(st.some((s) => s.includes('TIME_WAIT'))).toBe(false);
    // tcp_fin delays the FIN's ACK (CLOSE_WAIT enters pingpong mode); the server does not close for 500 ms,
    // so the delayed-ACK timer sends the ACK alone, well within TCP_DELACK_MAX.
    const finIn = r.delivered('server').find((e) => e.seg.fin)!;
    const ack = r.sent('server').find((e) => e.seg.flags === '.' && e.seg.ack === ((finIn.seg.seq + 1) >>> 0));
    expect(ack).toBeDefined();
    expect(ack!.t).toBeGreaterThan(finIn.t);
    expect(ack!.t - finIn.t).toBeLessThanOrEqual(200);
    // The duplicate FIN reaches the client in TIME_WAIT (re-ACKed) ... and nothing answers with RST from the server side,
    // because the server's socket is gone: the client's TIME_WAIT ACK is what the server sees, and it answers RST.
    expect(r.sent('server').some((e) => e.seg.rst)).toBe(true);
  });

  it('4 CLOSE_WAIT has no timer: a server that never closes keeps it until the run ends', async () => {
    const r = await run(
      (sim) => {
        const { client, server } = pair(sim);
        server.run(async (os) => {
          const c = await (await listen(os)).accept();
          await c.recv(); // EOF, then forgets to close
          await os.sleep(1_000_000);
        });
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.close();
        });
      },
      { untilMs: 900_000 },
    );
    const server = r.summary.hosts.find((h) => h.name === 'server')!;
    expect(server.ss.inState('CLOSE-WAIT')).toHaveLength(1);
    // Meanwhile the client's orphaned FIN_WAIT_2 gave up after tcp_fin_timeout.
    expect(r.summary.hosts.find((h) => h.name === 'client')!.ss.length).toBe(0);
  });

  it('5 half-close: SHUT_WR sends FIN, send then fails with EPIPE, data from the peer still arrives, no FIN_WAIT_2 timeout', async () => {
    let reply = '';
    let sendErr = '';
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        const req = await readAll(c);
        await os.sleep(120_000); // longer than tcp_fin_timeout: the client is not an orphan
        await c.send(`echo:${req}`);
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.send('hello');
        s.shutdown('SHUT_WR');
        try {
          await s.send('more');
        } catch (e: any) {
          sendErr = e.code;
        }
        reply = await readAll(s);
        await s.close();
      });
    });
    expect(sendErr).toBe('EPIPE');
    expect(reply).toBe('echo:hello');
    const st = r.states('client');
    expect(st).toContain('client FIN_WAIT_1->FIN_WAIT_2');
    expect(st).toContain('client FIN_WAIT_2->TIME_WAIT');
  });

  it('6 FIN_WAIT_2 timeout: an orphan vanishes after tcp_fin_timeout and a later segment gets RST', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      client.sysctl('net.ipv4.tcp_fin_timeout', 5);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await c.recv(); // EOF
        await os.sleep(10_000);
        await c.send('too late'); // the client's socket is gone by now
        await os.sleep(1_000);
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const gone = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'FIN_WAIT_2' && e.to === 'CLOSED')!;
    const fin = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.to === 'FIN_WAIT_2')!;
    expect(gone.t - fin.t).toBe(5_000);
    const rst = r.sent('client').find((e) => e.seg.rst)!;
    expect(rst.t).toBeGreaterThan(gone.t);
  });

  it('6 FIN_WAIT_2 timeout: an orphan queued behind 100 TIME_WAIT sockets still goes after tcp_fin_timeout', async () => {
    // Minisock timers share one queue per host, in expiry order: a shorter timer behind longer ones must not wait for
    // them. 30 connections first, gone before the next 100 come: the queue wraps and grows with entries behind its head.
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      client.sysctl('net.ipv4.tcp_fin_timeout', 5);
      server.run(async (os) => {
        const ls = await listen(os);
        for (let i = 0; i < 131; i++) {
          const c = await ls.accept();
          os.spawn(async () => {
            await c.recv(); // EOF
            if (i < 130) await c.close(); // the last one stays half-open: the client's orphan waits in FIN_WAIT_2
            else await os.sleep(30_000);
          });
        }
      });
      client.run(async (os) => {
        for (let i = 0; i < 131; i++) {
          if (i === 30) await os.sleep(61_000);
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.close();
        }
      });
    });
    const states = r.trace.filter((e) => e.kind === 'state' && e.host === 'client');
    const tw = states.filter((e) => e.kind === 'state' && e.to === 'TIME_WAIT');
    const twGone = states.filter((e) => e.kind === 'state' && e.from === 'TIME_WAIT' && e.to === 'CLOSED');
    expect(tw).toHaveLength(130);
    expect(twGone).toHaveLength(130);
    twGone.forEach((e, i) => expect(e.t - tw[i]!.t).toBe(60_000));
    const fw2 = states.filter((e) => e.kind === 'state' && e.to === 'FIN_WAIT_2').at(-1)!;
    const fw2Gone = states.find((e) => e.kind === 'state' && e.from === 'FIN_WAIT_2' && e.to === 'CLOSED')!;
    expect(fw2Gone.t - fw2.t).toBe(5_000);
    expect(fw2Gone.t).toBeLessThan(twGone[30]!.t); // before the 100 TIME_WAITs queued ahead of it
  });

  it('7 writing to a peer that has fully closed: first send succeeds, the peer answers RST, later sends fail with EPIPE', async () => {
    const results: string[] = [];
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await c.recv(); // EOF: client closed
        results.push(`first: ${await c.send('one')}`);
        await os.sleep(100);
        try {
          await c.send('two');
          results.push('second: ok');
        } catch (e: any) {
          results.push(`second: ${e.code}`);
        }
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    expect(results).toEqual(['first: 3', 'second: EPIPE']);
    expect(r.sent('client').filter((e) => e.seg.rst)).toHaveLength(1);
  });

  it('7 a pending recv sees ECONNRESET when the peer resets an open connection', async () => {
    let err = '';
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        c.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        await os.sleep(50);
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        try {
          await s.recv();
        } catch (e: any) {
          err = e.code;
        }
      });
    });
    expect(err).toBe('ECONNRESET');
  });

  it('8 close() with unread data sends RST instead of FIN, skips TIME_WAIT, and the peer recv fails with ECONNRESET', async () => {
    let err = '';
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await os.sleep(100); // the request arrives but is never read
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.send('GET / HTTP/1.0\r\n\r\n');
        try {
          await s.recv();
        } catch (e: any) {
          err = e.code;
        }
      });
    });
    const fromServer = r.sent('server').filter((e) => e.t >= 100);
    expect(fromServer[0]!.seg.flags).toBe('R.');
    expect(fromServer.some((e) => e.seg.fin)).toBe(false);
    expect(r.states('server').some((s) => s.includes('TIME_WAIT'))).toBe(false);
    expect(err).toBe('ECONNRESET');
  });

  it('8 an unread FIN alone is not unread data: close() in CLOSE_WAIT sends FIN', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await os.sleep(100); // the FIN arrived, nobody called recv
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const fromServer = r.sent('server').filter((e) => e.t >= 100);
    expect(fromServer[0]!.seg.flags).toBe('F.');
    expect(r.sent().some((e) => e.seg.rst)).toBe(false);
  });

  it('9 data arriving at an orphaned socket in FIN_WAIT_2 is answered with RST', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await c.recv();
        await c.send('late reply');
        await os.sleep(100);
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const data = r.delivered('client').find((e) => e.seg.len > 0)!;
    const rst = r.sent('client').find((e) => e.seg.rst)!;
    expect(rst.t).toBe(data.t);
  });

  it('9 data arriving at an orphaned socket in FIN_WAIT_1 is answered with RST, sent once the ACK of its FIN took it to FIN_WAIT_2', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      // The ACK of the client's FIN is lost, so the client stays in FIN_WAIT_1 when the data comes.
      sim.fault({ action: 'drop', from: server, flags: '=A', state: 'CLOSE_WAIT', nth: 1 });
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await os.sleep(50);
        await c.send('data after your close');
        await os.sleep(100);
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const rst = r.sent('client').find((e) => e.seg.rst)!;
    expect(rst).toBeDefined();
    // The data segment also ACKs the client's FIN (its first ACK was lost): the ACK step comes first.
    expect(rst.state).toBe('FIN_WAIT_2');
    expect(r.states('client').slice(-2)).toEqual(['client FIN_WAIT_1->FIN_WAIT_2', 'client FIN_WAIT_2->CLOSED']);
  });
});

describe('SO_LINGER (tcp-semantics 10-11)', () => {
  it('10 linger 0: close() aborts with RST, no TIME_WAIT; the peer reads delivered data, then ECONNRESET', async () => {
    const got: string[] = [];
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await os.sleep(100);
        try {
          for (;;) got.push(await c.recv());
        } catch (e: any) {
          got.push(e.code);
        }
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.send('delivered');
        await os.sleep(50);
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        await s.close();
      });
    });
    expect(got).toEqual(['delivered', 'ECONNRESET']);
    expect(r.sent('client').at(-1)!.seg.rst).toBe(true);
    expect(r.states('client').some((s) => s.includes('TIME_WAIT'))).toBe(false);
    expect(r.states('client').at(-1)).toBe('client ESTABLISHED->CLOSED');
  });

  it('11 linger N > 0 with a peer that does not read: close() blocks N seconds, returns success, the orphan goes on', async () => {
    let closedAt = -1;
    let startedAt = -1;
    const r = await run(
      (sim) => {
        const { client, server } = pair(sim);
        server.run(async (os) => {
          const ls = await listen(os);
          ls.setsockopt('SO_RCVBUF', 4096);
          await ls.accept();
          await os.sleep(1_000_000); // never reads
        });
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          s.setsockopt('SO_LINGER', { onoff: true, linger: 3 });
          await s.send('x'.repeat(20_000));
          startedAt = os.now();
          await s.close();
          closedAt = os.now();
        });
      },
      { untilMs: 20_000 },
    );
    expect(closedAt - startedAt).toBe(3_000);
    // Nothing was reset at the timeout: the orphan is still in FIN_WAIT_1 with data queued.
    expect(r.sent('client').some((e) => e.seg.rst)).toBe(false);
    const row = r.summary.hosts.find((h) => h.name === 'client')!.ss[0]!;
    expect(row.state).toBe('FIN-WAIT-1');
    expect(row.sendQ).toBeGreaterThan(0);
  });

  it('11 linger N > 0 with a reading peer: close() returns as soon as the FIN is ACKed', async () => {
    let took = -1;
    await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await readAll(c);
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        s.setsockopt('SO_LINGER', { onoff: true, linger: 10 });
        await s.send('hello');
        const t0 = os.now();
        await s.close();
        took = os.now() - t0;
      });
    });
    expect(took).toBe(20); // one round trip
  });
});

describe('TIME_WAIT and 2MSL (tcp-semantics 12-16)', () => {
  it('12 TIME_WAIT lasts 60 s on linux and 2 x MSL on rfc9293', async () => {
    for (const [opts, expected] of [
      [{}, 60_000],
      [{ profile: 'rfc9293' as const }, 240_000],
      [{ profile: 'rfc9293' as const, mslMs: 30_000 }, 60_000 * 1],
    ] as const) {
      const r = await run((sim) => {
        sim.configure(opts);
        const { client, server } = pair(sim);
        server.run(async (os) => {
          const c = await (await listen(os)).accept();
          await c.recv();
          await c.close();
        });
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.close();
        });
      });
      const tw = r.trace.find((e) => e.kind === 'state' && e.to === 'TIME_WAIT')!;
      const end = r.trace.find((e) => e.kind === 'state' && e.from === 'TIME_WAIT')!;
      expect(end.t - tw.t).toBe(expected);
    }
  });

  it('13 lost last ACK: LAST_ACK retransmits its FIN with back-off; TIME_WAIT re-ACKs it and restarts its timer', async () => {
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      sim.fault({ action: 'drop', from: client, state: 'TIME_WAIT', count: 2, nth: 1 });
      server.run(async (os) => {
        const c = await (await listen(os)).accept();
        await c.recv();
        await c.close();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.close();
      });
    });
    const fins = r.sent('server').filter((e) => e.seg.fin);
    expect(fins).toHaveLength(3);
    expect(fins[1]!.seg.retransmission).toBe(true);
    const gap1 = fins[1]!.t - fins[0]!.t;
    const gap2 = fins[2]!.t - fins[1]!.t;
    expect(gap2).toBe(2 * gap1); // exponential back-off
    const acks = r.sent('client').filter((e) => e.state === 'TIME_WAIT');
    expect(acks).toHaveLength(3);
    const end = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'TIME_WAIT')!;
    const lastFinIn = r.delivered('client').filter((e) => e.seg.fin).at(-1)!;
    expect(end.t - lastFinIn.t).toBe(60_000); // restarted by the last retransmitted FIN
    expect(r.states('server').at(-1)).toBe('server LAST_ACK->CLOSED');
  });

  it('14 RST in TIME_WAIT: kills it by default (assassination); ignored with tcp_rfc1337 = 1', async () => {
    // RFC 1337's scenario: an old duplicate FIN reaches the client in TIME_WAIT, the client
    // ACKs it, the server (whose socket is long gone) answers that ACK with RST, seq = rcv_nxt.
    for (const rfc1337 of [0, 1] as const) {
      const r = await run((sim) => {
        const { client, server } = pair(sim);
        client.sysctl('net.ipv4.tcp_rfc1337', rfc1337);
        sim.fault({ action: 'duplicate', from: server, flags: 'F', delayMs: 2_000 });
        server.run(async (os) => {
          const c = await (await listen(os)).accept();
          await c.recv();
          await c.close();
        });
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.close();
        });
      });
      const rstIn = r.delivered('client').find((e) => e.seg.rst);
      expect(rstIn).toBeDefined();
      const end = r.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'TIME_WAIT')!;
      if (rfc1337 === 0) {
        expect(end.t).toBe(rstIn!.t);
        expect((end as any).cause).toContain('assassination');
      } else {
        expect(end.t).toBeGreaterThan(rstIn!.t + 50_000);
      }
    }
  });

  it('15 a SYN for a TIME_WAIT 4-tuple opens a new incarnation when its sequence number is newer', async () => {
    let second = '';
    const r = await run((sim) => {
      const { client, server } = pair(sim);
      server.run(async (os) => {
        const ls = await listen(os, 80, true);
        for (;;) {
          const c = await ls.accept();
          await c.send('bye');
          await c.close(); // the server closes first: TIME_WAIT is on the server
        }
      });
      client.run(async (os) => {
        for (let i = 0; i < 2; i++) {
          const s = os.socket();
          s.setsockopt('SO_REUSEADDR', true);
          s.bind({ port: 40000 });
          await s.connect({ host: 'server', port: 80 });
          second = await readAll(s);
          await s.close();
          await os.sleep(5_000);
        }
      });
    });
    expect(second).toBe('bye');
    const kill = r.trace.find((e) => e.kind === 'state' && e.host === 'server' && e.from === 'TIME_WAIT')!;
    expect((kill as any).cause).toContain('new incarnation');
    expect(kill.t).toBeLessThan(10_000);
  });

  it('16 why TIME_WAIT: with TIME_WAIT shorter than the network delay, an old duplicate corrupts the next incarnation', async () => {
    // Stacks whose ISN repeats for a 4-tuple (isn: 'per-tuple') rely on TIME_WAIT alone; RFC 6528's clock-driven ISN is a second guard.
    const runIt = (profile: 'rfc9293' | 'linux', reconnectAt: number) => {
      const got: string[] = [];
      const errors: string[] = [];
      return run(
        (sim) => {
          sim.configure({ profile, mslMs: 100 }); // rfc9293: TIME_WAIT = 200 ms
          const client = sim.host('client', { isn: 'per-tuple' });
          const server = sim.host('server', { isn: 'per-tuple' });
          sim.link(client, server, { delayMs: 10 });
          for (const h of [client, server]) h.sysctl('net.ipv4.tcp_timestamps', 0); // no PAWS either
          // The first connection's data is duplicated; the copy wanders for 3 s.
          sim.fault({ action: 'duplicate', from: client, payload: 'OLD-DATA', delayMs: 3_000 });
          server.run(async (os) => {
            const ls = await listen(os, 80, true);
            for (;;) {
              const c = await ls.accept();
              got.push(await readAll(c));
              await c.close();
            }
          });
          client.run(async (os) => {
            // [data, connect at, send at]: the new data goes out after the wandering copy arrived (t = 3110).
            for (const [msg, at, sendAt] of [['OLD-DATA', 0, 100], ['new-data', reconnectAt, reconnectAt + 3_000]] as const) {
              await os.sleep(Math.max(0, at - os.now()));
              const s = os.socket();
              s.setsockopt('SO_REUSEADDR', true);
              s.bind({ port: 40000 });
              try {
                await s.connect({ host: 'server', port: 80 });
              } catch (e: any) {
                errors.push(e.code);
                continue;
              }
              await os.sleep(sendAt - os.now());
              await s.send(msg);
              s.shutdown('SHUT_WR');
              await readAll(s);
              await s.close();
            }
          });
        },
        { untilMs: 200_000 },
      ).then((r) => ({ r, got, errors }));
    };
    const short = await runIt('rfc9293', 2_000);
    expect(short.got).toEqual(['OLD-DATA', 'OLD-DATA']); // the second connection read the old incarnation's bytes
    const protectedRun = await runIt('linux', 2_000);
    expect(protectedRun.errors).toEqual(['EADDRNOTAVAIL']); // TIME_WAIT (60 s) still holds the 4-tuple
    const later = await runIt('linux', 62_000);
    expect(later.got).toEqual(['OLD-DATA', 'new-data']); // after TIME_WAIT the copy is long dead
  });
});
