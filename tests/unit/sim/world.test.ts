// The world itself: determinism, faults, links, bad arguments, run endings.
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../../src/sim/index.ts';
import { run } from './harness.ts';

function lossyEcho(sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 7, jitterMs: 5, loss: 0.2, duplicate: 0.1, reorder: 0.1 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 7 });
    ls.listen();
    const c = await ls.accept();
    for (;;) {
      const d = await c.recv();
      if (d === '') break;
      await c.send(d);
    }
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 7 });
    let back = '';
    for (let i = 0; i < 20; i++) await s.send(`message ${i};`);
    s.shutdown('SHUT_WR');
    for (;;) {
      const d = await s.recv();
      if (d === '') break;
      back += d;
    }
    (sim as unknown as { echoed: string }).echoed = back;
    await s.close();
  });
}

describe('the world', () => {
  it('same program and seed give the same trace, byte for byte; another seed differs', async () => {
    const a = await run(lossyEcho, { seed: 42 });
    const b = await run(lossyEcho, { seed: 42 });
    const c = await run(lossyEcho, { seed: 43 });
    const ser = (r: typeof a) => r.trace.map((e) => JSON.stringify(e)).join('\n');
    expect(ser(a)).toBe(ser(b));
    expect(ser(a)).not.toBe(ser(c));
    // Loss, duplication and reordering happened, and TCP still delivered every byte in order.
    expect(a.trace.some((e) => e.kind === 'segment' && e.action === 'drop' && e.reason === 'loss')).toBe(true);
    expect((a.world as unknown as { echoed: string }).echoed).toBe(Array.from({ length: 20 }, (_, i) => `message ${i};`).join(''));
  });

  it('a fault rule drops only the nth matching segment', async () => {
    const r = await run((sim) => {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server);
      const f = sim.fault({ action: 'drop', from: client, flags: 'S', nth: 2 });
      server.run(async (os) => {
        const ls = os.socket();
        ls.bind({ port: 80 });
        ls.listen();
        await ls.accept();
      });
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        expect(f.hits).toBe(0);
      });
    });
    expect(r.trace.filter((e) => e.kind === 'segment' && e.action === 'drop')).toHaveLength(0);
    const r2 = await run((sim) => {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server);
      sim.fault({ action: 'drop', from: client, flags: 'S', nth: 1 });
      server.run(async (os) => {
        const ls = os.socket();
        ls.bind({ port: 80 });
        ls.listen();
        await ls.accept();
      });
      client.run(async (os) => {
        await os.socket().connect({ host: 'server', port: 80 });
      });
    });
    const syns = r2.sent('client').filter((e) => e.seg.syn);
    expect(syns).toHaveLength(2);
    expect(syns[1]!.t - syns[0]!.t).toBe(1000); // initial RTO
    expect(syns[1]!.seg.retransmission).toBe(true);
  });

  it('connect to a closed port is refused with RST; to a silent host it times out after the SYN retries', async () => {
    const errs: string[] = [];
    const r = await run((sim) => {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server);
      sim.partition(client, server, { fromMs: 5_000, untilMs: 1_000_000 });
      client.run(async (os) => {
        try {
          await os.socket().connect({ host: 'server', port: 81 });
        } catch (e: any) {
          errs.push(e.code);
        }
        await os.sleep(5_000);
        try {
          await os.socket().connect({ host: 'server', port: 81 });
        } catch (e: any) {
          errs.push(`${e.code} after ${(os.now() - 5_020) / 1000} s`);
        }
      });
    });
    expect(errs).toEqual(['ECONNREFUSED', 'ETIMEDOUT after 127 s']);
    expect(r.sent('client').filter((e) => e.seg.syn)).toHaveLength(1 + 7);
  });

  it('bad arguments throw SocketError EINVAL with a message naming the call', async () => {
    const msgs: string[] = [];
    await run((sim) => {
      sim.host('a').run(async (os) => {
        const s = os.socket();
        for (const f of [
          () => s.bind({ port: 'http' as any }),
          () => s.setsockopt('SO_LINGER', { onoff: true } as any),
          () => s.setsockopt('SO_NOPE' as any, 1 as any),
          () => s.shutdown('SHUT_BOTH' as any),
        ]) {
          try {
            f();
          } catch (e: any) {
            msgs.push(`${e.name} ${e.code}: ${e.message}`);
          }
        }
        await s.connect({ host: 'a', port: 70000 }).catch((e) => msgs.push(`${e.name} ${e.code}: ${e.message}`));
        await s.send(42 as any).catch((e) => msgs.push(`${e.name} ${e.code}: ${e.message}`));
      });
    });
    expect(msgs).toHaveLength(6);
    expect(msgs[0]).toMatch(/^SocketError EINVAL: bind: .*port must be an integer/);
    expect(msgs[1]).toMatch(/SO_LINGER takes/);
    expect(msgs[2]).toMatch(/ENOPROTOOPT/);
    expect(msgs[3]).toMatch(/how must be/);
    expect(msgs[4]).toMatch(/connect: .*port must be an integer from 1 to 65535/);
    expect(msgs[5]).toMatch(/ENOTCONN|EINVAL/);
  });

  it('a run ends at quiescence, lists processes still blocked, and says when only the time limit stopped it', async () => {
    const r = await run((sim) => {
      sim.host('server').run(async (os) => {
        const ls = os.socket();
        ls.bind({ port: 80 });
        ls.listen();
        await ls.accept();
      }, 'httpd');
    });
    expect(r.summary.endedBy).toBe('quiescence');
    expect(r.summary.blocked).toEqual([{ host: 'server', pid: 100, process: 'httpd', waitingIn: 'accept(fd 3)' }]);
    const t = await run(
      (sim) => {
        sim.host('a').run(async (os) => {
          for (;;) await os.sleep(1000);
        });
      },
      { untilMs: 10_000 },
    );
    expect(t.summary.endedBy).toBe('time-limit');
    expect(t.summary.message).toMatch(/virtual-time limit of 10 s/);
  });

  it('an exception in a process is reported and the other processes go on', async () => {
    const r = await run((sim) => {
      const a = sim.host('a');
      a.run(async () => {
        throw new Error('boom');
      }, 'bad');
      a.run(async (os) => {
        await os.sleep(10);
        console.log('still here');
      }, 'good');
    });
    expect(r.summary.failed.map((f) => `${f.process}: ${f.error?.message}`)).toEqual(['bad: boom']);
  });

  it('a process awaiting a promise nobody resolves is listed as blocked, not hung', async () => {
    const r = await run((sim) => {
      sim.host('a').run(async () => {
        await new Promise(() => {});
      }, 'waiter');
    });
    expect(r.summary.endedBy).toBe('quiescence');
    expect(r.summary.blocked[0]!.waitingIn).toMatch(/promise the simulator does not control/);
  });

  it('a crashed host loses its sockets silently; the peer learns by RST when it next sends', async () => {
    let err = '';
    await run((sim) => {
      const client = sim.host('client');
      const server = sim.host('server');
      sim.link(client, server);
      server.run(async (os) => {
        const ls = os.socket();
        ls.bind({ port: 80 });
        ls.listen();
        await ls.accept();
        await os.sleep(1e9);
      });
      sim.at(500, () => server.crash());
      client.run(async (os) => {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await os.sleep(1000);
        await s.send('anyone there?');
        try {
          await s.recv();
        } catch (e: any) {
          err = e.code;
        }
      });
    });
    expect(err).toBe('ECONNRESET');
  });

  it('one process may wait on several calls at once (Promise.all)', async () => {
    let at = -1;
    const r = await run((sim) => {
      sim.host('a').run(async (os) => {
        await Promise.all([os.sleep(5), os.sleep(10)]);
        at = os.now();
      });
    });
    expect(r.summary.failed).toEqual([]);
    expect(at).toBe(10);
  });

  it('a process may await spawned processes (Process.done) and go on making calls', async () => {
    const log: string[] = [];
    const r = await run((sim) => {
      sim.host('a').run(async (os) => {
        const kids = [1, 2, 3].map((i) => os.spawn(async (kos) => {
          await kos.sleep(i * 10);
          log.push(`kid ${i} at ${kos.now()}`);
        }));
        await Promise.all(kids.map((k) => k.done));
        await os.sleep(5);
        log.push(`parent at ${os.now()}`);
      }, 'parent');
    });
    expect(r.summary.blocked).toEqual([]);
    expect(log).toEqual(['kid 1 at 10', 'kid 2 at 20', 'kid 3 at 30', 'parent at 35']);
  });

  it('pure ACKs for out-of-window segments are rate-limited, so two stacks never ACK each other forever', async () => {
    const r = await run(
      (sim) => {
        const client = sim.host('client');
        const server = sim.host('server');
        sim.link(client, server, { delayMs: 5, duplicate: 0.5, reorder: 0.3 });
        server.run(async (os) => {
          const ls = os.socket();
          ls.setsockopt('SO_RCVBUF', 2000);
          ls.bind({ port: 80 });
          ls.listen();
          const c = await ls.accept();
          await os.sleep(3000); // the window stays shut while the client pushes
          while ((await c.recv()) !== '');
          await c.close();
        });
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: 80 });
          await s.send('x'.repeat(50_000));
          await s.close();
        });
      },
      { wallMs: 20_000 },
    );
    expect(r.summary.endedBy).toBe('quiescence');
    expect(r.sent().length).toBeLessThan(2_000);
  });
});
