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
  describeDescriptorIn,
  describeFailure,
  failures,
  listSome,
  openDescriptors,
  resetCause,
  segments,
  socketHistory,
  socketsIn,
} from '../../src/grading/trace-queries.ts';
import { errnoOf, firstDifference } from '../../src/grading/reference-io.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import type { OS, ProcessEvent, RunSummary, Socket, TcpState, World } from '../../src/sim/index.ts';
import { halfCloseMessages } from './messages.ts';

type Messages = (typeof halfCloseMessages.messages)['en'];

export interface HalfClose {
  client(os: OS, server: string, request: string): Promise<string>;
  handle(conn: Socket): Promise<void>;
}

/** The protocol's answer: a length line, then the request in upper case. */
export function answer(request: string): string {
  return `LEN ${request.length}\n${request.toUpperCase()}`;
}

const PORT = 7;

function show(m: Messages, text: string, most = 40): string {
  return text.length <= most ? JSON.stringify(text) : m.showLong({ head: JSON.stringify(text.slice(0, most)), bytes: text.length });
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

function rstText(m: Messages, world: World, from: string, to?: string): string {
  const rst = segments(world, { from, rst: true }).find((e) => to === undefined || `${e.seg.dst.ip}:${e.seg.dst.port}` === to);
  if (!rst) return '';
  const c = resetCause(world, rst);
  return m.rstSent({ byServer: from === 'server', host: from, at: at(rst.t), state: c.from, cause: c.cause });
}

/** Descriptors socket()/accept() returned on `host` and nobody closed, with what happened to the first. */
function leaked(lang: GradeLang, world: World, host: string, via: 'socket' | 'accept', summary: RunSummary, who: string): string | null {
  const m = halfCloseMessages.messages[lang];
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
    ? m.leakThrew({ who, failure: describeFailure(threw, lang) })
    : shut
      ? m.leakShutdown({ who, how: shut.args.replace(/^\d+,\s*/, ''), at: at(shut.t) })
      : waiting
        ? m.leakWaiting({ process: waiting.process, call: waiting.waitingIn })
        : m.leakReturned({ who });
  const list = listSome(open.map((x) => describeDescriptorIn(lang, x)), 2, lang);
  return m.leaked({ count: open.length, via, host, list, what, threw: !!threw });
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
  return { world, summary, calls: out, clientName, lang: t.lang, m: halfCloseMessages.messages[t.lang] };
}

type Clients = Awaited<ReturnType<typeof runClients>>;

function clientFailure(r: Clients, c: ClientCall): ProcessEvent | undefined {
  return r.summary.failed.find((f) => f.host === r.clientName && f.pid === c.pid);
}

function requireReplies(r: Clients) {
  const m = r.m;
  // The reset server last: a client that cannot get an answer at all is told so first.
  for (const c of [...r.calls].sort((a, b) => Number(!!a.plan.reset) - Number(!!b.plan.reset))) {
    const to = m.calledWith({ server: c.server, bytes: c.request.length, kind: c.plan.kind });
    const f = clientFailure(r, c);
    if (c.plan.reset && c.returned) {
      const want = answer(c.request);
      const rst = segments(r.world, { from: c.server, rst: true })[0];
      fail(m.resetReturned({ to, got: c.reply === undefined ? null : String(c.reply).length, total: want.length, rstAt: rst ? at(rst.t) : undefined }));
    }
    if (c.plan.reset && f) continue; // an error, not an answer: right
    if (f) {
      const advice = /EHOSTUNREACH|ECONNREFUSED/.test(f.error?.message ?? '')
        ? m.adviceConnect({ server: c.server, port: PORT })
        : /EBADF|closed/.test(f.error?.message ?? '')
          ? m.adviceClosed
          : m.adviceProtocol;
      fail(m.clientThrew({ to, failure: describeFailure(f, r.lang), advice }));
    }
    if (!c.returned) {
      const mine = r.summary.blocked.find((b) => b.host === r.clientName && b.pid === c.pid);
      const theirs = r.summary.blocked.find((b) => b.host === c.server);
      const tail = !c.accepted
        ? m.tailNoConnection({ server: c.server, port: PORT })
        : theirs && !c.serverEof
          ? m.tailServerReading({ got: c.serverGot.length, total: c.request.length, waiting: theirs.waitingIn })
          : m.tailServerDone;
      fail(m.neverReturned({ to, at: at(r.summary.virtualMs), waiting: mine?.waitingIn ?? m.aCall, tail }));
    }
    const want = answer(c.request);
    const got = String(c.reply);
    if (got !== want) {
      fail(
        got.length < want.length && want.startsWith(got)
          ? m.truncatedReply({ to, got: got.length, total: want.length })
          : c.serverGot !== c.request
            ? m.requestDiffers({ to, bytes: c.serverGot.length, at: firstDifference(c.serverGot, c.request) })
            : m.replyDiffers({ to, at: firstDifference(got, want) }),
      );
    }
  }
}

const resetServer = (m: Messages): ServerPlan => ({ kind: m.serverReset, thinkMs: 0, pieces: 2, gapMs: 0, reset: true });

const plainServer = (m: Messages): ServerPlan => ({ kind: m.serverPlain, thinkMs: 0, pieces: 1, gapMs: 0 });

function slowServer(v: Variation, m: Messages): ServerPlan {
  const thinkMs = v.int(1100, 2000);
  const pieces = v.int(2, 4);
  const gapMs = v.int(1050, 1600);
  return { kind: m.serverSlow({ think: (thinkMs / 1000).toFixed(1), pieces, gap: (gapMs / 1000).toFixed(1) }), thinkMs, pieces, gapMs };
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
  return { world, summary, outcomes, handlerFailures: failures(summary, 'handle'), lang: t.lang, m: halfCloseMessages.messages[t.lang] };
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

function describeClient(m: Messages, o: RequestOutcome): string {
  return m.referenceClient({ host: o.host, addr: o.addr, kind: o.plan.kind });
}

function serverStory(r: Requests, o: RequestOutcome): string {
  if (!o.addr) return '';
  const h = socketHistory(r.world, 'server', o.addr).filter((e) => e.from !== 'LISTEN' && e.from !== 'SYN_RECEIVED');
  return h.length ? r.m.history({ steps: h.map((e) => ({ from: e.from, to: e.to, cause: e.cause ?? '', at: at(e.t) })) }) : '';
}

function requireHandlerReplies(r: Requests) {
  const m = r.m;
  for (const o of r.outcomes) {
    if (o.plan.ending !== 'half-close') continue;
    const req = o.plan.request;
    const want = answer(req);
    const got = o.received;
    const who = describeClient(m, o);
    if (o.error) {
      const cause = o.addr ? segments(r.world, { from: 'server', rst: true }).find((e) => `${e.seg.dst.ip}:${e.seg.dst.port}` === o.addr) : undefined;
      const c = cause ? resetCause(r.world, cause) : {};
      const early = c.cause === 'close() with unread data' || o.phase === 'sending';
      fail(
        (o.phase === 'sending'
          ? m.errorSending({ who, errno: o.error.errno, call: o.error.call, at: at(o.error.t), sent: o.sent, total: req.length })
          : m.errorReading({ who, errno: o.error.errno, call: o.error.call, at: at(o.error.t), got: show(m, got) })) +
          rstText(m, r.world, 'server', o.addr) +
          serverStory(r, o) +
          (early
            ? m.early({ detail: c.cause === 'close() with unread data' ? m.earlyUnread : c.cause === 'data after close()' ? m.earlyAfterClose : '' })
            : c.cause === 'close() with SO_LINGER 0'
              ? m.lingerLost
              : ''),
      );
    }
    const f = r.handlerFailures[0];
    if (!o.eof) {
      fail(
        (o.phase === 'reading'
          ? m.stillReading({ who, at: at(r.summary.virtualMs), got: show(m, got) })
          : m.stillIn({ who, phase: o.phase, at: at(r.summary.virtualMs) })) +
          serverStory(r, o) +
          (f ? m.handlerThrewTail({ failure: describeFailure(f, r.lang) }) : got === want ? m.closeAfterAnswer : ''),
      );
    }
    if (got !== want) {
      const head = got.split('\n')[0];
      fail(
        head.startsWith('LEN ') && Number(head.slice(4)) < req.length
          ? m.answeredEarly({ head, who, bytes: req.length })
          : m.wrongReply({ who, got: show(m, got), bytes: req.length, at: firstDifference(got, want) }),
      );
    }
  }
  const f = r.handlerFailures[0];
  if (f) fail(m.handlerThrew({ failure: describeFailure(f, r.lang) }));
}

function halfCloser(kind: string, request: string, pieces: RequestPlan['pieces'], startMs: number): RequestPlan {
  return { kind, request, pieces, ending: 'half-close', startMs };
}

export default defineChecker<HalfClose>({
  lab: 'half-close',
  messages: halfCloseMessages,
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
        const m = halfCloseMessages.messages[t.lang];
        requireReplies(
          await runClients(t, [
            { plan: plainServer(m), request: text(v, 8000) },
            { plan: plainServer(m), request: '' },
            { plan: plainServer(m), request: text(v, v.int(100_000, 200_000)) },
            { plan: slowServer(v, m), request: text(v, v.int(200, 3000)) },
            { plan: resetServer(m), request: text(v, v.int(3000, 9000)) },
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
        const m = halfCloseMessages.messages[t.lang];
        const r = await runClients(t, [
          { plan: plainServer(m), request: text(v, v.int(10, 60)) },
          { plan: slowServer(v, m), request: text(v, v.int(10, 60)) },
          { plan: resetServer(m), request: text(v, v.int(3000, 9000)) },
        ]);
        if (r.calls.some((c) => !c.plan.reset && !c.returned) || r.calls.some((c) => !c.serverEof)) fail(m.notJudgedClient);
        const rst = segments(r.world, { from: r.clientName, rst: true })[0];
        if (rst) {
          const c = resetCause(r.world, rst);
          // The sender's state as the trace records it (fromState in trace-queries).
          const state = rst.state ?? (rst.seg as { senderState?: TcpState }).senderState;
          fail(m.clientRst({ at: at(rst.t), state, cause: c.cause, advice: c.cause === 'close() with SO_LINGER 0' ? m.adviceNoLinger : m.adviceReadFirst }));
        }
        const left = socketsIn(r.world, r.clientName, 'CLOSE-WAIT');
        ensure(left.length === 0, () => m.clientCloseWait({ count: left.length }));
        const leak = leaked(r.lang, r.world, r.clientName, 'socket', r.summary, m.yourClient);
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
        const m = halfCloseMessages.messages[t.lang];
        const big = text(v, v.int(100_000, 200_000));
        const r30 = text(v, 30_000);
        const paused = text(v, v.int(500, 4000));
        const late = text(v, v.int(100, 900));
        const oneLine = text(v, v.int(10, 80), false);
        requireHandlerReplies(
          await runRequests(t, [
            halfCloser(m.kind30k, r30, split(r30, 3, (i) => (i ? 300 : 0)), 0),
            halfCloser(m.kindPaused, paused, split(paused, 2, (i) => (i ? v.int(1200, 2000) : 0)), 15),
            halfCloser(m.kindLate, late, [{ data: late, pauseMs: v.int(1000, 2000) }], 30),
            halfCloser(m.kindBig({ kb: Math.round(big.length / 1000) }), big, split(big, v.int(4, 12), () => 0), 45),
            halfCloser(m.kindOneLine, oneLine, [{ data: oneLine, pauseMs: 0 }], 60),
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
        const m = halfCloseMessages.messages[t.lang];
        const ps: RequestPlan[] = [0, 1, 2].map((i) => {
          const req = text(v, v.int(4, 400));
          return halfCloser(m.kindShort, req, [{ data: req, pauseMs: 0 }], i * 20);
        });
        const half = text(v, v.int(2000, 6000));
        const big = text(v, v.int(100_000, 200_000));
        ps.push(
          { kind: m.kindResetMidRequest, request: half, pieces: split(half, 2, (i) => (i ? 200 : 0)), ending: 'reset-mid-request', startMs: 60 },
          { kind: m.kindResetMidReply({ kb: Math.round(big.length / 1000) }), request: big, pieces: split(big, 4, () => 0), ending: 'reset-mid-reply', startMs: 80 },
        );
        const r = await runRequests(t, ps);
        const normal = r.outcomes.filter((o) => o.plan.ending === 'half-close');
        const broken = normal.find((o) => o.error || (o.received !== answer(o.plan.request) && o.received !== ''));
        if (broken) fail(m.notJudgedHandler({ who: describeClient(m, broken) }));
        const other = r.handlerFailures.find((f) => !/ECONNRESET|EPIPE/.test(`${f.error?.name} ${f.error?.message}`));
        if (other) fail(m.handlerThrew({ failure: describeFailure(other, r.lang) }));
        for (const o of normal) {
          if (!o.eof) fail(m.noEof({ who: describeClient(m, o), answered: o.received !== '', at: at(r.summary.virtualMs), story: serverStory(r, o) }));
        }
        const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
        ensure(left.length === 0, () => m.serverCloseWait({ count: left.length }));
        const leak = leaked(r.lang, r.world, 'server', 'accept', r.summary, m.yourHandler);
        if (leak) fail(leak);
      },
    },
    {
      name: 'handler: answers an empty request',
      points: 1,
      task: 2,
      description: 'A client connects and shuts down at once; the answer is "LEN 0\\n".',
      async run(t) {
        const m = halfCloseMessages.messages[t.lang];
        const r = await runRequests(t, [halfCloser(m.kindEmpty, '', [], 0)]);
        const o = r.outcomes[0];
        if (o.eof && o.received === '' && !o.error) fail(m.emptyClosed);
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
        const m = halfCloseMessages.messages[t.lang];
        const f = failures(summary)[0];
        if (f) fail(m.failure({ failure: describeFailure(f, t.lang) }));
        ensure(reply === answer(request), () => m.ownReply({ got: reply === undefined ? null : reply.length, total: answer(request).length }));
        const rst = segments(world, { rst: true })[0];
        ensure(!rst, () => {
          const c = resetCause(world, rst!);
          return m.ownRst({ host: rst!.seg.src.host, at: at(rst!.t), state: c.from, cause: c.cause });
        });
      },
    },
  ],
});
