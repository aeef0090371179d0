// Lab: survive many short connections. A client that closes first keeps each
// connection's 4-tuple in TIME_WAIT for 60 s (Linux TCP_TIMEWAIT_LEN); with
// ip_local_port_range's 28,232 ports to one server ip:port, connect() runs out
// (EADDRNOTAVAIL from __inet_hash_connect) past ~470 new connections a second.
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeDescriptorIn, describeFailure, failures, listSome, watchDescriptors } from '../../src/grading/trace-queries.ts';
import { manyShortMessages } from './messages.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { OS, Socket, SysctlName, TcpState } from '../../src/sim/index.ts';

export interface ManyShort {
  loadgen(os: OS, server: string, total: number): Promise<number>;
}

const TOTAL = 100_000;
/**
 * The client's ephemeral range in this lab: 1,000 ports, so that running out
 * shows within a second of virtual time. With Linux's default 28,232 the
 * ceiling (~470 new connections/s) is still far below the ~1,700/s needed.
 */
const PORT_RANGE = '32768 33767';
const PORTS = 1000;
const DEADLINE_MS = 60_000;
const WATCHED: SysctlName[] = ['net.ipv4.tcp_tw_reuse', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_max_tw_buckets', 'net.ipv4.tcp_timestamps', 'net.ipv4.tcp_fin_timeout'];

/** How the checker's server behaves in one run. */
interface ServerStyle {
  /** Answer in two sends a few ms apart, cut inside a line. */
  pieces: boolean;
  /** Think time before each answer, ms (0 = answer at once). */
  thinkMaxMs: number;
  /** After this many pongs, pause this long once before answering (0: never). */
  gapAfter: number;
  gapMs: number;
}

const PLAIN: ServerStyle = { pieces: false, thinkMaxMs: 0, gapAfter: 0, gapMs: 0 };

interface ServerStats {
  /** Pongs the server sent. */
  answered: number;
  /** Pings the server has read (answered or about to be). */
  pings: number;
  /** Lines that were not "ping" / "ping close". */
  errors: number;
  firstError?: { line: string; t: number };
  /** Server-side calls that failed (e.g. recv with ECONNRESET). */
  /** The client's address of the connection, null when the client had reset it before the server's process ran. */
  failed: { errno: string; call: string; t: number; peer: { ip: string; port: number } | null }[];
  /** Virtual time the long pause started, if it did. */
  gapAt?: number;
  pieces: number;
}

/** Answers every "ping\n" with "pong\n"; after "ping close\n" it answers and closes first. */
async function serveConnection(os: OS, conn: Socket, stats: ServerStats, style: ServerStyle, rnd: () => number) {
  // Null when the client reset the connection before this process ran.
  const peer = conn.remoteAddress ? { ip: conn.remoteAddress.ip, port: conn.remoteAddress.port } : null;
  let pending = '';
  let call = 'recv';
  try {
    for (;;) {
      call = 'recv';
      const data = await conn.recv();
      if (data === '') break;
      pending += data;
      let out = '';
      let pongs = 0;
      let closeAfter = false;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line === 'ping' || line === 'ping close') {
          out += 'pong\n';
          pongs++;
          if (line === 'ping close') closeAfter = true;
        } else {
          out += 'error\n';
          stats.errors++;
          stats.firstError ??= { line, t: os.now() };
        }
        nl = pending.indexOf('\n');
      }
      stats.pings += pongs;
      if (out) {
        if (style.gapAfter > 0 && stats.gapAt === undefined && stats.pings >= style.gapAfter) {
          stats.gapAt = os.now();
          await os.sleep(style.gapMs);
        } else if (style.thinkMaxMs > 0) {
          await os.sleep(Math.floor(rnd() * (style.thinkMaxMs + 1)));
        }
        call = 'send';
        stats.answered += pongs;
        if (style.pieces && out.length > 3) {
          // Cut inside a line: the client sees "...po" and then "ng\n...".
          const cut = out.length - 3;
          await conn.send(out.slice(0, cut));
          stats.pieces++;
          await os.sleep(1 + Math.floor(rnd() * 3));
          await conn.send(out.slice(cut));
        } else {
          await conn.send(out);
        }
      }
      if (closeAfter) break;
    }
  } catch (error) {
    stats.failed.push({ errno: errnoOf(error) ?? String(error), call, t: os.now(), peer });
  }
  await conn.close();
}

interface RstSeen {
  t: number;
  from: string;
  state?: TcpState;
  flags: string;
  localPort: number;
  peerPort: number;
  /** Why the sending socket ended, from the state change that came with the RST. */
  cause?: string;
}

interface LoadOptions {
  total: number;
  style?: ServerStyle;
  /** Watch the client's sysctls at each of its socket calls and timers. */
  watchSysctls?: boolean;
  /** Record RSTs, and the state changes that explain them. */
  watchResets?: boolean;
  /** Track the client's descriptors. */
  watchDescriptors?: boolean;
  /** Count the bytes the client's recv() calls returned. */
  countReads?: boolean;
}

/** The server's host name: it varies with the program graded, so no solution can count on one. */
function serverName(t: CheckContext<ManyShort>): string {
  return `${t.vary.pick(['api', 'backend', 'origin', 'upstream', 'edge'])}-${t.vary.int(1, 9)}`;
}

async function runLoad(t: CheckContext<ManyShort>, options: LoadOptions) {
  const total = options.total;
  const style = options.style ?? PLAIN;
  const name = serverName(t);
  // A large trace is costly; these checks read counters and subscribe to events instead.
  const world = t.world({ record: false, untilMs: DEADLINE_MS + 120_000 });
  const client = world.host('client');
  const server = world.host(name);
  world.link(client, server, { delayMs: 1 });
  client.sysctl('net.ipv4.ip_local_port_range', PORT_RANGE);
  const before = new Map(WATCHED.map((k) => [k, client.sysctl(k)]));
  const stats: ServerStats = { answered: 0, pings: 0, errors: 0, failed: [], pieces: 0 };
  let eaddrnotavail: { at: number; timeWait: number } | undefined;
  /** The first time each watched setting was seen changed, and to what. */
  const changes = new Map<SysctlName, { t: number; value: unknown }>();
  const sample = () => {
    for (const k of WATCHED) {
      if (changes.has(k)) continue;
      const v = client.sysctl(k);
      if (v !== before.get(k)) changes.set(k, { t: world.now(), value: v });
    }
  };
  let clientRead = 0;
  world.on('syscall', (e) => {
    if (e.host !== 'client') return;
    if (options.countReads && e.call === 'recv' && e.phase === 'return') {
      const m = /\((\d+) bytes\)$/.exec(e.result ?? '');
      if (m) clientRead += Number(m[1]);
    }
    if (options.watchSysctls) sample();
    if (e.errno === 'EADDRNOTAVAIL' && !eaddrnotavail) {
      eaddrnotavail = { at: e.t, timeWait: client.ss().inState('TIME-WAIT').length };
      world.stop('the load generator ran out of ephemeral ports');
    }
  });
  if (options.watchSysctls) world.on('timer', (e) => e.host === 'client' && sample());
  const resets: RstSeen[] = [];
  if (options.watchResets) {
    world.on('segment', (e) => {
      if (e.action !== 'send' || !e.seg.rst) return;
      resets.push({ t: e.t, from: e.seg.src.host, state: e.state, flags: e.seg.flags, localPort: e.seg.src.port, peerPort: e.seg.dst.port });
    });
    world.on('state', (e) => {
      if (e.to !== 'CLOSED') return;
      const port = Number(e.sock.local.split(':').pop());
      const last = resets[resets.length - 1];
      if (last && last.cause === undefined && last.t === e.t && last.from === e.host && last.localPort === port) last.cause = e.cause;
    });
  }
  const descriptors = options.watchDescriptors ? watchDescriptors(world, 'client') : () => [];
  // The server's think times and pauses: seeded, and varying with the program graded.
  const rnd = () => t.vary.int(0, 999_999) / 1_000_000;
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen(4096);
    for (;;) {
      const conn = await ls.accept();
      os.spawn((os2) => serveConnection(os2, conn, stats, style, rnd), 'conn');
    }
  }, 'server');
  const result: { returned?: unknown; finishedAt?: number; threw?: unknown } = {};
  client.run(async (os) => {
    try {
      result.returned = await t.learner.loadgen(os, name, total);
      result.finishedAt = os.now();
    } catch (error) {
      result.threw = error;
      throw error;
    } finally {
      // Let the last closes play out (FINs, ACKs), then stop: the server would wait in accept() forever.
      world.at(os.now() + 2_000, () => world.stop('the load generator finished'));
    }
  }, 'loadgen');
  world.at(DEADLINE_MS, () => {
    if (result.finishedAt === undefined && result.threw === undefined) world.stop('60 virtual seconds passed');
  });
  const summary = await t.run(world);
  if (options.watchSysctls) sample();
  const now = new Map(WATCHED.map((k) => [k, client.sysctl(k)]));
  return { world, summary, stats, eaddrnotavail, result, changes, before, now, resets, descriptors: descriptors(), clientRead, name, total, style, lang: t.lang, m: manyShortMessages.messages[t.lang] };
}

type Load = Awaited<ReturnType<typeof runLoad>>;

function exhaustedMessage(r: Load): string {
  const e = r.eaddrnotavail!;
  return r.m.exhausted({ at: at(e.at), answered: r.stats.answered, timeWait: e.timeWait, ports: PORTS });
}

/** What the checker's server did in this run, for messages. */
function serverStory(r: Load): string {
  const parts: string[] = [];
  if (r.style.pieces) parts.push(r.m.storyPieces({ pieces: r.stats.pieces }));
  if (r.style.thinkMaxMs > 0) parts.push(r.m.storyThink({ ms: r.style.thinkMaxMs }));
  if (r.stats.gapAt !== undefined) parts.push(r.m.storyGap({ seconds: (r.style.gapMs / 1000).toFixed(1), at: at(r.stats.gapAt) }));
  return r.m.story({ parts });
}

function errorsText(r: Load): string {
  if (!r.stats.errors) return '';
  return r.m.errors({ count: r.stats.errors, at: at(r.stats.firstError!.t), line: JSON.stringify(r.stats.firstError!.line) });
}

/** Why loadgen did not finish, or null if it returned in time. */
function unfinished(r: Load): string | null {
  if (r.eaddrnotavail) return exhaustedMessage(r);
  const f = failures(r.summary, 'loadgen')[0];
  if (f) return r.m.threwAfter({ failure: describeFailure(f, r.lang), answered: r.stats.answered, total: r.total, story: serverStory(r) });
  if (r.result.finishedAt === undefined) {
    const blocked = r.summary.blocked.filter((b) => b.host === 'client');
    const waiting = blocked.map((b) => r.m.waitingIn({ process: b.process, call: b.waitingIn }));
    const sending = blocked.filter((b) => b.waitingIn.startsWith('send'));
    const serverSending = r.summary.blocked.filter((b) => b.host === r.name && b.waitingIn.startsWith('send'));
    const hint = sending.length && serverSending.length ? r.m.hintDeadlock : r.m.hintRoundTrip;
    const head =
      r.summary.virtualMs >= DEADLINE_MS
        ? r.m.afterDeadline({ answered: r.stats.answered, total: r.total })
        : r.m.ranDry({ at: at(r.summary.virtualMs), answered: r.stats.answered, total: r.total });
    return r.m.notReturned({ head, waiting: waiting.length ? r.m.stillWaiting({ list: listSome(waiting, 3, r.lang) }) : '', hint });
  }
  if (r.result.finishedAt > DEADLINE_MS) return r.m.late({ at: at(r.result.finishedAt) });
  return null;
}

/** A varied, smaller load that the one-connection-per-request pattern can still finish (fewer requests than ports). */
function smallTotal(t: CheckContext<ManyShort>): number {
  return t.vary.int(601, 899);
}

function awkwardServer(t: CheckContext<ManyShort>, total: number): ServerStyle {
  return { pieces: true, thinkMaxMs: t.vary.int(3, 12), gapAfter: Math.floor(total * t.vary.int(30, 70) / 100), gapMs: t.vary.int(1200, 1900) };
}

/** "R. from FIN_WAIT_1 ... (close() with SO_LINGER 0)". */
function describeReset(r: Load, x: RstSeen): string {
  const byClient = x.from === 'client';
  return r.m.reset({ byClient, from: x.from, flags: x.flags, state: x.state, at: at(x.t), port: byClient ? x.localPort : x.peerPort, cause: x.cause });
}

/** "on the connection from 10.0.0.1:32768", as the result's language says it. */
function peerText(r: Load, peer: ServerStats['failed'][number]['peer']): string {
  return peer ? r.m.peerFrom(peer) : r.m.peerGone;
}

export default defineChecker<ManyShort>({
  lab: 'many-short-connections',
  messages: manyShortMessages,
  exports: [{ name: 'loadgen', kind: 'function', signature: 'export async function loadgen(os: OS, server: string, total: number): Promise<number>' }],
  checks: [
    {
      name: 'completes 100,000 requests in 60 s without EADDRNOTAVAIL',
      points: 5,
      task: 1,
      // Keep-alive grades in a fraction of a second; the other valid fix (the
      // server closes first) simulates 100,000 whole connections and needs tens of seconds.
      wallMs: 120_000,
      description: 'loadgen(os, server, 100000) against a ping/pong server 1 ms away must finish within 60 virtual seconds, connect() must never fail with EADDRNOTAVAIL, and the server must have answered all 100,000 pings.',
      async run(t) {
        const r = await runLoad(t, { total: TOTAL });
        const why = unfinished(r);
        if (why) fail(why);
        ensure(r.stats.answered >= TOTAL, () => r.m.tooFewAnswered({ at: at(r.result.finishedAt!), answered: r.stats.answered, total: TOTAL, errors: errorsText(r) }));
      },
    },
    {
      name: 'returns the number of pongs it received',
      points: 2,
      task: 1,
      description:
        'loadgen(os, server, N) with N between 601 and 899, against a server that answers in pieces cut inside a line, thinks a few ms before each answer and pauses over a second once: it must get all N pongs and return how many it received.',
      async run(t) {
        const total = smallTotal(t);
        const r = await runLoad(t, { total, style: awkwardServer(t, total), countReads: true });
        const why = unfinished(r);
        if (why) fail(why);
        const got = r.stats.errors ? undefined : Math.floor(r.clientRead / 5);
        const hint = r.m.countHint;
        const returned = JSON.stringify(r.result.returned);
        ensure(r.stats.answered >= total, () =>
          r.m.tooFewPinged({ returned, at: at(r.result.finishedAt!), answered: r.stats.answered, total, story: serverStory(r), errors: errorsText(r) }),
        );
        if (got === undefined) fail(r.m.notPings({ errors: errorsText(r) }));
        ensure(r.result.returned === got, () => r.m.wrongCount({ returned, got, answered: r.stats.answered, story: serverStory(r), hint }));
        ensure(got >= total, () => r.m.readTooFew({ got, at: at(r.result.finishedAt!), total, answered: r.stats.answered, story: serverStory(r), hint }));
      },
    },
    {
      name: "leaves the host's TCP settings alone",
      points: 2,
      task: 2,
      description:
        'While loadgen(os, server, N) runs (N between 601 and 899), the client\'s net.ipv4.tcp_tw_reuse, ip_local_port_range, tcp_max_tw_buckets, tcp_timestamps and tcp_fin_timeout are read at each of its socket calls and timers: they must never change.',
      async run(t) {
        const r = await runLoad(t, { total: smallTotal(t), watchSysctls: true });
        const changed = WATCHED.filter((k) => r.changes.has(k)).map((k) => {
          const c = r.changes.get(k)!;
          const end = r.now.get(k);
          return r.m.change({ key: k, value: String(c.value), was: String(r.before.get(k)), at: at(c.t), restored: end === r.before.get(k) ? String(end) : undefined });
        });
        ensure(changed.length === 0, () => r.m.changed({ list: changed }));
      },
    },
    {
      name: 'ends its connections with FIN, not RST',
      points: 2,
      task: 2,
      description:
        'While loadgen(os, server, N) runs against the server that answers in pieces and pauses, no segment with RST may be sent by either side, and the server\'s calls must not fail.',
      async run(t) {
        const total = smallTotal(t);
        const r = await runLoad(t, { total, style: awkwardServer(t, total), watchResets: true });
        if (r.resets.length) {
          const byClient = r.resets.filter((x) => x.from === 'client').length;
          const f = r.stats.failed[0];
          fail(
            r.m.resets({ count: r.resets.length, byClient, first: describeReset(r, r.resets[0]!) }) +
              (f ? r.m.resetsServerFailed({ call: f.call, peer: peerText(r, f.peer), errno: f.errno, at: at(f.t) }) : ''),
          );
        }
        if (r.stats.failed.length) {
          const f = r.stats.failed[0]!;
          fail(r.m.serverFailed({ call: f.call, peer: peerText(r, f.peer), errno: f.errno, at: at(f.t), count: r.stats.failed.length }));
        }
      },
    },
    {
      name: 'closes every socket it opens',
      points: 2,
      task: 2,
      description:
        'After loadgen(os, server, N) runs against the server that answers in pieces and pauses, every descriptor that socket() returned on the client must have been closed with close().',
      async run(t) {
        const total = smallTotal(t);
        const r = await runLoad(t, { total, style: awkwardServer(t, total), watchDescriptors: true });
        const open = r.descriptors;
        if (open.length) {
          const when =
            r.result.finishedAt !== undefined
              ? r.m.whenReturned({ at: at(r.result.finishedAt) })
              : r.result.threw !== undefined
                ? r.m.whenThrew({ error: String(r.result.threw) })
                : r.m.whenEnded;
          fail(r.m.unclosed({ count: open.length, list: listSome(open.map((d) => describeDescriptorIn(r.lang, d)), 3, r.lang), when }));
        }
      },
    },
  ],
});
