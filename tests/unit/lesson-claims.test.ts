// What a lesson's text says its playground shows, checked on the playground's
// own program as the page runs it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { socketsFromTrace } from '../../src/components/playground/live-ss.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../src/sim/index.ts';

const content = join(import.meta.dirname, '../../content');

describe('lesson 1 (four-way-close): ss -tan in the console', () => {
  it('lists only the server\'s listener at the end of the run, and shows the client in TIME-WAIT at a step after its last ACK', async () => {
    const pg = playgroundsOfLesson(content, 'four-way-close').find((p) => p.id === 'four-way-close')!;
    const events: TraceEvent[] = [];
    const r = await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
    const left = r.summary!.hosts.flatMap((h) => h.ss.map((row) => `${h.name} ${row.state}`));
    expect(left).toEqual(['server LISTEN']);
    const tw = events.find((e) => e.kind === 'state' && e.host === 'client' && e.to === 'TIME_WAIT')!;
    const lastAck = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'client' && e.n > tw.n)!;
    const at = socketsFromTrace(events, lastAck.n).get('client') ?? [];
    expect(at.map((row) => row.state)).toContain('TIME-WAIT');
  });

  it('ss -tano at a step counts the TIME_WAIT timer down, as ss -o prints it', async () => {
    const pg = playgroundsOfLesson(content, 'four-way-close').find((p) => p.id === 'four-way-close')!;
    const events: TraceEvent[] = [];
    await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
    const tw = events.find((e) => e.kind === 'state' && e.host === 'client' && e.to === 'TIME_WAIT')!;
    const row = (n: number, t: number) => (socketsFromTrace(events, n, t).get('client') ?? []).find((r) => r.state === 'TIME-WAIT');
    expect(row(tw.n, tw.t)?.timer ?? row(tw.n + 5, tw.t)?.timer).toMatch(/^timewait,(59sec|1min0sec),0$/);
    // Thirty seconds on, by the clock alone: the same socket, half the time left.
    expect((socketsFromTrace(events, tw.n + 5, tw.t + 30_000).get('client') ?? []).find((r) => r.state === 'TIME-WAIT')?.timer).toMatch(/^timewait,(29|30)sec,0$/);
  });
});
