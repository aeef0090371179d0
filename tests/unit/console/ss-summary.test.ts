// `ss -s` in the console: the numbers iproute2's print_summary derives from
// /proc/net/sockstat and CurrEstab, for the diagnosing lesson's server, from the
// run's own tables and rebuilt from the trace at a moment inside the run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../../src/components/playground/lesson-playgrounds.ts';
import { sockstatEntriesFromTrace } from '../../../src/components/playground/live-ss.ts';
import { formatSsSummary, sockstat, sockstatEntriesFromRows } from '../../../src/console/ss-summary.ts';
import { runProgram } from '../../../src/runner/run-program.ts';
import type { TraceEvent } from '../../../src/sim/index.ts';

const content = join(import.meta.dirname, '../../../content');

async function run(id: string) {
  const pg = playgroundsOfLesson(content, 'diagnosing').find((p) => p.id === id)!;
  const events: TraceEvent[] = [];
  const r = await runProgram(pg.source, { fileName: `${id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
  return { r, events };
}

describe('ss -s', () => {
  it('prints the layout of iproute2 6.x, "closed" being alloc - (inuse - tw)', () => {
    const text = formatSsSummary({ sockets: 3, inuse: 3, orphan: 0, tw: 5, alloc: 4, estab: 2 });
    // The same numbers as a Linux 6.18 namespace with a listener, two CLOSE_WAIT and five TIME_WAIT-like minisocks printed.
    expect(text.split('\n').slice(0, 2)).toEqual(['Total: 3', 'TCP:   9 (estab 2, closed 6, orphaned 0, timewait 5)']);
    expect(text).toContain('TCP\t  3         3         0        ');
  });

  it('on the pile-up server: CLOSE_WAIT counts as estab, TIME_WAIT as timewait and again in closed; the clients\' FIN_WAIT_2 orphans as timewait', async () => {
    const { r, events } = await run('diagnosing-pileup');
    const hosts = new Map(r.summary!.hosts.map((h) => [h.name, sockstat(sockstatEntriesFromRows(h.ss))]));
    // 2 listeners + 3 leaked CLOSE_WAIT held by descriptors; 12 TIME_WAIT from 12 requests.
    expect(hosts.get('server')).toEqual({ sockets: 5, inuse: 5, orphan: 0, tw: 12, alloc: 5, estab: 3 });
    expect(formatSsSummary(hosts.get('server')!).split('\n')[1]).toBe('TCP:   17 (estab 3, closed 12, orphaned 0, timewait 12)');
    expect(hosts.get('client1')).toEqual({ sockets: 0, inuse: 0, orphan: 0, tw: 1, alloc: 0, estab: 0 });
    // The trace rebuild agrees with the run's own tables.
    const rebuilt = sockstatEntriesFromTrace(events);
    for (const [name, stat] of hosts) expect(sockstat(rebuilt.get(name) ?? []), name).toEqual(stat);
  });

  it('counts an orphan that is still sending its FIN as orphaned, not as timewait', () => {
    const entries = sockstatEntriesFromRows([
      { state: 'FIN-WAIT-1', recvQ: 0, sendQ: 5, local: '10.0.0.1:80', peer: '10.0.0.2:40000', timer: 'on,200ms,1' },
      { state: 'FIN-WAIT-2', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.2:40001', timer: 'timewait,50sec,0' },
      { state: 'FIN-WAIT-1', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.2:40002', process: 'web' },
      { state: 'SYN-RECV', recvQ: 0, sendQ: 0, local: '10.0.0.1:80', peer: '10.0.0.2:40003' },
    ]);
    expect(sockstat(entries)).toEqual({ sockets: 1, inuse: 2, orphan: 1, tw: 1, alloc: 2, estab: 0 });
  });
});
