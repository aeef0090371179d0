// The capture file, byte by byte: libpcap's global and record headers, the IPv4
// and TCP headers of each segment, their checksums, and what is (not) captured.
import { describe, expect, it } from 'vitest';
import type { SegmentEvent, TraceEvent } from '../../types/closing-time.d.ts';
import { internetChecksum, LINKTYPE_RAW, tcpFlagBits, tracePcap } from '../../src/console/pcap.ts';
import { client, seg, server } from './console/events.ts';

const bytes = (...b: number[]) => new Uint8Array(b);

interface Record {
  sec: number;
  usec: number;
  packet: Uint8Array;
}

/** Splits a capture into its records (little-endian headers, as tracePcap writes them). */
function records(file: Uint8Array): Record[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Record[] = [];
  for (let at = 24; at < file.length; ) {
    const incl = v.getUint32(at + 8, true);
    expect(v.getUint32(at + 12, true)).toBe(incl);
    out.push({ sec: v.getUint32(at, true), usec: v.getUint32(at + 4, true), packet: file.subarray(at + 16, at + 16 + incl) });
    at += 16 + incl;
  }
  return out;
}

const u16 = (p: Uint8Array, i: number) => (p[i]! << 8) | p[i + 1]!;
const u32 = (p: Uint8Array, i: number) => ((p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!) >>> 0;

/** The TCP checksum check a receiver does: pseudo-header plus segment sums to 0xffff (checksum 0). */
function tcpChecksumHolds(packet: Uint8Array): boolean {
  const tcp = packet.subarray(20);
  const pseudo = u16(packet, 12) + u16(packet, 14) + u16(packet, 16) + u16(packet, 18) + 6 + tcp.length;
  return internetChecksum(tcp, pseudo) === 0;
}

describe('internetChecksum', () => {
  it('gives RFC 1071’s example sum (0xddf2) complemented: 0x220d', () => {
    expect(internetChecksum(bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('gives 0xb861 for the textbook IPv4 header, and 0 over the header with its checksum in place', () => {
    const header = bytes(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);
    expect(internetChecksum(header)).toBe(0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    expect(internetChecksum(header)).toBe(0);
  });

  it('pads an odd last byte with zero and folds carries from a partial sum', () => {
    expect(internetChecksum(bytes(0x01))).toBe(0xfeff);
    expect(internetChecksum(bytes(0xff, 0xff), 0x0001)).toBe(0xfffe);
  });
});

describe('tcpFlagBits', () => {
  it('maps tcpdump’s letters to the flag byte, ECE and CWR included', () => {
    expect(tcpFlagBits({ flags: 'S' })).toBe(0x02);
    expect(tcpFlagBits({ flags: 'S.' })).toBe(0x12);
    expect(tcpFlagBits({ flags: 'FP.' })).toBe(0x19);
    expect(tcpFlagBits({ flags: 'R' })).toBe(0x04);
    expect(tcpFlagBits({ flags: 'SEW' })).toBe(0xc2);
    expect(tcpFlagBits({ flags: 'none' })).toBe(0);
  });
});

describe('tracePcap', () => {
  it('starts with a libpcap header: microsecond magic, version 2.4, UTC, raw IPv4 link type', () => {
    const file = tracePcap([]);
    expect(file.length).toBe(24);
    expect([...file.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const v = new DataView(file.buffer);
    expect([v.getUint16(4, true), v.getUint16(6, true), v.getInt32(8, true), v.getUint32(12, true)]).toEqual([2, 4, 0, 0]);
    expect(v.getUint32(16, true)).toBeGreaterThanOrEqual(65535);
    expect(v.getUint32(20, true)).toBe(LINKTYPE_RAW);
  });

  it('records each sent segment once, at virtual time in microseconds; deliveries, drops and other events are not records', () => {
    const syn = seg(0, client, server, 'S', 1000, 0);
    const synAck = seg(12.345, server, client, 'S.', 5000, 1001);
    const ack = seg(61_234.5, client, server, '.', 1001, 5001);
    const events: TraceEvent[] = [
      syn,
      { ...syn, action: 'deliver', host: 'server', t: 10 },
      synAck,
      { ...synAck, action: 'drop', reason: 'loss' },
      { kind: 'state', t: 20, n: 99, host: 'client', sock: { host: 'client', id: 1, local: '', remote: '' }, from: 'SYN_SENT', to: 'ESTABLISHED', cause: 'rcv SYN-ACK' },
      ack,
    ];
    const recs = records(tracePcap(events));
    expect(recs.map((r) => [r.sec, r.usec])).toEqual([
      [0, 0],
      [0, 12_345],
      [61, 234_500],
    ]);
    expect(recs.map((r) => u32(r.packet, 24))).toEqual([1000, 5000, 1001]);
  });

  it('writes a real IPv4 header: 0x45, total length, per-host identification, DF, TTL 64, TCP, addresses, checksum', () => {
    const events = [seg(0, client, server, 'S', 1, 0), seg(10, server, client, 'S.', 7, 2), seg(20, client, server, 'P.', 2, 8, 'hello')];
    const [a, b, c] = records(tracePcap(events)).map((r) => r.packet);
    for (const p of [a!, b!, c!]) {
      expect(p[0]).toBe(0x45);
      expect(u16(p, 2)).toBe(p.length);
      expect(u16(p, 6)).toBe(0x4000);
      expect(p[8]).toBe(64);
      expect(p[9]).toBe(6);
      expect(internetChecksum(p.subarray(0, 20))).toBe(0);
    }
    expect([u16(a!, 4), u16(b!, 4), u16(c!, 4)]).toEqual([1, 1, 2]);
    expect([...a!.subarray(12, 20)]).toEqual([10, 0, 0, 1, 10, 0, 0, 2]);
    expect([...b!.subarray(12, 20)]).toEqual([10, 0, 0, 2, 10, 0, 0, 1]);
    expect(c!.length).toBe(20 + 20 + 5);
  });

  it('writes a real TCP header: ports, 32-bit seq and ack, data offset, flags, window, checksum over the pseudo-header', () => {
    const fin: SegmentEvent = seg(0, client, server, 'FP.', 0xfffffff0, 0x80000001, 'bye');
    const withWin = { ...fin, seg: { ...fin.seg, win: 1234 } };
    const [p] = records(tracePcap([withWin])).map((r) => r.packet);
    const tcp = p!.subarray(20);
    expect([u16(tcp, 0), u16(tcp, 2)]).toEqual([49152, 80]);
    expect([u32(tcp, 4), u32(tcp, 8)]).toEqual([0xfffffff0, 0x80000001]);
    expect(tcp[12]).toBe(5 << 4);
    expect(tcp[13]).toBe(0x19);
    expect(u16(tcp, 14)).toBe(1234);
    expect(u16(tcp, 18)).toBe(0);
    expect(new TextDecoder().decode(tcp.subarray(20))).toBe('bye');
    expect(tcpChecksumHolds(p!)).toBe(true);
    // A flipped payload bit breaks it.
    const broken = p!.slice();
    broken[broken.length - 1]! ^= 1;
    expect(tcpChecksumHolds(broken)).toBe(false);
  });

  it('lays out the timestamps option as Linux does (nop, nop, TS) and only when the segment carries it', () => {
    const s = seg(0, client, server, 'S', 1, 0);
    const withTs = { ...s, seg: { ...s.seg, tsval: 0xdeadbeef, tsecr: 7 } };
    const [p] = records(tracePcap([withTs])).map((r) => r.packet);
    const tcp = p!.subarray(20);
    expect(tcp[12]! >> 4).toBe(8);
    expect([...tcp.subarray(20, 24)]).toEqual([1, 1, 8, 10]);
    expect([u32(tcp, 24), u32(tcp, 28)]).toEqual([0xdeadbeef, 7]);
    expect(tcp.length).toBe(32);
    expect(tcpChecksumHolds(p!)).toBe(true);
  });

  it('writes one byte per character, ? above U+00FF, and zero bytes when an event carries no data', () => {
    const a = seg(0, client, server, 'P.', 1, 1, 'é€!');
    const b = seg(1, client, server, 'P.', 4, 1, 'four');
    const noData = { ...b, seg: { ...b.seg, data: undefined as unknown as string } };
    const [pa, pb] = records(tracePcap([a, noData])).map((r) => r.packet);
    expect([...pa!.subarray(40)]).toEqual([0xe9, 0x3f, 0x21]);
    expect([...pb!.subarray(40)]).toEqual([0, 0, 0, 0]);
    expect(tcpChecksumHolds(pa!) && tcpChecksumHolds(pb!)).toBe(true);
  });
});
