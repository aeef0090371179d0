// What the NAT, conntrack and load-balancer lesson says its playgrounds show,
// checked on the playgrounds' own programs as the page runs them. (What only
// the kernel's conntrack can show is in tests/kernel-run/conntrack.test.ts.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../src/sim/index.ts';

const content = join(import.meta.dirname, '../../content');
const LESSON = 'nat-and-load-balancers';

async function run(id: string) {
  const pg = playgroundsOfLesson(content, LESSON).find((p) => p.id === id)!;
  const events: TraceEvent[] = [];
  const r = await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
  expect(r.errors).toEqual([]);
  const sends = events.flatMap((e) => (e.kind === 'segment' && e.action === 'send' ? [e] : []));
  const output = events.flatMap((e) => (e.kind === 'output' ? [`${e.host}: ${e.text.trimEnd()}`] : []));
  return { events, sends, output };
}

describe('nat-and-load-balancers: one address, one set of ports', () => {
  it('twelve requests from two clients share the gateway’s ten source ports to server:443; the two that find none fail at connect()', async () => {
    const { events, sends, output } = await run('shared-source');
    const upstreamSyns = sends.filter((e) => e.seg.src.host === 'gateway' && e.seg.dst.port === 443 && e.seg.flags === 'S' && !e.seg.retransmission);
    const ports = new Set(upstreamSyns.map((e) => e.seg.src.port));
    expect(upstreamSyns).toHaveLength(10);
    expect([...ports].sort()).toEqual([40000, 40001, 40002, 40003, 40004, 40005, 40006, 40007, 40008, 40009]);
    // Each client made its six connections, each to the gateway only.
    for (const c of ['c1', 'c2']) {
      const syns = sends.filter((e) => e.seg.src.host === c && e.seg.flags === 'S');
      expect(syns).toHaveLength(6);
      expect(new Set(syns.map((e) => e.seg.dst.host))).toEqual(new Set(['gateway']));
    }
    const refused = events.filter((e) => e.kind === 'syscall' && e.host === 'gateway' && e.call === 'connect' && e.phase === 'error' && e.errno === 'EADDRNOTAVAIL');
    expect(refused).toHaveLength(2);
    expect(output.filter((l) => l.includes('EADDRNOTAVAIL'))[0]).toContain('all 10 ports held');
    // The gateway closed every upstream connection first.
    const upstreamFins = sends.filter((e) => e.seg.fin && e.seg.dst.port === 443);
    const serverFins = sends.filter((e) => e.seg.fin && e.seg.src.port === 443);
    expect(upstreamFins).toHaveLength(10);
    for (const f of serverFins) expect(upstreamFins.some((g) => g.seg.src.port === f.seg.dst.port && g.n < f.n)).toBe(true);
  });
});

describe('nat-and-load-balancers: a balancer that forgets an idle flow', () => {
  it('the client’s next request is answered by a bare RST from a host with no socket for it, and the backend stays ESTABLISHED', async () => {
    const { events, sends, output } = await run('lb-idle-expiry');
    const dropped = events.filter((e) => e.kind === 'segment' && e.action === 'drop' && e.seg.src.host === 'lb' && e.seg.rst);
    // The two RSTs of dropping the flow never arrive: neither end is told.
    expect(dropped.map((e) => (e.kind === 'segment' ? e.seg.dst.host : '')).sort()).toEqual(['backend', 'client']);
    const request2 = sends.find((e) => e.seg.src.host === 'client' && e.seg.data === 'GET /2')!;
    const reset = sends.find((e) => e.seg.src.host === 'lb' && e.seg.rst && e.n > request2.n)!;
    // A reset for a segment no socket owns carries seq = the segment's ACK and no ACK flag (tcp_v4_send_reset).
    expect(reset.seg.flags).toBe('R');
    expect(reset.seg.seq).toBe(request2.seg.ack);
    expect(reset.t - request2.t).toBe(5); // one link delay: the balancer's host answers at once
    expect(output).toContain('client: request 2 failed: ECONNRESET');
    expect(output).toContain('client: backend still holds: ESTAB');
  });
});

describe('nat-and-load-balancers: backend keep-alive against the balancer’s idle timeout', () => {
  it('shorter: the balancer’s request crosses the backend’s FIN, the closed socket resets it (data after close()), and the client gets 502', async () => {
    const { events, sends, output } = await run('lb-backend-closes-first');
    const fin = sends.find((e) => e.seg.src.host === 'backend' && e.seg.fin)!;
    const request2 = sends.find((e) => e.seg.src.host === 'lb' && e.seg.data === 'GET /2')!;
    const finArrives = events.find((e) => e.kind === 'segment' && e.action === 'deliver' && e.seg.id === fin.seg.id)!;
    // They cross: the request leaves the balancer after the FIN left the backend and before it arrived.
    expect(request2.t).toBeGreaterThanOrEqual(fin.t);
    expect(request2.t).toBeLessThan(finArrives.t);
    const reset = events.find((e) => e.kind === 'state' && e.host === 'backend' && e.to === 'CLOSED' && e.cause === 'data after close()');
    expect(reset).toBeDefined();
    expect(sends.some((e) => e.seg.src.host === 'backend' && e.seg.rst && e.n > request2.n)).toBe(true);
    expect(output).toContain('client: request 2: 502 Bad Gateway');
  });

  it('longer: one upstream connection serves both requests, the backend’s timer never fires, and the balancer closes first', async () => {
    const { events, sends, output } = await run('lb-closes-first');
    expect(sends.filter((e) => e.seg.src.host === 'lb' && e.seg.dst.host === 'backend' && e.seg.flags === 'S')).toHaveLength(1);
    expect(output).toContain('client: request 2: 200 OK for GET /2');
    expect(output.some((l) => l.startsWith('backend: connection idle'))).toBe(false);
    expect(sends.some((e) => e.seg.rst)).toBe(false);
    const firstFin = sends.find((e) => e.seg.fin)!;
    expect(firstFin.seg.src.host).toBe('lb');
    expect(firstFin.t).toBeGreaterThanOrEqual(5_000 + 60_000);
    expect(events.filter((e) => e.kind === 'state' && e.host === 'lb' && e.to === 'TIME_WAIT')).toHaveLength(2);
    expect(output).toContain('client: lb holds: TIME-WAIT, TIME-WAIT');
  });
});
