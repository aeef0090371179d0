// The packet panel's fields, read from real simulator traces: a four-way close
// and a close whose last ACK a fault rule drops.
import { describe, expect, it } from 'vitest';
import type { SegmentEvent, TraceEvent } from '../../types/closing-time.d.ts';
import { createWorld } from '../../src/sim/index.ts';
import { packetInfo } from '../../src/components/ladder/packet-info.ts';
import { packetHtml } from '../../src/components/playground/ladder-view.ts';
import fourWayClose from '../../examples/four-way-close.ts';
import lostLastAck from '../../examples/lost-last-ack.ts';

async function trace(program: (sim: any) => void): Promise<readonly TraceEvent[]> {
  const world = createWorld({ seed: 7 });
  program(world);
  await world.run();
  return world.trace;
}

const sends = (events: readonly TraceEvent[]) => events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send');

describe('packet info', () => {
  it('gives absolute and relative numbers and both ends’ states for each segment of a four-way close', async () => {
    const events = await trace(fourWayClose);
    const segs = sends(events);
    const syn = segs.find((e) => e.seg.flags === 'S')!;
    const synAck = segs.find((e) => e.seg.flags === 'S.')!;
    const [clientFin, serverFin] = segs.filter((e) => e.seg.fin);

    const s = packetInfo(events, syn.n)!;
    expect(s.flagNames).toEqual(['SYN']);
    expect(s.seq).toBe(syn.seg.seq);
    expect(s.relSeq).toBe(0);
    expect(s.relAck).toBeNull();
    expect(s.options[0]).toMatch(/^TS val \d+ ecr 0$/);
    expect(s.sender).toMatchObject({ host: 'client', before: 'CLOSED', after: 'SYN_SENT', cause: 'connect()' });
    expect(s.receiver).toMatchObject({ host: 'server', before: 'LISTEN', after: 'SYN_RECEIVED', cause: 'rcv SYN' });
    expect(s.outcome).toBe('delivered');

    const sa = packetInfo(events, synAck.n)!;
    expect(sa.relSeq).toBe(0);
    expect(sa.relAck).toBe(1);
    expect(sa.ack).toBe((syn.seg.seq + 1) >>> 0);
    expect(sa.receiver).toMatchObject({ before: 'SYN_SENT', after: 'ESTABLISHED' });

    const f1 = packetInfo(events, clientFin!.n)!;
    expect(f1.flagNames).toEqual(['ACK', 'FIN']);
    expect(f1.seq).toBe(clientFin!.seg.seq);
    expect(f1.relSeq).toBe(6); // after the SYN and "hello"
    expect(f1.relAck).toBe(12); // after the SYN-ACK and "echo: hello"
    expect(f1.sender).toMatchObject({ before: 'ESTABLISHED', after: 'FIN_WAIT_1', cause: 'close()' });
    expect(f1.receiver).toMatchObject({ before: 'ESTABLISHED', after: 'CLOSE_WAIT', cause: 'rcv FIN' });

    const f2 = packetInfo(events, serverFin!.n)!;
    expect(f2.sender).toMatchObject({ host: 'server', before: 'CLOSE_WAIT', after: 'LAST_ACK' });
    expect(f2.receiver).toMatchObject({ host: 'client', before: 'FIN_WAIT_2', after: 'TIME_WAIT' });

    const lastAck = segs.find((e) => e.host === 'client' && e.n > serverFin!.n && e.seg.flags === '.')!;
    const la = packetInfo(events, lastAck.n)!;
    expect(la.sender.after).toBe('TIME_WAIT');
    expect(la.receiver).toMatchObject({ before: 'LAST_ACK', after: 'CLOSED' });
  });

  it('shows a segment’s data and length, from its delivery as from its send', async () => {
    const events = await trace(fourWayClose);
    const data = sends(events).find((e) => e.seg.data === 'hello')!;
    const deliver = events.find((e) => e.kind === 'segment' && e.action === 'deliver' && e.seg.id === data.seg.id)!;
    const p = packetInfo(events, deliver.n)!;
    expect(p.n).toBe(data.n);
    expect(p).toMatchObject({ len: 5, data: 'hello', dataTruncated: false, relSeq: 1, relAck: 1, flags: 'P.', endN: deliver.n });
    expect(p.flagNames).toEqual(['ACK', 'PSH']);
  });

  it('says why a segment was dropped and leaves the receiver’s state as it was', async () => {
    const events = await trace(lostLastAck);
    const drop = events.find((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'drop')!;
    const p = packetInfo(events, drop.n)!;
    expect(p.outcome).toBe('dropped');
    expect(p.dropReason).toBe(drop.reason);
    expect(p.dropReason).toBeTruthy();
    expect(p.receiver.before).toBe('LAST_ACK');
    expect(p.receiver.after).toBe('LAST_ACK');
  });

  it('returns null for a position that is not a segment', async () => {
    const events = await trace(fourWayClose);
    const st = events.find((e) => e.kind === 'state')!;
    expect(packetInfo(events, st.n)).toBeNull();
    expect(packetInfo(events, 1e9)).toBeNull();
  });
});

describe('packet panel text', () => {
  it('labels the fields in the page’s edition, keeping flags, numbers and states as printed', async () => {
    const events = await trace(fourWayClose);
    const fin = sends(events).find((e) => e.seg.fin)!;
    const p = packetInfo(events, fin.n)!;
    const zh = packetHtml(p, false, 'zh-cn');
    for (const word of ['发送方', '接收方', '标志位', '窗口', '去向', '送达', '绝对值']) expect(zh).toContain(word);
    expect(zh).toContain('FIN');
    expect(zh).toContain(p.sender.after ?? 'FIN_WAIT_1');
    expect(zh).not.toMatch(/Sender|Receiver|delivered at|Window/);
    const en = packetHtml(p, false, 'en');
    for (const word of ['Sender', 'Receiver', 'Flags', 'Window', 'Fate', 'delivered at', 'absolute']) expect(en).toContain(word);
  });
});
