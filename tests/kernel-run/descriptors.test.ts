// On the kernel run, an accepted socket takes its descriptor when accept()
// returns, as on Linux (the lowest free one then), not when accept() was called.
import { describe, expect, test } from 'vitest';
import type { SyscallEvent } from '../../types/closing-time.d.ts';
import { runKernelProgram } from '../../src/kernel/run.ts';
import { unavailable } from './environment.ts';

const ACCEPT_THEN_SOCKET = `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 5 });
  server.run(async (os) => {
    const l = os.socket(); // fd 3
    l.bind({ port: 80 });
    l.listen();
    const c = await l.accept(); // waits; meanwhile 'other' takes fd 4
    await c.close();
  }, 'web');
  server.run(async (os) => {
    os.socket();
  }, 'other');
  client.run(async (os) => {
    await os.sleep(100);
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.close();
  });
  sim.until(1000);
}
`;

describe.skipIf(unavailable !== null)('descriptors on the kernel run', () => {
  test('a socket made while accept() waits takes the next descriptor, and the accepted one the one after', async () => {
    const r = await runKernelProgram(ACCEPT_THEN_SOCKET, { fileName: 'fds.ts', untilMs: 1000 });
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const results = r.events.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.host === 'server' && e.phase === 'return' && (e.call === 'socket' || e.call === 'accept'));
    expect(results.map((e) => `${e.process} ${e.call} = ${String(e.result).replace(/ \(.*\)$/, '')}`)).toEqual(['web socket = fd 3', 'other socket = fd 4', 'web accept = fd 5']);
  }, 60_000);
});
