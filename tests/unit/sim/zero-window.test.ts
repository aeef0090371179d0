// A peer whose application stopped reading: the zero-window probe (persist)
// timer, and what ends it (Linux tcp_probe_timer, tcp_send_probe0,
// tcp_ack_probe, tcp_orphan_retries, tcp_out_of_resources; RFC 1122
// §4.2.2.17). One connection per test, driven by hand-made segments and the
// fake clock of tcb-harness.ts. The handshake's RTT sample gives an RTO of
// 200 ms, so probe timers fire 200 ms after the window shuts, then after 400,
// 800, 1600 ms ... up to TCP_RTO_MAX (120 s).
import { describe, expect, it } from 'vitest';
import type { Tcb } from '../../../src/sim/tcp/tcb.ts';
import { seqAdd } from '../../../src/sim/segment.ts';
import { Bench } from './tcb-harness.ts';

/** ESTABLISHED, the peer's window shut, 3000 bytes waiting to be sent: the probe timer runs. */
function behindZeroWindow(b: Bench): Tcb {
  const sk = b.established();
  b.receive(b.segment('.', { ack: sk.sndUna, win: 0 }));
  sk.sqAppend('x'.repeat(3000));
  sk.output();
  expect(sk.rtx.kind).toBe('persist');
  return sk;
}

/** The peer answers a probe: an ACK of what it has, its window still shut. */
const answer = (b: Bench, sk: Tcb) => b.receive(b.segment('.', { ack: sk.sndUna, win: 0 }));

/** Advances the clock to each probe in turn for `ms`, answering every one. */
function answerProbesFor(b: Bench, sk: Tcb, ms: number): number {
  const end = b.env.t + ms;
  let probes = 0;
  while (sk.state !== 'CLOSED' && sk.rtx.kind === 'persist' && sk.rtx.at <= end) {
    const n = b.env.sent.length;
    b.env.advance(sk.rtx.at - b.env.t);
    if (b.env.sent.length > n && b.last.seq32 === seqAdd(sk.sndUna, -1)) {
      probes++;
      answer(b, sk);
    }
  }
  if (b.env.t < end) b.env.advance(end - b.env.t);
  return probes;
}

/** Probe times (ms after the window shut) for an RTO of 200 ms, back-off capped at TCP_RTO_MAX. */
const PROBE_AT = [200, 600, 1_400, 3_000, 6_200, 12_600, 25_400, 51_000, 102_200, 204_600, 324_600];

describe('zero-window probes of a connection the application still holds', () => {
  it('test_zero_window_probe: a shut window is probed with seq = snd_una - 1 and no data, after a doubling interval', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const n = b.env.sent.length;
      b.env.advance(sk.rtx.at - b.env.t);
      expect(b.env.sent.length).toBe(n + 1);
      expect(b.last.flags).toBe('.');
      expect(b.last.seq32).toBe(seqAdd(sk.sndUna, -1));
      expect(b.last.data).toBe('');
      times.push(b.env.t);
    }
    expect(times).toEqual(PROBE_AT.slice(0, 5));
  });

  it('test_zero_window_answered_forever: probes the peer answers never count against tcp_retries2 (RFC 1122 §4.2.2.17)', () => {
    const b = new Bench({ 'net.ipv4.tcp_retries2': 2 });
    const sk = behindZeroWindow(b);
    const probes = answerProbesFor(b, sk, 3_600_000);
    expect(sk.state).toBe('ESTABLISHED');
    expect(probes).toBeGreaterThan(100); // tcp_retries2 also caps the back-off: every 800 ms here
    expect(sk.probes).toBe(0);
    expect(b.stack.counters.abortOnTimeout).toBe(0);
  });

  it('test_zero_window_unanswered: tcp_retries2 unanswered probes end the connection with ETIMEDOUT and no RST', () => {
    const b = new Bench({ 'net.ipv4.tcp_retries2': 3 });
    const sk = behindZeroWindow(b);
    const n = b.env.sent.length;
    b.env.advance(3_000 - 1); // probes at 0.2, 0.6, 1.4 s; the fourth timer at 3 s gives up
    expect(sk.state).toBe('ESTABLISHED');
    expect(b.env.sent.length).toBe(n + 3);
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n + 3);
    expect(sk.sendError()).toBe('ETIMEDOUT');
    expect(b.stack.counters.abortOnTimeout).toBe(1);
  });

  it('test_zero_window_opens: once the window opens the data goes and the back-off starts again from the RTO', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    answerProbesFor(b, sk, 3_000);
    expect(sk.probeBackoff).toBe(4);
    b.receive(b.segment('.', { ack: sk.sndUna, win: 1000 }));
    expect(b.last.data.length).toBe(1000);
    expect(sk.probeBackoff).toBe(0);
    expect(sk.probesStamp).toBe(-1);
  });
});

describe('TCP_USER_TIMEOUT caps the probe timer', () => {
  it('test_user_timeout_zero_window: counted from the first probe timer, answered probes or not; the last wait is cut to end then; no RST', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    sk.deadPeer().userTimeout = 5_000;
    // Probes at 0.2, 0.6, 1.4 and 3 s; the next timer (6.2 s) is cut to 0.2 + 5 s.
    answerProbesFor(b, sk, 5_199);
    expect(sk.state).toBe('ESTABLISHED');
    expect(sk.rtx.at).toBe(5_200);
    const n = b.env.sent.length;
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n);
    expect(sk.sendError()).toBe('ETIMEDOUT');
    expect(b.env.states.at(-1)).toBe('ESTABLISHED->CLOSED TCP_USER_TIMEOUT');
    expect(b.stack.counters.abortOnTimeout).toBe(1);
  });

  it('test_user_timeout_zero_window_restarts: a window that opened and shut again starts the count again', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    sk.deadPeer().userTimeout = 5_000;
    answerProbesFor(b, sk, 4_000);
    b.receive(b.segment('.', { ack: sk.sndUna, win: 100 })); // 100 bytes go
    b.receive(b.segment('.', { ack: sk.sndNxt, win: 0 })); // shut again
    expect(sk.probesStamp).toBe(-1);
    answerProbesFor(b, sk, 5_000);
    expect(sk.state).toBe('ESTABLISHED');
  });
});

describe('an orphan behind a zero window (FIN_WAIT_1)', () => {
  /** behindZeroWindow, then close(): FIN_WAIT_1 with the FIN queued behind the data. */
  function orphan(b: Bench): Tcb {
    const sk = behindZeroWindow(b);
    b.stack.close(sk);
    expect(sk.state).toBe('FIN_WAIT_1');
    expect(sk.finSent).toBe(false);
    expect(b.stack.orphanCount).toBe(1);
    return sk;
  }

  it('test_orphan_zero_window_answered: answered probes do not save an orphan: it gives up once its interval reaches TCP_RTO_MAX (tcp_orphan_retries 0)', () => {
    const b = new Bench();
    const sk = orphan(b);
    // alive while rto << backoff < 120 s (backoff 0..9); at backoff 10 tcp_orphan_retries(sk, false) is 0.
    const probes = answerProbesFor(b, sk, PROBE_AT[10]! - 1);
    expect(probes).toBe(10);
    expect(sk.state).toBe('FIN_WAIT_1');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.at(-1)!.flags).toBe('.'); // no RST: tcp_write_err
    expect(b.stack.counters.abortOnTimeout).toBe(1);
    expect(b.stack.orphanCount).toBe(0);
  });

  it('test_orphan_zero_window_answered_retries: with tcp_orphan_retries 12 the back-off (capped by tcp_retries2) decides, not the answers', () => {
    const b = new Bench({ 'net.ipv4.tcp_orphan_retries': 12 });
    const sk = orphan(b);
    // Backoff 10 and 11 probe every 120 s; at backoff 12 it gives up: 324.6 + 120 + 120 s.
    answerProbesFor(b, sk, PROBE_AT[10]! + 240_000 - 1);
    expect(sk.state).toBe('FIN_WAIT_1');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
  });

  it('test_orphan_zero_window_unanswered: tcp_orphan_retries unanswered probes end an orphan; no RST', () => {
    const b = new Bench({ 'net.ipv4.tcp_orphan_retries': 2 });
    const sk = orphan(b);
    const n = b.env.sent.length;
    b.env.advance(PROBE_AT[2]! - 1);
    expect(b.env.sent.length).toBe(n + 2);
    expect(sk.state).toBe('FIN_WAIT_1');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n + 2);
    expect(b.env.states.at(-1)).toBe('FIN_WAIT_1->CLOSED zero-window probes given up');
  });

  it('test_orphan_retries_zero_means_eight: with the default tcp_orphan_retries 0 an orphan sends 8 unanswered probes', () => {
    const b = new Bench();
    const sk = orphan(b);
    const n = b.env.sent.length;
    b.env.advance(PROBE_AT[8]! - 1);
    expect(b.env.sent.length).toBe(n + 8);
    expect(sk.state).toBe('FIN_WAIT_1');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
  });

  it('test_orphan_user_timeout: TCP_USER_TIMEOUT ends an orphan whose probes are answered, as it ends a held socket', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    sk.deadPeer().userTimeout = 2_000;
    b.stack.close(sk);
    answerProbesFor(b, sk, 2_199);
    expect(sk.state).toBe('FIN_WAIT_1');
    b.env.advance(1);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.states.at(-1)).toBe('FIN_WAIT_1->CLOSED TCP_USER_TIMEOUT');
  });
});

describe('tcp_max_orphans', () => {
  it('test_max_orphans_close: close() past tcp_max_orphans sends the FIN, then a RST, and the socket is gone (TCPAbortOnMemory)', () => {
    const b = new Bench({ 'net.ipv4.tcp_max_orphans': 0 });
    const sk = b.established();
    const n = b.env.sent.length;
    b.stack.close(sk);
    expect(b.flagsSince(n)).toEqual(['F.', 'R.']);
    expect(sk.state).toBe('CLOSED');
    expect(b.stack.counters.abortOnMemory).toBe(1);
    expect(b.stack.orphanCount).toBe(0);
    expect(b.env.notes).toContain('TCP: too many orphaned sockets');
  });

  it('test_max_orphans_counts_orphans: the limit counts sockets closed and not yet gone; an orphan that reaches FIN_WAIT_2 or TIME_WAIT no longer counts', () => {
    const b = new Bench({ 'net.ipv4.tcp_max_orphans': 1 });
    const a = b.established();
    b.stack.close(a); // FIN_WAIT_1: one orphan, not over 1
    expect(a.state).toBe('FIN_WAIT_1');
    const c = b.established();
    b.stack.close(c); // two orphans: over the limit
    expect(c.state).toBe('CLOSED');
    expect(b.stack.counters.abortOnMemory).toBe(1);
    expect(b.stack.orphanCount).toBe(1);
    b.localPort = a.localPort;
    b.receive(b.segment('.', { ack: a.sndNxt })); // a's FIN ACKed: a FIN_WAIT_2 minisock
    expect(b.stack.orphanCount).toBe(0);
    const d = b.established();
    b.stack.close(d);
    expect(d.state).toBe('FIN_WAIT_1');
  });

  it('test_max_orphans_probe_timer: an orphan\'s probe timer kills it with a RST when the host holds too many orphans (tcp_out_of_resources)', () => {
    const b = new Bench();
    const sk = behindZeroWindow(b);
    b.stack.close(sk);
    b.stack.setSysctl('net.ipv4.tcp_max_orphans', 0);
    const n = b.env.sent.length;
    b.env.advance(PROBE_AT[0]!);
    expect(b.flagsSince(n)).toEqual(['R.']);
    expect(sk.state).toBe('CLOSED');
    expect(b.stack.counters.abortOnMemory).toBe(1);
    expect(b.stack.counters.abortOnTimeout).toBe(0);
  });

  it('test_max_orphans_retransmit_timer: so does an orphan\'s retransmission timer', () => {
    const b = new Bench();
    const sk = b.established();
    sk.sqAppend('payload');
    sk.output();
    b.stack.close(sk); // FIN_WAIT_1, data and FIN in flight, unacknowledged
    b.stack.setSysctl('net.ipv4.tcp_max_orphans', 0);
    const n = b.env.sent.length;
    b.env.advance(200);
    expect(b.flagsSince(n)).toEqual(['R.']);
    expect(sk.state).toBe('CLOSED');
    expect(b.stack.counters.abortOnMemory).toBe(1);
  });
});
