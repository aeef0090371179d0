// The console's `nstat`, rebuilt from the trace, agrees with the hosts' own
// counters (os.nstat()) at the end of the example programs and of fuzz worlds,
// and at a moment inside a run it shows what had happened by then.
import { describe, expect, it, vi } from 'vitest';
import type { Host, NstatTable, Simulation } from '../../../types/closing-time.d.ts';
import { createWorld } from '../../../src/sim/index.ts';
import { countersFromTrace } from '../../../src/console/nstat.ts';
import { makePlan } from '../../fuzz/plan.ts';
import { runPlan } from '../../fuzz/run-plan.ts';
import closeWaitLeak from '../../../examples/close-wait-leak.ts';
import fourWayClose from '../../../examples/four-way-close.ts';
import halfClose from '../../../examples/half-close.ts';
import lingerAbort from '../../../examples/linger-abort.ts';
import lostLastAck from '../../../examples/lost-last-ack.ts';
import portExhaustion from '../../../examples/port-exhaustion.ts';
import reuseaddrRestart from '../../../examples/reuseaddr-restart.ts';
import simultaneousClose from '../../../examples/simultaneous-close.ts';
import orphanZeroWindow from '../../../content/dead-peers/orphan.ts';

// The examples import the course's package by name, as learners do.
vi.mock('closing-time', () => import('../../../src/sim/index.ts'));

const plain = (t: NstatTable | undefined) => (t ? { ...t } : undefined);

/** Runs a program and returns each host's counters from the host and from the trace. */
async function both(program: (sim: Simulation) => void) {
  const world = createWorld({ seed: 7 });
  const hosts: Host[] = [];
  const host = world.host.bind(world);
  (world as { host: typeof world.host }).host = ((...args: Parameters<typeof world.host>) => {
    const h = host(...args);
    hosts.push(h);
    return h;
  }) as typeof world.host;
  program(world);
  await world.run();
  const rebuilt = countersFromTrace(world.trace);
  return hosts.map((h) => ({ host: h.name, fromHost: plain(h.nstat()), fromTrace: plain(rebuilt.get(h.name)) }));
}

const examples = { closeWaitLeak, fourWayClose, halfClose, lingerAbort, lostLastAck, portExhaustion, reuseaddrRestart, simultaneousClose };

describe('nstat rebuilt from the trace', () => {
  for (const [name, program] of Object.entries(examples)) {
    it(`agrees with os.nstat() at the end of the ${name} example`, async () => {
      const got = await both(program as (sim: Simulation) => void);
      expect(got.length).toBeGreaterThan(0);
      for (const g of got) {
        // A host that never appears in the trace has all counters at 0.
        const trace = g.fromTrace ?? Object.fromEntries(Object.keys(g.fromHost!).map((k) => [k, 0]));
        expect({ host: g.host, counters: trace }).toEqual({ host: g.host, counters: g.fromHost });
      }
    });
  }

  it('agrees with os.nstat() for an orphan that gives up behind a zero window, and for orphans over tcp_max_orphans', async () => {
    const zeroWindow = await both(orphanZeroWindow);
    expect(zeroWindow.find((h) => h.host === 'server')!.fromHost!.TcpExtTCPAbortOnTimeout).toBe(1);
    const tooMany = await both((sim) => {
      const server = sim.host('server');
      const client = sim.host('client');
      server.sysctl('net.ipv4.tcp_max_orphans', 1);
      server.run(async (os) => {
        const ls = os.socket();
        ls.bind({ port: 80 });
        ls.listen();
        for (let i = 0; i < 3; i++) {
          const c = await ls.accept();
          await c.send('x'.repeat(20_000));
          await c.close(); // the first stays an orphan behind the zero window; the next ones are over the limit
        }
      });
      for (let i = 0; i < 3; i++) {
        client.run(async (os) => {
          const s = os.socket();
          s.setsockopt('SO_RCVBUF', 2048);
          await os.sleep(i * 100);
          await s.connect({ host: 'server', port: 80 });
          await os.sleep(600_000);
        });
      }
      sim.until(30_000);
    });
    expect(tooMany.find((h) => h.host === 'server')!.fromHost!.TcpExtTCPAbortOnMemory).toBe(2);
    for (const h of [...zeroWindow, ...tooMany]) expect(h.fromTrace, h.host).toEqual(h.fromHost);
  });

  it('the examples move the counters the course teaches (the comparison above is not of zeros)', async () => {
    const moved = new Set<string>();
    for (const program of Object.values(examples)) {
      for (const g of await both(program as (sim: Simulation) => void)) for (const [k, v] of Object.entries(g.fromHost!)) if (v) moved.add(k);
    }
    for (const name of ['TcpActiveOpens', 'TcpPassiveOpens', 'TcpEstabResets', 'TcpOutRsts', 'TcpRetransSegs', 'TcpExtTW', 'TcpExtTCPAbortOnData']) expect(moved).toContain(name);
  });

  it('agrees with os.nstat() at the end of 60 fuzz worlds (faults, partitions, sysctls, aborts)', async () => {
    const moved = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const r = await runPlan(makePlan(seed));
      const rebuilt = countersFromTrace(r.trace);
      for (const side of ['client', 'server'] as const) {
        const own = { ...r.nstat[side] };
        for (const [k, v] of Object.entries(own)) if (v) moved.add(k);
        const fromTrace = rebuilt.get(side) ? { ...rebuilt.get(side)! } : Object.fromEntries(Object.keys(own).map((k) => [k, 0]));
        expect({ seed, side, counters: fromTrace }).toEqual({ seed, side, counters: own });
      }
    }
    expect(moved.size).toBeGreaterThanOrEqual(8);
  });

  it('at a position inside the run, counts only what happened up to it', async () => {
    const world = createWorld({ seed: 7 });
    const client = world.host('client');
    const server = world.host('server');
    world.link(client, server, { delayMs: 10 });
    server.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen();
      const c = await ls.accept();
      await c.recv();
      await c.close();
    });
    client.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.close();
    });
    await world.run();
    // The orphan's FIN_WAIT_2 minisock is scheduled first (counted: 60 s > 4 s); its move to TIME_WAIT re-arms the same timer (not counted).
    const armed = world.trace.find((e) => e.kind === 'timer' && e.host === 'client' && e.action === 'set' && e.timer === 'fin-wait-2')!;
    const tw = world.trace.find((e) => e.kind === 'state' && e.host === 'client' && e.to === 'TIME_WAIT')!;
    expect(armed.n).toBeLessThan(tw.n);
    const before = countersFromTrace(world.trace, armed.n - 1).get('client')!;
    expect(before.TcpActiveOpens).toBe(1);
    expect(before.TcpExtTW).toBe(0);
    expect(countersFromTrace(world.trace, armed.n).get('client')!.TcpExtTW).toBe(1);
    expect(countersFromTrace(world.trace).get('client')!.TcpExtTW).toBe(1);
  });

  it('a crash starts the counters of the host again', async () => {
    const world = createWorld({ seed: 7 });
    const client = world.host('client');
    const server = world.host('server');
    world.link(client, server, { delayMs: 10 });
    server.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen();
      await ls.accept();
      await os.sleep(100);
      server.crash();
    });
    client.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
    });
    await world.run();
    expect({ ...countersFromTrace(world.trace).get('server')! }).toEqual({ ...server.nstat() });
    expect(server.nstat().TcpPassiveOpens).toBe(0);
  });
});
