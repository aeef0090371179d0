// A segment packs its addresses (a shared SegPath), flags, window and sender state into few
// words; what the trace reads back must be exactly what was sent.
import { describe, expect, it } from 'vitest';
import { ACK, FIN, PSH, SYN, SegPath, Segment } from '../../../src/sim/segment.ts';
import type { TcpState } from '../../../src/sim/index.ts';

// Written out here, not imported: the test checks the packing against the type's states, not against itself.
const STATES = 'CLOSED LISTEN SYN_SENT SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT'.split(' ') as TcpState[];

describe('Segment', () => {
  const path = new SegPath('client', '10.0.0.1', 'server', '10.0.0.2');

  it('gives back every sender state, and none', () => {
    for (const st of [...STATES, undefined]) {
      const s = new Segment(path, 49152, 80, 1, 2, ACK | FIN, 65535, '', 7, 8, true, st);
      expect(s.senderState).toBe(st);
      // The state bits leave the flags, window and the other bits alone.
      expect(s.bits).toBe(ACK | FIN);
      expect(s.win).toBe(65535);
      expect(s.retransmission).toBe(true);
      expect(s.hasTs).toBe(true);
    }
  });

  it('reads its addresses from the path, and its JSON is the trace shape (no engine fields)', () => {
    const s = new Segment(path, 65535, 80, -1, 0x7fffffff, SYN | ACK | PSH, 0, 'hello', undefined, undefined, false, 'SYN_RECEIVED');
    expect(s.src).toEqual({ host: 'client', ip: '10.0.0.1', port: 65535 });
    expect(s.dst).toEqual({ host: 'server', ip: '10.0.0.2', port: 80 });
    expect(s.seq).toBe(0xffffffff);
    expect(s.ack).toBe(0x7fffffff);
    expect(s.flags).toBe('SP.');
    expect(s.seqLen).toBe(6);
    expect(s.tsval).toBeUndefined();
    const json = JSON.parse(JSON.stringify(s));
    expect(Object.keys(json)).toEqual(['id', 'src', 'dst', 'seq', 'ack', 'flags', 'syn', 'fin', 'rst', 'ackFlag', 'win', 'len', 'data', 'retransmission']);
    expect(Object.keys(s)).not.toContain('kind');
  });
});
