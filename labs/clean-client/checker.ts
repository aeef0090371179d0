// Lab: a client that closes correctly. The checker's servers answer one
// request each with a reply sent in pieces, then close first (so TIME_WAIT
// lands on the server and the client's part is the passive close, RFC 9293
// §3.6 case 1). Server names, requests, sizes and pauses vary with the program
// graded (t.vary): a client must follow the protocol, not recognise the test.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, describeLeak, listSome, resetCause, segments, socketsIn, unclosedDescriptors } from '../../src/grading/trace-queries.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { cleanClientMessages } from './messages.ts';
import { errnoOf, firstDifference, numberedPayload } from '../../src/grading/reference-io.ts';
import type { OS, World } from '../../src/sim/index.ts';

export interface CleanClient {
  fetchAll(os: OS, server: string, request: string): Promise<string>;
}

/** One server of a scenario and how it answers. */
interface Plan {
  /** Host name, passed to fetchAll as `server`. */
  name: string;
  request: string;
  reply: string;
  pieces: number;
  /** Before the first byte of the reply, ms. */
  thinkMs: number;
  /** Between pieces, ms. */
  gapMs: number;
  /** Start of the fetch, ms. */
  startMs: number;
  /** Abort (SO_LINGER 0) after sending this many bytes instead of closing. */
  resetAfter?: number;
}

/** What happened to one plan in a run, recorded as it happens. */
interface Outcome {
  plan: Plan;
  process: string;
  /** What the server has received so far. */
  received: string;
  /** Bytes of the reply the server has handed to send() so far. */
  sent: number;
  accepted: number;
  resetAt?: number;
  returned: boolean;
  got?: unknown;
  errno?: string;
  threw: boolean;
}

type PlanShape = Omit<Plan, 'name' | 'request' | 'reply' | 'resetAfter'> & { bytes: number; reset?: boolean };

const NAMES = ['reports', 'files', 'archive', 'mirror', 'origin', 'backup', 'media', 'docs', 'assets', 'ledger', 'exports', 'vault'];

function plans(t: CheckContext<CleanClient>, shapes: PlanShape[]): Plan[] {
  const names = [...NAMES];
  return shapes.map((s) => {
    const base = names.splice(t.vary.int(0, names.length - 1), 1)[0];
    const name = `${base}${t.vary.int(1, 99)}`;
    const request = `GET /${t.vary.word()}/${t.vary.word()}.txt?id=${t.vary.int(1, 99_999)}\n`;
    const { bytes, reset, ...rest } = s;
    const plan: Plan = { ...rest, name, request, reply: numberedPayload(bytes, `clean-client/${name}/${bytes}`) };
    // A server that resets the connection (SO_LINGER 0 close) after a quarter to three quarters of its reply.
    if (reset) plan.resetAfter = t.vary.int(Math.floor(bytes / 4), Math.floor((bytes * 3) / 4));
    return plan;
  });
}

function describePlan(r: Run, p: Plan): string {
  return r.m.plan({ name: p.name, bytes: p.reply.length, thinkMs: p.thinkMs, pieces: p.pieces, gapMs: p.gapMs, resetAfter: p.resetAfter });
}

async function runPlans(t: CheckContext<CleanClient>, list: Plan[], loss = 0) {
  // Each fetch gets its own copy of the module: a program may count its calls
  // or keep state between them, as long as one call does one fetch right.
  const copies: CleanClient[] = [t.learner];
  while (copies.length < list.length) copies.push(await t.load());
  const world = t.world();
  const client = world.host('client');
  const outcomes: Outcome[] = [];
  for (const [i, p] of list.entries()) {
    const learner = copies[i];
    const host = world.host(p.name);
    world.link(client, host, { delayMs: 5, loss });
    const o: Outcome = { plan: p, process: `fetchAll-${p.name}`, received: '', sent: 0, accepted: 0, returned: false, threw: false };
    outcomes.push(o);
    host.run(async (os) => {
      const ls = os.socket();
      ls.setsockopt('SO_REUSEADDR', true);
      ls.bind({ port: 80 });
      ls.listen();
      for (;;) {
        const conn = await ls.accept();
        o.accepted++;
        os.spawn(async () => {
          try {
            while (!o.received.includes('\n')) {
              const part = await conn.recv();
              if (part === '') break;
              o.received += part;
            }
            if (p.thinkMs) await os.sleep(p.thinkMs);
            const size = Math.ceil(p.reply.length / p.pieces);
            for (let i = 0; i < p.pieces && size > 0; i++) {
              let piece = p.reply.slice(i * size, (i + 1) * size);
              if (p.resetAfter !== undefined) piece = piece.slice(0, Math.max(0, p.resetAfter - o.sent));
              if (piece) await conn.send(piece);
              o.sent += piece.length;
              if (p.resetAfter !== undefined && o.sent >= p.resetAfter) break;
              if (i < p.pieces - 1) await os.sleep(p.gapMs);
            }
            if (p.resetAfter !== undefined) {
              // Let the data reach the client before the RST overtakes nothing: same link, in order.
              conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
              o.resetAt = os.now();
            }
            await conn.close();
          } catch {
            // The client reset or vanished: what it did is in the trace; the checks judge it.
          }
        }, 'server');
      }
    }, 'server');
    client.run(async (os) => {
      if (p.startMs) await os.sleep(p.startMs);
      try {
        o.got = await learner.fetchAll(os, p.name, p.request);
        o.returned = true;
      } catch (error) {
        o.threw = true;
        o.errno = errnoOf(error);
        throw error;
      }
    }, o.process);
  }
  const summary = await t.run(world);
  return { world, summary, outcomes, lang: t.lang, m: cleanClientMessages.messages[t.lang] };
}

type Run = Awaited<ReturnType<typeof runPlans>>;

function learnerFailure(r: Run, o: Outcome) {
  return r.summary.failed.find((f) => f.process === o.process);
}

function waitingIn(r: Run, o: Outcome): string {
  const b = r.summary.blocked.find((x) => x.process === o.process);
  return b ? r.m.stillWaiting({ call: b.waitingIn, at: at(r.summary.virtualMs) }) : r.m.atTime({ at: at(r.summary.virtualMs) });
}

/** Did this fetch send the request and return the whole reply? A message if not. */
function replyProblem(r: Run, o: Outcome): string | undefined {
  const p = o.plan;
  const m = r.m;
  if (p.resetAfter !== undefined) return resetProblem(r, o);
  if (o.threw) {
    const f = learnerFailure(r, o);
    return m.threw({ name: p.name, failure: f ? describeFailure(f, r.lang) : (o.errno ?? m.anError), plan: describePlan(r, p) });
  }
  if (!o.returned) return m.neverReturned({ name: p.name, waiting: waitingIn(r, o), plan: describePlan(r, p), noRequest: !o.received });
  if (o.accepted === 0) return m.neverConnected({ name: p.name });
  if (o.received !== p.request) return m.wrongRequest({ name: p.name, received: JSON.stringify(o.received), request: JSON.stringify(p.request) });
  if (typeof o.got !== 'string') return m.notString({ name: p.name, type: o.got === null ? 'null' : typeof o.got });
  const got = o.got;
  if (got === p.reply) return undefined;
  if (got.length < p.reply.length && p.reply.startsWith(got)) return m.truncated({ name: p.name, got: got.length, total: p.reply.length, plan: describePlan(r, p) });
  return m.differs({ name: p.name, got: got.length, at: firstDifference(got, p.reply), plan: describePlan(r, p) });
}

/** A server that resets partway: fetchAll must reject rather than return the truncated reply. */
function resetProblem(r: Run, o: Outcome): string | undefined {
  const p = o.plan;
  const m = r.m;
  const rst = segments(r.world, { from: p.name, rst: true })[0];
  if (!rst) {
    const own = segments(r.world, { from: 'client', rst: true, to: p.name })[0];
    if (o.returned && typeof o.got === 'string' && own) return m.resetByClient({ name: p.name, got: o.got.length, total: p.reply.length, at: at(own.t) });
    return undefined; // it never got as far as the reset: the other fetches tell why
  }
  const cut = m.cut({ name: p.name, at: at(rst.t), sent: o.sent, total: p.reply.length });
  if (o.returned) return m.returnedTruncated({ cut, what: typeof o.got === 'string' ? m.bytes({ n: o.got.length }) : String(o.got) });
  if (!o.threw) return m.hungAfterReset({ cut, waiting: waitingIn(r, o) });
  return undefined;
}

/**
 * A fetch that threw or never returned although its server behaved: no other
 * check can judge its closing or its RSTs, so each says so briefly.
 */
function prerequisite(r: Run, what: string): string | undefined {
  for (const o of r.outcomes) {
    if (o.returned || o.plan.resetAfter !== undefined) continue;
    if (o.threw) {
      const f = learnerFailure(r, o);
      return r.m.blockedThrew({ what, failure: f ? describeFailure(f, r.lang) : r.m.fetchThrew({ errno: o.errno ?? r.m.anError }), name: o.plan.name });
    }
    return r.m.blockedHung({ what, name: o.plan.name, waiting: waitingIn(r, o) });
  }
  return undefined;
}

/** The server a client socket was connected to, from its connect() call. */
function connectedTo(world: World, host: string, fd: number, since: number): string | undefined {
  for (const e of world.trace) {
    if (e.kind === 'syscall' && e.host === host && e.fd === fd && e.t >= since && e.call === 'connect') return /host: "([^"]+)"/.exec(e.args)?.[1] ?? e.args;
  }
  return undefined;
}

/** Sockets the client left in CLOSE_WAIT or descriptors it never closed; a message if any. */
function closeProblem(r: Run): string | undefined {
  const blocked = prerequisite(r, r.m.judgeClosing);
  if (blocked) return blocked;
  const left = socketsIn(r.world, 'client', 'CLOSE-WAIT');
  if (left.length) return r.m.closeWait({ count: left.length, list: listSome(left.map((x) => `${x.local} -> ${x.peer}`), 3, r.lang) });
  const open = unclosedDescriptors(r.world, 'client');
  if (open.length) {
    const d = open[0];
    const peer = connectedTo(r.world, 'client', d.fd, d.t);
    const wasReset = r.outcomes.some((o) => o.plan.name === peer && o.plan.resetAfter !== undefined);
    const advice = wasReset ? r.m.adviceReset : r.m.advicePlain;
    return r.m.openDescriptors({ count: open.length, leak: describeLeak(r.world, d, r.lang), peer, advice });
  }
  return undefined;
}

/** RSTs the client sent, explained from the trace; a message if any. */
function rstProblem(r: Run): string | undefined {
  const blocked = prerequisite(r, r.m.judgeEnding);
  if (blocked) return blocked;
  const rsts = segments(r.world, { from: 'client', rst: true });
  if (!rsts.length) return undefined;
  const first = rsts[0];
  const server = first.seg.dst.host;
  const { from: state, cause } = resetCause(r.world, first);
  const head = r.m.rstHead({ count: rsts.length, at: at(first.t), server, state });
  if (cause?.includes('SO_LINGER 0')) return r.m.rstLinger({ head });
  if (cause?.includes('unread data')) return r.m.rstUnread({ head });
  if (cause?.includes('after close()')) return r.m.rstAfterClose({ head });
  return r.m.rstOrphan({ head });
}

const SHAPES = {
  slowBig: (t: CheckContext<CleanClient>): PlanShape => ({
    bytes: t.vary.int(100_000, 200_000),
    pieces: t.vary.int(3, 5),
    thinkMs: t.vary.int(1_100, 2_000),
    gapMs: t.vary.int(1_100, 1_800),
    startMs: 0,
  }),
  empty: (t: CheckContext<CleanClient>): PlanShape => ({ bytes: 0, pieces: 1, thinkMs: t.vary.int(0, 400), gapMs: 0, startMs: t.vary.int(0, 300) }),
  oneLine: (t: CheckContext<CleanClient>): PlanShape => ({ bytes: t.vary.int(1, 60), pieces: 1, thinkMs: 0, gapMs: 0, startMs: t.vary.int(0, 300) }),
  medium: (t: CheckContext<CleanClient>): PlanShape => ({ bytes: t.vary.int(20_000, 50_000), pieces: t.vary.int(3, 6), thinkMs: t.vary.int(0, 300), gapMs: t.vary.int(150, 400), startMs: t.vary.int(0, 300) }),
  pausing: (t: CheckContext<CleanClient>): PlanShape => ({ bytes: t.vary.int(6_000, 14_000), pieces: t.vary.int(3, 4), thinkMs: t.vary.int(200, 800), gapMs: t.vary.int(1_100, 1_600), startMs: 0 }),
};

/** A check's name as the learner reads it in `lang`. */
function checkTitle(lang: GradeLang, name: string): string {
  return lang === 'en' ? name : (cleanClientMessages.checks[lang][name]?.title ?? name);
}

const resetting = (t: CheckContext<CleanClient>): PlanShape => ({ ...SHAPES.medium(t), reset: true });

export default defineChecker<CleanClient>({
  lab: 'clean-client',
  messages: cleanClientMessages,
  exports: [{ name: 'fetchAll', kind: 'function', signature: 'export async function fetchAll(os: OS, server: string, request: string): Promise<string>' }],
  checks: [
    {
      name: 'returns the whole reply',
      points: 3,
      task: 1,
      description:
        'Five servers with varying names: 100-200 KB after 1-2 s of think time in pieces over a second apart, 20-50 KB in several pieces, one short line, an empty reply, and one that resets partway. fetchAll must send the request as given, return each reply exactly, and reject (not return) the one cut short.',
      async run(t) {
        const r = await runPlans(t, plans(t, [SHAPES.slowBig(t), SHAPES.medium(t), SHAPES.oneLine(t), SHAPES.empty(t), resetting(t)]));
        for (const o of r.outcomes) {
          const problem = replyProblem(r, o);
          if (problem) fail(problem);
        }
      },
    },
    {
      name: 'closes its socket after EOF',
      points: 2,
      task: 2,
      description:
        'After fetches of 5,000 bytes in pieces over a second apart, a short reply, an empty one and one whose server resets partway, the client host must hold no socket in CLOSE_WAIT and no descriptor from socket() that was never closed.',
      async run(t) {
        const r = await runPlans(t, plans(t, [{ ...SHAPES.pausing(t), bytes: 5_000 }, SHAPES.oneLine(t), SHAPES.empty(t), resetting(t)]));
        const problem = closeProblem(r);
        if (problem) fail(problem);
      },
    },
    {
      name: 'ends without RST',
      points: 2,
      task: 2,
      description: 'One reply comes in pieces more than a second apart, another is larger than the receive buffer; the client must not send any RST.',
      async run(t) {
        const r = await runPlans(t, plans(t, [SHAPES.pausing(t), { ...SHAPES.slowBig(t), thinkMs: t.vary.int(0, 500), gapMs: t.vary.int(200, 600) }]));
        const problem = rstProblem(r);
        if (problem) fail(problem);
      },
    },
    {
      name: 'works over a lossy link',
      points: 2,
      task: 3,
      description: 'The links lose 5% of segments (seeded); two fetches of 20-50 KB must still return the whole reply, close, and send no RST.',
      async run(t) {
        const list = plans(t, [SHAPES.medium(t), SHAPES.medium(t)]);
        const judge = (r: Run) => {
          for (const o of r.outcomes) {
            const problem = replyProblem(r, o);
            if (problem) return { check: 'returns the whole reply', problem, prerequisite: o.threw || !o.returned };
          }
          const closing = closeProblem(r);
          if (closing) return { check: 'closes its socket after EOF', problem: closing, prerequisite: false };
          const rst = rstProblem(r);
          if (rst) return { check: 'ends without RST', problem: rst, prerequisite: false };
          return undefined;
        };
        const m = cleanClientMessages.messages[t.lang];
        const lossy = judge(await runPlans(t, list, 0.05));
        if (!lossy) return;
        if (lossy.prerequisite) fail(m.overLoss({ problem: lossy.problem }));
        // Only a failure that loss causes belongs to this check: the same fetches without loss tell.
        const clean = judge(await runPlans(t, list, 0));
        if (clean) fail(m.notLoss({ check: checkTitle(t.lang, clean.check) }));
        fail(m.overLoss({ problem: lossy.problem }));
      },
    },
  ],
});
