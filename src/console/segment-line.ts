// One segment as tcpdump prints it (print-tcp.c):
//   12.010 client.49152 > server.80: Flags [F.], seq 101, ack 201, win 65535, length 0
// `seq` appears when the segment carries data (as a first:last range) or SYN, FIN
// or RST; `ack` when the ACK bit is set. What tcpdump cannot show on one wire, the
// simulator knows, so it is appended in brackets: drops and why, retransmissions,
// duplicates, deliveries.
import type { Endpoint, SegmentEvent, SegmentInfo } from '../../types/closing-time.d.ts';
import { paint, type Style } from './ansi.ts';
import type { ResolvedFormatOptions } from './options.ts';
import type { SeqView } from './seq-tracker.ts';
import { formatTime } from './time-format.ts';

/** The colour of a segment: the most consequential flag wins. */
export function segmentStyle(seg: SegmentInfo): Style | null {
  if (seg.rst) return 'red';
  if (seg.syn) return 'green';
  if (seg.fin) return 'yellow';
  if (seg.len > 0) return 'cyan';
  return null;
}

function endpoint(e: Endpoint, addresses: 'names' | 'ips'): string {
  return `${addresses === 'ips' ? e.ip : e.host}.${e.port}`;
}

function quotePayload(data: string, max: number): string {
  const cut = data.length > max ? data.slice(0, max) : data;
  const quoted = JSON.stringify(cut);
  return data.length > max ? `${quoted.slice(0, -1)}..."` : quoted;
}

/** Markers for what the simulator knows about this copy of the segment. */
export function segmentMarkers(event: SegmentEvent, duplicate: boolean): string[] {
  const marks: string[] = [];
  if (event.action === 'drop') marks.push(`dropped: ${(event.reason ?? 'lost').replace(/-/g, ' ')}`);
  if (event.action === 'deliver') marks.push(`delivered to ${event.host}`);
  if (event.seg.retransmission) marks.push('retransmission');
  if (duplicate || event.reason === 'duplicate') marks.push('duplicate');
  else if (event.reason && event.action !== 'drop') marks.push(event.reason.replace(/-/g, ' '));
  return marks;
}

/** Formats a segment event. `numbers` come from a SeqTracker (or are absolute). */
export function formatSegmentLine(event: SegmentEvent, numbers: SeqView, options: ResolvedFormatOptions, duplicate = false): string {
  const seg = event.seg;
  const c = options.color;
  const parts: string[] = [`Flags [${seg.flags}]`];
  if (seg.len > 0) parts.push(`seq ${numbers.seq}:${(numbers.seq + seg.len) % 2 ** 32}`);
  else if (seg.syn || seg.fin || seg.rst) parts.push(`seq ${numbers.seq}`);
  if (seg.ackFlag) parts.push(`ack ${numbers.ack}`);
  parts.push(`win ${seg.win}`);
  if (options.tcpOptions && seg.tsval !== undefined) parts.push(`options [nop,nop,TS val ${seg.tsval} ecr ${seg.tsecr ?? 0}]`);
  parts.push(`length ${seg.len}`);
  let body = `${endpoint(seg.src, options.addresses)} > ${endpoint(seg.dst, options.addresses)}: ${parts.join(', ')}`;
  if (seg.len > 0 && options.payloadChars > 0) body += ` ${quotePayload(seg.data, options.payloadChars)}`;
  const dropped = event.action === 'drop';
  let line = `${paint('dim', formatTime(event.t, options.timeWidth), c)} ${paint(dropped ? 'dim' : segmentStyle(seg), body, c)}`;
  const marks = segmentMarkers(event, duplicate);
  if (marks.length) {
    const style: Style = dropped ? 'boldRed' : marks.includes('duplicate') || seg.retransmission ? 'magenta' : 'dim';
    line += ' ' + paint(style, `[${marks.join(', ')}]`, c);
  }
  return line;
}
