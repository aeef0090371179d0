import { describe, expect, it } from 'vitest';
import { createFormatter, formatEvent, formatSegment, SeqTracker, stripAnsi } from '../../../src/console/index.ts';
import { client, CLIENT_ISN, fourWayClose, seg, server, SERVER_ISN } from './events.ts';

describe('segment lines (tcpdump format)', () => {
  it('prints a four-way close with relative sequence numbers, as tcpdump does by default', () => {
    const f = createFormatter();
    const lines = fourWayClose().map((e) => f.format(e));
    expect(lines).toEqual([
      '0.000 client.49152 > server.80: Flags [S], seq 1000, win 65535, length 0',
      '0.010 server.80 > client.49152: Flags [S.], seq 5000, ack 1001, win 65535, length 0',
      '0.020 client.49152 > server.80: Flags [.], ack 1, win 65535, length 0',
      '0.020 client.49152 > server.80: Flags [P.], seq 1:5, ack 1, win 65535, length 4 "ping"',
      '0.030 server.80 > client.49152: Flags [P.], seq 1:5, ack 5, win 65535, length 4 "pong"',
      '0.040 client.49152 > server.80: Flags [F.], seq 5, ack 5, win 65535, length 0',
      '0.050 server.80 > client.49152: Flags [F.], seq 5, ack 6, win 65535, length 0',
      '0.060 client.49152 > server.80: Flags [.], ack 6, win 65535, length 0',
    ]);
  });

  it('prints absolute numbers with absoluteSeq (tcpdump -S)', () => {
    const f = createFormatter({ absoluteSeq: true });
    const lines = fourWayClose().map((e) => f.format(e));
    expect(lines[5]).toBe(`0.040 client.49152 > server.80: Flags [F.], seq ${CLIENT_ISN + 5}, ack ${SERVER_ISN + 5}, win 65535, length 0`);
  });

  it('matches the FIN example of the course: seq 101, ack 201 at 12.010 s', () => {
    const f = createFormatter();
    f.format(seg(0, client, server, 'S', 7, 0));
    f.format(seg(5, server, client, 'S.', 90, 8));
    expect(f.format(seg(12010, client, server, 'F.', 7 + 101, 90 + 201))).toBe(
      '12.010 client.49152 > server.80: Flags [F.], seq 101, ack 201, win 65535, length 0',
    );
  });

  it('wraps relative numbers modulo 2^32 when the ISN is near the top', () => {
    const tracker = new SeqTracker();
    const isn = 2 ** 32 - 2;
    formatSegment(seg(0, client, server, 'S', isn, 0), {}, tracker);
    formatSegment(seg(1, server, client, 'S.', 10, (isn + 1) % 2 ** 32), {}, tracker);
    const data = seg(2, client, server, 'P.', (isn + 1) % 2 ** 32, 11, 'abcd');
    expect(formatSegment(data, {}, tracker)).toBe('0.002 client.49152 > server.80: Flags [P.], seq 1:5, ack 1, win 65535, length 4 "abcd"');
  });

  it('starts a new incarnation on a fresh SYN for the same 4-tuple', () => {
    const f = createFormatter();
    fourWayClose().forEach((e) => f.format(e));
    f.format(seg(2000, client, server, 'S', 90000, 0));
    f.format(seg(2010, server, client, 'S.', 70000, 90001));
    expect(f.format(seg(2020, client, server, 'P.', 90001, 70001, 'x'))).toBe(
      '2.020 client.49152 > server.80: Flags [P.], seq 1:2, ack 1, win 65535, length 1 "x"',
    );
  });

  it('prints the first segment of an unknown conversation absolute, then relative to it', () => {
    const f = createFormatter();
    expect(f.format(seg(0, client, server, '.', 500, 900))).toBe('0.000 client.49152 > server.80: Flags [.], ack 900, win 65535, length 0');
    expect(f.format(seg(1, client, server, 'P.', 500, 900, 'hi'))).toBe(
      '0.001 client.49152 > server.80: Flags [P.], seq 0:2, ack 1, win 65535, length 2 "hi"',
    );
  });

  it('marks drops with their reason, retransmissions and duplicates', () => {
    const f = createFormatter();
    const events = fourWayClose();
    events.slice(0, 5).forEach((e) => f.format(e));
    const lost = seg(40, client, server, 'F.', CLIENT_ISN + 5, SERVER_ISN + 5, '', { action: 'drop', reason: 'loss' });
    expect(f.format(lost)).toBe('0.040 client.49152 > server.80: Flags [F.], seq 5, ack 5, win 65535, length 0 [dropped: loss]');
    const again = seg(240, client, server, 'F.', CLIENT_ISN + 5, SERVER_ISN + 5, '', { retransmission: true });
    expect(f.format(again)).toBe('0.240 client.49152 > server.80: Flags [F.], seq 5, ack 5, win 65535, length 0 [retransmission]');
    const first = seg(250, client, server, 'F.', CLIENT_ISN + 5, SERVER_ISN + 5, '', { action: 'deliver', host: 'server', segId: 77 });
    expect(f.format(first)).toBeNull();
    const copy = { ...first, n: first.n + 1, t: 1250 };
    expect(f.format(copy)).toBe('1.250 client.49152 > server.80: Flags [F.], seq 5, ack 5, win 65535, length 0 [delivered to server, duplicate]');
  });

  it('shows deliveries when asked', () => {
    const f = createFormatter({ deliveries: true });
    const e = seg(10, client, server, 'S', 1, 0, '', { action: 'deliver', host: 'server' });
    expect(f.format(e)).toBe('0.010 client.49152 > server.80: Flags [S], seq 1, win 65535, length 0 [delivered to server]');
  });

  it('prints a RST in reply to a SYN the way tcpdump does', () => {
    const f = createFormatter();
    f.format(seg(0, client, server, 'S', 1000, 0));
    expect(f.format(seg(10, server, client, 'R.', 0, 1001))).toBe('0.010 server.80 > client.49152: Flags [R.], seq 0, ack 1001, win 65535, length 0');
  });

  it('names endpoints by address on request, and prints timestamps as tcpdump options', () => {
    const e = seg(0, client, server, 'S', 1, 0);
    const withTs = { ...e, seg: { ...e.seg, tsval: 100, tsecr: 0 } };
    expect(formatEvent(withTs, { addresses: 'ips', tcpOptions: true })).toBe(
      '0.000 10.0.0.1.49152 > 10.0.0.2.80: Flags [S], seq 1, win 65535, options [nop,nop,TS val 100 ecr 0], length 0',
    );
  });

  it('cuts long payloads and escapes control characters', () => {
    const e = seg(0, client, server, 'P.', 1, 1, 'GET / HTTP/1.1\r\nHost: server\r\n\r\n');
    expect(formatEvent(e, { payloadChars: 16 })).toBe(
      '0.000 client.49152 > server.80: Flags [P.], seq 1:33, ack 1, win 65535, length 32 "GET / HTTP/1.1\\r\\n..."',
    );
    expect(formatEvent(e, { payloadChars: 0 })).toMatch(/length 32$/);
  });

  it('colours segments by flag: SYN green, FIN yellow, RST red, data cyan, drops red', () => {
    const color = (flags: string, data = '') => formatEvent(seg(0, client, server, flags, 1, 1, data), { color: true });
    expect(color('S')).toContain('\x1b[32mclient.49152');
    expect(color('F.')).toContain('\x1b[33mclient.49152');
    expect(color('R')).toContain('\x1b[31mclient.49152');
    expect(color('P.', 'x')).toContain('\x1b[36mclient.49152');
    expect(color('.')).not.toMatch(/\x1b\[3\dmclient/);
    const dropped = formatEvent(seg(0, client, server, 'F.', 1, 1, '', { action: 'drop', reason: 'fault' }), { color: true });
    expect(dropped).toContain('\x1b[1;31m[dropped: fault]');
    expect(stripAnsi(color('F.'))).toBe(formatEvent(seg(0, client, server, 'F.', 1, 1)));
  });

  it('pads the time column when asked', () => {
    expect(formatEvent(seg(61020, client, server, '.', 1, 1), { timeWidth: 7 })).toMatch(/^ 61\.020 client/);
  });

  it('rejects what is not a trace event with a clear message', () => {
    expect(() => formatEvent(null as never)).toThrow(/expects a trace event/);
    expect(() => formatSegment({ kind: 'note', t: 0 } as never)).toThrow(/segment trace event/);
  });
});
