// `closing-time run --pcap FILE`: the capture tcpdump reads back shows, segment
// by segment, what the JSON trace of the same run says was sent (addresses,
// flags, seq, ack, window, length, timestamps option, time), with checksums
// tcpdump finds correct.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SegmentEvent, TraceEvent } from '../../types/closing-time.d.ts';
import { buildCli, cli, cliJson, program } from './run-cli.ts';

const inCI = process.env.CI === 'true' || process.env.CI === '1';
const tcpdumpMissing = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).error ? 'tcpdump is not installed (Debian: apt-get install tcpdump)' : null;
if (tcpdumpMissing && !inCI) console.warn(`pcap: reading captures back skipped: ${tcpdumpMissing}`);

const HEADER = "import type { Simulation } from 'closing-time';\n";
const outDir = mkdtempSync(join(tmpdir(), 'ct-pcap-'));

beforeAll(() => buildCli());

/** One packet as `tcpdump -nn -tt -S -v` prints it (two lines: IP, then TCP). */
interface Dumped {
  time: string;
  ip: string;
  src: string;
  dst: string;
  flags: string;
  cksum: string;
  seq?: string;
  ack?: number;
  win: number;
  ts?: { val: number; ecr: number };
  length: number;
}

const PACKET = /^(\d+\.\d{6}) IP \((.*)\)\n {4}(\S+) > (\S+): Flags \[([^\]]*)\], cksum (0x[0-9a-f]{4} \([^)]*\)), (.*)$/gm;

function tcpdump(file: string, ...extra: string[]): { out: string; err: string } {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '-S', '-v', ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpdump -r ${file} failed (exit ${r.status}): ${r.stderr}`);
  return { out: r.stdout, err: r.stderr };
}

function parseDump(out: string): Dumped[] {
  const packets: Dumped[] = [];
  for (const m of out.matchAll(PACKET)) {
    const rest = m[7]!;
    const seq = /(?:^|, )seq (\d+(?::\d+)?)/.exec(rest);
    const ack = /(?:^|, )ack (\d+)/.exec(rest);
    const ts = /TS val (\d+) ecr (\d+)/.exec(rest);
    packets.push({
      time: m[1]!,
      ip: m[2]!,
      src: m[3]!,
      dst: m[4]!,
      flags: m[5]!,
      cksum: m[6]!,
      seq: seq?.[1],
      ack: ack ? Number(ack[1]) : undefined,
      win: Number(/(?:^|, )win (\d+)/.exec(rest)![1]),
      ts: ts ? { val: Number(ts[1]), ecr: Number(ts[2]) } : undefined,
      length: Number(/, length (\d+)/.exec(rest)![1]),
    });
  }
  return packets;
}

/** What tcpdump prints for a segment of the trace (print-tcp.c: seq with data, SYN, FIN or RST; ack with the ACK bit). */
function expected(e: SegmentEvent): Dumped {
  const s = e.seg;
  const showSeq = s.len > 0 || s.syn || s.fin || s.rst;
  return {
    time: (Math.round(e.t * 1000) / 1e6).toFixed(6),
    ip: '',
    src: `${s.src.ip}.${s.src.port}`,
    dst: `${s.dst.ip}.${s.dst.port}`,
    flags: s.flags,
    cksum: '',
    seq: showSeq ? (s.len > 0 ? `${s.seq}:${(s.seq + s.len) % 2 ** 32}` : String(s.seq)) : undefined,
    ack: s.ackFlag ? s.ack : undefined,
    win: s.win,
    ts: s.tsval !== undefined ? { val: s.tsval, ecr: s.tsecr ?? 0 } : undefined,
    length: s.len,
  };
}

const sent = (events: TraceEvent[]) => events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send');

/** Runs `file` with --json and --pcap; returns the trace's sent segments and what tcpdump reads from the capture. */
async function capture(file: string, name: string, extra: string[] = []) {
  const pcap = join(outDir, `${name}.pcap`);
  const run = await cliJson(['run', file, '--no-typecheck', '--pcap', pcap, ...extra]);
  expect(run.code, run.stderr).toBe(0);
  const segments = sent(run.events);
  expect(run.stderr).toBe(`closing-time: wrote ${segments.length} segments to ${pcap} (read it with: tcpdump -r ${pcap} -nn -tt -S)\n`);
  const dump = tcpdump(pcap);
  expect(dump.err).toMatch(/link-type RAW \(Raw IP\)/);
  return { run, pcap, segments, dump, packets: parseDump(dump.out) };
}

/** Every packet matches its trace segment, field by field, and every checksum is correct. */
function expectSameAsTrace(segments: SegmentEvent[], packets: Dumped[], out: string): void {
  expect(packets.length).toBe(segments.length);
  // Every packet's header line was parsed (none skipped by the pattern).
  expect(out.split('\n').filter((l) => /^\d+\.\d{6} IP /.test(l)).length).toBe(segments.length);
  segments.forEach((e, i) => {
    const p = packets[i]!;
    expect({ ...p, ip: '', cksum: '' }, `segment ${i + 1} (${e.seg.flags} at ${e.t} ms)`).toEqual(expected(e));
    expect(p.cksum).toMatch(/\(correct\)$/);
    expect(p.ip).toMatch(/^tos 0x0, ttl 64, id \d+, offset 0, flags \[DF\], proto TCP \(6\), length \d+$/);
  });
  expect(out).not.toMatch(/bad cksum|incorrect/);
}

describe.skipIf(tcpdumpMissing !== null)('closing-time run --pcap, read back with tcpdump', () => {
  it('four-way-close: the handshake, data and both FINs, as the trace has them', async () => {
    const { segments, packets, dump } = await capture('examples/four-way-close.ts', 'four-way-close');
    expect(segments.length).toBeGreaterThanOrEqual(10);
    expectSameAsTrace(segments, packets, dump.out);
    expect(packets.filter((p) => p.flags.includes('F')).length).toBe(2);
    // IP identification counts up per sending host.
    const ids = (host: string) => packets.filter((p) => p.src.startsWith(`${host}.`)).map((p) => Number(/id (\d+)/.exec(p.ip)![1]));
    expect(ids('10.0.0.1')).toEqual(ids('10.0.0.1').map((_, i) => i + 1));
    expect(ids('10.0.0.2')).toEqual(ids('10.0.0.2').map((_, i) => i + 1));
  });

  it('a lost last ACK is in the capture (taken at the sender), and so is its retransmitted FIN', async () => {
    const { run, segments, packets, dump } = await capture('examples/lost-last-ack.ts', 'lost-last-ack');
    expectSameAsTrace(segments, packets, dump.out);
    const dropped = run.events.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'drop');
    expect(dropped.length).toBeGreaterThan(0);
    for (const d of dropped) expect(segments.some((s) => s.seg.id === d.seg.id)).toBe(true);
    expect(segments.some((s) => s.seg.retransmission && s.seg.fin)).toBe(true);
  });

  it('SO_LINGER 0: the RST is in the capture with its seq and ack', async () => {
    const { segments, packets, dump } = await capture('examples/linger-abort.ts', 'linger-abort');
    expectSameAsTrace(segments, packets, dump.out);
    expect(packets.some((p) => p.flags.startsWith('R'))).toBe(true);
  });

  it('data over a lossy link: full-size segments, retransmissions, and payload bytes as the trace has them', async () => {
    const file = program(
      'lossy.ts',
      `${HEADER}export default function (sim: Simulation) {
  const a = sim.host('a');
  const b = sim.host('b', '192.168.7.200');
  sim.link(a, b, { delayMs: 5, loss: 0.2 });
  b.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    const c = await ls.accept();
    let got = '';
    for (let d = await c.recv(); d !== ''; d = await c.recv()) got += d;
    await c.send('got ' + got.length);
    await c.close();
  });
  a.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'b', port: 8080 });
    await s.send('é€ '.repeat(1500));
    s.shutdown('SHUT_WR');
    await s.recv();
    await s.close();
  });
}
`,
    );
    const { run, pcap, segments, packets, dump } = await capture(file, 'lossy', ['--seed', '3']);
    expect(run.events.some((e) => e.kind === 'segment' && e.action === 'drop')).toBe(true);
    expect(segments.some((s) => s.seg.retransmission)).toBe(true);
    // Full-size: the MSS less the timestamps option the segments carry (1460 - 12), as on Linux.
    expect(segments.some((s) => s.seg.len === 1448)).toBe(true);
    expectSameAsTrace(segments, packets, dump.out);
    // The bytes: the last `len` bytes of each packet (tcpdump -x) are the segment's data, one byte per character.
    const hex = tcpdump(pcap, '-x').out;
    const dumps = hex.split(/\n(?=\d+\.\d{6} IP )/).map((block) =>
      block
        .split('\n')
        .filter((l) => /^\s+0x[0-9a-f]{4}:/.test(l))
        .map((l) => l.replace(/^\s+0x[0-9a-f]{4}:\s+/, '').replace(/\s+/g, ''))
        .join(''),
    );
    expect(dumps.length).toBe(segments.length);
    segments.forEach((e, i) => {
      const want = [...e.seg.data].map((ch) => (ch.charCodeAt(0) <= 0xff ? ch.charCodeAt(0) : 0x3f).toString(16).padStart(2, '0')).join('');
      expect(dumps[i]!.slice(dumps[i]!.length - want.length)).toBe(want);
      expect(dumps[i]!.length / 2).toBe(40 + (e.seg.tsval !== undefined ? 12 : 0) + e.seg.len);
    });
  });

  it('with timestamps off (net.ipv4.tcp_timestamps 0) the segments carry no options; with them on, nop,nop,TS', async () => {
    const file = program(
      'no-ts.ts',
      `${HEADER}export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  client.sysctl('net.ipv4.tcp_timestamps', 0);
  sim.link(client, server, { delayMs: 10 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const c = await ls.accept();
    await c.recv();
    await c.close();
  });
  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('no options');
    await s.close();
  });
}
`,
    );
    const off = await capture(file, 'no-ts');
    expectSameAsTrace(off.segments, off.packets, off.dump.out);
    expect(off.packets.every((p) => p.ts === undefined)).toBe(true);
    expect(off.dump.out).not.toMatch(/options \[/);
    // IP total length: 40 bytes of headers plus the data.
    off.packets.forEach((p) => expect(p.ip).toMatch(new RegExp(`length ${40 + p.length}$`)));

    const on = await capture('examples/four-way-close.ts', 'four-way-close-ts');
    expect(on.packets.every((p) => p.ts !== undefined)).toBe(true);
    expect(on.dump.out).toMatch(/options \[nop,nop,TS val \d+ ecr \d+\]/);
    on.packets.forEach((p) => expect(p.ip).toMatch(new RegExp(`length ${52 + p.length}$`)));
  });
});

if (tcpdumpMissing && inCI) {
  it('tcpdump is installed (CI=true allows no skip)', () => {
    expect.fail(`CI=true but ${tcpdumpMissing}`);
  });
}

describe('closing-time run --pcap, usage', () => {
  it('is a usage error (exit 2) without a file name, before anything runs', async () => {
    for (const args of [['--pcap'], ['--pcap', '--json'], ['--pcap=']]) {
      const run = await cli(['run', 'examples/four-way-close.ts', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^closing-time: --pcap needs a file name, e.g. --pcap out.pcap\n\nUsage: closing-time run/);
      expect(run.stdout).toBe('');
    }
  });

  it('is a usage error (exit 2) when the file cannot be written, and the program does not run', async () => {
    const run = await cli(['run', 'examples/four-way-close.ts', '--pcap', join(outDir, 'no-such-dir', 'x.pcap')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write the --pcap file .*x\.pcap: no such directory/);
    expect(run.stdout).toBe('');
  });

  it('leaves standard output as it is without --pcap, and accepts --pcap=FILE', async () => {
    const pcap = join(outDir, 'inline.pcap');
    const [plain, withPcap] = await Promise.all([
      cli(['run', 'examples/four-way-close.ts', '--no-typecheck']),
      cli(['run', 'examples/four-way-close.ts', '--no-typecheck', `--pcap=${pcap}`]),
    ]);
    expect(withPcap.code).toBe(0);
    expect(withPcap.stdout).toBe(plain.stdout);
    expect(existsSync(pcap) && statSync(pcap).size).toBeGreaterThan(24);
    expect([...readFileSync(pcap).subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
  });

  it('writes an empty capture (the header only) when the program does not compile', async () => {
    const pcap = join(outDir, 'broken.pcap');
    const file = program('broken.ts', `${HEADER}export default function (sim: Simulation) {\n  const x = ;\n}\n`);
    const run = await cli(['run', file, '--pcap', pcap]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`closing-time: wrote 0 segments to ${pcap}`);
    expect(readFileSync(pcap).length).toBe(24);
  });
});
