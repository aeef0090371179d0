// The byte-stream, errno and outcome checks of the fuzz suite, fed by hand.
import { describe, expect, test } from 'vitest';
import type { SegmentEvent, TraceEvent } from '../../../types/closing-time.d.ts';
import type { RunSummary } from '../../../src/sim/world-types.ts';
import { checkErrnos, checkOutcome, checkQuiescence, checkStreams } from '../../fuzz/invariants.ts';
import { FIRST_PORT } from '../../fuzz/plan.ts';
import { DELIBERATE_MESSAGE, StreamText, type StreamLog } from '../../fuzz/streams.ts';

const text = new StreamText('c2s0#');
const sent = text.slice(0, 200);

function streams(log: Partial<StreamLog>) {
  return new Map([['0:c2s', { offered: sent, accepted: sent, read: '', sawEof: false, ...log }]]);
}

let n = 0;
function seg(action: SegmentEvent['action'], host: string, flags: string, seq: number, len = 0): SegmentEvent {
  const client = { host: 'client', ip: '10.0.0.1', port: 40000 };
  const server = { host: 'server', ip: '10.0.0.2', port: FIRST_PORT };
  const fromClient = action === 'send' ? host === 'client' : host === 'server';
  return {
    kind: 'segment', action, host, t: n, n: n++,
    seg: {
      id: n, src: fromClient ? client : server, dst: fromClient ? server : client, seq, ack: 0, flags,
      syn: flags.includes('S'), fin: flags.includes('F'), rst: flags.includes('R'), ackFlag: flags.includes('.'),
      win: 65535, len, data: '', retransmission: false,
    },
  };
}

describe('byte streams', () => {
  test('a prefix read in order passes', () => {
    expect(checkStreams({ streams: streams({ read: sent.slice(0, 120) }), trace: [], failures: [] })).toEqual([]);
  });

  test('a duplicated chunk is reported with its position', () => {
    const read = sent.slice(0, 50) + sent.slice(40, 60);
    const v = checkStreams({ streams: streams({ read }), trace: [], failures: [] });
    expect(v.join('\n')).toContain('byte 50 read');
  });

  test('EOF before all accepted bytes, with no RST, is data loss', () => {
    const v = checkStreams({ streams: streams({ read: sent.slice(0, 100), sawEof: true }), trace: [], failures: [] });
    expect(v.join('\n')).toContain('data lost before the FIN');
  });

  test('EOF after a RST may come early (Linux returns 0 after a reset)', () => {
    const trace: TraceEvent[] = [seg('send', 'server', 'R.', 1)];
    expect(checkStreams({ streams: streams({ read: sent.slice(0, 100), sawEof: true }), trace, failures: [] })).toEqual([]);
  });

  test('the FIN must sit right after the accepted bytes', () => {
    const good: TraceEvent[] = [seg('send', 'client', 'S', 1000), seg('send', 'client', 'F.', 1001 + 200)];
    expect(checkStreams({ streams: streams({ read: sent, sawEof: true }), trace: good, failures: [] })).toEqual([]);
    const bad: TraceEvent[] = [seg('send', 'client', 'S', 1000), seg('send', 'client', 'F.', 1001 + 150)];
    expect(checkStreams({ streams: streams({ read: sent, sawEof: true }), trace: bad, failures: [] }).join('\n')).toContain('FIN at sequence');
  });

  test('ECONNRESET without a RST reaching or leaving that host is reported', () => {
    const failures = [{ process: 'client-0', call: 'recv', errno: 'ECONNRESET' }];
    const without = checkStreams({ streams: streams({}), trace: [seg('send', 'server', 'R.', 5)], failures });
    expect(without.join('\n')).toContain('no RST reached or left the client');
    const local = checkStreams({ streams: streams({}), trace: [seg('send', 'client', 'R.', 5)], failures });
    expect(local).toEqual([]);
    const withRst = checkStreams({ streams: streams({}), trace: [seg('send', 'server', 'R.', 5), seg('deliver', 'client', 'R.', 5)], failures });
    expect(withRst).toEqual([]);
  });
});

describe('errnos', () => {
  test('documented errnos pass, others are reported', () => {
    expect(checkErrnos([{ process: 'p', call: 'send', errno: 'EPIPE' }, { process: 'p', call: 'connect', errno: 'ECONNREFUSED' }])).toEqual([]);
    expect(checkErrnos([{ process: 'p', call: 'recv', errno: 'EPIPE' }])[0]).toContain('recv() failed with EPIPE');
    expect(checkErrnos([{ process: 'p', call: 'close', errno: 'EBADF' }])).toHaveLength(1);
  });
});

describe('outcome', () => {
  const summary = (endedBy: RunSummary['endedBy'], failed: string[] = []): RunSummary => ({
    endedBy, message: endedBy, virtualMs: 0, events: 0, traced: 0, blocked: [], hosts: [], pendingTimers: 0,
    failed: failed.map((p, i) => ({ kind: 'process', t: 0, n: i, host: 'h', pid: i, process: p, action: 'fail', error: { name: 'Error', message: DELIBERATE_MESSAGE } })),
  });
  test('quiet runs and time limits pass', () => {
    expect(checkOutcome(summary('quiescence'), [], [])).toEqual([]);
    expect(checkOutcome(summary('time-limit'), [], [])).toEqual([]);
  });
  test('an error with no deliberate throw is reported', () => {
    expect(checkOutcome(summary('error', ['client-0']), [], [])).toHaveLength(2);
  });
  test('a deliberate throw must be listed as failed, and only it', () => {
    expect(checkOutcome(summary('error', ['client-0']), [], ['client-0'])).toEqual([]);
    expect(checkOutcome(summary('quiescence', ['client-0']), [], ['client-0'])).toEqual([]);
    expect(checkOutcome(summary('quiescence'), [], ['client-0']).join('\n')).toContain('does not list it as failed');
    expect(checkOutcome(summary('quiescence', ['client-0', 'server-0']), [], ['client-0']).join('\n')).toContain('server-0');
  });
  test('anything but SocketError escaping a call is reported', () => {
    expect(checkOutcome(summary('quiescence'), ['client-0 send: TypeError: x is undefined'], [])[0]).toContain('non-SocketError');
  });
  test('the wall-clock limit is a failure', () => {
    expect(checkOutcome(summary('wall-limit'), [], [])).toHaveLength(1);
  });
});

describe('quiescence', () => {
  const table = (rows: { state: string; process?: string }[]) =>
    rows.map((r) => ({ recvQ: 0, sendQ: 0, local: '10.0.0.1:1', peer: '10.0.0.2:2', ...r }));
  const run = (endedBy: RunSummary['endedBy'], rows: { state: string; process?: string }[]): RunSummary =>
    ({ endedBy, message: '', virtualMs: 0, events: 0, traced: 0, blocked: [], failed: [], pendingTimers: 0, hosts: [{ name: 'h', ip: '10.0.0.1', ss: table(rows) }] }) as unknown as RunSummary;
  test('idle states and an owned FIN_WAIT_2 may stay', () => {
    expect(checkQuiescence(run('quiescence', [{ state: 'LISTEN', process: 'p' }, { state: 'ESTAB', process: 'p' }, { state: 'CLOSE-WAIT', process: 'p' }, { state: 'FIN-WAIT-2', process: 'p' }]))).toEqual([]);
  });
  test('a timed state or an orphan FIN_WAIT_2 at quiescence is a lost timer', () => {
    expect(checkQuiescence(run('quiescence', [{ state: 'TIME-WAIT' }]))[0]).toContain('timer was lost');
    expect(checkQuiescence(run('quiescence', [{ state: 'FIN-WAIT-2' }]))[0]).toContain('orphan');
    expect(checkQuiescence(run('quiescence', [{ state: 'LAST-ACK', process: 'p' }]))).toHaveLength(1);
  });
  test('a run stopped by its time limit is not judged', () => {
    expect(checkQuiescence(run('time-limit', [{ state: 'TIME-WAIT' }]))).toEqual([]);
  });
});
