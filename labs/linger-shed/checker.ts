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
import { at, count, describeDescriptor, describeFailure, failures, fromState, listSome, openDescriptors } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, SegmentEvent, Socket, SyscallEvent } from '../../src/sim/index.ts';

export interface LingerShed {
  handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void>;
}

const LIMIT = 4;

const NOT_A_TIME_WAIT_FIX =
  'SO_LINGER 0 is not a TIME_WAIT fix: it skips TIME_WAIT by resetting the connection, and a reset throws away whatever is still in the send buffer. ' +
  'TIME_WAIT on the side that closes first is normal, costs a small record in the kernel, and protects the next connection on the same ports from old segments.';

/** How a client talks. */
type Kind =
  | 'at-once' // the request line right after connect(), in one segment
  | 'split' // the request line in two segments, 40 ms apart
  | 'pause' // the request line after a pause (up to 1.2 s)
  | 'no-newline' // the request without '\n', then shutdown(SHUT_WR)
  | 'empty' // nothing but shutdown(SHUT_WR)
  | 'resets'; // reads part of the reply, then aborts (SO_LINGER 0 + close)

const KIND_TEXT: Record<Kind, string> = {
  'at-once': 'sent its request line at once',
  split: 'sent its request line in two segments',
  pause: 'sent its request line after a pause',
  'no-newline': 'sent a request without a newline, then shutdown(SHUT_WR)',
  empty: 'sent nothing, only shutdown(SHUT_WR)',
  resets: 'reset the connection itself after part of the reply',
};

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
  return { world, summary, serverName, records, served, shed, accepted, serverSegments, replyFor };
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
function describeClient(c: ClientRecord): string {
  return `client ${c.n} on port ${c.port}, which ${KIND_TEXT[c.kind]}`;
}

/** Why the server sent this RST, from what the run shows: SO_LINGER 0, or close() with unread data. */
function rstCause(r: Run, c: ClientRecord, rst: SegmentEvent): string {
  const a = r.accepted.get(c.port!)!;
  const calls = r.world.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.host === r.serverName && e.fd === a.fd && e.t <= rst.t);
  const linger0 = calls.some((e) => e.call === 'setsockopt' && e.phase === 'return' && /SO_LINGER.*onoff: true.*linger: 0\b/.test(e.args));
  const closed = calls.some((e) => e.call === 'close');
  if (linger0 && closed) return `close() with SO_LINGER { onoff: true, linger: 0 } aborted it`;
  if (closed) return 'close() was called while received data was still unread, and that sends RST instead of FIN (RFC 2525 §2.17)';
  return 'the kernel sent it';
}

/** "... and then ECONNRESET at t=…" from the client's record. */
function ending(c: ClientRecord): string {
  if (c.error) return `then ${c.error} at ${at(c.errorAt!)}`;
  if (c.eof) return 'then EOF';
  return 'then nothing more until the run ended';
}

function threwText(a: Accepted | undefined): string {
  return a?.threw ? `; your handler threw: ${describeFailure(a.threw)}` : '';
}

export default defineChecker<LingerShed>({
  lab: 'linger-shed',
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
        if (r.served.length < LIMIT) fail(`only ${r.served.length} connections were handed to your handler as not overloaded; the server should have served at least ${LIMIT}.`);
        // Bytes only: how each connection ended is the last check's.
        const short = r.served.filter((c) => c.got !== r.replyFor(c.replyBytes));
        if (short.length) {
          const c = short[0];
          const a = r.accepted.get(c.port!);
          const rst = r.serverSegments(c.port!).find((e) => e.seg.rst);
          fail(
            `${count(short.length, 'served client')} did not get the whole reply: ${describeClient(c)}, got ${c.got.length.toLocaleString('en')} of ${c.replyBytes.toLocaleString('en')} bytes, ` +
              `${ending(c)}${rst ? ` (the server sent RST at ${at(rst.t)}${fromState(rst)}: ${rstCause(r, c, rst)})` : ''}${threwText(a)}. ` +
              (rst && /SO_LINGER/.test(rstCause(r, c, rst))
                ? `send() resolves once the data fits in the send buffer, not once it has arrived; the abortive close reset the connection and purged what was still queued. ${NOT_A_TIME_WAIT_FIX}`
                : rst
                  ? 'A reset throws away whatever is still in the send buffer: read the whole request line (it may come in several segments, or end at EOF without a newline) before you close.'
                  : !c.error && !c.eof
                    ? 'The reply stopped short and the connection stayed open: read the request until a newline or EOF, whichever comes first, then send the reply and close.'
                    : c.eof && (c.kind === 'no-newline' || c.kind === 'empty')
                      ? "This client half-closed after its request: shutdown(SHUT_WR) ends only the client's direction. recv() returning '' means the request is complete, not that the client is gone: it still reads the reply."
                      : ''),
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
        if (r.shed.length === 0) fail('no connection was ever overloaded: the scenario needs the burst to exceed the limit (this is a checker problem, please report it).');
        for (const c of r.shed) {
          const a = r.accepted.get(c.port!)!;
          // The kernel's own ACKs of the request are not the handler's doing.
          const first = r.serverSegments(c.port!).find((e) => !e.seg.syn && (e.seg.len > 0 || e.seg.fin || e.seg.rst));
          const requestIn = c.sentAt !== undefined && first && c.sentAt < first.t ? 'after the client had sent its request' : 'before the client had sent anything';
          if (!first) {
            fail(
              `${describeClient(c)}: this overloaded connection got neither data, FIN nor RST from the server${threwText(a)}: abort it with SO_LINGER { onoff: true, linger: 0 } and close().`,
            );
          }
          if (first.seg.len > 0) fail(`${describeClient(c)}: on this overloaded connection the server sent ${first.seg.len} bytes of data first, at ${at(first.t)}: shedding means refusing at once, before any work, with an RST.`);
          if (first.seg.fin) {
            fail(
              `${describeClient(c)}: this overloaded connection was closed with FIN at ${at(first.t)}, ${requestIn}: an orderly close leaves the server in FIN_WAIT and TIME_WAIT for that client` +
                `${c.sentAt === undefined || c.sentAt >= first.t ? ', and close() sends RST on its own only when received data is unread, which it was not' : ''}. ` +
                `Set SO_LINGER { onoff: true, linger: 0 } before close() to abort with RST and keep no state.`,
            );
          }
          if (!first.seg.rst) fail(`${describeClient(c)}: on this overloaded connection the server's first segment was ${first.seg.flags}, not RST.`);
          if (first.t - a.acceptedAt > 50) {
            fail(`${describeClient(c)}: this overloaded connection was reset ${(first.t - a.acceptedAt).toFixed(0)} ms after accept(): shed at once, before reading or computing anything.`);
          }
        }
        const serverRows = r.world.hosts.find((h) => h.name === r.serverName)!.ss();
        const leftovers = serverRows.filter((row) => r.shed.some((c) => row.peer.endsWith(`:${c.port}`)));
        if (leftovers.length) fail(`the server still holds ${count(leftovers.length, 'socket')} for shed clients (${leftovers.map((x) => `${x.state} with ${x.peer}`).join(', ')}).`);
        const shedPorts = new Set(r.shed.map((c) => c.port));
        const open = openDescriptors(r.world, r.serverName).filter((d) => d.via === 'accept' && shedPorts.has(Number(d.peer?.split(':')[1])));
        if (open.length) fail(`${describeDescriptor(open[0])} was never closed: close() was never called on it${open.length > 1 ? ` (and ${count(open.length - 1, 'other shed connection')})` : ''}.`);
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
              `the server reset a connection it served at ${at(rst.t)}${fromState(rst)}: ${cause}. That was ${describeClient(c)}; ` +
                `it saw ${c.error ?? 'no error'} after ${c.got.length.toLocaleString('en')} of ${c.replyBytes.toLocaleString('en')} bytes instead of an orderly end of stream. ` +
                (/SO_LINGER/.test(cause) ? `${NOT_A_TIME_WAIT_FIX} Close served connections normally.` : 'Read the whole request (until a newline or EOF) before you close.'),
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
            `${describeDescriptor(d)} was never closed: close() was never called on it (the connection of ${describeClient(c)}${c.abortedAt !== undefined ? `, at ${at(c.abortedAt)} after ${c.got.length.toLocaleString('en')} bytes` : ''}${threwText(a)})` +
              `${open.length > 1 ? `; ${count(open.length - 1, 'other descriptor')} too (${listSome(open.slice(1).map((x) => `fd ${x.fd}`))})` : ''}. ` +
              `ss cannot show it once the connection has ended, but the process still holds the descriptor, and a server that leaks one per connection runs out. ` +
              `Close in a finally block, so that an error (a peer's reset makes send() fail with ECONNRESET or EPIPE) still releases it; shutdown() is not close().`,
          );
        }
      },
    },
  ],
});
