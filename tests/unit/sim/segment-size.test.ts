// How much data one segment carries, as Linux cuts it (tcp_output.c
// tcp_sync_mss, tcp_current_mss): the MSS less the options every segment carries.
import { describe, expect, it } from 'vitest';
import { Bench, PEER_ISS } from './tcb-harness.ts';
import type { Tcb } from '../../../src/sim/tcp/tcb.ts';

const lens = (b: Bench, from: number): number[] => b.env.sent.slice(from).map((s) => s.len);

/** An active opener whose peer answered the SYN with (or without) the timestamps option. */
function established(b: Bench, peerTs: boolean, win = 65_535): Tcb {
  const { sk } = b.synSent();
  const syn = b.last;
  b.receive(b.segment('S.', { seq: PEER_ISS, win, ts: peerTs ? [1000, syn.tsval ?? 0] : undefined }));
  if (sk.state !== 'ESTABLISHED') throw new Error(`set-up: expected ESTABLISHED, got ${sk.state}`);
  return sk;
}

function send(b: Bench, sk: Tcb, bytes: number): number[] {
  const n = b.env.sent.length;
  sk.sqAppend('x'.repeat(bytes));
  sk.output();
  return lens(b, n);
}

describe('segment size', () => {
  it('with timestamps on both ends, a data segment carries 1448 bytes: the MSS 1460 less the 12-byte option', () => {
    const b = new Bench();
    const sk = established(b, true);
    expect(sk.tsOn).toBe(true);
    expect(send(b, sk, 4000)).toEqual([1448, 1448, 1104]);
  });

  it('with net.ipv4.tcp_timestamps 0, a data segment carries the full 1460 bytes', () => {
    const b = new Bench({ 'net.ipv4.tcp_timestamps': 0 });
    const sk = established(b, true);
    expect(sk.tsOn).toBe(false);
    expect(send(b, sk, 4000)).toEqual([1460, 1460, 1080]);
  });

  it('when the peer does not answer with timestamps, segments carry 1460 bytes', () => {
    const b = new Bench();
    const sk = established(b, false);
    expect(sk.tsOn).toBe(false);
    expect(send(b, sk, 3000)).toEqual([1460, 1460, 80]);
  });

  it('Nagle counts a 1448-byte segment as full when timestamps are on: a small write behind it goes at once', () => {
    const b = new Bench();
    const sk = established(b, true);
    expect(send(b, sk, 1448)).toEqual([1448]);
    expect(send(b, sk, 1)).toEqual([1]);
  });

  it('a segment is at most half the largest window the peer advertised (tcp_bound_to_half_wnd): a 1448-byte window takes two 724-byte segments', () => {
    const b = new Bench();
    const sk = established(b, true, 1448);
    expect(send(b, sk, 6000)).toEqual([724, 724]);
  });

  it('a peer window of at most 536 bytes (TCP_MSS_DEFAULT) bounds a segment to the whole window, not half', () => {
    const b = new Bench();
    const sk = established(b, true, 500);
    expect(send(b, sk, 600)).toEqual([500]);
  });

  it('the bound follows the largest window ever advertised: a larger window later lets segments grow, a smaller one does not shrink them', () => {
    const b = new Bench();
    const sk = established(b, true, 2000);
    expect(send(b, sk, 2000)).toEqual([1000, 1000]);
    const n = b.env.sent.length;
    b.receive(b.segment('.', { win: 8000 }));
    expect(lens(b, n)).toEqual([]);
    expect(send(b, sk, 3000)).toEqual([1448, 1448, 104]);
    b.receive(b.segment('.', { win: 1000 }));
    expect(sk.mssCache).toBe(1448);
  });

  it('an accepted connection takes max_window from the handshake\'s last ACK (tcp_create_openreq_child)', () => {
    const b = new Bench();
    b.listener();
    b.receive(b.segment('S', { seq: PEER_ISS, localPort: 80, ts: [1000, 0] }));
    const synAck = b.last;
    b.receive(b.segment('.', { localPort: 80, win: 1460, ts: [1001, synAck.tsval ?? 0] }));
    const child = [...b.stack.conns.values()].find((t): t is Tcb => 'state' in t && t.state === 'ESTABLISHED');
    expect(child?.maxWindow).toBe(1460);
    expect(child?.mssCache).toBe(730);
  });
});

describe('receive window (__tcp_select_window)', () => {
  it('once less than half the buffer is free, less than one segment of room is advertised as a zero window (receiver silly-window avoidance)', () => {
    const b = new Bench();
    const sk = established(b, true);
    sk.rcvBufSize = 4000;
    b.receive(b.segment('.', { data: 'x'.repeat(1448) }));
    expect(sk.rcvWnd()).toBe(4000 - 1448); // more than half free: the free space
    b.receive(b.segment('.', { data: 'x'.repeat(1448) }));
    expect(b.last.ack).toBe(b.peerNxt >>> 0);
    expect(b.last.win).toBe(0); // 1104 free, less than the 1448-byte segments seen
  });
});
