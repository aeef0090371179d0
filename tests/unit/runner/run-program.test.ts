// runProgram against the real simulator: the learner's program runs, its
// output and failures land in the trace with the learner's lines, and every
// runaway is stopped.
import { describe, expect, it } from 'vitest';
import type { OutputEvent, ProcessEvent, TraceEvent } from '../../../types/closing-time.d.ts';
import { runProgram } from '../../../src/runner/run-program.ts';

const HEADER = "import type { Simulation } from 'closing-time';\n";

async function run(body: string, options: Parameters<typeof runProgram>[1] = {}) {
  const events: TraceEvent[] = [];
  const result = await runProgram(HEADER + body, { fileName: 'prog.ts', onEvent: (e) => events.push(e), ...options });
  const out = (stream: 'stdout' | 'stderr' = 'stdout') =>
    events.filter((e): e is OutputEvent => e.kind === 'output' && e.stream === stream).map((e) => e.text).join('');
  return { result, events, out };
}

describe('runProgram', () => {
  it('runs a client and a server and attributes console output to their processes', async () => {
    const { result, events, out } = await run(`export default function (sim: Simulation) {
  const server = sim.host('server');
  const client = sim.host('client');
  server.run(async (os) => {
    const ls = os.socket(); ls.bind({ port: 80 }); ls.listen();
    const c = await ls.accept();
    console.log('server got', await c.recv());
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('ping');
    await s.close();
    console.log(os.ss());
  });
}
`);
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.summary!.endedBy).toBe('quiescence');
    const lines = events.filter((e): e is OutputEvent => e.kind === 'output').map((e) => `${e.host}: ${e.text}`);
    expect(lines).toContain('server: server got ping\n');
    // os.ss() prints through the table's own toString, not as an array.
    expect(out()).toMatch(/State .*Recv-Q/);
    expect(out()).not.toContain('[ {');
  });

  it('places a process failure at the learner line, in the event, the summary and the errors', async () => {
    const { result, events } = await run(`export default function (sim: Simulation) {
  sim.host('a').run(async (os) => {
    await os.sleep(10);
    JSON.parse('{');
  });
}
`);
    expect(result.ok).toBe(false);
    const fail = events.find((e): e is ProcessEvent => e.kind === 'process' && e.action === 'fail')!;
    expect(fail.error).toMatchObject({ name: 'SyntaxError', line: 5 });
    expect(fail.error!.stack).toMatch(/at .*\(prog\.ts:5:\d+\)/);
    expect(fail.error!.stack).not.toMatch(/src\/sim|src\/runner|node:/);
    expect(result.summary!.failed[0].error).toMatchObject({ line: 5 });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: 'process', line: 5, host: 'a' });
    expect(result.errors[0].message).toMatch(/^a\[\d+\]: SyntaxError: .* \(prog\.ts:5:\d+\)$/);
  });

  it('reports each process that fails, even when two fail with the same error', async () => {
    const { result } = await run(`export default function (sim: Simulation) {
  const a = sim.host('a');
  for (let i = 0; i < 2; i++)
    a.run(async (os) => {
      await os.socket().connect({ host: 'a', port: 9 });
    });
}`);
    expect(result.ok).toBe(false);
    expect(result.summary!.failed).toHaveLength(2);
    const failures = result.errors.filter((e) => e.kind === 'process');
    expect(failures).toHaveLength(2);
    expect(new Set(failures.map((e) => e.pid)).size).toBe(2);
    for (const e of failures) expect(e.message).toMatch(/^a\[\d+\]: SocketError: connect: ECONNREFUSED .*\(prog\.ts:6:\d+\)$/);
  });

  it('keeps simulator internals out of a failure raised later by the network (ECONNREFUSED)', async () => {
    const { result, events } = await run(`export default function (sim: Simulation) {
  sim.host('b');
  sim.host('a').run(async (os) => {
    await os.socket().connect({ host: 'b', port: 81 });
  });
}
`);
    expect(result.ok).toBe(false);
    const fail = events.find((e): e is ProcessEvent => e.kind === 'process' && e.action === 'fail')!;
    expect(fail.error!.name).toBe('SocketError');
    expect(fail.error!.stack).toMatch(/^SocketError: connect: ECONNREFUSED/);
    expect(fail.error!.stack).not.toMatch(/src\/sim|src\/runner|file:|node:/);
    expect(JSON.stringify(result.summary!.failed)).not.toMatch(/src\/sim|file:/);
  });

  it('stops a busy loop inside a process, ends the run and says where', async () => {
    const started = Date.now();
    const { result } = await run(
      `export default function (sim: Simulation) {
  sim.host('a').run(async (os) => {
    await os.sleep(1);
    let x = 0;
    do { x++; } while (x > 0);
  });
  sim.host('b').run(async (os) => { for (;;) await os.sleep(1000); });
}
`,
      { busyLoopMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expect(result.summary!.endedBy).toBe('stopped');
    expect(result.errors[0]).toEqual({
      kind: 'busy-loop',
      message: 'busy loop: the program ran for 200 ms without waiting on the simulator (prog.ts:6)',
      line: 6,
    });
  });

  it('re-arms the guard for callbacks the world calls outside processes (sim.at)', async () => {
    const { result } = await run(
      `export default function (sim: Simulation) {
  sim.host('a');
  sim.at(5000, () => { for (;;) {} });
}
`,
      { busyLoopMs: 200 },
    );
    expect(result.errors.map((e) => e.kind)).toContain('busy-loop');
    expect(result.errors.find((e) => e.kind === 'busy-loop')!.line).toBe(4);
  });

  it('reports a program without a default export', async () => {
    const { result } = await run('export const x = 1;\n');
    expect(result.ok).toBe(false);
    expect(result.errors[0].message).toBe('prog.ts has no default export function: a program ends with `export default function (sim: Simulation) { ... }`');
  });

  it('reports a default export that throws, with its line', async () => {
    const { result } = await run(`export default function (sim: Simulation) {
  sim.link(undefined as any, undefined as any);
}
`);
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatchObject({ kind: 'load', line: 3 });
    expect(result.errors[0].message).toMatch(/^the default export: .*\(prog\.ts:3:\d+\)$/);
  });

  it('caps a flood of output at 1 MiB with one note', async () => {
    const { result, out } = await run(`export default function (sim: Simulation) {
  sim.host('a').run(async (os) => {
    for (let i = 0; i < 100; i++) { console.log('x'.repeat(20000)); await os.sleep(1); }
  });
}
`);
    expect(result.ok).toBe(true);
    const stdout = out('stdout');
    expect(stdout.length).toBeLessThanOrEqual(1024 * 1024 + 1);
    expect(stdout.length).toBeGreaterThan(1000 * 1000);
    expect(out('stderr')).toContain('[output cut: the program printed more than 1 MiB; the rest is not shown]');
  });

  it('ends at the virtual-time limit and says so', async () => {
    const { result } = await run(`export default function (sim: Simulation) {
  sim.host('a').run(async (os) => { for (;;) await os.sleep(100); });
}
`, { untilMs: 2000 });
    expect(result.ok).toBe(true);
    expect(result.summary!.endedBy).toBe('time-limit');
    expect(result.summary!.virtualMs).toBe(2000);
  });

  it('gives the same trace for the same seed', async () => {
    const body = `export default function (sim: Simulation) {
  const a = sim.host('a'); const b = sim.host('b');
  sim.link(a, b, { delayMs: 5, jitterMs: 20, loss: 0.2 });
  b.run(async (os) => { const l = os.socket(); l.bind({ port: 1 }); l.listen(); const c = await l.accept(); await c.recv(); await c.close(); });
  a.run(async (os) => { const s = os.socket(); await s.connect({ host: 'b', port: 1 }); await s.send('data ' + Math.random()); await s.close(); });
}
`;
    const one = await run(body, { seed: 3 });
    const two = await run(body, { seed: 3 });
    const other = await run(body, { seed: 4 });
    expect(JSON.stringify(two.events)).toBe(JSON.stringify(one.events));
    expect(JSON.stringify(other.events)).not.toBe(JSON.stringify(one.events));
  });

  it('prints a caught SocketError with its code and the learner frames only', async () => {
    const { out } = await run(`export default function (sim: Simulation) {
  sim.host('a').run(async (os) => {
    const s = os.socket();
    try {
      s.bind({ ip: '10.9.9.9', port: 80 });
    } catch (error) {
      console.log(error);
    }
  });
}
`);
    const text = out();
    expect(text).toMatch(/^SocketError: bind: EADDRNOTAVAIL .*\n {4}at .*\(prog\.ts:6:\d+\) \{ code: 'EADDRNOTAVAIL', syscall: 'bind' \}\n$/s);
    expect(text).not.toMatch(/src\/sim|src\/runner|node:internal/);
  });

  it('gives the program virtual time through Date and performance.now()', async () => {
    const { out } = await run(`export default function (sim: Simulation) {
  sim.host('a').run(async (os) => {
    await os.sleep(1500);
    console.log(new Date().toISOString(), Date.now() - Date.UTC(2026, 0, 1), performance.now(), new Date(0).getTime());
  });
}
`);
    expect(out()).toBe('2026-01-01T00:00:01.500Z 1500 1500 0\n');
  });

  it('returns compile errors without running', async () => {
    const result = await runProgram('export default function (', { fileName: 'bad.ts' });
    expect(result).toMatchObject({ ok: false, summary: null });
    expect(result.errors[0]).toMatchObject({ kind: 'transpile', line: 1 });
    expect(result.diagnostics[0].severity).toBe('error');
  });
});
