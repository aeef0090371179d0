// A run with several connections between the same two hosts: the ladder names
// each arrow's ports, lists the connections, and draws one of them on request.
import { describe, expect, it } from 'vitest';
import type { Simulation, TraceEvent } from '../../types/closing-time.d.ts';
import { createWorld } from '../../src/sim/index.ts';
import { buildLadder, listConnections } from '../../src/components/ladder/model.ts';
import { arrowText, renderLadderHeader, renderLadderSvg } from '../../src/components/ladder/render.ts';

async function fourConnections(): Promise<readonly TraceEvent[]> {
  const world = createWorld({ seed: 7 });
  const sim = world as unknown as Simulation;
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    for (let i = 0; i < 4; i++) {
      const c = await ls.accept();
      await c.recv();
      await c.close();
    }
  });
  client.run(async (os) => {
    for (let i = 0; i < 4; i++) {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.close();
      await os.sleep(5);
    }
  });
  await world.run();
  return world.trace;
}

describe('ladder connections', () => {
  it('names each arrow’s ports, source first', async () => {
    const events = await fourConnections();
    const m = buildLadder(events);
    const syn = m.arrows.find((a) => a.flags === 'S')!;
    expect(syn.ports).toMatch(/^\d+→80$/);
    expect(arrowText(syn)).toBe(`S ${syn.ports} seq 0`);
    expect(renderLadderSvg(m)).toContain(`S ${syn.ports} seq 0`);
  });

  it('lists every connection once, in order, the side that sent first on the left', async () => {
    const events = await fourConnections();
    const conns = listConnections(events);
    expect(conns).toHaveLength(4);
    for (const c of conns) expect(c.label).toMatch(/^10\.0\.0\.\d+:\d+ ↔ 10\.0\.0\.\d+:80$/);
    expect(new Set(conns.map((c) => c.key)).size).toBe(4);
  });

  it('draws only the chosen connection, with its own state changes', async () => {
    const events = await fourConnections();
    const all = buildLadder(events);
    const [first, second] = listConnections(events);
    const one = buildLadder(events, { connection: second!.key });
    const port = second!.label.split(' ↔ ')[0]!.split(':')[1]!;
    expect(one.arrows.length).toBeGreaterThan(0);
    expect(one.arrows.length).toBeLessThan(all.arrows.length);
    for (const a of one.arrows) expect(a.ports.split('→')).toContain(port);
    expect(one.states.some((s) => s.state === 'TIME_WAIT')).toBe(true);
    expect(one.height).toBeLessThan(all.height);
    expect(buildLadder(events, { connection: first!.key }).arrows.every((a) => !a.ports.split('→').includes(port))).toBe(true);
  });

  it('labels absolute sequence numbers when asked, as tcpdump -S', async () => {
    const events = await fourConnections();
    const m = buildLadder(events, { numbering: 'absolute' });
    const synEv = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.flags === 'S')!;
    const seq = synEv.kind === 'segment' ? synEv.seg.seq : -1;
    expect(m.arrows[0]!.label).toBe(`S seq ${seq}`);
  });

  it('draws the host names as a separate strip as wide as the diagram', async () => {
    const m = buildLadder(await fourConnections());
    const head = renderLadderHeader(m);
    expect(head).toContain('>client</span>');
    expect(head).toContain(`width:${m.width}px`);
  });
});
