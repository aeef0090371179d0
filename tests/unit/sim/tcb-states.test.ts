// One connection per test, driven by hand-made segments through its host's
// stack alone (no world, no network): what each state does with each kind of
// segment, call and timer, named as smoltcp names its socket tests. The
// behaviour tests (termination.test.ts) and kernel conformance check the same
// rules end to end.
import { describe, expect, it } from 'vitest';
import { seqAdd } from '../../../src/sim/segment.ts';
import { Bench, PEER_ISS } from './tcb-harness.ts';

describe('SYN_SENT', () => {
  it('test_syn_sent_syn_ack: the SYN,ACK completes the handshake: ESTABLISHED, ACK sent, connect() returns', () => {
    const b = new Bench();
    const { sk, connect } = b.synSent();
    expect(b.last.flags).toBe('S');
    const syn = b.last;
    b.receive(b.segment('S.', { seq: PEER_ISS }));
    expect(sk.state).toBe('ESTABLISHED');
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(seqAdd(PEER_ISS, 1));
    expect(b.last.seq32).toBe(seqAdd(syn.seq32, 1));
    expect(connect.settled).toBe(true);
    expect(connect.errno).toBeUndefined();
    expect(b.env.states).toEqual(['CLOSED->SYN_SENT connect()', 'SYN_SENT->ESTABLISHED rcv SYN-ACK']);
  });

  it('test_syn_sent_rst_ack: an acceptable RST refuses the connection: CLOSED, ECONNREFUSED', () => {
    const b = new Bench();
    const { sk, connect } = b.synSent();
    const n = b.env.sent.length;
    b.receive(b.segment('R.', { seq: 0 }));
    expect(sk.state).toBe('CLOSED');
    expect(connect.errno).toBe('ECONNREFUSED');
    expect(b.env.sent.length).toBe(n);
  });

  it('test_syn_sent_bad_ack: a SYN,ACK for another SYN draws a RST and changes nothing', () => {
    const b = new Bench();
    const { sk } = b.synSent();
    const syn = b.last;
    b.receive(b.segment('S.', { seq: PEER_ISS, ack: seqAdd(syn.seq32, 1000) }));
    expect(sk.state).toBe('SYN_SENT');
    expect(b.last.flags).toBe('R');
    expect(b.last.seq32).toBe(seqAdd(syn.seq32, 1000));
  });

  it('test_syn_sent_syn: a bare SYN is a simultaneous open: SYN_RECEIVED, SYN,ACK sent', () => {
    const b = new Bench();
    const { sk } = b.synSent();
    b.receive(b.segment('S', { seq: PEER_ISS }));
    expect(sk.state).toBe('SYN_RECEIVED');
    expect(b.last.flags).toBe('S.');
  });

  it('test_syn_sent_close: close() sends nothing and ends the socket', () => {
    const b = new Bench();
    const { sk } = b.synSent();
    const n = b.env.sent.length;
    b.stack.close(sk);
    expect(sk.state).toBe('CLOSED');
    expect(b.env.sent.length).toBe(n);
  });

  it('test_syn_sent_retransmit: the SYN is retransmitted after 1 s, then 2 s, and connect() fails with ETIMEDOUT after tcp_syn_retries', () => {
    const b = new Bench({ 'net.ipv4.tcp_syn_retries': 2 });
    const { sk, connect } = b.synSent();
    b.env.advance(999);
    expect(b.env.sent.length).toBe(1);
    b.env.advance(1);
    expect(b.env.sent.length).toBe(2);
    expect(b.last.flags).toBe('S');
    expect(b.last.retransmission).toBe(true);
    b.env.advance(2000);
    expect(b.env.sent.length).toBe(3);
    b.env.advance(4000);
    expect(sk.state).toBe('CLOSED');
    expect(connect.errno).toBe('ETIMEDOUT');
    expect(b.env.sent.length).toBe(3); // no RST when the handshake times out
  });
});

describe('LISTEN', () => {
  it('test_listen_syn: a SYN makes a child connection in SYN_RECEIVED, which sends SYN,ACK; the listener stays', () => {
    const b = new Bench();
    const l = b.listener();
    const child = b.synReceived(l);
    expect(l.state).toBe('LISTEN');
    expect(b.last.flags).toBe('S.');
    expect(b.last.ack32).toBe(seqAdd(PEER_ISS, 1));
    expect(child.parent).toBe(l);
    expect(b.env.states.at(-1)).toBe('LISTEN->SYN_RECEIVED rcv SYN');
  });

  it('test_listen_ack: an ACK for no connection draws a RST from its acknowledgment number', () => {
    const b = new Bench();
    b.listener();
    b.receive(b.segment('.', { seq: 5, ack: 777 }));
    expect(b.last.flags).toBe('R');
    expect(b.last.seq32).toBe(777);
  });

  it('test_listen_rst: a RST for no connection is dropped silently', () => {
    const b = new Bench();
    b.listener();
    b.receive(b.segment('R', { seq: 5 }));
    expect(b.env.sent.length).toBe(0);
  });

  it('test_listen_request_queue_full: with as many requests in SYN_RECEIVED as the backlog and tcp_syncookies=0, a SYN is dropped (ListenDrops; the client retransmits it)', () => {
    const b = new Bench({ 'net.ipv4.tcp_syncookies': 0 });
    const l = b.stack.socket('server');
    b.stack.bind(l, '0.0.0.0', 80);
    b.stack.listen(l, 1);
    b.receive(b.segment('S', { seq: PEER_ISS, port: 40_001 }));
    const n = b.env.sent.length;
    b.receive(b.segment('S', { seq: PEER_ISS, port: 40_002 }));
    expect(b.env.sent.length).toBe(n);
    expect(b.env.notes.join('\n')).toMatch(/request queue full: 0\.0\.0\.0:80 has 1 connection\(s\) in SYN_RECV, backlog 1, tcp_syncookies=0/);
    expect(b.stack.counters.listenDrops).toBe(1);
    expect(b.stack.counters.listenOverflows).toBe(0);
  });

  it('test_listen_request_queue_full_syncookies: with tcp_syncookies=1 that SYN is answered (in the simulator as a request, where Linux sends a cookie)', () => {
    const b = new Bench();
    const l = b.stack.socket('server');
    b.stack.bind(l, '0.0.0.0', 80);
    b.stack.listen(l, 1);
    b.receive(b.segment('S', { seq: PEER_ISS, port: 40_001 }));
    b.receive(b.segment('S', { seq: PEER_ISS, port: 40_002 }));
    expect(b.last.flags).toBe('S.');
    expect(b.stack.counters.listenDrops).toBe(0);
  });
});

describe('SYN_RECEIVED', () => {
  it('test_syn_received_ack: the ACK of our SYN establishes the connection and queues it for accept()', () => {
    const b = new Bench();
    const l = b.listener();
    const child = b.synReceived(l);
    b.receive(b.segment('.'));
    expect(child.state).toBe('ESTABLISHED');
    expect(l.acceptQueue).toEqual([child]);
    expect(l.synQueue).toBe(0);
  });

  it('test_syn_received_bad_ack: an ACK of something never sent draws a RST; the connection waits on', () => {
    const b = new Bench();
    const child = b.synReceived();
    const synAck = b.last;
    b.receive(b.segment('.', { ack: seqAdd(synAck.seq32, 50) }));
    expect(child.state).toBe('SYN_RECEIVED');
    expect(b.last.flags).toBe('R');
  });

  it('test_syn_received_rst: an exact RST ends the request socket; the listener is not told', () => {
    const b = new Bench();
    const l = b.listener();
    const child = b.synReceived(l);
    b.receive(b.segment('R.'));
    expect(child.state).toBe('CLOSED');
    expect(l.synQueue).toBe(0);
    expect(l.acceptQueue.length).toBe(0);
  });

  it('test_syn_received_syn_retransmitted: the peer repeating its SYN means our SYN,ACK was lost: it is sent again', () => {
    const b = new Bench();
    const child = b.synReceived();
    const n = b.env.sent.length;
    b.receive(b.segment('S', { seq: PEER_ISS }));
    expect(child.state).toBe('SYN_RECEIVED');
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.flags).toBe('S.');
    expect(b.last.retransmission).toBe(true);
  });
});

describe('ESTABLISHED', () => {
  it('test_established_data: in-order data is queued for recv() and ACKed', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'hello' }));
    expect(sk.tryRecv(100)).toBe('hello');
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(seqAdd(PEER_ISS, 6));
  });

  it('test_established_out_of_order: data beyond a hole is held and draws a duplicate ACK; the hole filled, both are read', () => {
    const b = new Bench();
    const sk = b.established();
    const start = b.peerNxt;
    b.receive(b.segment('.', { seq: seqAdd(start, 3), data: 'def' }));
    expect(b.last.ack32).toBe(start);
    expect(sk.tryRecv(100)).toBe(null);
    b.receive(b.segment('.', { seq: start, data: 'abc' }));
    expect(sk.tryRecv(100)).toBe('abcdef');
    expect(b.last.ack32).toBe(seqAdd(start, 6));
  });

  it('test_established_fin: the peer\'s FIN takes the connection to CLOSE_WAIT, its ACK is delayed, and recv() returns end of stream', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    b.receive(b.segment('F.'));
    expect(sk.state).toBe('CLOSE_WAIT');
    expect(b.env.sent.length).toBe(n); // tcp_fin: the ACK waits for the application's reply
    b.env.advance(200);
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(seqAdd(PEER_ISS, 2));
    expect(sk.tryRecv(100)).toBe('');
  });

  it('test_established_fin_out_of_order: a FIN beyond a hole waits for the hole: still ESTABLISHED', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('F.', { seq: seqAdd(b.peerNxt, 4) }));
    expect(sk.state).toBe('ESTABLISHED');
  });

  it('test_established_rst: an exact RST resets the connection: CLOSED, recv() fails with ECONNRESET', () => {
    const b = new Bench();
    const sk = b.established();
    const n = b.env.sent.length;
    b.receive(b.segment('R'));
    expect(sk.state).toBe('CLOSED');
    expect(sk.tryRecv(100)).toEqual({ errno: 'ECONNRESET' });
    expect(b.env.sent.length).toBe(n);
  });

  it('test_established_rst_in_window: a RST in the window but not at rcv_nxt draws a challenge ACK (RFC 5961 §3)', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('R', { seq: seqAdd(b.peerNxt, 100) }));
    expect(sk.state).toBe('ESTABLISHED');
    expect(b.last.flags).toBe('.');
  });

  it('test_established_syn: a SYN on a synchronized connection draws a challenge ACK (RFC 5961 §4)', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('S', { seq: seqAdd(b.peerNxt, 10) }));
    expect(sk.state).toBe('ESTABLISHED');
    expect(b.last.flags).toBe('.');
  });

  it('test_established_close: close() sends our FIN: FIN_WAIT_1', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.close(sk);
    expect(sk.state).toBe('FIN_WAIT_1');
    expect(b.last.flags).toBe('F.');
  });

  it('test_established_shutdown_wr: shutdown(SHUT_WR) goes through the same close table: FIN_WAIT_1, FIN sent', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.shutdown(sk, false, true);
    expect(sk.state).toBe('FIN_WAIT_1');
    expect(b.last.flags).toBe('F.');
  });

  it('test_established_close_unread: close() with unread data sends RST instead of FIN (RFC 2525 §2.17): CLOSED', () => {
    const b = new Bench();
    const sk = b.established();
    b.receive(b.segment('P.', { data: 'unread' }));
    b.stack.close(sk);
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
  });

  it('test_established_linger_zero: close() with SO_LINGER 0 sends RST: CLOSED, no TIME_WAIT', () => {
    const b = new Bench();
    const sk = b.established();
    sk.linger = { onoff: true, linger: 0 };
    b.stack.close(sk);
    expect(sk.state).toBe('CLOSED');
    expect(b.last.flags).toBe('R.');
    expect(b.minisock()).toBeUndefined();
  });

  it('test_established_retransmit: unacknowledged data is sent again when the retransmission timer fires', () => {
    const b = new Bench();
    const sk = b.established();
    sk.sqAppend('payload');
    sk.output();
    const first = b.last;
    b.env.advance(1000);
    expect(b.last.data).toBe('payload');
    expect(b.last.seq32).toBe(first.seq32);
    expect(b.last.retransmission).toBe(true);
    expect(b.env.timerLog).toContain('retransmit fire');
  });
});

describe('FIN_WAIT_1', () => {
  it('test_fin_wait_1_ack: the ACK of our FIN: FIN_WAIT_2', () => {
    const b = new Bench();
    const sk = b.finWait1();
    b.receive(b.segment('.'));
    expect(sk.state).toBe('FIN_WAIT_2');
  });

  it('test_fin_wait_1_fin: a FIN that does not ACK ours is a simultaneous close: CLOSING, FIN ACKed', () => {
    const b = new Bench();
    const sk = b.finWait1();
    const fin = b.last;
    b.receive(b.segment('F.', { ack: fin.seq32 }));
    expect(sk.state).toBe('CLOSING');
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(b.peerNxt);
  });

  it('test_fin_wait_1_fin_ack: a FIN that also ACKs ours goes through FIN_WAIT_2 to TIME_WAIT (no CLOSING: the ACK step comes first)', () => {
    const b = new Bench();
    const sk = b.finWait1();
    b.receive(b.segment('F.'));
    expect(sk.state).toBe('TIME_WAIT');
    expect(b.env.states.slice(-2)).toEqual(['FIN_WAIT_1->FIN_WAIT_2 rcv ACK of FIN', 'FIN_WAIT_2->TIME_WAIT rcv FIN']);
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    expect(b.last.flags).toBe('.');
  });

  it('test_fin_wait_1_data: data while our FIN is in flight is still taken (only sending is shut)', () => {
    const b = new Bench();
    const sk = b.finWait1();
    b.receive(b.segment('P.', { data: 'more', ack: b.last.seq32 }));
    expect(sk.state).toBe('FIN_WAIT_1');
    expect(sk.tryRecv(100)).toBe('more');
  });

  it('test_fin_wait_1_fin_retransmit: our FIN is retransmitted when its timer fires', () => {
    const b = new Bench();
    b.finWait1();
    const fin = b.last;
    b.env.advance(1000);
    expect(b.last.flags).toBe('F.');
    expect(b.last.seq32).toBe(fin.seq32);
    expect(b.last.retransmission).toBe(true);
  });
});

describe('FIN_WAIT_2', () => {
  it('test_fin_wait_2_fin: the peer\'s FIN: TIME_WAIT, FIN ACKed, the TIME_WAIT timer set', () => {
    const b = new Bench();
    const sk = b.finWait2();
    b.receive(b.segment('F.'));
    expect(sk.state).toBe('TIME_WAIT');
    expect(b.last.flags).toBe('.');
    expect(b.last.ack32).toBe(b.peerNxt);
    expect(b.env.timerLog.at(-1)).toBe('time-wait set');
  });

  it('test_fin_wait_2_no_timer: a FIN_WAIT_2 whose fd is still open has no timer: it waits for the peer for ever', () => {
    const b = new Bench();
    const sk = b.finWait2();
    b.env.advance(3_600_000);
    expect(sk.state).toBe('FIN_WAIT_2');
  });

  it('test_fin_wait_2_orphan_timer: closed by the application, it becomes a FIN_WAIT_2 minisock that dies after tcp_fin_timeout', () => {
    const b = new Bench({ 'net.ipv4.tcp_fin_timeout': 5 });
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('.'));
    expect(b.minisock()?.state).toBe('FIN_WAIT_2');
    b.env.advance(4999);
    expect(b.minisock()?.state).toBe('FIN_WAIT_2');
    b.env.advance(1);
    expect(b.minisock()).toBeUndefined();
    expect(b.env.states.at(-1)).toBe('FIN_WAIT_2->CLOSED FIN_WAIT_2 timer (tcp_fin_timeout)');
  });

  it('test_fin_wait_2_orphan_data: new data for an orphan in FIN_WAIT_2 is answered with a RST, and the connection ends', () => {
    const b = new Bench();
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('.'));
    b.receive(b.segment('P.', { data: 'late' }));
    expect(b.last.flags).toBe('R');
    expect(b.minisock()).toBeUndefined();
  });
});

describe('CLOSING', () => {
  it('test_closing_ack: the ACK of our FIN: TIME_WAIT', () => {
    const b = new Bench();
    const sk = b.finWait1();
    const fin = b.last;
    b.receive(b.segment('F.', { ack: fin.seq32 }));
    b.receive(b.segment('.', { ack: seqAdd(fin.seq32, 1) }));
    expect(sk.state).toBe('TIME_WAIT');
    expect(b.env.states.slice(-2)).toEqual(['FIN_WAIT_1->CLOSING rcv FIN (simultaneous close)', 'CLOSING->TIME_WAIT rcv ACK of FIN']);
  });
});

describe('CLOSE_WAIT and LAST_ACK', () => {
  it('test_close_wait_no_timer: CLOSE_WAIT has no timer: only the application can end it', () => {
    const b = new Bench();
    const sk = b.closeWait();
    b.env.advance(3_600_000);
    expect(sk.state).toBe('CLOSE_WAIT');
  });

  it('test_close_wait_close: close() sends our FIN: LAST_ACK', () => {
    const b = new Bench();
    const sk = b.closeWait();
    b.stack.close(sk);
    expect(sk.state).toBe('LAST_ACK');
    expect(b.last.flags).toBe('F.');
  });

  it('test_last_ack_ack: the ACK of our FIN ends the connection: CLOSED, no TIME_WAIT on this side', () => {
    const b = new Bench();
    const sk = b.closeWait();
    b.stack.close(sk);
    b.receive(b.segment('.'));
    expect(sk.state).toBe('CLOSED');
    expect(b.minisock()).toBeUndefined();
  });

  it('test_last_ack_rst: an exact RST ends it too', () => {
    const b = new Bench();
    const sk = b.closeWait();
    b.stack.close(sk);
    b.receive(b.segment('R'));
    expect(sk.state).toBe('CLOSED');
  });
});

describe('TIME_WAIT', () => {
  /** Active close, both FINs done: the connection sits in a TIME_WAIT minisock. */
  function timeWait(sysctls: Record<string, number> = {}): Bench {
    const b = new Bench(sysctls);
    const sk = b.established();
    b.stack.close(sk);
    b.receive(b.segment('F.'));
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    return b;
  }

  it('test_time_wait_timer: the connection ends 60 s after it entered TIME_WAIT (TCP_TIMEWAIT_LEN)', () => {
    const b = timeWait();
    b.env.advance(59_999);
    expect(b.minisock()).toBeDefined();
    b.env.advance(1);
    expect(b.minisock()).toBeUndefined();
    expect(b.env.states.at(-1)).toBe('TIME_WAIT->CLOSED TIME_WAIT timer');
  });

  it('test_time_wait_fin_retransmit: a retransmitted FIN is ACKed again and restarts the timer', () => {
    const b = timeWait();
    const finSeq = seqAdd(b.peerNxt, -1);
    b.env.advance(30_000);
    const n = b.env.sent.length;
    b.receive(b.segment('F.', { seq: finSeq }));
    expect(b.env.sent.length).toBe(n + 1);
    expect(b.last.flags).toBe('.');
    expect(b.minisock()?.expiresAt).toBe(90_000);
  });

  it('test_time_wait_rst: a RST kills it (TIME_WAIT assassination) with tcp_rfc1337 = 0, Linux\'s default', () => {
    const b = timeWait();
    b.receive(b.segment('R'));
    expect(b.minisock()).toBeUndefined();
  });

  it('test_time_wait_rst_rfc1337: with tcp_rfc1337 = 1 the RST is ignored and TIME_WAIT lasts', () => {
    const b = timeWait({ 'net.ipv4.tcp_rfc1337': 1 });
    b.receive(b.segment('R'));
    expect(b.minisock()?.state).toBe('TIME_WAIT');
  });

  it('test_time_wait_new_syn: a SYN beyond the old sequence space, with a listener, starts a new incarnation', () => {
    const b = new Bench();
    const l = b.listener();
    const child = b.synReceived(l);
    b.receive(b.segment('.'));
    b.stack.accepted(l.acceptQueue.shift()!, 'server');
    // The server closes first (as an HTTP/1.0 server does): it is the side in TIME_WAIT.
    b.stack.close(child);
    b.receive(b.segment('F.'));
    expect(b.minisock()?.state).toBe('TIME_WAIT');
    b.receive(b.segment('S', { seq: seqAdd(b.peerNxt, 100_000) }));
    expect(b.minisock()).toBeUndefined();
    expect(b.last.flags).toBe('S.');
  });
});
