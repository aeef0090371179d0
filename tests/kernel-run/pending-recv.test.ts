// On the kernel run, close() on a socket with a recv() still pending sends the
// FIN at once, as the simulator does and as an event-loop program on Linux
// does (a thread blocked in recv(2) would keep the socket until it returned).
import { describe, expect, test } from 'vitest';
import type { SegmentEvent, StateEvent } from '../../types/closing-time.d.ts';
import { runKernelProgram } from '../../src/kernel/run.ts';
import { unavailable } from './environment.ts';

const CLOSE_WITH_READ_PENDING = `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 5 });
  server.run(async (os) => {
    const l = os.socket();
    l.bind({ port: 80 });
    l.listen();
    const c = await l.accept();
    while ((await c.recv()) !== '') {}
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    s.recv().catch(() => {}); // a read left pending, as a pooled connection has
    await os.sleep(300);
    await s.close();
  });
  sim.until(2000);
}
`;

describe.skipIf(unavailable !== null)('the kernel run closing a socket with a read pending', () => {
  test('close() sends the FIN at once and the connection ends in TIME_WAIT on the closer', async () => {
    const r = await runKernelProgram(CLOSE_WITH_READ_PENDING, { fileName: 'pending.ts', untilMs: 2000 });
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const fin = r.events.find((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send' && e.host === 'client' && e.seg.fin);
    expect(fin, 'the client sent a FIN').toBeDefined();
    // close() is called 300 ms in; the FIN follows within a few milliseconds, not at the end of the run.
    expect(fin!.t).toBeLessThan(600);
    const states = r.events.filter((e): e is StateEvent => e.kind === 'state' && e.host === 'client').map((e) => e.to);
    expect(states).toContain('TIME_WAIT');
  }, 60_000);
});
