// Lab: shed load with SO_LINGER 0. An abortive close (linger on, 0 s) sends RST
// and purges the send queue (Linux __tcp_close -> tcp_disconnect path, RFC 9293
// §3.10.4 ABORT): right for refusing a connection at once, wrong for one whose
// reply is still in the send buffer.
//
// The clients are not all alike: some send their request at once, some after a
// pause, some in two segments, some end it without a newline and half-close,
// one sends nothing before its half-close, one resets the connection mid-reply.
// Replies are larger than the socket buffers in the check that counts bytes.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeDescriptorIn, describeFailure, failures, listSome, openDescriptors } from '../../src/grading/trace-queries.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { lingerShedMessages } from './messages.ts';
import type { TcpState } from '../../src/sim/index.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, SegmentEvent, Socket, SyscallEvent } from '../../src/sim/index.ts';

export interface LingerShed {
  handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void>;
}

const LIMIT = 4;

type Messages = (typeof lingerShedMessages.messages)['en'];

/** How a client talks. */
type Kind =
  | 'at-once' // the request line right after connect(), in one segment
  | 'split' // the request line in two segments, 40 ms apart
  | 'pause' // the request line after a pause (up to 1.2 s)
  | 'no-newline' // the request without '\n', then shutdown(SHUT_WR)
  | 'empty' // nothing but shutdown(SHUT_WR)
  | 'resets'; // reads part of the reply, then aborts (SO_LINGER 0 + close)


interface ClientRecord {
  n: number;
  kind: Kind;
  startMs: number;
  pauseMs: number;
  request: string;
  replyBytes: number;
  port?: number;
  /** Received so far (kept as it arrives). */
  got: string;
  eof: boolean;
  error?: string;
  errorAt?: number;
  /** When the client had sent its whole request (undefined: not yet, or never). */
  sentAt?: number;
  /** When the resetting client aborted. */
  abortedAt?: number;
}

interface Accepted {
  overloaded: boolean;
  acceptedAt: number;
  fd: number;
  /** The handler's process, and what it threw. */
  process?: string;
  threw?: ProcessEvent;
}

interface ShedScenario {
  /** Reply size for each client (by kind). */
  replyBytes: (kind: Kind) => number;
  /** Clients of the burst that finds the server idle: the first LIMIT are served, the rest shed. */
  burst: Kind[];
  /** Clients that come once the server is idle again. */
  later: Kind[];
}

async function runShed(t: CheckContext<LingerShed>, sc: ShedScenario) {
  const vary = t.vary;
  const world = t.world();
  const serverName = vary.pick(['server', 'web', 'api', 'shop', 'origin']);
  const clientsName = vary.pick(['clients', 'browsers', 'users', 'crowd']);
  const server = world.host(serverName);
  const clients = world.host(clientsName);
  world.link(clients, server, { delayMs: vary.int(5, 15) });
  const port = vary.pick([80, 8080, 8000, vary.int(1024, 9999)]);
  const accepted = new Map<number, Accepted>();
  const tag = vary.word(4, 8);
  const replies = new Map<number, string>();
  const replyFor = (bytes: number) => {
    let r = replies.get(bytes);
    if (!r) replies.set(bytes, (r = replyText(bytes, tag)));
    return r;
  };
  const records: ClientRecord[] = [];
  const byPort = new Map<number, ClientRecord>();
  let active = 0;
  let seq = 0;
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port });
    ls.listen(64);
    for (;;) {
      const conn = await ls.accept();
      const overloaded = active >= LIMIT;
      const rec = byPort.get(conn.remoteAddress?.port ?? -1);
      const a: Accepted = { overloaded, acceptedAt: os.now(), fd: conn.fd };
      accepted.set(conn.remoteAddress?.port ?? -1, a);
      active++;
      const name = `${overloaded ? 'handle(overloaded)' : 'handle'}#${++seq}`;
      a.process = name;
      const think = vary.int(200, 400);
      os.spawn(async (worker) => {
        // Producing the reply takes a few hundred ms (a database, a template): that is what keeps connections in progress.
        const reply = replyFor(rec?.replyBytes ?? sc.replyBytes('at-once'));
        const makeReply = () => worker.sleep(think).then(() => reply);
        try {
          await t.learner.handle(conn, { overloaded, reply: makeReply });
        } finally {
          active--;
        }
      }, name);
    }
  }, 'listener');

  const plan: { kind: Kind; startMs: number }[] = [
    ...sc.burst.map((kind, i) => ({ kind, startMs: i * 2 })),
    ...sc.later.map((kind, i) => ({ kind, startMs: 8000 + vary.int(0, 500) + i * 2 })),
  ];
  for (const [n, { kind, startMs }] of plan.entries()) {
    const rec: ClientRecord = {
      n: n + 1,
      kind,
      startMs,
      pauseMs: kind === 'pause' ? vary.int(150, 1200) : 0,
      request: `${vary.pick(['GET', 'FETCH', 'SHOW'])} /${vary.words(vary.int(1, 3)).replace(/ /g, '/')}/${n}`,
      replyBytes: sc.replyBytes(kind),
      got: '',
      eof: false,
    };
    records.push(rec);
    clients.run(async (os) => {
      await os.sleep(startMs);
      const s = os.socket();
      try {
        await s.connect({ host: serverName, port });
        rec.port = s.localAddress?.port;
        if (rec.port !== undefined) byPort.set(rec.port, rec);
        // Reading starts at once, so a reset that comes while the client is still sending is seen by recv() too.
        const [sent, read] = await Promise.allSettled([sendRequest(os, s, rec), readReply(os, s, rec)]);
        if (read.status === 'rejected') throw read.reason;
        if (sent.status === 'rejected') throw sent.reason;
      } catch (error) {
        rec.error = errnoOf(error) ?? String(error);
        rec.errorAt = os.now();
      }
      await s.close().catch(() => undefined);
    }, `client${rec.n}`);
  }

  const summary = await t.run(world);
  const threw = failures(summary, 'handle');
  for (const a of accepted.values()) a.threw = threw.find((f) => f.process === a.process);
  const served = records.filter((r) => r.port !== undefined && accepted.get(r.port)?.overloaded === false);
  const shed = records.filter((r) => r.port !== undefined && accepted.get(r.port)?.overloaded === true);
  const serverSegments = (p: number): SegmentEvent[] =>
    world.trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === serverName && e.seg.dst.port === p);
  return { world, summary, serverName, records, served, shed, accepted, serverSegments, replyFor, lang: t.lang, m: lingerShedMessages.messages[t.lang] };
}

async function sendRequest(os: OS, s: Socket, rec: ClientRecord) {
  switch (rec.kind) {
    case 'empty':
      s.shutdown('SHUT_WR');
      return;
    case 'no-newline':
      await s.send(rec.request);
      s.shutdown('SHUT_WR');
      break;
    case 'split': {
      const cut = Math.ceil(rec.request.length / 2);
      await s.send(rec.request.slice(0, cut));
      await os.sleep(40);
      await s.send(`${rec.request.slice(cut)}\n`);
      break;
    }
    case 'pause':
      await os.sleep(rec.pauseMs);
      await s.send(`${rec.request}\n`);
      break;
    default:
      await s.send(`${rec.request}\n`);
  }
  rec.sentAt = os.now();
}

/** Reads the reply as it comes (recorded incrementally); the resetting client aborts part-way. */
async function readReply(os: OS, s: Socket, rec: ClientRecord) {
  const abortAfter = rec.kind === 'resets' ? Math.floor(rec.replyBytes / 5) : Infinity;
  for (;;) {
    const part = await s.recv();
    if (part === '') {
      rec.eof = true;
      return;
    }
    rec.got += part;
    if (rec.got.length >= abortAfter) {
      s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
      rec.abortedAt = os.now();
      await s.close();
      return;
    }
  }
}

type Run = Awaited<ReturnType<typeof runShed>>;

/**
 * `bytes` of printable text, different for each tag, numbered line by line so that
 * no two stretches of it are alike (a lost or repeated segment shows). Built a
 * line at a time: a reply of 200 KB costs no real time worth counting.
 */
function replyText(bytes: number, tag: string): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${tag} ${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789'.slice(i % 36)}${'abcdefghijklmnopqrstuvwxyz'.slice(0, i % 26)}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
}

/** "client 3 on port 40123, which sent its request line in two segments". */
function describeClient(r: Run, c: ClientRecord): string {
  return r.m.client({ n: c.n, port: c.port, kind: r.m.kind[c.kind] });
}

/** " from state FIN_WAIT_1" (in the run's language) when the trace knows the sender's state, else ''. */
function fromState(r: Run, e: SegmentEvent): string {
  return r.m.fromState({ state: e.state ?? (e.seg as { senderState?: TcpState }).senderState });
}

/** Why the server sent this RST, from what the run shows: SO_LINGER 0, or close() with unread data. */
function rstCause(r: Run, c: ClientRecord, rst: SegmentEvent): string {
  const a = r.accepted.get(c.port!)!;
  const calls = r.world.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.host === r.serverName && e.fd === a.fd && e.t <= rst.t);
  const linger0 = calls.some((e) => e.call === 'setsockopt' && e.phase === 'return' && /SO_LINGER.*onoff: true.*linger: 0\b/.test(e.args));
  const closed = calls.some((e) => e.call === 'close');
  if (linger0 && closed) return r.m.causeLinger;
  if (closed) return r.m.causeUnread;
  return r.m.causeKernel;
}

/** "... and then ECONNRESET at t=…" from the client's record. */
function ending(m: Messages, c: ClientRecord): string {
  if (c.error) return m.endError({ error: c.error, at: at(c.errorAt!) });
  if (c.eof) return m.endEof;
  return m.endNothing;
}

function threwText(r: Run, a: Accepted | undefined): string {
  return a?.threw ? r.m.threw({ failure: describeFailure(a.threw, r.lang) }) : '';
}

export default defineChecker<LingerShed>({
  lab: 'linger-shed',
  messages: lingerShedMessages,
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void>' }],
  checks: [
    {
      name: 'every served client gets its whole reply',
      points: 3,
      task: 1,
      description:
        'A burst of 8 clients, then one more, ask for a reply of 20–160 KB (the largest larger than the socket buffers); some send their request at once, some in two segments, some after a pause, some without a newline before shutdown(SHUT_WR). Every connection the server was not overloaded for must deliver all of it.',
      async run(t) {
        const big = t.vary.int(100_000, 160_000);
        const medium = t.vary.int(20_000, 40_000);
        const r = await runShed(t, {
          // Larger than the socket buffers for the clients that send at once; the others get less (real time is what bytes cost).
          replyBytes: (kind) => (kind === 'at-once' || kind === 'split' ? big : medium),
          burst: [...t.vary.pick([['split', 'at-once', 'no-newline', 'pause'] as Kind[], ['at-once', 'pause', 'split', 'no-newline'] as Kind[]]), 'at-once', 'at-once', 'split', 'pause'],
          later: ['empty'],
        });
        if (r.served.length < LIMIT) fail(r.m.fewServed({ served: r.served.length, limit: LIMIT }));
        // Bytes only: how each connection ended is the last check's.
        const short = r.served.filter((c) => c.got !== r.replyFor(c.replyBytes));
        if (short.length) {
          const c = short[0];
          const a = r.accepted.get(c.port!);
          const rst = r.serverSegments(c.port!).find((e) => e.seg.rst);
          const m = r.m;
          fail(
            m.short({
              count: short.length,
              client: describeClient(r, c),
              got: c.got.length,
              total: c.replyBytes,
              ending: ending(m, c),
              rst: rst ? m.shortRst({ at: at(rst.t), from: fromState(r, rst), cause: rstCause(r, c, rst) }) : '',
              threw: threwText(r, a),
              advice:
                rst && rstCause(r, c, rst) === m.causeLinger
                  ? m.adviceLinger({ fix: m.notATimeWaitFix })
                  : rst
                    ? m.adviceRst
                    : !c.error && !c.eof
                      ? m.adviceOpen
                      : c.eof && (c.kind === 'no-newline' || c.kind === 'empty')
                        ? m.adviceHalfClose
                        : '',
            }),
          );
        }
      },
    },
    {
      name: 'overloaded connections are aborted at once with RST',
      points: 3,
      task: 2,
      description:
        'For a connection accepted while 4 are active, the first thing the server sends after the handshake must be an RST, within 50 ms, with no data or FIN, whether or not the client has sent its request yet; the server keeps no socket or descriptor for it.',
      async run(t) {
        const r = await runShed(t, {
          replyBytes: () => t.vary.int(2_000, 6_000),
          burst: ['at-once', 'at-once', 'at-once', 'at-once', ...t.vary.pick([['pause', 'at-once', 'split', 'pause'] as Kind[], ['at-once', 'pause', 'pause', 'split'] as Kind[]])],
          later: [],
        });
        const m = r.m;
        if (r.shed.length === 0) fail(m.noShed);
        for (const c of r.shed) {
          const a = r.accepted.get(c.port!)!;
          // The kernel's own ACKs of the request are not the handler's doing.
          const first = r.serverSegments(c.port!).find((e) => !e.seg.syn && (e.seg.len > 0 || e.seg.fin || e.seg.rst));
          const requestIn = c.sentAt !== undefined && first && c.sentAt < first.t ? m.requestAfter : m.requestBefore;
          const who = describeClient(r, c);
          if (!first) fail(m.shedNothing({ client: who, threw: threwText(r, a) }));
          if (first.seg.len > 0) fail(m.shedData({ client: who, bytes: first.seg.len, at: at(first.t) }));
          if (first.seg.fin) fail(m.shedFin({ client: who, at: at(first.t), when: requestIn, notUnread: c.sentAt === undefined || c.sentAt >= first.t }));
          if (!first.seg.rst) fail(m.shedFlags({ client: who, flags: String(first.seg.flags) }));
          if (first.t - a.acceptedAt > 50) fail(m.shedLate({ client: who, ms: (first.t - a.acceptedAt).toFixed(0) }));
        }
        const serverRows = r.world.hosts.find((h) => h.name === r.serverName)!.ss();
        const leftovers = serverRows.filter((row) => r.shed.some((c) => row.peer.endsWith(`:${c.port}`)));
        if (leftovers.length) fail(m.leftovers({ count: leftovers.length, list: leftovers.map((x) => m.leftover({ state: x.state, peer: x.peer })).join(r.lang === 'en' ? ', ' : '、') }));
        const shedPorts = new Set(r.shed.map((c) => c.port));
        const open = openDescriptors(r.world, r.serverName).filter((d) => d.via === 'accept' && shedPorts.has(Number(d.peer?.split(':')[1])));
        if (open.length) fail(m.shedOpen({ fd: describeDescriptorIn(r.lang, open[0]), others: open.length - 1 }));
      },
    },
    {
      name: 'every served connection is closed, with FIN and not RST',
      points: 2,
      task: 3,
      description:
        'On connections that were not overloaded, the server must send no RST at all and must close() every descriptor it accepted, also for a client that resets the connection itself in the middle of a 100–200 KB reply.',
      async run(t) {
        const big = t.vary.int(100_000, 200_000);
        const r = await runShed(t, {
          replyBytes: (kind) => (kind === 'resets' ? big : t.vary.int(5_000, 20_000)),
          burst: ['at-once', 'split', 'pause', 'no-newline'],
          later: [...t.vary.pick([['resets', 'empty', 'at-once'] as Kind[], ['at-once', 'resets', 'empty'] as Kind[]])],
        });
        for (const c of r.served) {
          const rst = r.serverSegments(c.port!).find((e) => e.seg.rst);
          if (rst) {
            const cause = rstCause(r, c, rst);
            fail(
              r.m.servedRst({
                at: at(rst.t),
                from: fromState(r, rst),
                cause,
                client: describeClient(r, c),
                error: c.error,
                got: c.got.length,
                total: c.replyBytes,
                advice: cause === r.m.causeLinger ? r.m.servedLinger({ fix: r.m.notATimeWaitFix }) : r.m.servedReadFirst,
              }),
            );
          }
        }
        const servedPorts = new Map(r.served.map((c) => [c.port, c]));
        const open = openDescriptors(r.world, r.serverName).filter((d) => d.via === 'accept' && servedPorts.has(Number(d.peer?.split(':')[1])));
        if (open.length) {
          const d = open[0];
          const c = servedPorts.get(Number(d.peer?.split(':')[1]))!;
          const a = r.accepted.get(c.port!);
          fail(
            r.m.servedOpen({
              fd: describeDescriptorIn(r.lang, d),
              client: describeClient(r, c),
              aborted: c.abortedAt !== undefined ? { at: at(c.abortedAt), got: c.got.length } : undefined,
              threw: threwText(r, a),
              others: open.length - 1,
              fds: listSome(open.slice(1).map((x) => `fd ${x.fd}`), 3, r.lang),
            }),
          );
        }
      },
    },
  ],
});
