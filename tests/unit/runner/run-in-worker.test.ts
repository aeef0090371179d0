// The outer layer of runaway protection: a worker thread the parent terminates.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../types/closing-time.d.ts';
import { runProgramInWorker, WATCHDOG_GRACE_MS } from '../../../src/runner/run-in-worker.ts';

const HEADER = "import type { Simulation } from 'closing-time';\n";

describe('runProgramInWorker', () => {
  it('streams plain events and returns a summary whose ss tables are plain rows', async () => {
    const events: TraceEvent[] = [];
    const result = await runProgramInWorker(
      `${HEADER}export default function (sim: Simulation) {
  sim.host('s').run(async (os) => { const l = os.socket(); l.bind({ port: 80 }); l.listen(); await l.accept(); });
  sim.host('c').run(async (os) => { const s = os.socket(); await s.connect({ host: 's', port: 80 }); });
}
`,
      { fileName: 'w.ts', onEvent: (e) => events.push(e) },
    );
    expect(result.ok).toBe(true);
    const syn = events.find((e) => e.kind === 'segment');
    expect(syn && syn.kind === 'segment' && syn.seg.src.host).toBe('c');
    const server = result.summary!.hosts.find((h) => h.name === 's')!;
    expect(Array.isArray(server.ss)).toBe(true);
    expect(server.ss.map((r) => r.state).sort()).toEqual(['ESTAB', 'LISTEN']);
  });

  it('terminates a program stuck where no guard can reach (a catastrophic regular expression)', async () => {
    const started = Date.now();
    const result = await runProgramInWorker(
      `${HEADER}export default function (sim: Simulation) {
  sim.host('a').run(async () => { /^(a+)+b$/.test('a'.repeat(40)); });
}
`,
      { fileName: 're.ts', wallMs: 300 },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300 + WATCHDOG_GRACE_MS - 50);
    expect(elapsed).toBeLessThan(300 + WATCHDOG_GRACE_MS + 10_000);
    expect(result.ok).toBe(false);
    expect(result.errors[0].kind).toBe('wall-limit');
    expect(result.errors[0].message).toMatch(/^wall-time limit: the program was stopped after 3\.3 s of real time/);
  });
});
