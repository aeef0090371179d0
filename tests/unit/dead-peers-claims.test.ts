// What the dead-peers lesson says, checked on its playgrounds' programs as the
// page runs them, and on a single connection where the claim is a number.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playgroundsOfLesson } from '../../src/components/playground/lesson-playgrounds.ts';
import { runProgram } from '../../src/runner/run-program.ts';
import type { TraceEvent } from '../../src/sim/index.ts';
import { Bench } from './sim/tcb-harness.ts';

const content = join(import.meta.dirname, '../../content');

async function trace(id: string): Promise<TraceEvent[]> {
  const pg = playgroundsOfLesson(content, 'dead-peers').find((p) => p.id === id)!;
  const events: TraceEvent[] = [];
  const r = await runProgram(pg.source, { fileName: `${pg.id}.ts`, seed: pg.seed, untilMs: pg.untilMs, onEvent: (e) => events.push(e) });
  expect(r.errors).toEqual([]);
  return events;
}

const closes = (events: TraceEvent[], host: string) => events.filter((e) => e.kind === 'state' && e.host === host && e.to === 'CLOSED');

describe('dead-peers lesson', () => {
  it('the table: with the defaults keepalive resets a vanished idle peer 7200 + 9 x 75 s = 2 h 11 min 15 s after it was last heard', () => {
    const b = new Bench();
    const sk = b.established();
    sk.setKeepalive(true);
    b.env.advance(7_200_000 - 1);
    expect(b.env.sent.length).toBe(2); // the SYN and the handshake's ACK: no probe yet
    b.env.advance(1);
    expect(b.env.sent.length).toBe(3);
    b.env.advance(9 * 75_000 - 1);
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
    expect(sk.sendError()).toBe('ETIMEDOUT');
  });

  it('the table: data to a vanished peer is retransmitted for 924.6 s with a 200 ms RTO (tcp_retries2 = 15)', () => {
    const b = new Bench();
    const sk = b.established();
    sk.sqAppend('reply');
    sk.output();
    b.env.advance(924_600 - 1);
    expect(sk.state).toBe('ESTABLISHED');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(sk.sendError()).toBe('ETIMEDOUT');
  });

  it('keepalive playground: the vanished client is reset at 35 s (20 + 3 x 5), the idle live one never', async () => {
    const events = await trace('keepalive');
    const server = closes(events, 'server');
    expect(server.map((e) => [e.t, e.kind === 'state' && e.cause])).toEqual([[35_030, 'keepalive timeout']]);
    expect(closes(events, 'client2')).toEqual([]);
  });

  it('user-timeout playground: ETIMEDOUT 10 s after the first retransmission, and no RST from the server', async () => {
    const events = await trace('user-timeout');
    const firstRtx = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'server' && e.seg.retransmission)!;
    const end = closes(events, 'server').find((e) => e.kind === 'state' && e.cause === 'TCP_USER_TIMEOUT')!;
    expect(end.t - firstRtx.t).toBe(10_000);
    expect(events.some((e) => e.kind === 'segment' && e.seg.src.host === 'server' && e.seg.rst)).toBe(false);
  });

  it('orphan playground: the orphan gives up between 5 and 6 minutes without a RST; the client is reset only when it reads at 7 min', async () => {
    const events = await trace('orphan-zero-window');
    const end = closes(events, 'server').find((e) => e.kind === 'state' && e.from === 'FIN_WAIT_1')!;
    expect(end.t).toBeGreaterThan(5 * 60_000);
    expect(end.t).toBeLessThan(6 * 60_000);
    const rsts = events.filter((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'server' && e.seg.rst);
    expect(rsts.length).toBe(1);
    expect(rsts[0]!.t).toBeGreaterThanOrEqual(7 * 60_000);
    // Its probes were answered all along: the client's kernel ACKed them with a zero window.
    const answers = events.filter((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'client' && e.t > 1_000 && e.t < end.t);
    expect(answers.length).toBeGreaterThan(5);
    expect(answers.every((e) => e.kind === 'segment' && e.seg.win === 0)).toBe(true);
  });

  it('rebooted playground: the rebooted client answers with a bare RST whose sequence number is the ping\'s ACK', async () => {
    const events = await trace('rebooted-peer');
    const rst = events.find((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'client' && e.seg.rst)!;
    const ping = events.filter((e) => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'server' && e.seg.len > 0 && e.t <= rst.t).at(-1)!;
    if (rst.kind !== 'segment' || ping.kind !== 'segment') throw new Error('no segments');
    expect(rst.seg.flags).toBe('R');
    expect(rst.seg.seq).toBe(ping.seg.ack);
  });
});
