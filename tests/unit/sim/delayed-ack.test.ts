// Delayed ACKs, rule by rule, as Linux applies them (tcp_input.c
// tcp_event_data_recv / __tcp_ack_snd_check / tcp_fin, tcp_output.c
// tcp_send_delayed_ack / tcp_event_ack_sent, tcp_timer.c tcp_delack_timer_handler).
import { describe, expect, it } from 'vitest';
import { seqAdd } from '../../../src/sim/segment.ts';
import { ssRows } from '../../../src/sim/ss.ts';
import { TCP_ATO_MIN, TCP_DELACK_MAX, TCP_MAX_QUICKACKS } from '../../../src/sim/tcp/params.ts';
import type { Tcb } from '../../../src/sim/tcp/tcb.ts';
import { Bench, PEER_ISS } from './tcb-harness.ts';

const FULL = 'x'.repeat(1460);

/** An established connection whose quick ACKs are used up (quick-ack mode over). */
function pastQuickAcks(b: Bench): Tcb {
  const sk = b.established();
  for (let i = 0; i < TCP_MAX_QUICKACKS; i++) {
    b.receive(b.segment('P.', { data: 'q' }));
    sk.tryRecv(100);
    b.env.advance(100); // a gap longer than 20 ms: ato does not shrink
  }
  expect(sk.ackQuick).toBe(0);
  return sk;
}

describe('quick-ack mode at the start of a connection', () => {
  it('the first data segments are ACKed at once (tcp_incr_quickack: up to TCP_MAX_QUICKACKS)', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { data: 'hi' }));
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(seqAdd(PEER_ISS, 3));
    expect(sk.ato).toBe(TCP_ATO_MIN);
    expect(sk.ackQuick).toBe(TCP_MAX_QUICKACKS - 1);
  });

  it('once the quick ACKs are used up, a small segment\'s ACK waits for the delayed-ACK timer', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { data: 'late' }));
    expect(b.env.sent.length).toBe(n);
    expect(sk.dack!.kind).toBe('delayed-ack');
    b.env.advance(TCP_DELACK_MAX);
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.ack32).toBe(b.peerNxt);
    expect(b.env.timerLog).toContain('delayed-ack fire');
  });

  it('a gap longer than the RTO between data segments starts quick ACKs again', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.env.advance(5_000);
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { data: 'again' }));
    expect(b.env.sent.length).toBe(n + 1);
    expect(sk.ackQuick).toBeGreaterThan(0);
  });
});

describe('the delayed-ACK timer', () => {
  it('runs the ACK timeout: 40 ms (TCP_ATO_MIN) after data, and is traced like the other timers', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.env.timerLog.length = 0;
    const t0 = b.env.t;
    b.receive(b.segment('P.', { data: 'late' }));
    expect(sk.dack!.at - t0).toBeLessThanOrEqual(TCP_DELACK_MAX);
    expect(sk.dack!.at - t0).toBeGreaterThanOrEqual(TCP_ATO_MIN);
    expect(b.env.timerLog).toEqual(['delayed-ack set']);
  });

  it('is not shown by ss -o: Linux does not report a pending delayed ACK (ICSK_TIME_DACK)', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.receive(b.segment('P.', { data: 'late' }));
    expect(sk.dack!.kind).toBe('delayed-ack');
    expect(ssRows(b.stack, b.env.t).find((r) => r.state === 'ESTAB')!.timer).toBeUndefined();
  });

  it('a timer that runs out outside pingpong mode doubles the ACK timeout, up to the RTO', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    const ato = sk.ato;
    b.receive(b.segment('P.', { data: 'late' }));
    b.env.advance(TCP_DELACK_MAX);
    expect(sk.ato).toBe(Math.min(ato * 2, sk.rto));
  });

  it('never waits longer than TCP_DELACK_MAX (200 ms)', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    sk.ato = 5_000;
    const t0 = b.env.t;
    b.receive(b.segment('P.', { data: 'late' }));
    expect(sk.dack!.at - t0).toBeLessThanOrEqual(TCP_DELACK_MAX);
  });

  it('stops when an ACK goes out on data: the ACK is piggybacked (tcp_event_ack_sent)', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.receive(b.segment('P.', { data: 'request' }));
    expect(sk.dack!.kind).toBe('delayed-ack');
    b.env.timerLog.length = 0;
    sk.sqAppend('reply');
    sk.output();
    expect(b.last.flags).toBe('P.');
    expect(b.last.ack32).toBe(b.peerNxt);
    expect(sk.dack!.kind).toBeNull();
    expect(b.env.timerLog).toEqual(['delayed-ack cancel', 'retransmit set']);
    const n = b.env.sent.length;
    b.env.advance(100); // past the ACK timeout, short of the RTO
    expect(b.env.sent.length).toBe(n); // no bare ACK after all
  });
});

describe('ACK at once', () => {
  it('on every second full-sized segment (__tcp_ack_snd_check: more than one MSS unacknowledged)', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.receive(b.segment('.', { data: FULL }));
    sk.tryRecv(1 << 20);
    const n = b.env.sent.length;
    b.receive(b.segment('.', { data: FULL }));
    sk.tryRecv(1 << 20);
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.ack32).toBe(b.peerNxt);
  });

  it('for out-of-order data: a duplicate ACK, then an ACK at once when the gap is filled', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    const start = b.peerNxt;
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { seq: seqAdd(start, 3), data: 'def' }));
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.ack32).toBe(start);
    b.receive(b.segment('.', { seq: start, data: 'abc' }));
    expect(b.env.sent.length).toBe(n + 2);
    expect(b.last.ack32).toBe(seqAdd(start, 6));
    expect(sk.tryRecv(100)).toBe('abcdef');
  });

  it('for a retransmission of data already received, and quick-ack mode starts again', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { seq: seqAdd(b.peerNxt, -1), data: 'q' }));
    expect(b.env.sent.length).toBe(n + 1);
    expect(sk.ackQuick).toBeGreaterThan(0);
  });

  it('when a read empties the queue of a small pushed segment outside pingpong mode (tcp_cleanup_rbuf)', () => {
    const b = new Bench();
    const sk = pastQuickAcks(b);
    b.receive(b.segment('P.', { data: 'small' }));
    const n = b.env.sent.length;
    expect(sk.tryRecv(100)).toBe('small');
    expect(b.env.sent.length).toBe(n + 1);
  });
});

describe('a FIN\'s ACK (tcp_fin)', () => {
  it('in ESTABLISHED: CLOSE_WAIT in pingpong mode, the ACK delayed; a prompt close carries it on the FIN (F. / F. / .)', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'GET' }));
    sk.tryRecv(100);
    const n = b.env.sent.length;
    b.receive(b.segment('F.'));
    expect(sk.state).toBe('CLOSE_WAIT');
    expect(sk.inPingpong()).toBe(true);
    expect(b.env.sent.length).toBe(n);
    expect(sk.tryRecv(100)).toBe('');
    b.stack.close(sk);
    expect(b.flagsSince(n)).toEqual(['F.']);
    expect(b.last.ack32).toBe(b.peerNxt);
    b.env.advance(100); // past the ACK timeout, short of the FIN's RTO
    expect(b.flagsSince(n)).toEqual(['F.']);
  });

  it('in ESTABLISHED with a late close: the ACK goes alone when the delayed-ACK timer runs out (40 ms after data)', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'GET' }));
    sk.tryRecv(100);
    const n = b.env.sent.length;
    const t0 = b.env.t;
    b.receive(b.segment('F.'));
    b.env.advance(TCP_DELACK_MAX);
    expect(b.flagsSince(n)).toEqual(['.']);
    expect(b.env.sent.at(-1)!.ack32).toBe(b.peerNxt);
    // In pingpong mode a timer that runs out ends the mode (its reply did not come).
    expect(sk.inPingpong()).toBe(false);
    expect(b.env.t - t0).toBe(TCP_DELACK_MAX);
  });

  it('in FIN_WAIT_1 (simultaneous close) and FIN_WAIT_2: the ACK goes at once', () => {
    const b1 = new Bench();
    const a = b1.finWait1();
    const n1 = b1.env.sent.length;
    b1.receive(b1.segment('F.', { ack: a.finSeq }));
    expect(a.state).toBe('CLOSING');
    expect(b1.flagsSince(n1)).toEqual(['.']);

    const b2 = new Bench();
    b2.finWait2();
    const n2 = b2.env.sent.length;
    b2.receive(b2.segment('F.'));
    expect(b2.flagsSince(n2)).toEqual(['.']);
    expect(b2.minisock()?.substate).toBe('TIME_WAIT');
  });

  it('a retransmitted FIN in CLOSE_WAIT is ACKed at once', () => {
    const b = new Bench();
    b.closeWait();
    b.env.advance(TCP_DELACK_MAX);
    const n = b.env.sent.length;
    b.receive(b.segment('F.', { seq: seqAdd(b.peerNxt, -1) }));
    expect(b.flagsSince(n)).toEqual(['.']);
  });
});

describe('pingpong (interactive) mode', () => {
  it('a reply sent within the ACK timeout of the last arrival enters it, and ACKs of later requests wait for the reply', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'ping' }));
    sk.tryRecv(100);
    sk.sqAppend('pong');
    sk.output();
    expect(sk.inPingpong()).toBe(true);
    b.receive(b.segment('P.', { data: 'ping' }));
    const n = b.env.sent.length;
    sk.tryRecv(100);
    expect(b.env.sent.length).toBe(n); // quick ACKs do not apply in pingpong mode, nor does the PUSHED read rule
    sk.sqAppend('pong');
    sk.output();
    expect(b.flagsSince(n)).toEqual(['P.']);
    expect(b.last.ack32).toBe(b.peerNxt);
  });
});

describe('TCP_QUICKACK', () => {
  it('false enters pingpong mode: even the first data waits for the delayed-ACK timer', () => {
    const b = new Bench();
    const sk = b.established();
    sk.setQuickack(false);
    const n = b.env.sent.length;
    b.receive(b.segment('P.', { data: 'a' }));
    expect(b.env.sent.length).toBe(n);
    b.env.advance(TCP_ATO_MIN);
    expect(b.flagsSince(n)).toEqual(['.']);
  });

  it('true sends an owed ACK now and leaves pingpong mode', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'GET' }));
    b.receive(b.segment('F.'));
    const n = b.env.sent.length;
    sk.tryRecv(100); // read, but in pingpong mode the FIN's ACK still waits
    expect(b.env.sent.length).toBe(n);
    sk.setQuickack(true);
    expect(b.flagsSince(n)).toEqual(['.']);
    expect(sk.inPingpong()).toBe(false);
  });
});
