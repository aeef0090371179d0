// Lab: survive many short connections. A client that closes first keeps each
// connection's 4-tuple in TIME_WAIT for 60 s (Linux TCP_TIMEWAIT_LEN); with
// ip_local_port_range's 28,232 ports to one server ip:port, connect() runs out
// (EADDRNOTAVAIL from __inet_hash_connect) past ~470 new connections a second.
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, count, describeDescriptor, describeFailure, failures, listSome, watchDescriptors } from '../../src/grading/trace-queries.ts';
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
  failed: { errno: string; call: string; t: number; peer: string }[];
  /** Virtual time the long pause started, if it did. */
  gapAt?: number;
  pieces: number;
}

/** Answers every "ping\n" with "pong\n"; after "ping close\n" it answers and closes first. */
async function serveConnection(os: OS, conn: Socket, stats: ServerStats, style: ServerStyle, rnd: () => number) {
  // Null when the client reset the connection before this process ran.
  const peer = conn.remoteAddress ? `on the connection from ${conn.remoteAddress.ip}:${conn.remoteAddress.port}` : 'on a connection the client had already reset';
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
  return { world, summary, stats, eaddrnotavail, result, changes, before, now, resets, descriptors: descriptors(), clientRead, name, total, style };
}

type Load = Awaited<ReturnType<typeof runLoad>>;

const n = (x: number) => x.toLocaleString('en');

function exhaustedMessage(r: Load): string {
  const e = r.eaddrnotavail!;
  return (
    `connect() failed with EADDRNOTAVAIL at ${at(e.at)} after ${n(r.stats.answered)} requests, with ${n(e.timeWait)} client sockets in TIME_WAIT. ` +
    `Each connection your client closes first keeps its local port in TIME_WAIT for 60 s, and this client has ${n(PORTS)} ephemeral ports to one server address ` +
    `(Linux's default is 28,232: about 470 new connections a second, still far from the ~1,700 a second this load needs). Reuse connections (keep-alive: many requests per connection), or ask the server to close first ("ping close").`
  );
}

/** What the checker's server did in this run, for messages. */
function serverStory(r: Load): string {
  const parts: string[] = [];
  if (r.style.pieces) parts.push(`it sent ${count(r.stats.pieces, 'answer')} in two pieces cut inside a line`);
  if (r.style.thinkMaxMs > 0) parts.push(`it waited up to ${r.style.thinkMaxMs} ms before each answer`);
  if (r.stats.gapAt !== undefined) parts.push(`it paused ${(r.style.gapMs / 1000).toFixed(1)} s at ${at(r.stats.gapAt)}`);
  return parts.length ? ` (this server answers like a real one: ${parts.join(', ')})` : '';
}

function errorsText(r: Load): string {
  if (!r.stats.errors) return '';
  return ` The server answered ${count(r.stats.errors, 'line')} with "error" (the first, at ${at(r.stats.firstError!.t)}, was ${JSON.stringify(r.stats.firstError!.line)}): send exactly "ping\\n".`;
}

/** Why loadgen did not finish, or null if it returned in time. */
function unfinished(r: Load): string | null {
  if (r.eaddrnotavail) return exhaustedMessage(r);
  const f = failures(r.summary, 'loadgen')[0];
  if (f) return `${describeFailure(f)} after the server had answered ${n(r.stats.answered)} of ${n(r.total)} pings${serverStory(r)}.`;
  if (r.result.finishedAt === undefined) {
    const blocked = r.summary.blocked.filter((b) => b.host === 'client');
    const waiting = blocked.map((b) => `${b.process} in ${b.waitingIn}`);
    const sending = blocked.filter((b) => b.waitingIn.startsWith('send'));
    const serverSending = r.summary.blocked.filter((b) => b.host === r.name && b.waitingIn.startsWith('send'));
    const hint =
      sending.length && serverSending.length
        ? `Your client was blocked in send() while the server was blocked sending its pongs: nobody was reading, and both directions' buffers were full (a deadlock). ` +
          `Read the answers while you write, e.g. in batches of a few dozen pings, or with a reader process beside the writer.`
        : `One request at a time on one connection takes a round trip (2 ms) each: use several connections at once, or send several requests before reading the answers.`;
    return (
      (r.summary.virtualMs >= DEADLINE_MS
        ? `after 60 virtual seconds the server had answered ${n(r.stats.answered)} of ${n(r.total)} requests and loadgen had not returned`
        : `the run ended at ${at(r.summary.virtualMs)} with nothing left to happen: the server had answered ${n(r.stats.answered)} of ${n(r.total)} requests and loadgen had not returned`) +
      (waiting.length ? ` (still waiting: ${listSome(waiting)})` : '') +
      `. ${hint}`
    );
  }
  if (r.result.finishedAt > DEADLINE_MS) return `loadgen returned at ${at(r.result.finishedAt)}, after the 60 s budget.`;
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
  const who = x.from === 'client' ? 'your client' : `the server ${x.from}`;
  const state = x.state ? ` from ${x.state}` : '';
  const cause = x.from === 'client' ? x.cause : undefined;
  let why = '';
  if (cause?.includes('SO_LINGER 0')) why = `: ${cause} aborts the connection instead of closing it; SO_LINGER 0 trades TIME_WAIT for RSTs and lost data`;
  else if (cause?.includes('unread data')) why = `: ${cause} (pongs had arrived that loadgen never read) sends RST instead of FIN (RFC 2525): read every answer before close()`;
  else if (cause?.includes('after close()')) why = `: pongs arrived after the socket was closed (they were still on their way), and Linux answers data for a closed socket with RST: read every answer before close()`;
  else if (cause) why = ` (${cause})`;
  else if (x.from !== 'client') why = ': the server resets a connection when data arrives after it closed (for example a ping sent after "ping close"), or after your client reset it';
  return `${who} sent ${x.flags}${state} at ${at(x.t)} (client port ${x.from === 'client' ? x.localPort : x.peerPort})${why}`;
}

export default defineChecker<ManyShort>({
  lab: 'many-short-connections',
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
        ensure(
          r.stats.answered >= TOTAL,
          `loadgen returned at ${at(r.result.finishedAt!)} after the server had answered only ${n(r.stats.answered)} of ${n(TOTAL)} pings: send all of them and wait for every "pong" before returning.${errorsText(r)}`,
        );
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
        const hint =
          'Count "pong\\n" lines as you read them, not recv() calls or pings sent: one recv() may return part of an answer or several answers, and an answer may take more than a second to come.';
        ensure(
          r.stats.answered >= total,
          `loadgen returned ${JSON.stringify(r.result.returned)} at ${at(r.result.finishedAt!)}, when the server had answered only ${n(r.stats.answered)} of ${n(total)} pings${serverStory(r)}: send every ping and wait for its pong.${errorsText(r)}`,
        );
        if (got === undefined) fail(`loadgen sent lines that are not pings.${errorsText(r)}`);
        ensure(
          r.result.returned === got,
          `loadgen returned ${JSON.stringify(r.result.returned)}, but it read ${n(got)} pongs from its sockets (the server sent ${n(r.stats.answered)})${serverStory(r)}. ` +
            (got < r.stats.answered ? `${n(r.stats.answered - got)} pongs were never read: loadgen stopped reading or closed before they arrived. ` : '') +
            hint,
        );
        ensure(
          got >= total,
          `loadgen returned ${n(got)} at ${at(r.result.finishedAt!)} and read only ${n(got)} of the ${n(total)} pongs (the server sent ${n(r.stats.answered)})${serverStory(r)}: ${n(r.stats.answered - got)} arrived after it stopped reading. ${hint}`,
        );
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
          const restored = end === r.before.get(k) ? `, set back to ${String(end)} by the end` : '';
          return `${k}=${String(c.value)} (was ${String(r.before.get(k))}; seen at ${at(c.t)}${restored})`;
        });
        ensure(
          changed.length === 0,
          () =>
            `your load generator changed ${changed.join(', ')}. Those settings hide the pattern instead of fixing it, and they are host-wide: every program on the host runs with them while yours does: a wider port range only raises the ceiling, ` +
            `tcp_tw_reuse reuses TIME_WAIT ports at the cost of TIME_WAIT's protection, and tcp_fin_timeout does not shorten TIME_WAIT at all. Fix the connection pattern instead.`,
        );
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
          fail(
            `${count(r.resets.length, 'RST was', 'RSTs were')} sent during the run (${byClient} by your client, ${r.resets.length - byClient} by the server). The first: ${describeReset(r, r.resets[0]!)}.` +
              (r.stats.failed.length ? ` The server's ${r.stats.failed[0]!.call}() ${r.stats.failed[0]!.peer} failed with ${r.stats.failed[0]!.errno} at ${at(r.stats.failed[0]!.t)}.` : ''),
          );
        }
        if (r.stats.failed.length) {
          const f = r.stats.failed[0]!;
          fail(`the server's ${f.call}() ${f.peer} failed with ${f.errno} at ${at(f.t)} (${count(r.stats.failed.length, 'server call')} failed in all).`);
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
          const when = r.result.finishedAt !== undefined ? `when loadgen returned at ${at(r.result.finishedAt)}` : r.result.threw !== undefined ? `after loadgen threw ${String(r.result.threw)}` : 'when the run ended';
          fail(
            `${count(open.length, 'socket')} your client opened ${open.length === 1 ? 'was' : 'were'} never closed ${when}: ${listSome(open.map(describeDescriptor))}; close() was never called on ${open.length === 1 ? 'it' : 'them'}. ` +
              `shutdown() ends a direction of the connection but does not release the descriptor, and ss cannot show such a socket once its connection has ended: every socket() needs its close().`,
          );
        }
      },
    },
  ],
});
