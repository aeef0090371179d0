// Hand-built trace events for the formatter tests: a four-way close between a
// client and a server, as the simulator would report it.
import type { Endpoint, SegmentEvent, SegmentInfo } from '../../../types/closing-time.d.ts';

export const client: Endpoint = { host: 'client', ip: '10.0.0.1', port: 49152 };
export const server: Endpoint = { host: 'server', ip: '10.0.0.2', port: 80 };

let n = 0;
let id = 0;

export function seg(
  t: number,
  src: Endpoint,
  dst: Endpoint,
  flags: string,
  seq: number,
  ack: number,
  data = '',
  extra: Partial<SegmentEvent> & { retransmission?: boolean; segId?: number } = {},
): SegmentEvent {
  const info: SegmentInfo = {
    id: extra.segId ?? ++id,
    src,
    dst,
    seq,
    ack,
    flags,
    syn: flags.includes('S'),
    fin: flags.includes('F'),
    rst: flags.includes('R'),
    ackFlag: flags.includes('.'),
    win: 65535,
    len: data.length,
    data,
    retransmission: extra.retransmission ?? false,
  };
  const { retransmission: _r, segId: _s, ...rest } = extra;
  return { kind: 'segment', t, n: ++n, action: 'send', host: src.host, seg: info, ...rest };
}

export const CLIENT_ISN = 1000;
export const SERVER_ISN = 5000;

/** Handshake, 4 bytes each way, then the client closes first. */
export function fourWayClose(): SegmentEvent[] {
  return [
    seg(0, client, server, 'S', CLIENT_ISN, 0),
    seg(10, server, client, 'S.', SERVER_ISN, CLIENT_ISN + 1),
    seg(20, client, server, '.', CLIENT_ISN + 1, SERVER_ISN + 1),
    seg(20, client, server, 'P.', CLIENT_ISN + 1, SERVER_ISN + 1, 'ping'),
    seg(30, server, client, 'P.', SERVER_ISN + 1, CLIENT_ISN + 5, 'pong'),
    seg(40, client, server, 'F.', CLIENT_ISN + 5, SERVER_ISN + 5),
    seg(50, server, client, 'F.', SERVER_ISN + 5, CLIENT_ISN + 6),
    seg(60, client, server, '.', CLIENT_ISN + 6, SERVER_ISN + 6),
  ];
}
