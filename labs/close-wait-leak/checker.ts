// Lab: fix a server that leaks CLOSE_WAIT. The checker's clients close first;
// a handler that returns on EOF without close() leaves the server's socket in
// CLOSE_WAIT forever (it has no timer: RFC 9293 §3.6, Linux tcp_fin()). A
// handler that shuts down instead of closing, or that throws when a client
// resets, leaks a descriptor that `ss` cannot show: every fd accept() returned
// must be closed.
//
// The clients differ the way real ones do: interactive ones that wait for each
// answer and think between lines, one-line and empty ones, lines split across
// segments, a last line ended by the FIN instead of '\n', requests larger than
// the receive buffer, and clients that reset mid-reply. Their text and host
// names vary with the program graded (t.vary).
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
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { closeWaitLeakMessages } from './messages.ts';

type Messages = (typeof closeWaitLeakMessages.messages)['en'];
import type { OS, ProcessEvent, Socket, World } from '../../src/sim/index.ts';

export interface CloseWaitLeak {
  handle(conn: Socket): Promise<void>;
}

type Step = { op: 'send'; data: string } | { op: 'sleep'; ms: number } | { op: 'read'; answers: number };

interface ClientPlan {
  /** What kind of client, for messages: "an interactive client". */
  kind: (m: Messages) => string;
  steps: Step[];
  /** Complete lines, in order: each must get "OK <line>\n". */
  lines: string[];
  /** Text after the last '\n' before a half-close: it may get an answer or none. */
  fragment?: string;
  /** close: read every answer, then close(). half-close: shutdown(SHUT_WR), read to EOF. reset: SO_LINGER 0 close() at resetAtMs. */
  ending: 'close' | 'half-close' | 'reset';
  /** Read answers in a second process while sending (requests larger than the buffers). */
  concurrentReader?: boolean;
  startMs: number;
  /** For 'reset': when, after connecting. */
  resetAfterMs?: number;
  /** SO_RCVBUF of the client's socket (a small one stalls the server's answers sooner). */
  rcvbuf?: number;
}

interface ClientOutcome {
  plan: ClientPlan;
  host: string;
  /** "ip:port" once connected. */
  addr?: string;
  /** Everything received so far, recorded as it arrives. */
  received: string;
  /** Answer lines complete in `received`. */
  answers: number;
  sent: string;
  eof: boolean;
  eofAt?: number;
  error?: { errno: string; call: string; t: number };
  finished: boolean;
  /** The last line sent, and when, for "it had sent ... when" messages. */
  lastSend?: { data: string; t: number };
}

const answerOf = (line: string) => `OK ${line}\n`;
const expected = (p: ClientPlan) => p.lines.map(answerOf).join('');

/** Quoted, cut to a readable length, with its size in the run's language. */
function showIn(m: Messages, text: string, most = 60): string {
  return text.length <= most ? JSON.stringify(text) : m.cutShort({ head: JSON.stringify(text.slice(0, most)), bytes: text.length });
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

// ------------------------------------------------------------ client plans

/** A line of request text: a few words that vary with the program graded. */
function line(v: Variation): string {
  return `${v.pick(['get', 'put', 'echo', 'ping', 'stat', 'find', 'note'])} ${v.words(v.int(1, 4))}`;
}

function lines(v: Variation, n: number): string[] {
  return Array.from({ length: n }, () => line(v));
}

/** Several lines, sent together but with one line split across two send() calls. */
function batched(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const ls = lines(v, v.int(3, 5));
  const text = ls.map((l) => `${l}\n`).join('');
  const cut = text.indexOf('\n') + 1 + v.int(1, ls[1].length - 1); // inside line 2
  return {
    kind: (m) => m.kind.batched,
    steps: [{ op: 'send', data: text.slice(0, cut) }, { op: 'sleep', ms: v.int(5, 40) }, { op: 'send', data: text.slice(cut) }, ...(ending === 'close' ? [{ op: 'read' as const, answers: ls.length }] : [])],
    lines: ls,
    ending,
    startMs,
  };
}

/** Sends a line, waits for its answer, thinks, sends the next (some pauses over a second). */
function interactive(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const ls = lines(v, v.int(2, 4));
  const steps: Step[] = [];
  ls.forEach((l, i) => {
    if (i > 0) steps.push({ op: 'sleep', ms: i === 1 ? v.int(1100, 1900) : v.int(30, 400) });
    steps.push({ op: 'send', data: `${l}\n` }, { op: 'read', answers: i + 1 });
  });
  return { kind: (m) => m.kind.interactive, steps, lines: ls, ending, startMs };
}

function oneLine(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const l = line(v);
  return { kind: (m) => m.kind.oneLine, steps: [{ op: 'send', data: `${l}\n` }, ...(ending === 'close' ? [{ op: 'read' as const, answers: 1 }] : [])], lines: [l], ending, startMs };
}

/** Connects, waits well over a second, then sends. */
function late(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const ls = lines(v, 2);
  return {
    kind: (m) => m.kind.late,
    steps: [{ op: 'sleep', ms: v.int(1200, 2500) }, { op: 'send', data: ls.map((l) => `${l}\n`).join('') }, ...(ending === 'close' ? [{ op: 'read' as const, answers: 2 }] : [])],
    lines: ls,
    ending,
    startMs,
  };
}

function empty(ending: 'close' | 'half-close', startMs: number): ClientPlan {
  return { kind: (m) => (ending === 'close' ? m.kind.emptyClose : m.kind.emptyHalfClose), steps: [], lines: [], ending, startMs };
}

/** Complete lines, then a last line ended by the FIN instead of '\n'. */
function fragmentLast(v: Variation, startMs: number): ClientPlan {
  const ls = lines(v, v.int(1, 3));
  const fragment = line(v);
  return {
    kind: (m) => m.kind.fragmentLast,
    steps: [{ op: 'send', data: ls.map((l) => `${l}\n`).join('') + fragment }],
    lines: ls,
    fragment,
    ending: 'half-close',
    startMs,
  };
}

/** 100–140 KB of lines, more than the receive buffer: answers are read while sending. */
function bulk(v: Variation, ending: 'close' | 'half-close', startMs: number): ClientPlan {
  const target = v.int(100_000, 140_000);
  // Long lines cut from one varied text keep the run small (one answer segment
  // each) and cheap to build, while the bytes exceed the buffers.
  let base = '';
  while (base.length < 3000) base += `${v.word(2, 10)} `;
  const ls: string[] = [];
  let size = 0;
  while (size < target) {
    const start = v.int(0, 1500);
    const l = `${line(v)} ${base.slice(start, start + v.int(700, 1400))}`.trimEnd();
    ls.push(l);
    size += l.length + 1;
  }
  const steps: Step[] = [];
  const chunk = v.int(3000, 9000);
  const text = ls.map((l) => `${l}\n`).join('');
  for (let i = 0; i < text.length; i += chunk) steps.push({ op: 'send', data: text.slice(i, i + chunk) });
  const kb = Math.round(text.length / 1000);
  return { kind: (m) => m.kind.bulk({ kb }), steps, lines: ls, ending, concurrentReader: true, startMs };
}

/** Sends more than the buffers hold without reading, then resets mid-reply. */
function resetter(v: Variation, startMs: number): ClientPlan {
  const p = bulk(v, 'close', startMs);
  const kb = Math.round(p.steps.reduce((s, x) => s + (x.op === 'send' ? x.data.length : 0), 0) / 1000);
  return { ...p, kind: (m) => m.kind.resetter({ kb }), ending: 'reset', concurrentReader: false, resetAfterMs: v.int(600, 1500), rcvbuf: 4096 };
}

// ------------------------------------------------------------ the run

interface Load {
  world: World;
  outcomes: ClientOutcome[];
  handlerFailures: ProcessEvent[];
  blocked: { process: string; waitingIn: string }[];
  endMs: number;
  lang: GradeLang;
  m: Messages;
}

async function runLoad(t: CheckContext<CloseWaitLeak>, clientPlans: ClientPlan[], clientHost: string): Promise<Load> {
  const world = t.world();
  const server = world.host('server');
  const clients = world.host(clientHost);
  world.link(clients, server, { delayMs: 5 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => t.learner.handle(conn), 'handle');
    }
  }, 'listener');
  const outcomes: ClientOutcome[] = clientPlans.map((plan) => ({ plan, host: clientHost, received: '', answers: 0, sent: '', eof: false, finished: false }));
  for (const o of outcomes) clients.run((os) => runClient(os, o), 'client');
  const summary = await t.run(world);
  return { world, outcomes, handlerFailures: failures(summary, 'handle'), blocked: summary.blocked.filter((b) => b.host === 'server'), endMs: summary.virtualMs, lang: t.lang, m: closeWaitLeakMessages.messages[t.lang] };
}

async function runClient(os: OS, o: ClientOutcome): Promise<void> {
  const plan = o.plan;
  await os.sleep(plan.startMs);
  const s = os.socket();
  let call = 'connect';
  // One recv() into the outcome: what arrived is recorded at once.
  const recvOnce = async (): Promise<boolean> => {
    call = 'recv';
    const part = await s.recv();
    if (part === '') {
      if (!o.eof) o.eofAt = os.now();
      o.eof = true;
      return false;
    }
    o.received += part;
    o.answers += countLines(part);
    return true;
  };
  const readAll = async () => {
    const want = plan.lines.length;
    while (o.answers < want && (await recvOnce()));
  };
  let reader: Promise<void> | undefined;
  try {
    if (plan.rcvbuf) s.setsockopt('SO_RCVBUF', plan.rcvbuf);
    await s.connect({ host: 'server', port: 80 });
    const local = s.localAddress;
    o.addr = local ? `${local.ip}:${local.port}` : undefined;
    if (plan.concurrentReader) {
      const p = os.spawn(async () => {
        try {
          if (plan.ending === 'half-close') while (await recvOnce());
          else await readAll();
        } catch (error) {
          o.error ??= { errno: errnoOf(error) ?? String(error), call: 'recv', t: os.now() };
        }
      }, 'client-reader');
      reader = p.done.catch(() => undefined);
    }
    if (plan.ending === 'reset') {
      os.spawn(async (os2) => {
        await os2.sleep(plan.resetAfterMs ?? 1000);
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        await s.close();
        o.finished = true;
      }, 'client-reset');
    }
    for (const step of plan.steps) {
      if (o.eof) break;
      if (step.op === 'sleep') await os.sleep(step.ms);
      else if (step.op === 'send') {
        call = 'send';
        o.lastSend = { data: step.data, t: os.now() };
        await s.send(step.data);
        o.sent += step.data;
      } else {
        while (o.answers < step.answers && (await recvOnce()));
      }
    }
    if (plan.ending === 'reset') return;
    if (plan.ending === 'half-close') {
      call = 'shutdown';
      s.shutdown('SHUT_WR');
      if (!reader) while (await recvOnce());
    }
    if (reader) await reader;
    else if (plan.ending === 'close') await readAll();
    if (o.error) return;
    call = 'close';
    await s.close();
    o.finished = true;
  } catch (error) {
    if (plan.ending === 'reset') return; // its own reset ends the pending calls
    o.error ??= { errno: errnoOf(error) ?? String(error), call, t: os.now() };
    try {
      await s.close();
    } catch {
      // already closed
    }
  }
}

// ------------------------------------------------------------ judging

function who(r: Load, o: ClientOutcome): string {
  return r.m.who({ kind: o.plan.kind(r.m), host: o.host, addr: o.addr });
}

/** What the server's side of this client's connection did, from the trace. */
function serverSide(r: Load, o: ClientOutcome): string {
  if (!o.addr) return '';
  const h = socketHistory(r.world, 'server', o.addr).filter((e) => e.from !== 'LISTEN' && e.from !== 'SYN_RECEIVED');
  return h.length ? r.m.serverSide({ history: h.map((e) => r.m.historyStep({ from: e.from, to: e.to, cause: e.cause, at: at(e.t) })).join(r.m.historySep) }) : '';
}

function resetText(r: Load, o: ClientOutcome): string {
  const rst = o.addr ? segments(r.world, { from: 'server', rst: true }).find((e) => `${e.seg.dst.ip}:${e.seg.dst.port}` === o.addr) : undefined;
  if (!rst) return '';
  const c = resetCause(r.world, rst);
  return r.m.resetText({ at: at(rst.t), from: c.from, cause: c.cause });
}

function handlerThrew(r: Load): string | null {
  const f = r.handlerFailures[0];
  if (!f) return null;
  return r.m.handlerThrew({ failure: describeFailure(f, r.lang), more: r.handlerFailures.length - 1 });
}

/** The first thing wrong with what a client received, or null. */
function answerProblem(r: Load, o: ClientOutcome, needEof: boolean): string | null {
  const p = o.plan;
  const want = expected(p);
  const alt = p.fragment !== undefined ? want + answerOf(p.fragment) : want;
  const got = o.received;
  if (!want.startsWith(got) && !alt.startsWith(got)) {
    const gotLines = got.split('\n');
    const k = gotLines.findIndex((l, i) => i < p.lines.length ? `${l}\n` !== answerOf(p.lines[i]) : true);
    const line = p.lines[k];
    return line !== undefined
      ? r.m.wrongAnswer({ who: who(r, o), got: showIn(r.m, got), k: k + 1, line: showIn(r.m, line), want: showIn(r.m, answerOf(line)), gotLine: showIn(r.m, gotLines[k] + (k < gotLines.length - 1 ? '\n' : '')) })
      : r.m.extraAnswer({ who: who(r, o), got: showIn(r.m, got), lines: p.lines.length, extra: showIn(r.m, got.slice(want.length)) });
  }
  const complete = got === want || got === alt;
  const have = Math.min(countLines(got), p.lines.length);
  if (!complete) {
    const next = p.lines[have];
    const head = r.m.partialHead({ who: who(r, o), have, total: p.lines.length, got: showIn(r.m, got) });
    if (o.error) {
      return r.m.partialError({ head, errno: o.error.errno, call: o.error.call, at: at(o.error.t), rest: `${resetText(r, o)}${serverSide(r, o)}${sp(r)}${hint(r, o)}` });
    }
    if (o.eof) {
      const sentNext = o.lastSend && o.eofAt !== undefined ? r.m.sentNext({ data: showIn(r.m, o.lastSend.data), at: at(o.lastSend.t) }) : '';
      return r.m.partialEof({ head, at: at(o.eofAt ?? r.endMs), next: showIn(r.m, next), rest: `${sentNext}${serverSide(r, o)}${sp(r)}${hint(r, o)}` });
    }
    const threw = handlerThrew(r);
    return r.m.partialWaiting({ head, next: showIn(r.m, next), at: at(r.endMs), rest: `${serverSide(r, o)}${sp(r)}${threw ?? r.m.answerPromptly}` });
  }
  if (needEof && !o.eof) {
    if (o.error) return r.m.errorNotEof({ who: who(r, o), lines: p.lines.length, errno: o.error.errno, call: o.error.call, at: at(o.error.t), rest: `${resetText(r, o)}${serverSide(r, o)}` });
    const rows = o.addr ? socketsIn(r.world, 'server', 'CLOSE-WAIT').filter((x) => x.peer === o.addr) : [];
    return r.m.noEof({ who: who(r, o), lines: p.lines.length, got: p.lines.length ? showIn(r.m, got) : undefined, at: at(r.endMs), closeWait: rows.length > 0, rest: serverSide(r, o) });
  }
  return null;
}

/** The space between sentences: English puts one, Chinese none. */
const sp = (r: Load) => (r.lang === 'en' ? ' ' : '');

function hint(r: Load, o: ClientOutcome): string {
  const h = o.addr ? socketHistory(r.world, 'server', o.addr) : [];
  const early = h.find((e) => (e.cause.startsWith('close()') || e.cause.startsWith('shutdown')) && e.from === 'ESTABLISHED');
  if (early) {
    return r.m.endedEarly({ cause: early.cause });
  }
  return handlerThrew(r) ?? r.m.lookAtEnding;
}

function requireAnswers(r: Load, needEof: boolean) {
  for (const o of r.outcomes) {
    const problem = answerProblem(r, o, needEof);
    if (problem) fail(problem);
  }
  const threw = handlerThrew(r);
  if (threw) fail(threw);
}

/** Descriptors accept() gave the server and nobody closed, with what was done to each. */
function leakedDescriptors(r: Load, only?: (o: ClientOutcome) => boolean): string | null {
  const peers = only ? new Set(r.outcomes.filter(only).map((o) => o.addr)) : undefined;
  const open = openDescriptors(r.world, 'server').filter((d) => d.via === 'accept' && (!peers || peers.has(d.peer)));
  if (open.length === 0) return null;
  const d = open[0];
  const calls = callsOn(r.world, d);
  const shut = calls.find((c) => c.call === 'shutdown');
  const peer = d.peer ?? '';
  const h = peer ? socketHistory(r.world, 'server', peer) : [];
  const last = h[h.length - 1];
  // The handler this descriptor was passed to, and whether it threw.
  const users = new Set(calls.map((c) => c.pid));
  const threw = r.handlerFailures.find((f) => f.t >= d.t && users.has(f.pid));
  const waiting = r.blocked.find((b) => b.waitingIn.includes(`(fd ${d.fd})`));
  const what = shut
    ? r.m.whatShutdown({ args: shut.args.replace(/^\d+,\s*/, ''), at: at(shut.t) })
    : threw
      ? r.m.whatThrew({ failure: describeFailure(threw, r.lang) })
      : waiting
        ? r.m.whatWaiting({ process: waiting.process, call: waiting.waitingIn })
        : r.m.whatReturned;
  return (
    r.m.leaked({ count: open.length, list: listSome(open.map((x) => describeDescriptorIn(r.lang, x)), 2, r.lang), what }) +
    (last ? (last.to === 'CLOSED' ? r.m.leakedOver({ from: last.from, cause: last.cause }) : r.m.leakedState({ state: last.to })) : '') +
    (threw && !shut ? r.m.useFinally : '')
  );
}

function requireClosed(r: Load, leavers: string) {
  const stuck = r.outcomes.filter((o) => !o.finished);
  const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
  ensure(
    left.length === 0,
    () => r.m.closeWait({ count: left.length, leavers, list: listSome(left.map((x) => `${x.local} <- ${x.peer}`), 3, r.lang) }),
  );
  const leak = leakedDescriptors(r, (o) => o.finished);
  if (leak) fail(leak);
  if (stuck.length) {
    const o = stuck[0];
    fail(
      r.m.notJudged({
        stuck: stuck.length,
        total: r.outcomes.length,
        who: who(r, o),
        what: o.error ? r.m.stuckError({ errno: o.error.errno, call: o.error.call }) : r.m.stuckWaiting({ got: showIn(r.m, o.received) }),
      }),
    );
  }
}

function clientHost(v: Variation): string {
  return v.pick(['clients', 'office', 'laptop', 'branch', 'kiosk', 'warehouse', 'desk']) + (v.int(0, 1) ? `-${v.int(2, 99)}` : '');
}

export default defineChecker<CloseWaitLeak>({
  lab: 'close-wait-leak',
  messages: closeWaitLeakMessages,
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' }],
  checks: [
    {
      name: 'answers every line',
      points: 2,
      task: 1,
      description:
        'Clients of several kinds (interactive ones that wait for each answer and pause over a second, lines split across segments, one-line, late senders, 100–140 KB of lines) expect "OK <line>\\n" for each line, then close.',
      async run(t) {
        const v = t.vary;
        const ps: ClientPlan[] = [];
        for (let i = 0; i < 3; i++) ps.push(interactive(v, 'close', i * 40));
        for (let i = 0; i < 3; i++) ps.push(batched(v, 'close', 20 + i * 30));
        ps.push(oneLine(v, 'close', 50), late(v, 'close', 70), bulk(v, 'close', 90));
        requireAnswers(await runLoad(t, ps, clientHost(v)), false);
      },
    },
    {
      name: 'no CLOSE_WAIT or open descriptor after the clients leave',
      points: 3,
      task: 2,
      description:
        "30 clients, 10 ms apart, send their lines (or nothing), read the answers and close first; afterwards the server must hold no CLOSE_WAIT socket and every descriptor accept() returned must be closed (a shutdown() alone leaks it, though ss shows nothing).",
      async run(t) {
        const v = t.vary;
        const kinds = [batched, interactive, oneLine, batched, oneLine];
        const ps: ClientPlan[] = [];
        for (let i = 0; i < 30; i++) ps.push(i % 10 === 9 ? empty('close', i * 10) : kinds[i % kinds.length](v, 'close', i * 10));
        requireClosed(await runLoad(t, ps, clientHost(v)), closeWaitLeakMessages.messages[t.lang].leavers({ n: 30 }));
      },
    },
    {
      name: 'half-closing clients get every answer and an EOF',
      points: 2,
      task: 3,
      description:
        "Clients send their lines then shutdown(SHUT_WR) and read answers until EOF: lines split across segments, one line, none at all, a last line without '\\n', a late sender and 100–140 KB of lines; each must get every answer and EOF.",
      async run(t) {
        const v = t.vary;
        const ps: ClientPlan[] = [batched(v, 'half-close', 0), batched(v, 'half-close', 15), oneLine(v, 'half-close', 30), empty('half-close', 45), fragmentLast(v, 60), fragmentLast(v, 75), late(v, 'half-close', 90), bulk(v, 'half-close', 105)];
        requireAnswers(await runLoad(t, ps, clientHost(v)), true);
      },
    },
    {
      name: 'ends connections with FIN, not RST',
      points: 1,
      task: 2,
      description: 'Across 8 clients that close or half-close (one with a last line that has no newline), the server must send no RST: a reset loses answers still in flight.',
      async run(t) {
        const v = t.vary;
        const ps: ClientPlan[] = [];
        for (let i = 0; i < 2; i++) ps.push(batched(v, 'close', i * 10), batched(v, 'half-close', 5 + i * 10), oneLine(v, i % 2 ? 'close' : 'half-close', 40 + i * 10), fragmentLast(v, 80 + i * 10));
        const r = await runLoad(t, ps, clientHost(v));
        const rsts = segments(r.world, { from: 'server', rst: true });
        if (rsts.length > 0) {
          const first = rsts[0];
          const c = resetCause(r.world, first);
          const peer = `${first.seg.dst.ip}:${first.seg.dst.port}`;
          const why =
            c.cause === 'close() with SO_LINGER 0'
              ? r.m.whyLinger
              : c.cause === 'close() with unread data'
                ? r.m.whyUnread
                : c.cause === 'data after close()'
                  ? r.m.whyAfterClose
                  : r.m.whyOrphan;
          fail(r.m.sentRst({ count: rsts.length, at: at(first.t), peer, from: c.from, cause: c.cause, why }), first);
        }
        const fins = segments(r.world, { from: 'server', fin: true });
        ensure(
          fins.length > 0,
          r.m.noFin({ total: r.outcomes.length }),
        );
      },
    },
    {
      name: 'closes the descriptor when a client resets',
      points: 1,
      task: 2,
      description:
        'A client with a 4 KB receive buffer sends 100–140 KB of lines, reads none of the answers and resets while your handler is still answering (its send() or recv() then fails); every descriptor accept() returned must still be closed.',
      async run(t) {
        const v = t.vary;
        const r = await runLoad(t, [resetter(v, 0)], clientHost(v));
        const leak = leakedDescriptors(r, (o) => o.plan.ending === 'reset');
        if (leak) fail(leak);
        const other = r.handlerFailures.find((f) => !/ECONNRESET|EPIPE/.test(f.error?.message ?? '') && !/ECONNRESET|EPIPE/.test(f.error?.name ?? ''));
        if (other) fail(r.m.otherThrow({ failure: describeFailure(other, r.lang) }));
      },
    },
  ],
});
