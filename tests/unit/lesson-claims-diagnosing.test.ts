// What the diagnosing lesson says its playgrounds show, checked on the
// playgrounds' own programs as the page runs them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { socketsFromTrace } from '../../src/components/playground/live-ss.ts';
import { countersFromTrace } from '../../src/console/nstat.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../src/sim/index.ts';

const content = join(import.meta.dirname, '../../content');

async function run(id: string) {
  const pg = playgroundsOfLesson(content, 'diagnosing').find((p) => p.id === id)!;
  const events: TraceEvent[] = [];
  const r = await runProgram(pg.source, { fileName: `${id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
  expect(r.errors).toEqual([]);
  const output = events.flatMap((e) => (e.kind === 'output' ? [e.text] : []));
  return { r, events, output };
}

describe('diagnosing: the pile-up and the leak', () => {
  it('no process owns a TIME_WAIT socket, and each CLOSE_WAIT names the process that leaks it (ss -p, "nothing to kill")', async () => {
    const { r } = await run('diagnosing-pileup');
    const rows = r.summary!.hosts.find((h) => h.name === 'server')!.ss;
    const tw = rows.filter((row) => row.state === 'TIME-WAIT');
    const cw = rows.filter((row) => row.state === 'CLOSE-WAIT');
    expect(tw).toHaveLength(12);
    expect(tw.every((row) => row.process === undefined)).toBe(true);
    expect(cw).toHaveLength(3);
    expect(cw.every((row) => row.process === 'api' && row.local === '10.0.0.1:8080')).toBe(true);
  });

  it('a CLOSE_WAIT has no timer at all, a TIME_WAIT counts down from 60 s', async () => {
    const { r } = await run('diagnosing-pileup');
    const rows = r.summary!.hosts.find((h) => h.name === 'server')!.ss;
    expect(rows.filter((row) => row.state === 'CLOSE-WAIT').map((row) => row.timer)).toEqual([undefined, undefined, undefined]);
    expect(rows.filter((row) => row.state === 'TIME-WAIT').every((row) => /^timewait,\d+sec,0$/.test(row.timer ?? ''))).toBe(true);
  });

  it('nstat on the server: TcpExtTW 12 and no resets or aborts', async () => {
    const { events } = await run('diagnosing-pileup');
    const c = countersFromTrace(events).get('server')!;
    expect(c.TcpExtTW).toBe(12);
    expect([c.TcpEstabResets, c.TcpOutRsts, c.TcpExtTCPAbortOnClose, c.TcpExtTCPAbortOnData, c.TcpExtTCPAbortOnTimeout]).toEqual([0, 0, 0, 0, 0]);
  });

  it('the console rebuilds the same states at the end as the run reports', async () => {
    const { r, events } = await run('diagnosing-pileup');
    const rebuilt = socketsFromTrace(events).get('server')!.map((row) => row.state).sort();
    expect(rebuilt).toEqual(r.summary!.hosts.find((h) => h.name === 'server')!.ss.map((row) => row.state).sort());
  });
});

describe('diagnosing: ss -tano on a quiet peer', () => {
  it('the retransmission count in timer:(on,...) climbs while the link is down, and the idle server shows keepalive', async () => {
    const { output } = await run('diagnosing-timers');
    const counts = output.filter((t) => t.startsWith('client at')).map((t) => Number(/timer:\(on,[^,]+,(\d+)\)/.exec(t)?.[1]));
    expect(counts).toHaveLength(3);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(counts[0]!);
    expect(counts[2]).toBeGreaterThan(counts[1]!);
    expect(output.some((t) => /ESTAB .*timer:\(keepalive,\d+sec,0\)/.test(t))).toBe(true);
  });
});
