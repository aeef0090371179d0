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

async function runLessonPlayground(lesson: string, id: string) {
  const pg = playgroundsOfLesson(content, lesson).find((p) => p.id === id)!;
  const events: TraceEvent[] = [];
  const r = await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
  return { r, events };
}

async function runSource(source: string) {
  const events: TraceEvent[] = [];
  const r = await runProgram(source, { fileName: 'claim.ts', seed: 1, onEvent: (e) => events.push(e) });
  expect(r.errors).toEqual([]);
  return { r, events, output: events.flatMap((e) => (e.kind === 'output' ? [e.text] : [])) };
}

describe('lesson 1 (four-way-close): what the simulator shows of a FIN', () => {
  function closeSegments(events: TraceEvent[]) {
    const sends = events.flatMap((e) => (e.kind === 'segment' && e.action === 'send' ? [e] : []));
    const fin = sends.find((e) => e.seg.src.host === 'client' && e.seg.fin)!;
    const finEnd = (fin.seg.seq + fin.seg.len + 1) >>> 0;
    const finIn = events.find((e) => e.kind === 'segment' && e.action === 'deliver' && e.seg.id === fin.seg.id)!;
    const ackOfFin = sends.find((e) => e.seg.src.host === 'server' && e.n > fin.n && e.seg.ack === finEnd)!;
    const serverFin = sends.find((e) => e.seg.src.host === 'server' && e.seg.fin)!;
    return { finIn, ackOfFin, serverFin };
  }

  it('the FIN\'s ACK is delayed: a server that works 100 ms before close() sends it alone when the delayed-ACK timer runs out, before its FIN (four segments)', async () => {
    const { events } = await runLessonPlayground('four-way-close', 'four-way-close');
    const { finIn, ackOfFin, serverFin } = closeSegments(events);
    expect(ackOfFin.seg.flags).toBe('.');
    expect(ackOfFin.n).toBeLessThan(serverFin.n);
    const wait = ackOfFin.t - finIn.t;
    expect(wait).toBeGreaterThanOrEqual(40); // TCP_ATO_MIN after data
    expect(wait).toBeLessThanOrEqual(200); // TCP_DELACK_MAX
    expect(events.some((e) => e.kind === 'timer' && e.host === 'server' && e.timer === 'delayed-ack' && e.action === 'fire')).toBe(true);
  });

  it('without the sleep the server closes promptly: its FIN carries the ACK (three segments, F. / F. / .), and that one segment takes the client through FIN_WAIT_2 to TIME_WAIT', async () => {
    const pg = playgroundsOfLesson(content, 'four-way-close').find((p) => p.id === 'four-way-close')!;
    const source = pg.source.replace(/^\s*await os\.sleep\(100\);\n/m, '');
    expect(source).not.toBe(pg.source);
    const { events } = await runSource(source);
    const { ackOfFin, serverFin } = closeSegments(events);
    expect(ackOfFin).toBe(serverFin);
    expect(serverFin.seg.flags).toBe('F.');
    const client = events.flatMap((e) => (e.kind === 'state' && e.host === 'client' ? [{ t: e.t, step: `${e.from}->${e.to}` }] : []));
    const i = client.findIndex((c) => c.step === 'FIN_WAIT_1->FIN_WAIT_2');
    expect(client.slice(i, i + 2).map((c) => c.step)).toEqual(['FIN_WAIT_1->FIN_WAIT_2', 'FIN_WAIT_2->TIME_WAIT']);
    // Both at the instant the server's FIN arrives: the ACK step, then the FIN.
    const arrival = events.find((e) => e.kind === 'segment' && e.action === 'deliver' && e.seg.id === serverFin.seg.id)!;
    expect(client[i]!.t).toBe(arrival.t);
    expect(client[i + 1]!.t).toBe(arrival.t);
  });
});

describe('lesson 2 (half-close): SHUT_RD', () => {
  it('still lets queued data be read, and reads return end of stream once the queue is empty, with nothing sent', async () => {
    const { output, events } = await runSource(`
      import type { Simulation } from 'closing-time';
      export default function (sim: Simulation) {
        const a = sim.host('a');
        const b = sim.host('b');
        sim.link(a, b, { delayMs: 5 });
        b.run(async (os) => {
          const ls = os.socket();
          ls.bind({ port: 7 });
          ls.listen();
          const conn = await ls.accept();
          await os.sleep(100); // the data is queued by now
          conn.shutdown('SHUT_RD');
          const first = await conn.recv();
          const second = await conn.recv();
          console.log('read ' + JSON.stringify(first) + ' then ' + JSON.stringify(second));
          await conn.close();
        });
        a.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'b', port: 7 });
          await s.send('queued');
          await os.sleep(500);
          await s.close();
        });
      }`);
    expect(output.map((line) => line.trim())).toContain('read "queued" then ""');
    // SHUT_RD puts nothing on the wire: from shutdown() to the end of both reads, b sends no FIN, RST or data.
    const shut = events.find((e) => e.kind === 'syscall' && e.call === 'shutdown')!;
    const close = events.find((e) => e.kind === 'output' && e.host === 'b')!;
    const between = events.flatMap((e) => (e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'b' && e.n > shut.n && e.n < close.n ? [e.seg] : []));
    expect(between.filter((seg) => seg.fin || seg.rst || seg.len > 0)).toEqual([]);
  });
});

describe('lesson 4 (time-wait): what the corruption leaves behind', () => {
  it("the client's RST is below the server's rcv_nxt, is dropped, and the server is left half-open in ESTABLISHED", async () => {
    const { r, events } = await runLessonPlayground('time-wait', 'wandering-duplicate');
    const rst = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'client' && e.seg.rst);
    if (!rst || rst.kind !== 'segment') throw new Error('the client sent no RST');
    // The server's last ACK before the RST says what it expects next.
    const serverAck = events.filter((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'server' && e.n < rst.n).at(-1);
    if (!serverAck || serverAck.kind !== 'segment') throw new Error('no ACK from the server');
    expect(((rst.seg.seq - serverAck.seg.ack) | 0) < 0).toBe(true);
    const server = r.summary!.hosts.find((h) => h.name === 'server')!;
    expect(server.ss.map((row) => row.state)).toContain('ESTAB');
    expect(events.some((e) => e.kind === 'state' && e.host === 'server' && e.from === 'ESTABLISHED' && e.cause.includes('RST'))).toBe(false);
  });
});

describe('lesson 8 (port-exhaustion): the ports connect() picks', () => {
  it('are the five of one parity (even offsets) first, then the other five, all ten before the wall', async () => {
    const { events } = await runLessonPlayground('port-exhaustion', 'port-exhaustion');
    const ports = events.flatMap((e) => (e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'client' && e.seg.syn ? [e.seg.src.port] : []));
    expect(ports).toHaveLength(10);
    expect(new Set(ports).size).toBe(10);
    const offsets = ports.map((p) => p - 40000);
    expect(offsets.slice(0, 5).every((o) => o % 2 === 0)).toBe(true);
    expect(offsets.slice(5).every((o) => o % 2 === 1)).toBe(true);
  });
});
