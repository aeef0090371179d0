// A lab hands the learner's code an OS, sockets, a Host and Processes, and then
// judges the run by the world's trace. Nothing the learner's code can reach by
// reading properties of those objects may lead to the trace, the kernel, a
// stack or the world: otherwise a solution could rewrite the evidence.
import { describe, expect, it } from 'vitest';
import { createWorld } from '../../../src/sim/index.ts';
import type { OS, Process, Socket } from '../../../src/sim/index.ts';

const INTERNAL = new Set(['Stack', 'Tcb', 'TimeWait', 'HostImpl', 'Proc', 'Scheduler', 'TraceBus', 'Network', 'WorldImpl', 'EventQueue', 'Timeline', 'ConnTable', 'WaiterImpl', 'LinkImpl', 'Segment', 'SegPath', 'Ev']);

/** Every object reachable from `roots` through own and inherited properties and getters (not by calling methods). */
function reachable(roots: unknown[]): Set<object> {
  const seen = new Set<object>();
  const queue = roots.filter((r): r is object => typeof r === 'object' && r !== null);
  while (queue.length) {
    const o = queue.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    for (let p: object | null = o; p && p !== Object.prototype && p !== Function.prototype && p !== Promise.prototype && p !== Array.prototype; p = Object.getPrototypeOf(p)) {
      queue.push(p);
      for (const key of Reflect.ownKeys(p)) {
        const d = Object.getOwnPropertyDescriptor(p, key)!;
        let v: unknown;
        if ('value' in d) v = d.value;
        else if (d.get) {
          try {
            v = d.get.call(o);
          } catch {
            continue;
          }
        }
        if ((typeof v === 'object' || typeof v === 'function') && v !== null) queue.push(v as object);
      }
    }
  }
  return seen;
}

describe("what a learner's code can reach", () => {
  it('reaches no trace, kernel, stack or world from its os, sockets, host and processes', async () => {
    const world = createWorld({ seed: 3 });
    const server = world.host('server');
    const client = world.host('client');
    world.link(client, server, { delayMs: 5 });
    const held: unknown[] = [];
    server.run(async (os: OS) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen();
      const conn: Socket = await ls.accept();
      const child: Process = os.spawn(async () => {}, 'child');
      held.push(os, ls, conn, child, os.host, child.host, child.done);
      await conn.recv();
      await conn.close();
      await ls.close();
    });
    client.run(async (os: OS) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      held.push(os, s);
      await s.close();
    });
    await world.run();
    expect(held.length).toBe(9);
    const seen = reachable(held);
    expect(seen.has(world.trace as object)).toBe(false);
    const internal = [...seen].map((o) => (o as { constructor?: { name?: string } }).constructor?.name).filter((n) => n && INTERNAL.has(n));
    expect([...new Set(internal)]).toEqual([]);
  });

  it('still lets hosts a program holds be linked, faulted and partitioned', async () => {
    const world = createWorld({ seed: 3 });
    const a = world.host('a');
    const b = world.host('b');
    const link = world.link(a, b, { delayMs: 5 });
    expect(link.a).toBe(a);
    world.partition(a, b, { fromMs: 0, untilMs: 10 });
    world.fault({ action: 'drop', from: a, state: 'TIME_WAIT' });
    expect(world.hosts).toEqual([a, b]);
    expect(() => world.link(a, { name: 'b' } as never)).toThrow(/is not a host of this simulation/);
  });
});

describe('whom the trace shows making a socket call', () => {
  it("is the socket's own host even when code resumed by another host's process makes it", async () => {
    const world = createWorld({ seed: 5 });
    const a = world.host('a');
    const b = world.host('b');
    world.link(a, b, { delayMs: 2 });
    let go: () => void = () => {};
    const signal = new Promise<void>((resolve) => (go = resolve));
    b.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 9 });
      ls.listen();
      const conn = await ls.accept();
      await os.sleep(50);
      go(); // a's opener resumes inside this process's slice
      await conn.recv();
      await conn.close();
    }, 'server');
    a.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'b', port: 9 });
      await signal;
      await s.close();
    }, 'opener');
    await world.run();
    const closes = world.trace.filter((e) => e.kind === 'syscall' && e.call === 'close' && e.phase === 'return');
    expect(closes.map((e) => (e.kind === 'syscall' ? `${e.host}/${e.process}` : ''))).toEqual(['a/opener', 'b/server']);
  });
});
