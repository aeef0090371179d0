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
  count,
  describeDescriptor,
  describeFailure,
  describeHistory,
  failures,
  listSome,
  openDescriptors,
  resetCause,
  segments,
  socketHistory,
  socketsIn,
} from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, Socket, World } from '../../src/sim/index.ts';

export interface CloseWaitLeak {
  handle(conn: Socket): Promise<void>;
}

type Step = { op: 'send'; data: string } | { op: 'sleep'; ms: number } | { op: 'read'; answers: number };

interface ClientPlan {
  /** What kind of client, for messages: "an interactive client". */
  kind: string;
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

/** Quoted, cut to a readable length. */
function show(text: string, most = 60): string {
  return text.length <= most ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, most))}... (${text.length} bytes)`;
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
    kind: 'a client that sends its lines in two segments, line 2 split between them',
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
  return { kind: 'an interactive client (it sends a line, reads the answer, then sends the next)', steps, lines: ls, ending, startMs };
}

function oneLine(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const l = line(v);
  return { kind: 'a one-line client', steps: [{ op: 'send', data: `${l}\n` }, ...(ending === 'close' ? [{ op: 'read' as const, answers: 1 }] : [])], lines: [l], ending, startMs };
}

/** Connects, waits well over a second, then sends. */
function late(v: Variation, ending: ClientPlan['ending'], startMs: number): ClientPlan {
  const ls = lines(v, 2);
  return {
    kind: 'a client that waits over a second after connecting before it sends',
    steps: [{ op: 'sleep', ms: v.int(1200, 2500) }, { op: 'send', data: ls.map((l) => `${l}\n`).join('') }, ...(ending === 'close' ? [{ op: 'read' as const, answers: 2 }] : [])],
    lines: ls,
    ending,
    startMs,
  };
}

function empty(ending: 'close' | 'half-close', startMs: number): ClientPlan {
  return { kind: ending === 'close' ? 'a client that connects and closes without sending anything' : 'a client that connects and half-closes at once (an empty request)', steps: [], lines: [], ending, startMs };
}

/** Complete lines, then a last line ended by the FIN instead of '\n'. */
function fragmentLast(v: Variation, startMs: number): ClientPlan {
  const ls = lines(v, v.int(1, 3));
  const fragment = line(v);
  return {
    kind: "a client whose last line has no '\\n' before its shutdown(SHUT_WR)",
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
  return { kind: `a client that sends ${Math.round(text.length / 1000)} KB of lines (more than the receive buffer)`, steps, lines: ls, ending, concurrentReader: true, startMs };
}

/** Sends more than the buffers hold without reading, then resets mid-reply. */
function resetter(v: Variation, startMs: number): ClientPlan {
  const p = bulk(v, 'close', startMs);
  return { ...p, kind: `a client that sends ${Math.round(p.steps.reduce((s, x) => s + (x.op === 'send' ? x.data.length : 0), 0) / 1000)} KB of lines, reads none of the answers and resets (SO_LINGER 0, close()) while your handler is still answering`, ending: 'reset', concurrentReader: false, resetAfterMs: v.int(600, 1500), rcvbuf: 4096 };
}

// ------------------------------------------------------------ the run

interface Load {
  world: World;
  outcomes: ClientOutcome[];
  handlerFailures: ProcessEvent[];
  blocked: { process: string; waitingIn: string }[];
  endMs: number;
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
  return { world, outcomes, handlerFailures: failures(summary, 'handle'), blocked: summary.blocked.filter((b) => b.host === 'server'), endMs: summary.virtualMs };
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

function who(o: ClientOutcome): string {
  return `${o.plan.kind}, on ${o.host}${o.addr ? ` (${o.addr})` : ''}`;
}

/** What the server's side of this client's connection did, from the trace. */
function serverSide(r: Load, o: ClientOutcome): string {
  if (!o.addr) return '';
  const h = socketHistory(r.world, 'server', o.addr).filter((e) => e.from !== 'LISTEN' && e.from !== 'SYN_RECEIVED');
  return h.length ? ` The server's socket for it went ${describeHistory(h)}.` : '';
}

function resetText(r: Load, o: ClientOutcome): string {
  const rst = o.addr ? segments(r.world, { from: 'server', rst: true }).find((e) => `${e.seg.dst.ip}:${e.seg.dst.port}` === o.addr) : undefined;
  if (!rst) return '';
  const c = resetCause(r.world, rst);
  return ` The server sent RST at ${at(rst.t)}${c.from ? ` from ${c.from}` : ''}${c.cause ? ` (${c.cause})` : ''}.`;
}

function handlerThrew(r: Load): string | null {
  const f = r.handlerFailures[0];
  if (!f) return null;
  return `your handler threw: ${describeFailure(f)}${r.handlerFailures.length > 1 ? ` (and ${r.handlerFailures.length - 1} more handlers)` : ''}.`;
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
    return (
      `${who(o)}, received ${show(got)}: ` +
      (line !== undefined
        ? `the answer to its line ${k + 1}, ${show(line)}, should be ${show(answerOf(line))} but it got ${show(gotLines[k] + (k < gotLines.length - 1 ? '\n' : ''))}. `
        : `after the answers to its ${p.lines.length} lines it got more: ${show(got.slice(want.length))}. `) +
      `Answer every complete line with "OK <line>\\n": one recv() may hold part of a line or several lines.`
    );
  }
  const complete = got === want || got === alt;
  const have = Math.min(countLines(got), p.lines.length);
  if (!complete) {
    const next = p.lines[have];
    const head = `${who(o)}, received ${have} of its ${p.lines.length} answers (${show(got)})`;
    if (o.error) {
      return `${head}, then got ${o.error.errno} from ${o.error.call}() at ${at(o.error.t)}.${resetText(r, o)}${serverSide(r, o)} ${hint(r, o)}`;
    }
    if (o.eof) {
      const sentNext = o.lastSend && o.eofAt !== undefined ? ` It had sent ${show(o.lastSend.data)} at ${at(o.lastSend.t)}.` : '';
      return `${head}, then EOF at ${at(o.eofAt ?? r.endMs)}: the server ended the connection with the answer to ${show(next)} still owed.${sentNext}${serverSide(r, o)} ${hint(r, o)}`;
    }
    const threw = handlerThrew(r);
    return `${head} and was still waiting for the answer to ${show(next)} at the end of the run (${at(r.endMs)}).${serverSide(r, o)} ${threw ?? 'Answer each complete line as soon as it has arrived: a client may wait for one answer before it sends the next line.'}`;
  }
  if (needEof && !o.eof) {
    if (o.error) return `${who(o)}, had all its answers (${p.lines.length}), then got ${o.error.errno} from ${o.error.call}() at ${at(o.error.t)} instead of EOF.${resetText(r, o)}${serverSide(r, o)} After recv() returns '', close() the connection normally.`;
    const rows = o.addr ? socketsIn(r.world, 'server', 'CLOSE-WAIT').filter((x) => x.peer === o.addr) : [];
    return (
      `${who(o)}, had all its answers (${p.lines.length})${p.lines.length ? ` (${show(got)})` : ''} but no EOF by the end of the run (${at(r.endMs)})` +
      (rows.length ? `: the server's socket for it is still in CLOSE_WAIT.` : '.') +
      `${serverSide(r, o)} It reads until EOF, so your handler must close() once recv() has returned '' and every line is answered.`
    );
  }
  return null;
}

function hint(r: Load, o: ClientOutcome): string {
  const h = o.addr ? socketHistory(r.world, 'server', o.addr) : [];
  const early = h.find((e) => (e.cause.startsWith('close()') || e.cause.startsWith('shutdown')) && e.from === 'ESTABLISHED');
  if (early) {
    return `Your handler ended the connection (${early.cause}) before the client's FIN: a connection is over when recv() returns '', not when your buffer is empty or a reply is sent.`;
  }
  return handlerThrew(r) ?? 'Look at how your handler ends a connection.';
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
    ? `your handler called shutdown(${shut.args.replace(/^\d+,\s*/, '')}) on it at ${at(shut.t)}, which sends FIN but keeps the descriptor`
    : threw
      ? `the handler for it threw (${describeFailure(threw)}) before closing it`
      : waiting
        ? `process '${waiting.process}' was still waiting in ${waiting.waitingIn} on it at the end of the run`
        : 'your handler returned without closing it';
  return (
    `${count(open.length, 'descriptor')} from accept() never closed: ${listSome(open.map(describeDescriptor), 2)}. ` +
    `For the first, ${what}; close() was never called.` +
    (last ? (last.to === 'CLOSED' ? ` Its connection is over (${last.from} -> CLOSED by ${last.cause}), so ss does not show it, but the fd stays held until close().` : ` Its socket is in ${last.to}.`) : '') +
    (threw && !shut ? ' Close the connection in a finally block, so that an error from send() or recv() does not leak it.' : '')
  );
}

function requireClosed(r: Load, leavers: string) {
  const stuck = r.outcomes.filter((o) => !o.finished);
  const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
  ensure(
    left.length === 0,
    () =>
      `server still has ${count(left.length, 'socket')} in CLOSE_WAIT after ${leavers} left (${listSome(left.map((x) => `${x.local} <- ${x.peer}`))}): ` +
      `does your handler close() on EOF? recv() returning '' means the client sent FIN; CLOSE_WAIT lasts until you call close().`,
  );
  const leak = leakedDescriptors(r, (o) => o.finished);
  if (leak) fail(leak);
  if (stuck.length) {
    const o = stuck[0];
    fail(
      `not judged for ${count(stuck.length, 'connection')}: ${stuck.length} of the ${r.outcomes.length} clients never got to close their side ` +
        `(the first, ${who(o)}, ${o.error ? `got ${o.error.errno} from ${o.error.call}()` : `had ${show(o.received)} and was still waiting`}); the check 'answers every line' says why.`,
    );
  }
}

function clientHost(v: Variation): string {
  return v.pick(['clients', 'office', 'laptop', 'branch', 'kiosk', 'warehouse', 'desk']) + (v.int(0, 1) ? `-${v.int(2, 99)}` : '');
}

export default defineChecker<CloseWaitLeak>({
  lab: 'close-wait-leak',
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
        requireClosed(await runLoad(t, ps, clientHost(v)), '30 clients');
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
              ? 'close() with SO_LINGER 0 resets the connection and throws away answers not yet delivered.'
              : c.cause === 'close() with unread data'
                ? 'close() while received data was still unread resets the connection (RFC 2525 §2.17).'
                : c.cause === 'data after close()'
                  ? "the client's data arrived after your handler had closed: close only after recv() returns '' (the client's FIN)."
                  : 'a segment arrived for a connection your server no longer had.';
          fail(
            `the server sent ${count(rsts.length, 'RST')}; the first at ${at(first.t)} to ${peer}${c.from ? ` from state ${c.from}` : ''}${c.cause ? ` (${c.cause})` : ''}: ${why} ` +
              `Read to EOF, then close() normally.`,
            first,
          );
        }
        const fins = segments(r.world, { from: 'server', fin: true });
        ensure(
          fins.length > 0,
          `not judged: the server ended none of its ${r.outcomes.length} connections, with FIN or RST (the check 'no CLOSE_WAIT or open descriptor after the clients leave' says why).`,
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
        if (other) fail(`your handler threw something other than the reset: ${describeFailure(other)}.`);
      },
    },
  ],
});
