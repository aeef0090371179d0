// The segment comparison itself (segments.ts, known-differences.ts through
// compare.ts), on hand-made captures: no root, no simulator.
import { describe, expect, test } from 'vitest';
import { compareRuns, unlisted } from './compare.ts';
import { decodeSegments, encodeSegments } from './report.ts';
import type { Observations, Scenario, SegmentRecord, Side } from './scenario.ts';
import { collapseRepeats, compareSegments, normalizeSegments, type NormSegment } from './segments.ts';

const C = 40000;
const S = 8080;
const ISN_C = 2 ** 32 - 3; // the client's numbers wrap past 2^32 within the connection
const ISN_S = 1_000_000;

/** A segment one side sent: client segments go C -> S, server segments S -> C. */
function seg(side: Side, t: number, flags: string, seq: number, ack: number, len = 0, rtx = false, port = C): SegmentRecord {
  return side === 'client'
    ? { t, flags, seq, ack, len, sport: port, dport: S, rtx }
    : { t, flags, seq, ack, len, sport: S, dport: port, rtx };
}

const wrap = (n: number) => n % 2 ** 32;

/** Handshake, 5 bytes from the client, the client's FIN, then the server's close. */
function closeCapture(serverBareAck: boolean): Record<Side, SegmentRecord[]> {
  const c = (n: number) => wrap(ISN_C + n);
  const s = (n: number) => ISN_S + n;
  return {
    client: [seg('client', 0, 'S', c(0), 0), seg('client', 0.2, '.', c(1), s(1)), seg('client', 1, 'P.', c(1), s(1), 5), seg('client', 2, 'F.', c(6), s(1)), seg('client', 4, '.', c(7), s(2))],
    server: [
      seg('server', 0.1, 'S.', s(0), c(1)),
      seg('server', 1.1, '.', s(1), c(6)),
      ...(serverBareAck ? [seg('server', 2.1, '.', s(1), c(7))] : []),
      seg('server', 3, 'F.', s(1), c(7)),
    ],
  };
}

const obs = (segments: Record<Side, SegmentRecord[]>, executor: string): Observations => ({
  id: 'x',
  executor,
  sides: { client: [], server: [] },
  segments,
  drops: {},
  errors: [],
});

const scenario = (id: string): Scenario => ({ id, title: id, teaches: '', client: [], server: [] });

describe('segments as compared', () => {
  test('sequence and acknowledgment numbers are relative to each connection\'s ISNs, across the 32-bit wrap', () => {
    const n = normalizeSegments(closeCapture(false));
    expect(n.client.map((x) => [x.flags, x.seq, x.ack, x.len])).toEqual([
      ['S', 0, null, 0],
      ['.', 1, 1, 0],
      ['P.', 1, 1, 5],
      ['F.', 6, 1, 0],
      ['.', 7, 2, 0],
    ]);
    expect(n.server.map((x) => [x.flags, x.seq, x.ack])).toEqual([
      ['S.', 0, 1],
      ['.', 1, 6],
      ['F.', 1, 7],
    ]);
  });

  test('a new SYN on a 4-tuple already used starts a new connection with its own ISNs', () => {
    const first = closeCapture(false);
    const second = {
      client: [seg('client', 10, 'S', 77, 0), seg('client', 10.2, '.', 78, 501)],
      server: [seg('server', 10.1, 'S.', 500, 78)],
    };
    const n = normalizeSegments({ client: [...first.client, ...second.client], server: [...first.server, ...second.server] });
    expect(n.client.slice(-2).map((x) => [x.conn, x.flags, x.seq, x.ack])).toEqual([
      [1, 'S', 0, null],
      [1, '.', 1, 1],
    ]);
    expect(n.server.at(-1)).toMatchObject({ conn: 1, flags: 'S.', seq: 0, ack: 1 });
  });

  test('identical captures show no difference, and one changed ack number shows as exactly that', () => {
    const a = normalizeSegments(closeCapture(false));
    expect(compareSegments(a, a)).toEqual([]);
    const b = normalizeSegments(closeCapture(false));
    b.server[1] = { ...b.server[1], ack: 5 };
    expect(compareSegments(a, b)).toEqual([{ side: 'server', conn: 0, kind: 'ack-value', index: 1, kernel: '. seq 1 ack 6', simulator: '. seq 1 ack 5' }]);
  });

  test('a bare ACK the simulator sends whose ack its next FIN carries is a piggybacked (delayed) ACK', () => {
    const diffs = compareSegments(normalizeSegments(closeCapture(false)), normalizeSegments(closeCapture(true)));
    expect(diffs).toEqual([{ side: 'server', conn: 0, kind: 'ack-piggybacked', index: 2, kernel: null, simulator: '. seq 1 ack 7' }]);
  });

  test('a bare ACK only Linux sent is not a piggybacked one', () => {
    const diffs = compareSegments(normalizeSegments(closeCapture(true)), normalizeSegments(closeCapture(false)));
    expect(diffs.map((d) => [d.kind, d.kernel])).toEqual([['bare-ack', '. seq 1 ack 7']]);
  });

  test('a missing FIN is a control difference, a changed length a data difference', () => {
    const k = normalizeSegments(closeCapture(false));
    const m = normalizeSegments(closeCapture(false));
    m.client = m.client.filter((x) => x.flags !== 'F.');
    m.client[2] = { ...m.client[2], len: 4 };
    expect(compareSegments(k, m).map((d) => d.kind).sort()).toEqual(['control', 'data', 'data']);
  });

  test('collapsing repeats keeps one copy of each retransmitted segment and of repeated ACKs, in order', () => {
    const list: NormSegment[] = [
      { conn: 0, flags: 'F.', seq: 1, ack: 1, len: 0, rtx: false, t: 0 },
      { conn: 0, flags: 'F.', seq: 1, ack: 1, len: 0, rtx: true, t: 200 },
      { conn: 0, flags: 'F.', seq: 1, ack: 1, len: 0, rtx: true, t: 600 },
      { conn: 0, flags: '.', seq: 2, ack: 2, len: 0, rtx: false, t: 601 },
      { conn: 0, flags: 'F.', seq: 1, ack: 2, len: 0, rtx: true, t: 900 },
    ];
    expect(collapseRepeats(list).map((x) => x.t)).toEqual([0, 601, 900]);
  });

  test('the report\'s encoding gives back the segments it encoded', () => {
    const n = normalizeSegments(closeCapture(true));
    expect(decodeSegments(encodeSegments(n.server))).toEqual(n.server);
  });
});

describe('known differences', () => {
  test('a bare ACK only the simulator sends, where Linux piggybacks it, is no longer listed for any scenario (delayed ACKs are modelled); a missing FIN is not listed either', () => {
    const kernel = obs(closeCapture(false), 'kernel test');
    const sim = obs(closeCapture(true), 'simulator');
    const diffs = compareRuns(scenario('any-scenario'), kernel, sim);
    expect(diffs.filter((d) => d.segment).length).toBe(1);
    expect(unlisted(diffs).map((d) => d.where)).toEqual(['server segments, connection 1, #3: bare ACK (Linux carries its acknowledgment on the next segment) only in the simulator']);
    const noFin = closeCapture(true);
    noFin.server = noFin.server.filter((x) => !x.flags.includes('F'));
    const worse = compareRuns(scenario('any-scenario'), kernel, obs(noFin, 'simulator'));
    expect(unlisted(worse).map((d) => d.where)).toContain('server segments, connection 1, #3: SYN/FIN/RST segment only in Linux');
  });

  test('an entry for one scenario does not list the same difference in another', () => {
    const k = closeCapture(false);
    const extraRst = closeCapture(false);
    extraRst.server.push(seg('server', 5, 'R', ISN_S + 2, 0));
    // The crafted-RST entry lists a server RST only Linux sent, in the RST-in-TIME_WAIT scenarios only.
    expect(unlisted(compareRuns(scenario('rst-in-time-wait-rfc1337-0'), obs(extraRst, 'kernel test'), obs(k, 'simulator'))).filter((d) => d.segment)).toEqual([]);
    expect(unlisted(compareRuns(scenario('active-close'), obs(extraRst, 'kernel test'), obs(k, 'simulator'))).filter((d) => d.segment)).not.toEqual([]);
  });
});
