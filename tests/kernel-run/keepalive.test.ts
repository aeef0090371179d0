// The kernel run passes the keepalive options to the kernel at the level they
// live at (SO_KEEPALIVE: SOL_SOCKET; TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
// TCP_USER_TIMEOUT: IPPROTO_TCP) and reads them back; the simulator reports
// the same values. (The traces are not compared: the kernel run traces
// getsockopt calls and the simulator does not.)
import { describe, expect, test } from 'vitest';
import type { TraceEvent } from '../../types/closing-time.d.ts';
import { runKernelProgram } from '../../src/kernel/run.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import { inCI, unavailable } from './environment.ts';

const PROGRAM = `
import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server);
  server.run(async (os) => {
    const l = os.socket();
    l.bind({ port: 8080 });
    l.listen();
    const c = await l.accept();
    await c.recv();
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    const before = [s.getsockopt('SO_KEEPALIVE'), s.getsockopt('TCP_KEEPIDLE'), s.getsockopt('TCP_KEEPINTVL'), s.getsockopt('TCP_KEEPCNT'), s.getsockopt('TCP_USER_TIMEOUT')];
    s.setsockopt('SO_KEEPALIVE', true);
    s.setsockopt('TCP_KEEPIDLE', 30);
    s.setsockopt('TCP_KEEPINTVL', 5);
    s.setsockopt('TCP_KEEPCNT', 4);
    s.setsockopt('TCP_USER_TIMEOUT', 2500);
    await s.connect({ host: 'server', port: 8080 });
    const after = [s.getsockopt('SO_KEEPALIVE'), s.getsockopt('TCP_KEEPIDLE'), s.getsockopt('TCP_KEEPINTVL'), s.getsockopt('TCP_KEEPCNT'), s.getsockopt('TCP_USER_TIMEOUT')];
    console.log(JSON.stringify({ before, after }));
    await s.close();
  });
}
`;

if (unavailable && inCI) {
  test('the kernel run can run in CI', () => {
    expect.fail(`CI=true but the kernel run cannot run: ${unavailable}`);
  });
}

describe.skipIf(unavailable !== null)('keepalive options on the kernel run', () => {
  test('SO_KEEPALIVE and the TCP_KEEP*/TCP_USER_TIMEOUT options are set and read back as on the simulator', async () => {
    const simEvents: TraceEvent[] = [];
    const sim = await runProgram(PROGRAM, { fileName: 'keepalive-options.ts', wallMs: 60_000, onEvent: (e) => simEvents.push(JSON.parse(JSON.stringify(e))) });
    const kernel = await runKernelProgram(PROGRAM, { fileName: 'keepalive-options.ts' });
    expect(sim.errors.map((e) => e.message)).toEqual([]);
    expect(kernel.errors.map((e) => e.message)).toEqual([]);
    const output = (events: readonly TraceEvent[]) => events.filter((e) => e.kind === 'output').map((e) => JSON.parse((e as { text: string }).text));
    const expected = [{ before: [false, 7200, 75, 9, 0], after: [true, 30, 5, 4, 2500] }];
    expect(output(kernel.events)).toEqual(expected);
    expect(output(simEvents)).toEqual(expected);
  }, 120_000);
});
