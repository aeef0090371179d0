// Lab: a half-close protocol. The request ends where the client's FIN is
// (shutdown(SHUT_WR), RFC 9293 §3.6: a half-closed connection still carries data
// the other way), so the server must read to EOF before it can answer.
//
// Both sides meet peers that behave the way real ones do: servers that think
// for over a second and answer in pieces, requests and answers larger than the
// receive buffer, empty requests, senders that pause, and peers that reset
// mid-request or mid-reply. Request text and host names vary with the program
// graded (t.vary), and every descriptor socket() or accept() returned must end
// up closed: shutdown() alone sends the FIN but keeps the descriptor.
import { defineChecker, ensure, fail, type CheckContext, type Variation } from '../../src/grading/define-checker.ts';
import {
  at,
  callsOn,
  count,
  describeDescriptor,
  describeFailure,
  describeHistory,
  failures,
  fromState,
  listSome,
  openDescriptors,
  resetCause,
  segments,
  socketHistory,
  socketsIn,
} from '../../src/grading/trace-queries.ts';
import { errnoOf, firstDifference } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, RunSummary, Socket, World } from '../../src/sim/index.ts';

export interface HalfClose {
  client(os: OS, server: string, request: string): Promise<string>;
  handle(conn: Socket): Promise<void>;
}

/** The protocol's answer: a length line, then the request in upper case. */
export function answer(request: string): string {
  return `LEN ${request.length}\n${request.toUpperCase()}`;
}

const PORT = 7;

function show(text: string, most = 40): string {
  return text.length <= most ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, most))}... (${text.length} bytes)`;
}

/** Request text that varies with the program graded: words and a few newlines, cut from one varied text so that large requests stay cheap to build. */
function text(v: Variation, bytes: number, newline = v.int(0, 1) === 1): string {
  if (bytes === 0) return '';
  let base = '';
  while (base.length < 4000) base += v.word(2, 10) + (v.int(0, 9) === 0 ? '\n' : ' ');
  let out = '';
  while (out.length < bytes) {
    const start = v.int(0, 2000);
    out += base.slice(start, start + v.int(500, 2000));
  }
  out = out.slice(0, bytes);
  return newline ? `${out.slice(0, -1)}\n` : out.replace(/\n$/, 'x');
}

function hostName(v: Variation, kinds: readonly string[]): string {
  return `${v.pick(kinds)}${v.int(0, 1) ? `-${v.int(2, 99)}` : ''}`;
}

function rstText(world: World, from: string, to?: string): string {
  const rst = segments(world, { from, rst: true }).find((e) => to === undefined || `${e.seg.dst.ip}:${e.seg.dst.port}` === to);
  if (!rst) return '';
  const c = resetCause(world, rst);
  return ` ${from === 'server' ? 'The server' : `Host ${from}`} sent RST at ${at(rst.t)}${c.from ? ` from ${c.from}` : ''}${c.cause ? ` (${c.cause})` : ''}.`;
}

/** Descriptors socket()/accept() returned on `host` and nobody closed, with what happened to the first. */
function leaked(world: World, host: string, via: 'socket' | 'accept', summary: RunSummary, who: string): string | null {
  const open = openDescriptors(world, host).filter((d) => d.via === via && d.process !== 'listener-socket');
  if (open.length === 0) return null;
  const d = open[0];
  const calls = callsOn(world, d);
  const shut = calls.find((c) => c.call === 'shutdown');
  // The process that used this descriptor (the handler an accept() was passed to), and whether it threw.
  const users = new Set(calls.map((c) => c.pid));
  const threw = summary.failed.find((f) => f.host === host && f.t >= d.t && users.has(f.pid));
  const waiting = summary.blocked.find((b) => b.host === host && b.waitingIn.includes(`(fd ${d.fd})`));
  const what = threw
    ? `${who} threw (${describeFailure(threw)}) before closing it`
    : shut
      ? `${who} called shutdown(${shut.args.replace(/^\d+,\s*/, '')}) on it at ${at(shut.t)}, which sends FIN but keeps the descriptor`
      : waiting
        ? `process '${waiting.process}' was still waiting in ${waiting.waitingIn} on it at the end of the run`
        : `${who} returned without closing it`;
  return (
    `${count(open.length, 'descriptor')} from ${via}() never closed on ${host}: ${listSome(open.map(describeDescriptor), 2)}. For the first, ${what}; close() was never called.` +
    (threw ? ' Close the socket in a finally block, so that an error does not leak it.' : " ss stops showing a connection once it is over, but the descriptor stays held until close().")
  );
}

// ------------------------------------------------------------ the learner's client against reference servers

interface ServerPlan {
  /** For messages: "a server that thinks 1.4 s, then answers in 3 pieces 1.2 s apart". */
  kind: string;
  thinkMs: number;
  pieces: number;
  gapMs: number;
  /** Send the first piece of the answer, then reset (SO_LINGER 0, close()). */
  reset?: boolean;
}

interface ClientCall {
  server: string;
  plan: ServerPlan;
  request: string;
  pid?: number;
  reply?: string;
  returned: boolean;
  threw?: unknown;
  /** What the server received, as it arrived. */
  serverGot: string;
  serverEof: boolean;
  /** The server accepted a connection. */
  accepted: boolean;
}

async function referenceServer(os: OS, c: ClientCall): Promise<void> {
  const ls = os.socket();
  ls.setsockopt('SO_REUSEADDR', true);
  ls.bind({ port: PORT });
  ls.listen();
  const conn = await ls.accept();
  c.accepted = true;
  for (;;) {
    const part = await conn.recv();
    if (part === '') break;
    c.serverGot += part;
  }
  c.serverEof = true;
  const reply = answer(c.serverGot);
  await os.sleep(c.plan.thinkMs);
  const size = Math.ceil(reply.length / c.plan.pieces);
  for (let i = 0; i < c.plan.pieces; i++) {
    if (i > 0) await os.sleep(c.plan.gapMs);
    await conn.send(reply.slice(i * size, (i + 1) * size));
    if (c.plan.reset) {
      await os.sleep(30);
      conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
      break;
    }
  }
  await conn.close();
}

async function runClients(t: CheckContext<HalfClose>, calls: { plan: ServerPlan; request: string }[]) {
  const v = t.vary;
  const world = t.world();
  const clientName = hostName(v, ['client', 'laptop', 'workstation', 'desk', 'terminal']);
  const client = world.host(clientName);
  const used = new Set([clientName]);
  const out: ClientCall[] = [];
  calls.forEach((c, i) => {
    let name = hostName(v, ['server', 'backend', 'files', 'build', 'rsh', 'archive', 'db']);
    while (used.has(name)) name = `${name}${i + 2}`;
    used.add(name);
    const host = world.host(name);
    world.link(client, host, { delayMs: 10 });
    const call: ClientCall = { server: name, plan: c.plan, request: c.request, returned: false, serverGot: '', serverEof: false, accepted: false };
    out.push(call);
    host.run((os) => referenceServer(os, call), 'server');
    const p = client.run(async (os) => {
      await os.sleep(i * 20);
      call.reply = await t.learner.client(os, name, c.request);
      call.returned = true;
    }, 'client');
    call.pid = p.pid;
  });
  const summary = await t.run(world);
  return { world, summary, calls: out, clientName };
}

type Clients = Awaited<ReturnType<typeof runClients>>;

function clientFailure(r: Clients, c: ClientCall): ProcessEvent | undefined {
  return r.summary.failed.find((f) => f.host === r.clientName && f.pid === c.pid);
}

function requireReplies(r: Clients) {
  // The reset server last: a client that cannot get an answer at all is told so first.
  for (const c of [...r.calls].sort((a, b) => Number(!!a.plan.reset) - Number(!!b.plan.reset))) {
    const to = `called with server '${c.server}' and a ${c.request.length}-byte request (${c.plan.kind})`;
    const f = clientFailure(r, c);
    if (c.plan.reset && c.returned) {
      const want = answer(c.request);
      const rst = segments(r.world, { from: c.server, rst: true })[0];
      fail(
        `your client, ${to}, returned ${c.reply === undefined ? 'nothing' : `${String(c.reply).length} of the ${want.length} bytes of the answer`} as if it were complete, ` +
          `although the server reset the connection${rst ? ` (RST at ${at(rst.t)})` : ''}: recv() threw ECONNRESET; let the error reach the caller instead of returning a truncated answer.`,
      );
    }
    if (c.plan.reset && f) continue; // an error, not an answer: right
    if (f) {
      fail(
        `your client, ${to}: ${describeFailure(f)}. ` +
          (/EHOSTUNREACH|ECONNREFUSED/.test(f.error?.message ?? '')
            ? `Connect to the host the \`server\` argument names ('${c.server}' here), port ${PORT}.`
            : /EBADF|closed/.test(f.error?.message ?? '')
              ? "close() gives up both directions; shutdown('SHUT_WR') sends FIN but keeps the socket open for reading the reply."
              : 'Send the request, shutdown(SHUT_WR), then recv() until it returns the empty string.'),
      );
    }
    if (!c.returned) {
      const mine = r.summary.blocked.find((b) => b.host === r.clientName && b.pid === c.pid);
      const theirs = r.summary.blocked.find((b) => b.host === c.server);
      fail(
        `your client, ${to}, never returned: at ${at(r.summary.virtualMs)} it was waiting in ${mine?.waitingIn ?? 'a call'}` +
          (!c.accepted
            ? `, and the server '${c.server}' never got a connection from it: connect to the host the \`server\` argument names, port ${PORT}.`
            : theirs && !c.serverEof
            ? ` and the server, having received ${c.serverGot.length} of the ${c.request.length} bytes, was still reading the request (${theirs.waitingIn}) until EOF, so it waits for your FIN: call shutdown('SHUT_WR') after sending. close() would also send FIN, but then you could not read the reply.`
            : `, although the server had sent the whole answer and its FIN. Return once recv() returns ''.`),
      );
    }
    const want = answer(c.request);
    const got = String(c.reply);
    if (got !== want) {
      fail(
        got.length < want.length && want.startsWith(got)
          ? `your client, ${to}, returned ${got.length} of the ${want.length} bytes of the reply: the answer arrives in several segments, so keep calling recv() until it returns ''.`
          : c.serverGot !== c.request
            ? `your client, ${to}, sent ${c.serverGot.length} bytes that differ from the request at byte ${firstDifference(c.serverGot, c.request)}: send the request exactly as given.`
            : `your client, ${to}, returned a reply that differs from the server's at byte ${firstDifference(got, want)}: return the bytes exactly as received.`,
      );
    }
  }
}

const resetServer: ServerPlan = { kind: 'a server that sends the first part of the answer, then resets', thinkMs: 0, pieces: 2, gapMs: 0, reset: true };

const plainServer: ServerPlan = { kind: 'a server that answers at once', thinkMs: 0, pieces: 1, gapMs: 0 };

function slowServer(v: Variation): ServerPlan {
  const thinkMs = v.int(1100, 2000);
  const pieces = v.int(2, 4);
  const gapMs = v.int(1050, 1600);
  return { kind: `a server that thinks ${(thinkMs / 1000).toFixed(1)} s, then answers in ${pieces} pieces ${(gapMs / 1000).toFixed(1)} s apart`, thinkMs, pieces, gapMs };
}

// ------------------------------------------------------------ reference clients against the learner's handler

interface RequestPlan {
  kind: string;
  request: string;
  /** Pieces of the request and the pause before each. */
  pieces: { data: string; pauseMs: number }[];
  /** How it ends: half-close and read to EOF; or reset after sending `resetAfter` pieces / after reading some of the answer. */
  ending: 'half-close' | 'reset-mid-request' | 'reset-mid-reply';
  startMs: number;
}

interface RequestOutcome {
  plan: RequestPlan;
  host: string;
  addr?: string;
  sent: number;
  received: string;
  phase: 'connecting' | 'sending' | 'reading' | 'done';
  eof: boolean;
  error?: { errno: string; call: string; t: number };
}

function split(request: string, n: number, pauseMs: (i: number) => number): { data: string; pauseMs: number }[] {
  const size = Math.ceil(request.length / n) || 1;
  const out: { data: string; pauseMs: number }[] = [];
  for (let i = 0; i < n; i++) out.push({ data: request.slice(i * size, (i + 1) * size), pauseMs: pauseMs(i) });
  return out;
}

async function runRequests(t: CheckContext<HalfClose>, plans: RequestPlan[]) {
  const v = t.vary;
  const world = t.world();
  const server = world.host('server');
  const clientName = hostName(v, ['client', 'uploader', 'laptop', 'ci', 'backup']);
  const client = world.host(clientName);
  world.link(client, server, { delayMs: 10 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: PORT });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => t.learner.handle(conn), 'handle');
    }
  }, 'listener');
  const outcomes: RequestOutcome[] = plans.map((plan) => ({ plan, host: clientName, sent: 0, received: '', phase: 'connecting', eof: false }));
  for (const o of outcomes) client.run((os) => referenceClient(os, o), 'reference-client');
  const summary = await t.run(world);
  return { world, summary, outcomes, handlerFailures: failures(summary, 'handle') };
}

async function referenceClient(os: OS, o: RequestOutcome): Promise<void> {
  const p = o.plan;
  await os.sleep(p.startMs);
  const s = os.socket();
  let call = 'connect';
  try {
    await s.connect({ host: 'server', port: PORT });
    const local = s.localAddress;
    o.addr = local ? `${local.ip}:${local.port}` : undefined;
    o.phase = 'sending';
    for (let i = 0; i < p.pieces.length; i++) {
      if (p.pieces[i].pauseMs) await os.sleep(p.pieces[i].pauseMs);
      if (p.ending === 'reset-mid-request' && i === p.pieces.length - 1) {
        // Sends all but the last piece, then resets.
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        await s.close();
        o.phase = 'done';
        return;
      }
      if (!p.pieces[i].data) continue;
      call = 'send';
      await s.send(p.pieces[i].data);
      o.sent += p.pieces[i].data.length;
    }
    call = 'shutdown';
    s.shutdown('SHUT_WR');
    o.phase = 'reading';
    call = 'recv';
    for (;;) {
      const part = await s.recv();
      if (part === '') {
        o.eof = true;
        break;
      }
      o.received += part;
      if (p.ending === 'reset-mid-reply' && o.received.length >= 2000) {
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        break;
      }
    }
    call = 'close';
    await s.close();
    o.phase = 'done';
  } catch (error) {
    o.error = { errno: errnoOf(error) ?? String(error), call, t: os.now() };
    try {
      await s.close();
    } catch {
      // already closed
    }
  }
}

type Requests = Awaited<ReturnType<typeof runRequests>>;

function describeClient(o: RequestOutcome): string {
  return `a reference client on ${o.host}${o.addr ? ` (${o.addr})` : ''} that ${o.plan.kind}`;
}

function serverStory(r: Requests, o: RequestOutcome): string {
  if (!o.addr) return '';
  const h = socketHistory(r.world, 'server', o.addr).filter((e) => e.from !== 'LISTEN' && e.from !== 'SYN_RECEIVED');
  return h.length ? ` Your side of the connection went ${describeHistory(h)}.` : '';
}

function requireHandlerReplies(r: Requests) {
  for (const o of r.outcomes) {
    if (o.plan.ending !== 'half-close') continue;
    const req = o.plan.request;
    const want = answer(req);
    const got = o.received;
    const who = describeClient(o);
    if (o.error) {
      const cause = o.addr ? segments(r.world, { from: 'server', rst: true }).find((e) => `${e.seg.dst.ip}:${e.seg.dst.port}` === o.addr) : undefined;
      const c = cause ? resetCause(r.world, cause) : {};
      const early = c.cause === 'close() with unread data' || o.phase === 'sending';
      fail(
        (o.phase === 'sending'
          ? `${who} got ${o.error.errno} from ${o.error.call}() at ${at(o.error.t)} while still sending its request (${o.sent} of ${req.length} bytes sent).`
          : `${who} had sent its whole request and half-closed, then got ${o.error.errno} from ${o.error.call}() at ${at(o.error.t)} with ${show(got)} of the answer received.`) +
          rstText(r.world, 'server', o.addr) +
          serverStory(r, o) +
          (early
            ? ` Your handler closed the connection before the request was complete${c.cause === 'close() with unread data' ? ' (a close() with unread data sends RST)' : c.cause === 'data after close()' ? ', and the rest of the request that arrived after close() was answered with RST' : ''}. The request ends at EOF, when recv() returns '', not at the first recv().`
            : c.cause === 'close() with SO_LINGER 0'
              ? ' SO_LINGER 0 turns close() into a reset: the answer still in flight is lost.'
              : ''),
      );
    }
    const f = r.handlerFailures[0];
    if (!o.eof) {
      fail(
        `${who} ${o.phase === 'reading' ? `had sent its whole request and half-closed, and was still waiting for the end of the reply at ${at(r.summary.virtualMs)} with ${show(got)} received` : `was still ${o.phase} at ${at(r.summary.virtualMs)}`}.` +
          serverStory(r, o) +
          (f ? ` Your handler threw: ${describeFailure(f)}.` : got === want ? " After sending the answer, close() the connection so the client's recv() returns ''." : ''),
      );
    }
    if (got !== want) {
      const head = got.split('\n')[0];
      fail(
        head.startsWith('LEN ') && Number(head.slice(4)) < req.length
          ? `your handler answered "${head}" to ${who}, a ${req.length}-byte request: it replied before the whole request had arrived. The request ends at EOF (recv() returns ''), not at the first recv().`
          : `your handler's reply to ${who} ${show(got)} is not "LEN ${req.length}\\n" followed by the request in upper case (first difference at byte ${firstDifference(got, want)}).`,
      );
    }
  }
  const f = r.handlerFailures[0];
  if (f) fail(`your handler threw: ${describeFailure(f)}.`);
}

function halfCloser(kind: string, request: string, pieces: RequestPlan['pieces'], startMs: number): RequestPlan {
  return { kind, request, pieces, ending: 'half-close', startMs };
}

export default defineChecker<HalfClose>({
  lab: 'half-close',
  exports: [
    { name: 'client', kind: 'function', signature: 'export async function client(os: OS, server: string, request: string): Promise<string>' },
    { name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' },
  ],
  checks: [
    {
      name: 'client: gets the reply from a server that reads to EOF',
      points: 3,
      task: 1,
      description:
        'Your client is called with reference servers (their host names vary) that read until EOF before answering: an 8,000-byte request, an empty one, one of 100–200 KB (more than the receive buffer), one to a server that thinks over a second and answers in pieces over a second apart, and one to a server that resets after part of the answer; each call must return the whole answer, and the reset one must throw rather than return part of it.',
      async run(t) {
        const v = t.vary;
        requireReplies(
          await runClients(t, [
            { plan: plainServer, request: text(v, 8000) },
            { plan: plainServer, request: '' },
            { plan: plainServer, request: text(v, v.int(100_000, 200_000)) },
            { plan: slowServer(v), request: text(v, v.int(200, 3000)) },
            { plan: resetServer, request: text(v, v.int(3000, 9000)) },
          ]),
        );
      },
    },
    {
      name: 'client: closes its socket, without RST or CLOSE_WAIT',
      points: 1,
      task: 1,
      description:
        'After three exchanges (one with a server that answers in pieces over a second apart, one with a server that resets) the client must have sent no RST, hold no socket in CLOSE_WAIT and have closed every descriptor socket() returned, the reset one included.',
      async run(t) {
        const v = t.vary;
        const r = await runClients(t, [
          { plan: plainServer, request: text(v, v.int(10, 60)) },
          { plan: slowServer(v), request: text(v, v.int(10, 60)) },
          { plan: resetServer, request: text(v, v.int(3000, 9000)) },
        ]);
        if (r.calls.some((c) => !c.plan.reset && !c.returned) || r.calls.some((c) => !c.serverEof)) {
          fail("not judged: your client did not finish every exchange (the check 'client: gets the reply from a server that reads to EOF' says why).");
        }
        const rst = segments(r.world, { from: r.clientName, rst: true })[0];
        if (rst) {
          const c = resetCause(r.world, rst);
          fail(
            `your client sent RST at ${at(rst.t)}${fromState(rst)}${c.cause ? ` (${c.cause})` : ''}: ` +
              (c.cause === 'close() with SO_LINGER 0' ? "SO_LINGER 0 makes close() a reset: don't use it." : "read the reply to EOF before close(): closing with unread data sends RST."),
          );
        }
        const left = socketsIn(r.world, r.clientName, 'CLOSE-WAIT');
        ensure(left.length === 0, `your client left ${count(left.length, 'socket')} in CLOSE_WAIT: close() it after recv() returned ''.`);
        const leak = leaked(r.world, r.clientName, 'socket', r.summary, 'your client');
        if (leak) fail(leak);
      },
    },
    {
      name: 'handler: reads the whole request before answering',
      points: 3,
      task: 2,
      description:
        'Reference clients send 30,000 bytes in 3 pieces 300 ms apart; a request in 2 pieces 1.2–2 s apart; one sent only 1–2 s after connecting; 100–200 KB (more than the receive buffer); and a one-line request without a final newline; each then shuts down (SHUT_WR) and must get the answer for all of it.',
      async run(t) {
        const v = t.vary;
        const big = text(v, v.int(100_000, 200_000));
        const r30 = text(v, 30_000);
        const paused = text(v, v.int(500, 4000));
        const late = text(v, v.int(100, 900));
        const oneLine = text(v, v.int(10, 80), false);
        requireHandlerReplies(
          await runRequests(t, [
            halfCloser('sends 30,000 bytes in 3 pieces 300 ms apart', r30, split(r30, 3, (i) => (i ? 300 : 0)), 0),
            halfCloser('sends its request in 2 pieces with a pause of over a second between them', paused, split(paused, 2, (i) => (i ? v.int(1200, 2000) : 0)), 15),
            halfCloser('waits over a second after connecting before it sends', late, [{ data: late, pauseMs: v.int(1000, 2000) }], 30),
            halfCloser(`sends ${Math.round(big.length / 1000)} KB`, big, split(big, v.int(4, 12), () => 0), 45),
            halfCloser('sends one short line without a final newline', oneLine, [{ data: oneLine, pauseMs: 0 }], 60),
          ]),
        );
      },
    },
    {
      name: 'handler: closes after answering',
      points: 1,
      task: 2,
      description:
        'Three clients send short requests and must see EOF after the answer; one more resets halfway through its request and another after 2,000 bytes of the answer to a 100–200 KB request (your handler then gets ECONNRESET or EPIPE). Afterwards the server must hold no socket in CLOSE_WAIT and every descriptor accept() returned must be closed.',
      async run(t) {
        const v = t.vary;
        const ps: RequestPlan[] = [0, 1, 2].map((i) => {
          const req = text(v, v.int(4, 400));
          return halfCloser('sends a short request', req, [{ data: req, pauseMs: 0 }], i * 20);
        });
        const half = text(v, v.int(2000, 6000));
        const big = text(v, v.int(100_000, 200_000));
        ps.push(
          { kind: 'resets halfway through its request', request: half, pieces: split(half, 2, (i) => (i ? 200 : 0)), ending: 'reset-mid-request', startMs: 60 },
          { kind: `sends ${Math.round(big.length / 1000)} KB, then resets after 2,000 bytes of the answer`, request: big, pieces: split(big, 4, () => 0), ending: 'reset-mid-reply', startMs: 80 },
        );
        const r = await runRequests(t, ps);
        const normal = r.outcomes.filter((o) => o.plan.ending === 'half-close');
        const broken = normal.find((o) => o.error || (o.received !== answer(o.plan.request) && o.received !== ''));
        if (broken) fail(`not judged: ${describeClient(broken)} did not get its answer (the check 'handler: reads the whole request before answering' says why).`);
        const other = r.handlerFailures.find((f) => !/ECONNRESET|EPIPE/.test(`${f.error?.name} ${f.error?.message}`));
        if (other) fail(`your handler threw: ${describeFailure(other)}.`);
        for (const o of normal) {
          if (!o.eof) {
            fail(
              `${describeClient(o)} had ${o.received === '' ? 'no answer yet' : 'its whole answer'} and was still waiting for EOF at ${at(r.summary.virtualMs)}.${serverStory(r, o)} ` +
                "After sending the answer, close() the connection so the client's recv() returns ''.",
            );
          }
        }
        const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
        ensure(left.length === 0, `the server still has ${count(left.length, 'socket')} in CLOSE_WAIT: your handler must close() the connection after sending the answer.`);
        const leak = leaked(r.world, 'server', 'accept', r.summary, 'your handler');
        if (leak) fail(leak);
      },
    },
    {
      name: 'handler: answers an empty request',
      points: 1,
      task: 2,
      description: 'A client connects and shuts down at once; the answer is "LEN 0\\n".',
      async run(t) {
        const r = await runRequests(t, [halfCloser('connects and shuts down at once (an empty request)', '', [], 0)]);
        const o = r.outcomes[0];
        if (o.eof && o.received === '' && !o.error) {
          fail(`your handler closed without answering an empty request: recv() returning '' at once means the request is empty, and it still gets "LEN 0\\n".`);
        }
        requireHandlerReplies(r);
      },
    },
    {
      name: 'your client with your handler',
      points: 1,
      task: 3,
      description: 'Your client and your handler talk to each other with a request of a few thousand bytes, to a server whose host name varies.',
      async run(t) {
        const v = t.vary;
        const world = t.world();
        const name = hostName(v, ['server', 'backend', 'files', 'rsh']);
        const server = world.host(name);
        const client = world.host(name === 'client' ? 'peer' : 'client');
        world.link(client, server, { delayMs: 10 });
        const request = text(v, v.int(3000, 9000));
        server.run(async (os) => {
          const ls = os.socket();
          ls.bind({ port: PORT });
          ls.listen();
          const conn = await ls.accept();
          await t.learner.handle(conn);
        }, 'handle');
        let reply: string | undefined;
        client.run(async (os) => {
          reply = await t.learner.client(os, name, request);
        }, 'client');
        const summary = await t.run(world);
        const f = failures(summary)[0];
        if (f) fail(`${describeFailure(f)}.`);
        ensure(reply === answer(request), `your client returned ${reply === undefined ? 'nothing' : `${reply.length} bytes`} where the answer has ${answer(request).length}.`);
        const rst = segments(world, { rst: true })[0];
        ensure(!rst, () => {
          const c = resetCause(world, rst!);
          return `an RST was sent by ${rst!.seg.src.host} at ${at(rst!.t)}${c.from ? ` from ${c.from}` : ''}${c.cause ? ` (${c.cause})` : ''}: the exchange must end with FINs on both sides.`;
        });
      },
    },
  ],
});
