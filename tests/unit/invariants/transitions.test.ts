// The fuzz suite's judge must itself be right: these tests feed it hand-made
// traces, legal and illegal, so a checker that accepts anything fails here.
import { describe, expect, test } from 'vitest';
import type { StateEvent, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';
import { checkTraceOrder, checkTransitions } from '../../fuzz/invariants.ts';
import { EDGES, IllegalTransitionError, isLegalTransition, setStrictTransitions, transition } from '../../../src/sim/tcp/transitions.ts';
import type { StackEnv } from '../../../src/sim/tcp/env.ts';
import { CLOSE_STATE } from '../../../src/sim/tcp/stack.ts';

let n = 0;
function state(id: number, from: TcpState, to: TcpState, t = n): StateEvent {
  n++;
  return { kind: 'state', t, n, host: 'h', sock: { host: 'h', id, local: '10.0.0.1:1', remote: '10.0.0.2:2' }, from, to, cause: 'test' };
}

describe('legal transitions', () => {
  test('the active closer path of RFC 9293 is legal', () => {
    const trace = [
      state(1, 'CLOSED', 'SYN_SENT'),
      state(1, 'SYN_SENT', 'ESTABLISHED'),
      state(1, 'ESTABLISHED', 'FIN_WAIT_1'),
      state(1, 'FIN_WAIT_1', 'FIN_WAIT_2'),
      state(1, 'FIN_WAIT_2', 'TIME_WAIT'),
      state(1, 'TIME_WAIT', 'CLOSED'),
    ];
    expect(checkTransitions(trace)).toEqual([]);
  });

  test('simultaneous close through CLOSING is legal; a FIN that ACKs ours passes through FIN_WAIT_2 (no FIN_WAIT_1 -> TIME_WAIT)', () => {
    expect(isLegalTransition('FIN_WAIT_1', 'CLOSING')).toBe(true);
    expect(isLegalTransition('CLOSING', 'TIME_WAIT')).toBe(true);
    expect(isLegalTransition('FIN_WAIT_1', 'TIME_WAIT')).toBe(false);
  });

  test('Linux extras: FIN_WAIT_2 orphan timeout and aborts go to CLOSED', () => {
    expect(isLegalTransition('FIN_WAIT_2', 'CLOSED')).toBe(true);
    expect(isLegalTransition('ESTABLISHED', 'CLOSED')).toBe(true);
    expect(isLegalTransition('CLOSE_WAIT', 'CLOSED')).toBe(true);
  });

  test.each([
    ['ESTABLISHED', 'TIME_WAIT'],
    ['CLOSE_WAIT', 'TIME_WAIT'],
    ['LAST_ACK', 'TIME_WAIT'],
    ['FIN_WAIT_2', 'CLOSING'],
    ['TIME_WAIT', 'ESTABLISHED'],
    ['CLOSED', 'ESTABLISHED'],
    ['ESTABLISHED', 'LAST_ACK'],
    ['FIN_WAIT_2', 'FIN_WAIT_1'],
  ] as [TcpState, TcpState][])('%s -> %s is reported', (from, to) => {
    expect(isLegalTransition(from, to)).toBe(false);
    expect(checkTransitions([state(11, 'CLOSED', from), state(11, from, to)]).join('\n')).toContain(`${from} -> ${to}`);
  });

  test('a state change that does not follow on from the previous one is reported', () => {
    const v = checkTransitions([state(3, 'CLOSED', 'SYN_SENT'), state(3, 'ESTABLISHED', 'FIN_WAIT_1')]);
    expect(v.join('\n')).toContain('left ESTABLISHED but was in SYN_SENT');
  });

  test('every listed edge names its source and its label', () => {
    for (const e of EDGES) {
      expect(e.source.length, `${e.from} -> ${e.to}`).toBeGreaterThan(10);
      expect(e.label.length, `${e.from} -> ${e.to}`).toBeGreaterThan(3);
    }
  });

  test("every change of Linux's close table (tcp_close_state) that sends a FIN is an edge of the table", () => {
    const changes = Object.entries(CLOSE_STATE).filter(([from, next]) => next.fin && next.to !== from);
    expect(changes.map(([from, next]) => `${from}>${next.to}`)).toEqual(['ESTABLISHED>FIN_WAIT_1', 'SYN_RECEIVED>FIN_WAIT_1', 'CLOSE_WAIT>LAST_ACK']);
    for (const [from, next] of changes) expect(isLegalTransition(from as TcpState, next.to), `${from} -> ${next.to}`).toBe(true);
  });

  test('each edge is listed once', () => {
    const keys = EDGES.map((e) => `${e.from}>${e.to}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('strict transitions', () => {
  const traced: string[] = [];
  const env = { tracingState: true, traceState: (_h: string, _id: number, _l: string, _r: string, from: TcpState, to: TcpState) => traced.push(`${from}>${to}`) } as unknown as StackEnv;
  const sock = { id: 7, local: '10.0.0.1:1', remote: '10.0.0.2:2' };

  test('the tests run with strict transitions on: an edge the table lacks throws and is not traced', () => {
    traced.length = 0;
    expect(() => transition(env, 'h', sock, 'ESTABLISHED', 'TIME_WAIT', 'test')).toThrow(IllegalTransitionError);
    expect(() => transition(env, 'h', sock, 'ESTABLISHED', 'TIME_WAIT', 'test')).toThrow(/h socket 7 .* went ESTABLISHED -> TIME_WAIT \(cause 'test'\)/);
    expect(traced).toEqual([]);
  });

  test('a listed edge is traced', () => {
    traced.length = 0;
    transition(env, 'h', sock, 'FIN_WAIT_1', 'CLOSING', 'test');
    expect(traced).toEqual(['FIN_WAIT_1>CLOSING']);
  });

  test('with strict transitions off (production) an unlisted edge is traced, not checked', () => {
    traced.length = 0;
    setStrictTransitions(false);
    try {
      transition(env, 'h', sock, 'ESTABLISHED', 'TIME_WAIT', 'test');
    } finally {
      setStrictTransitions(true);
    }
    expect(traced).toEqual(['ESTABLISHED>TIME_WAIT']);
  });
});

describe('trace order', () => {
  const ev = (n: number, t: number): TraceEvent => ({ kind: 'note', n, t, level: 'info', text: '' });
  test('accepts increasing positions and non-decreasing time', () => {
    expect(checkTraceOrder([ev(1, 0), ev(2, 0), ev(3, 5)])).toEqual([]);
  });
  test('reports time going backwards and repeated positions', () => {
    expect(checkTraceOrder([ev(1, 5), ev(2, 4)])[0]).toContain('time goes back');
    expect(checkTraceOrder([ev(1, 5), ev(1, 6)])[0]).toContain('position');
  });
});
