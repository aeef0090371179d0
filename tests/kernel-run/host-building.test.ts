// The time the kernel run spends making a host (its network namespace and
// socket agent) inside sim.host() is not the program's: the busy-loop guard,
// which stops a program that runs too long without waiting, does not count it.
import { describe, expect, test } from 'vitest';
import { nsList } from '../../src/kernel/network.ts';
import { runKernelProgram } from '../../src/kernel/run.ts';
import { unavailable } from './environment.ts';

const HOSTS = 6;
const MANY_HOSTS = `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const hosts = Array.from({ length: ${HOSTS} }, (_, i) => sim.host('h' + i));
  for (let i = 1; i < hosts.length; i++) sim.link(hosts[0], hosts[i], { delayMs: 1 });
  hosts[0].run(async (os) => {
    const l = os.socket();
    l.bind({ port: 80 });
    l.listen();
    for (let i = 1; i < hosts.length; i++) await (await l.accept()).close();
  });
  for (let i = 1; i < hosts.length; i++)
    hosts[i].run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'h0', port: 80 });
      await s.close();
    });
}
`;

describe.skipIf(unavailable !== null)('the kernel run making hosts', () => {
  test('six hosts made in the default export are not counted as a busy loop, even with a limit shorter than making them takes', async () => {
    const started = performance.now();
    const r = await runKernelProgram(MANY_HOSTS, { fileName: 'many-hosts.ts', busyLoopMs: 60, untilMs: 2000 });
    const tookMs = performance.now() - started;
    expect(r.errors.map((e) => e.message)).toEqual([]);
    // Each host's namespace and agent takes tens of milliseconds: together far more than the limit.
    expect(tookMs).toBeGreaterThan(60);
    expect(r.events.filter((e) => e.kind === 'state' && e.to === 'ESTABLISHED').length).toBeGreaterThanOrEqual(2 * (HOSTS - 1));
    expect(nsList().filter((n) => n.startsWith(`ctk-${process.pid}-`))).toEqual([]);
  }, 60_000);
});
