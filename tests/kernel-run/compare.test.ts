// The comparison on small traces written by hand: what counts as the same,
// what a simplification explains, and what is a difference.
import { describe, expect, test } from 'vitest';
import type { SegmentEvent, StateEvent, SyscallEvent, TcpState, TraceEvent } from '../../types/closing-time.d.ts';
import { compareTraces, formatComparison } from '../../src/kernel/compare.ts';
import { SIMPLIFICATIONS } from '../../src/kernel/simplifications.ts';

const C = { host: 'client', ip: '10.0.0.1' };
const S = { host: 'server', ip: '10.0.0.2' };

function seg(t: number, from: 'c' | 's', flags: string, seq: number, ack: number, data = '', cport = 40000): SegmentEvent {
  const [src, dst] = from === 'c' ? [{ ...C, port: cport }, { ...S, port: 80 }] : [{ ...S, port: 80 }, { ...C, port: cport }];
  return {
    kind: 'segment', action: 'send', host: src.host, t, n: 0,
    seg: { id: 0, src, dst, seq, ack, flags, syn: flags.includes('S'), fin: flags.includes('F'), rst: flags.includes('R'), ackFlag: flags.includes('.'), win: 1000, len: data.length, data, retransmission: false },
  } as SegmentEvent;
}
function state(t: number, host: string, local: string, remote: string, from: TcpState, to: TcpState, id = host === 'client' ? 1 : 2): StateEvent {
  return { kind: 'state', host, t, n: 0, sock: { host, id, local, remote }, from, to, cause: '' };
}
function call(t: number, host: string, name: string, result: string, errno?: string): SyscallEvent {
  return { kind: 'syscall', host, pid: 1, process: host, call: name, args: '', phase: errno ? 'error' : 'return', t, n: 0, ...(errno ? { errno } : { result }) } as SyscallEvent;
}

/**
 * A close with the given client ISN and port: four segments, or the three of a
 * delayed ACK riding on the server's FIN, where the client's states are those
 * of a sampled kernel run (FIN_WAIT_2, entered and left on one segment, is not seen).
 */
function close(isn: number, port: number, linux: boolean): TraceEvent[] {
  const c = (t: number, f: string, s: number, a: number, d = '') => seg(t, 'c', f, isn + s, 5000 + a, d, port);
  const s = (t: number, f: string, q: number, a: number) => seg(t, 's', f, 5000 + q, isn + a, '', port);
  const ev: TraceEvent[] = [
    state(0, 'server', '0.0.0.0:80', '*:*', 'CLOSED', 'LISTEN', 9),
    c(1, 'S', 0, 0), s(2, 'S.', 0, 1), c(3, '.', 1, 1), c(4, 'P.', 1, 1, 'hi'),
    state(1, 'client', `10.0.0.1:${port}`, '10.0.0.2:80', 'CLOSED', 'SYN_SENT'),
    state(3, 'client', `10.0.0.1:${port}`, '10.0.0.2:80', 'SYN_SENT', 'ESTABLISHED'),
    call(4, 'client', 'send', '2'),
    c(5, 'F.', 3, 1),
    state(5, 'client', `10.0.0.1:${port}`, '10.0.0.2:80', 'ESTABLISHED', 'FIN_WAIT_1'),
  ];
  if (!linux) ev.push(s(6, '.', 1, 4), state(6, 'client', `10.0.0.1:${port}`, '10.0.0.2:80', 'FIN_WAIT_1', 'FIN_WAIT_2'));
  ev.push(s(7, 'F.', 1, 4), c(8, '.', 4, 2));
  ev.push(state(8, 'client', `10.0.0.1:${port}`, '10.0.0.2:80', linux ? 'FIN_WAIT_1' : 'FIN_WAIT_2', 'TIME_WAIT'));
  return ev.sort((a, b) => a.t - b.t);
}

describe('compareTraces', () => {
  test('the same run with other ISNs and another ephemeral port is the same', () => {
    const c = compareTraces(close(100, 40000, false), close(987654, 51234, false), 100);
    expect(c.differences).toEqual([]);
    expect(c.verdict).toBe('same');
    expect(c.compared.segments).toBeGreaterThan(3);
  });

  test("Linux's three-segment close (F. / F. / .) is the delayed-ack simplification, and the state it skips is a sampling gap", () => {
    const c = compareTraces(close(100, 40000, false), close(7, 40001, true), 100);
    expect(c.verdict).toBe('same-but-simplifications');
    expect(c.differences.map((d) => d.explainedBy)).toEqual(['delayed-ack']);
    expect(formatComparison(c, 'p.ts')).toContain(SIMPLIFICATIONS['delayed-ack'].text);
  });

  /** The three-segment close with FIN_WAIT_1 > FIN_WAIT_2 > TIME_WAIT on the server's FIN, as Linux and now the simulator make it. */
  const throughFinWait2 = (ev: TraceEvent[]) =>
    ev.flatMap((e) => (e.kind === 'state' && e.from === 'FIN_WAIT_1' && e.to === 'TIME_WAIT' ? [{ ...e, to: 'FIN_WAIT_2' as const }, { ...e, from: 'FIN_WAIT_2' as const }] : [e])) as TraceEvent[];

  test('a FIN that ACKs our FIN takes both through FIN_WAIT_2 to TIME_WAIT: the same, with no simplification to explain it', () => {
    const c = compareTraces(throughFinWait2(close(100, 40000, true)), throughFinWait2(close(7, 40001, true)), 100);
    expect(c.differences).toEqual([]);
    expect(c.verdict).toBe('same');
  });

  test('a simulator going from FIN_WAIT_1 straight to TIME_WAIT where Linux passes through FIN_WAIT_2 is a difference', () => {
    const c = compareTraces(close(100, 40000, true), throughFinWait2(close(7, 40001, true)), 100);
    expect(c.verdict).toBe('different');
    expect(c.differences.filter((d) => d.aspect === 'states')).toMatchObject([{ sim: expect.not.stringContaining('FIN_WAIT_2'), kernel: expect.stringContaining('FIN_WAIT_1 > FIN_WAIT_2 > TIME_WAIT') }]);
    expect(c.differences.every((d) => d.explainedBy === undefined)).toBe(true);
  });

  test('a RST where the simulator closed with FIN is an undocumented difference', () => {
    const kernel = close(7, 40001, false).map((e) => (e.kind === 'segment' && e.seg.flags === 'F.' && e.host === 'server' ? { ...e, seg: { ...e.seg, flags: 'R.', fin: false, rst: true } } : e)) as TraceEvent[];
    const c = compareTraces(close(100, 40000, false), kernel, 100);
    expect(c.verdict).toBe('different');
    expect(c.differences.some((d) => d.aspect === 'counts' && /RSTs/.test(d.subject) && d.sim === '0' && d.kernel === '1')).toBe(true);
    expect(formatComparison(c, 'p.ts')).toMatch(/verdict: DIFFERENT/);
  });

  test('another errno from the same call is a difference', () => {
    const sim = [...close(1, 40000, false), call(9, 'client', 'recv', '', 'ECONNRESET')];
    const kernel = [...close(1, 40000, false), call(9, 'client', 'recv', "'' (EOF)")];
    const c = compareTraces(sim, kernel, 100);
    expect(c.differences.find((d) => d.aspect === 'calls')).toMatchObject({ sim: 'recv = ECONNRESET', kernel: "recv = '' (EOF)" });
    expect(c.verdict).toBe('different');
  });

  test('a state the kernel shows and the simulator never reaches is a difference', () => {
    const kernel = close(1, 40000, false).map((e) => (e.kind === 'state' && e.to === 'TIME_WAIT' ? { ...e, to: 'CLOSING' as TcpState } : e));
    expect(compareTraces(close(1, 40000, false), kernel, 100).verdict).toBe('different');
  });

  test('the same bytes cut into other segments (a FIN riding on held-back data) is the Nagle simplification', () => {
    const sim = [seg(1, 'c', 'S', 0, 0), seg(2, 's', 'S.', 50, 1), seg(3, 'c', 'P.', 1, 51, 'a'), seg(4, 'c', 'P.', 2, 51, 'b'), seg(5, 'c', 'F.', 3, 51)];
    const kernel = [seg(1, 'c', 'S', 0, 0), seg(2, 's', 'S.', 50, 1), seg(3, 'c', 'P.', 1, 51, 'a'), seg(5, 'c', 'FP.', 2, 51, 'b')];
    const c = compareTraces(sim, kernel, 100);
    expect(c.differences.map((d) => d.explainedBy)).toEqual(['nagle']);
  });

  test("the simulator's events after the kernel run ended are not compared", () => {
    const sim = [...close(1, 40000, false), state(60_008, 'client', '10.0.0.1:40000', '10.0.0.2:80', 'TIME_WAIT', 'CLOSED')];
    expect(compareTraces(sim, close(1, 40000, false), 1000).verdict).toBe('same');
    expect(compareTraces(sim, close(1, 40000, false), 70_000).verdict).toBe('different');
  });
  /** Two server-side sockets of ephemeral client ports: the first ends in TIME_WAIT, the second is taken over (CLOSED) or not. */
  function twPair(takenOver: 1 | 2): TraceEvent[] {
    const path = (id: number, port: number, t0: number, closed: boolean): TraceEvent[] => {
      const l = `10.0.0.2:80`;
      const r = `10.0.0.1:${port}`;
      const ev = [state(t0, 'server', l, r, 'SYN_RECEIVED', 'ESTABLISHED', id), state(t0 + 1, 'server', l, r, 'ESTABLISHED', 'FIN_WAIT_1', id), state(t0 + 2, 'server', l, r, 'FIN_WAIT_1', 'FIN_WAIT_2', id), state(t0 + 2, 'server', l, r, 'FIN_WAIT_2', 'TIME_WAIT', id)];
      if (closed) ev.push(state(t0 + 50, 'server', l, r, 'TIME_WAIT', 'CLOSED', id));
      return ev;
    };
    const listener = state(0, 'server', '0.0.0.0:80', '*:*', 'CLOSED', 'LISTEN', 9);
    return [listener, ...path(11, 40000, 1, takenOver === 1), ...path(12, 40001, 10, takenOver === 2)].sort((a, b) => a.t - b.t);
  }

  test('a TIME_WAIT taken over early on another socket in each run is the ephemeral-ports simplification', () => {
    const c = compareTraces(twPair(1), twPair(2), 100);
    expect(c.verdict).toBe('same-but-simplifications');
    expect(c.differences.map((d) => [d.aspect, d.explainedBy])).toEqual([['states', 'ephemeral-ports'], ['states', 'ephemeral-ports']]);
  });

  test('a TIME_WAIT ended early is a difference when the port is not ephemeral (a listener has it)', () => {
    const listening = (ev: TraceEvent[]) => [state(0, 'client', '0.0.0.0:40000', '*:*', 'CLOSED', 'LISTEN', 99), ...ev];
    expect(compareTraces(listening(twPair(1)), listening(twPair(2)), 100).verdict).toBe('different');
  });

  test('a TIME_WAIT that ended when its 60 s ran out is no takeover: a difference', () => {
    const expired = twPair(1).map((e) => (e.kind === 'state' && e.to === 'CLOSED' ? { ...e, t: e.t + 60_000 } : e));
    expect(compareTraces(expired, twPair(2), 70_000).verdict).toBe('different');
  });

  test('when the kernel run hit its time limit, a socket it left on the way is compared as far as it got', () => {
    const states = close(1, 40000, false).filter((e) => e.kind === 'state');
    const kernel = states.filter((e) => e.t <= 4);
    expect(compareTraces(states, kernel, 100, true).verdict).toBe('same');
    expect(compareTraces(states, kernel, 100, false).verdict).toBe('different');
  });

  /** Handlers spawned per accepted connection: one start and one recv each, the requests in `order`, started at `times`. */
  function handlers(order: string[], times: number[]): TraceEvent[] {
    const ev: TraceEvent[] = [];
    order.forEach((req, i) => {
      const pid = 10 + i;
      ev.push({ kind: 'process', host: 'server', pid, process: 'handler', action: 'start', t: times[i]!, n: 0 } as TraceEvent);
      ev.push({ ...call(times[i]! + 1, 'server', 'recv', `"${req}" (${req.length} bytes)`), pid, process: 'handler' } as SyscallEvent);
    });
    return ev.sort((a, b) => a.t - b.t);
  }

  test('handlers of connections that arrived together, accepted in another order on the kernel, are the same', () => {
    const c = compareTraces(handlers(['hi from client1', 'hi from client2', 'hi from client3'], [20, 20, 21]), handlers(['hi from client3', 'hi from client1', 'hi from client2'], [20, 21, 22]), 100);
    expect(c.differences).toEqual([]);
    expect(c.compared.calls).toBe(3);
  });

  test('handlers the simulator started far apart are compared in start order: another order on the kernel is a difference', () => {
    const c = compareTraces(handlers(['first', 'second'], [20, 500]), handlers(['second', 'first'], [20, 500]), 1000);
    expect(c.verdict).toBe('different');
    expect(c.differences.filter((d) => d.aspect === 'calls').map((d) => d.subject)).toEqual(['server[handler] call 1', 'server[handler #2] call 1']);
  });

  test('handlers that started together but did something else are still a difference', () => {
    const c = compareTraces(handlers(['a', 'b'], [20, 20]), handlers(['b', 'c'], [20, 20]), 100);
    expect(c.verdict).toBe('different');
    // 'b' is b on both; the handler that read 'a' in the simulator read 'c' on the kernel.
    expect(c.differences.filter((d) => d.aspect === 'calls').map((d) => [d.sim, d.kernel])).toEqual([['recv = "a" (1 bytes)', 'recv = "c" (1 bytes)']]);
  });
});
