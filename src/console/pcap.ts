// A run's segments as a capture file that tcpdump, Wireshark and tshark open:
// classic libpcap format (https://www.tcpdump.org/manpages/pcap-savefile.5.html),
// one record per segment with a real IPv4 and TCP header.
//
// Choices, and why:
// - Link type LINKTYPE_RAW (101): each record starts at the IPv4 header. It is the
//   oldest raw-IP link type (every libpcap, tcpdump, Wireshark, tshark and scapy
//   version reads it), needs no made-up Ethernet addresses, and tcpdump prints
//   `IP a.b.c.d.port > ...` with nothing in front. (LINKTYPE_IPV4, 228, means the
//   same but older readers reject it.)
// - Where the capture is taken: at the sender's interface, one record per 'send'
//   event. A segment the link then loses (loss, a fault rule, a partition, no
//   route) is in the capture like any other, as tcpdump on the sending host would
//   show it; the trace, not the capture, says it never arrived. A segment the link
//   duplicates is captured once, as it was sent once.
// - Timestamps: virtual time from the Unix epoch, in microseconds, so
//   `tcpdump -tt` prints the trace's own clock (0.010000 is 10 ms into the run)
//   and Wireshark dates the run 1970-01-01 00:00:00 UTC.
// - IPv4 header: version 4, IHL 5, DSCP/ECN 0, DF set and TTL 64 (as Linux sends
//   TCP), protocol 6, an identification that counts up from 1 per sending host,
//   and the header checksum.
// - TCP header: ports, absolute seq and ack, data offset, the flags the trace
//   names (tcpdump's letters, including E for ECE, W for CWR and U for URG), the
//   window exactly as the trace carries it (the 16-bit value on the wire), the
//   checksum over the pseudo-header, and the options the segment carries. The
//   simulator's segments carry the timestamps option only (it has no SACK or
//   window scaling, and no MSS option), so a segment with timestamps gets
//   nop,nop,TS as Linux lays it out, and one without gets no options.
// - Payload: the segment's data, one byte per character as the simulator counts
//   them (a character above U+00FF is written as '?'); if an event carries no
//   data (a trace saved without it), zero bytes of the segment's length.
// Pure TypeScript, no DOM and no Node APIs: the CLI and the playground share it.
import type { SegmentEvent, SegmentInfo, TraceEvent } from '../../types/closing-time.d.ts';

/** The libpcap magic number for microsecond timestamps (written little-endian: d4 c3 b2 a1). */
export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_RAW = 101;
const SNAPLEN = 262_144;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const IP_HEADER = 20;
const TCP_HEADER = 20;
const TS_OPTION = 12; // nop, nop, kind 8, length 10, TSval, TSecr

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, '.': 0x10, U: 0x20, E: 0x40, W: 0x80 };

/** The TCP flag byte of a segment, from tcpdump's letters ('S.', 'FP.', 'none' ...) and the boolean fields. */
export function tcpFlagBits(seg: Pick<SegmentInfo, 'flags'> & Partial<Pick<SegmentInfo, 'syn' | 'fin' | 'rst' | 'ackFlag'>>): number {
  let bits = 0;
  if (seg.flags !== 'none') for (const ch of seg.flags) bits |= FLAG_BITS[ch] ?? 0;
  if (seg.syn) bits |= 0x02;
  if (seg.fin) bits |= 0x01;
  if (seg.rst) bits |= 0x04;
  if (seg.ackFlag) bits |= 0x10;
  return bits;
}

/**
 * The Internet checksum (RFC 1071): the one's complement of the one's complement
 * sum of 16-bit big-endian words, an odd last byte padded with zero. `initial`
 * is a partial sum to start from (a pseudo-header's), not complemented.
 */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const n = bytes.length;
  for (let i = 0; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (n & 1) sum += bytes[n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Parsed addresses: a run has a few hosts and many segments. */
const addressCache = new Map<string, [number, number, number, number]>();

function ipv4Bytes(ip: string): [number, number, number, number] {
  const known = addressCache.get(ip);
  if (known) return known;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) throw new TypeError(`pcap: ${JSON.stringify(ip)} is not an IPv4 address`);
  const parts = m.slice(1).map(Number) as [number, number, number, number];
  if (parts.some((p) => p > 255)) throw new TypeError(`pcap: ${JSON.stringify(ip)} is not an IPv4 address`);
  if (addressCache.size < 4096) addressCache.set(ip, parts);
  return parts;
}

/** The segment events a capture at the senders' interfaces records, in trace order. */
export function capturedSegments(events: Iterable<TraceEvent>): SegmentEvent[] {
  const out: SegmentEvent[] = [];
  for (const e of events) if (e.kind === 'segment' && e.action === 'send') out.push(e);
  return out;
}

function packetLength(seg: SegmentInfo): number {
  return IP_HEADER + TCP_HEADER + (seg.tsval !== undefined ? TS_OPTION : 0) + seg.len;
}

/**
 * Writes one IPv4/TCP packet for `seg` into `out` (and `view`, a DataView of
 * the same bytes) at `at`, which must have room for packetLength(seg); `ipId`
 * is the IPv4 identification.
 */
function writePacket(out: Uint8Array, view: DataView, at: number, seg: SegmentInfo, ipId: number): void {
  const opts = seg.tsval !== undefined ? TS_OPTION : 0;
  const tcpLen = TCP_HEADER + opts + seg.len;
  const total = IP_HEADER + tcpLen;
  if (total > 0xffff) throw new RangeError(`pcap: segment ${seg.id} is ${total} bytes, more than an IPv4 packet holds`);
  const src = ipv4Bytes(seg.src.ip);
  const dst = ipv4Bytes(seg.dst.ip);

  // IPv4 header.
  const ip = at;
  out[ip] = 0x45; // version 4, IHL 5 words
  out[ip + 1] = 0; // DSCP 0, ECN 0
  view.setUint16(ip + 2, total);
  view.setUint16(ip + 4, ipId & 0xffff);
  view.setUint16(ip + 6, 0x4000); // DF, fragment offset 0
  out[ip + 8] = 64; // TTL
  out[ip + 9] = 6; // TCP
  view.setUint16(ip + 10, 0);
  out.set(src, ip + 12);
  out.set(dst, ip + 16);
  view.setUint16(ip + 10, internetChecksum(out.subarray(ip, ip + IP_HEADER)));

  // TCP header.
  const tcp = ip + IP_HEADER;
  view.setUint16(tcp, seg.src.port);
  view.setUint16(tcp + 2, seg.dst.port);
  view.setUint32(tcp + 4, seg.seq >>> 0);
  view.setUint32(tcp + 8, seg.ack >>> 0);
  out[tcp + 12] = ((TCP_HEADER + opts) / 4) << 4; // data offset, reserved bits 0
  out[tcp + 13] = tcpFlagBits(seg);
  view.setUint16(tcp + 14, seg.win & 0xffff);
  view.setUint16(tcp + 16, 0); // checksum, below
  view.setUint16(tcp + 18, 0); // urgent pointer
  let p = tcp + TCP_HEADER;
  if (opts) {
    out[p] = 1; // NOP
    out[p + 1] = 1; // NOP
    out[p + 2] = 8; // kind: timestamps
    out[p + 3] = 10; // length
    view.setUint32(p + 4, seg.tsval! >>> 0);
    view.setUint32(p + 8, (seg.tsecr ?? 0) >>> 0);
    p += TS_OPTION;
  }
  const data = typeof seg.data === 'string' ? seg.data : '';
  for (let i = 0; i < seg.len; i++) {
    if (i >= data.length) {
      out[p + i] = 0;
      continue;
    }
    const c = data.charCodeAt(i);
    out[p + i] = c <= 0xff ? c : 0x3f;
  }

  // Pseudo-header: source, destination, zero, protocol, TCP length.
  const pseudo = ((src[0] << 8) | src[1]) + ((src[2] << 8) | src[3]) + ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3]) + 6 + tcpLen;
  view.setUint16(tcp + 16, internetChecksum(out.subarray(tcp, tcp + tcpLen), pseudo));
}

/**
 * A classic libpcap file (LINKTYPE_RAW, microsecond timestamps from virtual
 * time) holding every segment the trace shows as sent, in trace order. Events
 * of other kinds, deliveries and drops are skipped (see the choices above).
 */
export function tracePcap(events: Iterable<TraceEvent>): Uint8Array<ArrayBuffer> {
  const segments = capturedSegments(events);
  let size = GLOBAL_HEADER;
  for (const e of segments) size += RECORD_HEADER + packetLength(e.seg);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  // Global header, little-endian.
  view.setUint32(0, PCAP_MAGIC, true);
  view.setUint16(4, 2, true); // version 2.4
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true); // thiszone: UTC
  view.setUint32(12, 0, true); // sigfigs
  view.setUint32(16, SNAPLEN, true);
  view.setUint32(20, LINKTYPE_RAW, true);

  const ipIds = new Map<string, number>();
  let at = GLOBAL_HEADER;
  for (const e of segments) {
    const len = packetLength(e.seg);
    const us = Math.max(0, Math.round(e.t * 1000));
    view.setUint32(at, Math.floor(us / 1_000_000), true);
    view.setUint32(at + 4, us % 1_000_000, true);
    view.setUint32(at + 8, len, true); // captured length
    view.setUint32(at + 12, len, true); // length on the wire
    const host = e.seg.src.host ?? e.host;
    const id = (ipIds.get(host) ?? 0) + 1;
    ipIds.set(host, id);
    writePacket(out, view, at + RECORD_HEADER, e.seg, id);
    at += RECORD_HEADER + len;
  }
  return out;
}
