// Every example runs through the built command, exits 0, and its trace shows
// the behaviour it is about.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SegmentEvent, StateEvent, SyscallEvent, TraceEvent } from '../../types/closing-time.d.ts';
import { buildCli, cliJson, type JsonRun } from './run-cli.ts';

const states = (events: TraceEvent[], host: string) => events.filter((e): e is StateEvent => e.kind === 'state' && e.host === host);
const path = (events: TraceEvent[], host: string) => states(events, host).map((e) => `${e.from}->${e.to}`);
const sent = (events: TraceEvent[]) => events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send');
const output = (events: TraceEvent[], host: string) =>
  events
    .filter((e) => e.kind === 'output' && e.host === host)
    .map((e) => (e as { text: string }).text)
    .join('');
const syscalls = (events: TraceEvent[], call: string) => events.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.call === call);

async function example(name: string): Promise<JsonRun> {
  const run = await cliJson(['run', `examples/${name}.ts`, '--no-typecheck']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.final.ok).toBe(true);
  return run;
}

beforeAll(() => buildCli());

describe('examples', () => {
  it('four-way-close: the client closes first and ends in TIME-WAIT for 60 s', async () => {
    const { events, final } = await example('four-way-close');
    expect(path(events, 'client')).toEqual([
      'CLOSED->SYN_SENT',
      'SYN_SENT->ESTABLISHED',
      'ESTABLISHED->FIN_WAIT_1',
      'FIN_WAIT_1->FIN_WAIT_2',
      'FIN_WAIT_2->TIME_WAIT',
      'TIME_WAIT->CLOSED',
    ]);
    expect(path(events, 'server')).toContain('CLOSE_WAIT->LAST_ACK');
    expect(path(events, 'server')).toContain('LAST_ACK->CLOSED');
    const enter = states(events, 'client').find((e) => e.to === 'TIME_WAIT')!;
    const leave = states(events, 'client').find((e) => e.from === 'TIME_WAIT')!;
    expect(leave.t - enter.t).toBe(60_000);
    expect(output(events, 'client')).toMatch(/TIME-WAIT .*timewait/);
    expect(final.summary!.endedBy).toBe('quiescence');
  });

  it('simultaneous-close: both FINs cross, both ends pass CLOSING and wait in TIME-WAIT', async () => {
    const { events } = await example('simultaneous-close');
    for (const host of ['client', 'server']) {
      const p = path(events, host);
      expect(p).toContain('ESTABLISHED->FIN_WAIT_1');
      expect(p).toContain('FIN_WAIT_1->CLOSING');
      expect(p).toContain('CLOSING->TIME_WAIT');
    }
    expect(output(events, 'client')).toMatch(/TIME-WAIT/);
    expect(output(events, 'server')).toMatch(/TIME-WAIT/);
  });

  it('half-close: after SHUT_WR the client gets EPIPE on send and still receives data in FIN_WAIT_2', async () => {
    const { events } = await example('half-close');
    expect(output(events, 'client')).toContain('send after SHUT_WR failed with EPIPE');
    const shut = states(events, 'client').find((e) => e.to === 'FIN_WAIT_1')!;
    expect(shut.cause).toMatch(/shutdown/);
    const dataAfter = sent(events).filter((e) => e.seg.src.host === 'server' && e.seg.len > 0 && e.t >= shut.t);
    expect(dataAfter.map((e) => e.seg.data)).toEqual(['14 bytes received;', ' bye']);
    expect(output(events, 'client')).toContain('got " bye" while in FIN_WAIT_2');
    expect(output(events, 'client')).toContain('reply "14 bytes received; bye"');
  });

  it('lost-last-ack: the dropped last ACK makes the server resend its FIN, and TIME_WAIT ACKs it again', async () => {
    const { events } = await example('lost-last-ack');
    const drop = events.find((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'drop')!;
    expect(drop).toBeDefined();
    expect(drop.seg.src.host).toBe('client');
    expect(drop.seg.flags).toBe('.');
    const refin = sent(events).find((e) => e.seg.src.host === 'server' && e.seg.fin && e.seg.retransmission)!;
    expect(refin).toBeDefined();
    expect(refin.t).toBeGreaterThan(drop.t);
    const reack = sent(events).find((e) => e.seg.src.host === 'client' && e.t > refin.t && e.seg.ackFlag && !e.seg.fin);
    expect(reack).toBeDefined();
    expect(output(events, 'server')).toMatch(/LAST-ACK/);
    expect(path(events, 'server')).toContain('LAST_ACK->CLOSED');
  });

  it('close-wait-leak: every client leaves a CLOSE-WAIT socket on the server that never goes away', async () => {
    const { events, final } = await example('close-wait-leak');
    expect(states(events, 'server').filter((e) => e.to === 'CLOSE_WAIT')).toHaveLength(5);
    expect(states(events, 'server').filter((e) => e.from === 'CLOSE_WAIT')).toHaveLength(0);
    const server = final.summary!.hosts.find((h) => h.name === 'server')!;
    expect(server.ss.filter((r) => r.state === 'CLOSE-WAIT')).toHaveLength(5);
    expect(output(events, 'server')).toContain('5 sockets in CLOSE-WAIT');
  });

  it('linger-abort: close() with SO_LINGER 0 sends R, the peer gets ECONNRESET, nobody enters TIME_WAIT', async () => {
    const { events } = await example('linger-abort');
    // The abort's R. first; the client's ACK of the data then meets no socket and gets a plain R.
    const rst = sent(events).filter((e) => e.seg.rst);
    expect(rst.length).toBeGreaterThanOrEqual(1);
    expect(rst.every((e) => e.seg.src.host === 'server')).toBe(true);
    expect(rst[0].seg.flags).toBe('R.');
    expect(states(events, 'server').find((e) => e.to === 'CLOSED' && e.from === 'ESTABLISHED')?.cause).toMatch(/SO_LINGER/);
    expect(output(events, 'client')).toContain('failed with ECONNRESET');
    expect(events.some((e) => e.kind === 'state' && e.to === 'TIME_WAIT')).toBe(false);
    expect(sent(events).some((e) => e.seg.fin)).toBe(false);
  });

  it('reuseaddr-restart: bind fails with EADDRINUSE over TIME_WAIT without SO_REUSEADDR and succeeds with it', async () => {
    const { events } = await example('reuseaddr-restart');
    const binds = syscalls(events, 'bind').filter((e) => e.phase !== 'call');
    expect(binds.map((b) => b.errno ?? 'ok')).toEqual(['ok', 'EADDRINUSE', 'ok', 'ok']);
    expect(output(events, 'server')).toContain('server v2 (no SO_REUSEADDR): bind(80) failed with EADDRINUSE');
    expect(output(events, 'server')).toContain('server v4 (SO_REUSEADDR, restarted over TIME_WAIT): listening on port 80');
  });

  it('port-exhaustion: with 10 ephemeral ports, the 11th connect fails with EADDRNOTAVAIL', async () => {
    const { events, final } = await example('port-exhaustion');
    const connects = syscalls(events, 'connect').filter((e) => e.phase !== 'call');
    expect(connects.slice(0, 10).every((c) => c.phase === 'return')).toBe(true);
    expect(connects.slice(10, 12).map((c) => c.errno)).toEqual(['EADDRNOTAVAIL', 'EADDRNOTAVAIL']);
    const ports = new Set(sent(events).filter((e) => e.seg.src.host === 'client' && e.seg.syn).map((e) => e.seg.src.port));
    expect([...ports].every((p) => p >= 40000 && p <= 40009)).toBe(true);
    expect(output(events, 'client')).toContain('a minute later connect() works again');
    // The server waits in accept() for more clients: normal, exit 0.
    expect(final.summary!.blocked.map((b) => b.host)).toEqual(['server']);
  });
});
