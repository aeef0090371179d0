// A segment that ACKs our FIN while we are in FIN_WAIT_1 and carries the
// peer's FIN (the usual three-segment close, seen from the side that closed
// first): RFC 9293 §3.10.7.4 takes it to FIN-WAIT-2 at the ACK check ("enter
// FIN-WAIT-2 and continue processing in that state") and to TIME-WAIT at the
// FIN; Linux does the same in one call (tcp_rcv_state_process, case
// TCP_FIN_WAIT1, then tcp_data_queue -> tcp_fin, case TCP_FIN_WAIT2). There is
// no FIN_WAIT_1 -> TIME_WAIT step.
import { describe, expect, it } from 'vitest';
import { seqAdd } from '../../../src/sim/segment.ts';
import { isLegalTransition } from '../../../src/sim/tcp/transitions.ts';
import { Bench } from './tcb-harness.ts';

const THROUGH_FIN_WAIT_2 = ['FIN_WAIT_1->FIN_WAIT_2 rcv ACK of FIN', 'FIN_WAIT_2->TIME_WAIT rcv FIN'];

/** The states the connection took after FIN_WAIT_1, in order. */
function afterFinWait1(b: Bench): string[] {
  return b.env.states.slice(b.env.states.findIndex((s) => s.startsWith('ESTABLISHED->FIN_WAIT_1')) + 1);
}

describe('a FIN that ACKs our FIN in FIN_WAIT_1', () => {
  it('takes a socket shut for writing through FIN_WAIT_2 to TIME_WAIT, ACKs the FIN at once and starts the TIME_WAIT timer once', () => {
    const b = new Bench();
    const sk = b.finWait1();
    const ourFin = b.last;
    const n = b.env.sent.length;
    b.receive(b.segment('F.'));
    expect(afterFinWait1(b)).toEqual(THROUGH_FIN_WAIT_2);
    expect(b.env.states).not.toContain('FIN_WAIT_1->TIME_WAIT rcv FIN+ACK of FIN');
    expect(sk.state).toBe('TIME_WAIT');
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    // tcp_fin in FIN_WAIT_2: one ACK of the peer's FIN, sent at once.
    const sent = b.env.sent.slice(n);
    expect(sent.map((s) => s.flags)).toEqual(['.']);
    expect(sent[0]!.ack32).toBe(b.peerNxt);
    expect(sent[0]!.seq32).toBe(seqAdd(ourFin.seq32, 1));
    expect(b.stack.counters.tw).toBe(1);
    expect(b.stack.counters.abortOnData).toBe(0);
    b.env.advance(59_999);
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    b.env.advance(1);
    expect(b.minisock()).toBeUndefined();
    expect(b.env.sent.length).toBe(n + 1);
  });

  it('takes an orphan through FIN_WAIT_2 to TIME_WAIT as a full socket, not parking it as a FIN_WAIT_2 minisock first', () => {
    const b = new Bench({ 'net.ipv4.tcp_fin_timeout': 5 });
    const sk = b.established();
    b.stack.close(sk);
    const n = b.env.sent.length;
    b.receive(b.segment('F.'));
    expect(afterFinWait1(b)).toEqual(THROUGH_FIN_WAIT_2);
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    expect(b.env.sent.slice(n).map((s) => s.flags)).toEqual(['.']);
    expect(b.env.sent.at(-1)!.ack32).toBe(b.peerNxt);
    expect(b.stack.counters.tw).toBe(1);
    // TIME_WAIT's 60 s, not tcp_fin_timeout's 5 s.
    b.env.advance(59_999);
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    b.env.advance(1);
    expect(b.minisock()).toBeUndefined();
  });

  it('resets an orphan whose segment also brings new data, after entering FIN_WAIT_2 (Linux: TCPAbortOnData)', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('FP.', { data: 'late' }));
    expect(afterFinWait1(b)).toEqual(['FIN_WAIT_1->FIN_WAIT_2 rcv ACK of FIN', 'FIN_WAIT_2->CLOSED data after close()']);
    expect(b.last.flags).toBe('R');
    expect(b.stack.counters.abortOnData).toBe(1);
    expect(b.stack.counters.tw).toBe(0);
    expect(b.minisock()).toBeUndefined();
  });

  it('resets an orphan whose FIN comes beyond RCV.NXT ("out of order FIN after close()")', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('F.', { seq: seqAdd(b.peerNxt, 10) }));
    expect(afterFinWait1(b)).toEqual(['FIN_WAIT_1->FIN_WAIT_2 rcv ACK of FIN', 'FIN_WAIT_2->CLOSED data after close()']);
    expect(b.last.flags).toBe('R');
    expect(b.stack.counters.abortOnData).toBe(1);
    expect(b.minisock()).toBeUndefined();
  });

  it('parks an orphan whose FIN is ACKed by a bare ACK as a FIN_WAIT_2 minisock', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('.'));
    expect(afterFinWait1(b)).toEqual(['FIN_WAIT_1->FIN_WAIT_2 rcv ACK of FIN']);
    expect(b.minisock()?.state).toBe('FIN_WAIT_2');
  });

  it('has no FIN_WAIT_1 -> TIME_WAIT row in the transition table', () => {
    expect(isLegalTransition('FIN_WAIT_1', 'TIME_WAIT')).toBe(false);
    expect(isLegalTransition('FIN_WAIT_1', 'FIN_WAIT_2')).toBe(true);
    expect(isLegalTransition('FIN_WAIT_2', 'TIME_WAIT')).toBe(true);
  });
});
