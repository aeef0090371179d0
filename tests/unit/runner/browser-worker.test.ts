// The Web Worker entry speaks the page protocol: it is loaded here with the two
// globals a worker has (postMessage, addEventListener) stood in for.
import { beforeAll, describe, expect, it } from 'vitest';

type Message = { type: string; id: number; [key: string]: unknown };
const posted: Message[] = [];
let deliver: (data: unknown) => void = () => {};
const waiters: { id: number; resolve: (m: Message) => void }[] = [];

beforeAll(async () => {
  const g = globalThis as unknown as Record<string, unknown>;
  g.postMessage = (m: Message) => {
    posted.push(m);
    if (m.type === 'done' || m.type === 'error') {
      for (const w of waiters.filter((w) => w.id === m.id)) w.resolve(m);
    }
  };
  g.addEventListener = (type: string, listener: (e: { data: unknown }) => void) => {
    if (type === 'message') deliver = (data) => listener({ data });
  };
  await import('../../../src/runner/browser-worker.ts');
});

function finished(id: number): Promise<Message> {
  return new Promise((resolve) => waiters.push({ id, resolve }));
}
const forRun = (id: number) => posted.filter((m) => m.id === id);

const PROGRAM = `import type { Simulation } from 'closing-time';
export default function (sim: Simulation) {
  const s = sim.host('server'); const c = sim.host('client');
  s.run(async (os) => { const l = os.socket(); l.bind({ port: 80 }); l.listen(); const x = await l.accept(); await x.recv(); await x.close(); });
  c.run(async (os) => { const k = os.socket(); await k.connect({ host: 'server', port: 80 }); await k.close(); });
}
`;

describe('browser worker protocol', () => {
  it('streams plain events in batches, then one done with plain ss rows', async () => {
    const done = finished(1);
    deliver({ type: 'run', id: 1, source: PROGRAM, fileName: 'play.ts' });
    const end = await done;
    const batches = forRun(1).filter((m) => m.type === 'event');
    expect(batches.length).toBeGreaterThan(0);
    const events = batches.flatMap((b) => b.events as { kind: string; seg?: { src: { host: string } } }[]);
    expect(events.find((e) => e.kind === 'segment')!.seg!.src.host).toBe('client');
    // Every event is already plain data that structured clone keeps intact.
    expect(structuredClone(events)).toEqual(events);
    const summary = end.summary as { endedBy: string; hosts: { name: string; ss: unknown[] }[] };
    expect(summary.endedBy).toBe('quiescence');
    expect(structuredClone(summary)).toEqual(summary);
    expect(forRun(1).filter((m) => m.type === 'done' || m.type === 'error')).toHaveLength(1);
  });

  it('sends diagnostics then an error for a program that does not compile', async () => {
    const done = finished(2);
    deliver({ type: 'run', id: 2, source: 'export default function (', fileName: 'bad.ts' });
    const end = await done;
    const diag = forRun(2).find((m) => m.type === 'diagnostic')!;
    expect((diag.diagnostics as { line: number; severity: string }[])[0]).toMatchObject({ line: 1, severity: 'error' });
    expect(end).toMatchObject({ type: 'error', id: 2, line: 1 });
    expect(end.message).toMatch(/^bad\.ts:1:\d+: syntax error/);
  });

  it('stops a paced run on request and ends it with done', async () => {
    const done = finished(3);
    // 0.01 virtual ms per real ms: the 60 s TIME_WAIT would take 100 minutes to show.
    deliver({ type: 'run', id: 3, source: PROGRAM, fileName: 'play.ts', speed: 0.01 });
    await new Promise<void>((resolve) => setImmediate(resolve));
    deliver({ type: 'stop', id: 3 });
    const end = await done;
    expect(end.type).toBe('done');
    const shown = forRun(3).filter((m) => m.type === 'event').flatMap((m) => m.events as { t: number }[]);
    expect(shown.every((e) => e.t < 60_000)).toBe(true);
  });

  it('rejects a malformed request with a clear error', async () => {
    const done = finished(4);
    deliver({ type: 'run', id: 4, source: 42, fileName: 'x.ts' });
    expect(await done).toMatchObject({ type: 'error', message: 'invalid run request: the program source must be a string' });
  });
});
