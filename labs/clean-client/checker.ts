// Lab: a client that closes correctly. The checker's servers answer one
// request each with a reply sent in pieces, then close first (so TIME_WAIT
// lands on the server and the client's part is the passive close, RFC 9293
// §3.6 case 1). Server names, requests, sizes and pauses vary with the program
// graded (t.vary): a client must follow the protocol, not recognise the test.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, count, describeFailure, describeLeak, listSome, resetCause, segments, socketsIn, unclosedDescriptors } from '../../src/grading/trace-queries.ts';
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

function describePlan(p: Plan): string {
  if (p.reply.length === 0) return `the server '${p.name}' ${p.thinkMs ? `waited ${p.thinkMs} ms, then ` : ''}closed without sending a byte (an empty reply)`;
  const think = p.thinkMs ? ` after ${(p.thinkMs / 1000).toFixed(1)} s of think time` : '';
  const pieces = p.pieces > 1 ? ` in ${p.pieces} pieces ${(p.gapMs / 1000).toFixed(1)} s apart` : ' in one piece';
  const end = p.resetAfter !== undefined ? `, and reset the connection after ${p.resetAfter.toLocaleString('en')} of them` : ', then closed';
  return `the server '${p.name}' answered${think} with ${p.reply.length.toLocaleString('en')} bytes${pieces}${end}`;
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
  return { world, summary, outcomes };
}

type Run = Awaited<ReturnType<typeof runPlans>>;

function learnerFailure(r: Run, o: Outcome) {
  return r.summary.failed.find((f) => f.process === o.process);
}

function waitingIn(r: Run, o: Outcome): string {
  const b = r.summary.blocked.find((x) => x.process === o.process);
  return b ? `still waiting in ${b.waitingIn} at ${at(r.summary.virtualMs)}` : `at ${at(r.summary.virtualMs)}`;
}

/** Did this fetch send the request and return the whole reply? A message if not. */
function replyProblem(r: Run, o: Outcome): string | undefined {
  const p = o.plan;
  if (p.resetAfter !== undefined) return resetProblem(r, o);
  if (o.threw) {
    const f = learnerFailure(r, o);
    return `fetchAll('${p.name}', ...) threw: ${f ? describeFailure(f) : o.errno ?? 'an error'}. ${describePlan(p)}: nothing went wrong on the network, so fetchAll should return the reply.`;
  }
  if (!o.returned) {
    return (
      `fetchAll never returned from '${p.name}' (${waitingIn(r, o)}); ${describePlan(p)}${o.received ? '' : ', but first it needed the request'}. ` +
      `recv() returns '' once the server's FIN has arrived: stop reading then, and not before.`
    );
  }
  if (o.accepted === 0) return `fetchAll('${p.name}', ...) returned without ever connecting to '${p.name}' port 80: connect to the server you are given.`;
  if (o.received !== p.request) {
    return `the server '${p.name}' received ${JSON.stringify(o.received)} instead of the request ${JSON.stringify(p.request)}: send the request you are given, as is.`;
  }
  if (typeof o.got !== 'string') return `fetchAll('${p.name}', ...) returned ${o.got === null ? 'null' : typeof o.got}, not the reply text.`;
  const got = o.got;
  if (got === p.reply) return undefined;
  if (got.length < p.reply.length && p.reply.startsWith(got)) {
    return (
      `fetchAll('${p.name}', ...) returned ${got.length.toLocaleString('en')} of the ${p.reply.length.toLocaleString('en')} bytes; ${describePlan(p)}. ` +
      `One recv() returns only what has arrived so far; keep calling recv() until it returns '' (end of stream), however long the server pauses.`
    );
  }
  return `fetchAll('${p.name}', ...) returned ${got.length.toLocaleString('en')} bytes that differ from the reply at byte ${firstDifference(got, p.reply)}; ${describePlan(p)}. Return exactly the bytes received, in order.`;
}

/** A server that resets partway: fetchAll must reject rather than return the truncated reply. */
function resetProblem(r: Run, o: Outcome): string | undefined {
  const p = o.plan;
  const rst = segments(r.world, { from: p.name, rst: true })[0];
  if (!rst) {
    const own = segments(r.world, { from: 'client', rst: true, to: p.name })[0];
    if (o.returned && typeof o.got === 'string' && own) {
      return `fetchAll('${p.name}', ...) returned ${o.got.length.toLocaleString('en')} of the ${p.reply.length.toLocaleString('en')} bytes and reset the connection itself at ${at(own.t)}, before the server got to. One recv() returns only what has arrived so far; keep calling recv() until it returns '' (end of stream) or throws.`;
    }
    return undefined; // it never got as far as the reset: the other fetches tell why
  }
  const cut = `the server '${p.name}' reset the connection at ${at(rst.t)} after ${o.sent.toLocaleString('en')} of the ${p.reply.length.toLocaleString('en')} bytes of its reply`;
  if (o.returned) {
    const n = typeof o.got === 'string' ? `${o.got.length.toLocaleString('en')} bytes` : String(o.got);
    return `${cut}, yet fetchAll returned ${n} as if that were the whole reply. Let the ECONNRESET that recv() throws reach your caller (or throw your own error): a truncated reply must not pass for a complete one.`;
  }
  if (!o.threw) return `${cut}, and fetchAll never returned or threw (${waitingIn(r, o)}): recv() throws ECONNRESET after a reset; let it reach the caller.`;
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
      return `cannot judge ${what}: ${f ? describeFailure(f) : `fetchAll threw ${o.errno ?? 'an error'}`} while fetching from '${o.plan.name}', whose server behaved. See 'returns the whole reply'.`;
    }
    return `cannot judge ${what}: fetchAll never returned from '${o.plan.name}' (${waitingIn(r, o)}). See 'returns the whole reply'.`;
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
  const blocked = prerequisite(r, 'closing');
  if (blocked) return blocked;
  const left = socketsIn(r.world, 'client', 'CLOSE-WAIT');
  if (left.length) {
    return (
      `the client still has ${count(left.length, 'socket')} in CLOSE_WAIT (${listSome(left.map((x) => `${x.local} -> ${x.peer}`))}) long after the servers' FINs, although fetchAll had returned. ` +
      `CLOSE_WAIT has no timer: it lasts until your program calls close(). Call close() once recv() returned ''.`
    );
  }
  const open = unclosedDescriptors(r.world, 'client');
  if (open.length) {
    const d = open[0];
    const peer = connectedTo(r.world, 'client', d.fd, d.t);
    const wasReset = r.outcomes.some((o) => o.plan.name === peer && o.plan.resetAfter !== undefined);
    const advice = wasReset
      ? `That server reset the connection: recv() threw ECONNRESET, and the descriptor is still the process's until close(). Close it on every path (try/finally), and let the error reach the caller.`
      : `ss no longer lists a connection that has ended, yet its descriptor stays with the process until close(): call close() once recv() returned ''.`;
    return (
      `the client still holds ${count(open.length, 'descriptor')} after every fetch had ended: ${describeLeak(r.world, d)}${peer ? `; it was the connection to '${peer}'` : ''}` +
      `${open.length > 1 ? `, and ${open.length - 1} more` : ''}. ${advice}`
    );
  }
  return undefined;
}

/** RSTs the client sent, explained from the trace; a message if any. */
function rstProblem(r: Run): string | undefined {
  const blocked = prerequisite(r, 'how the connections end');
  if (blocked) return blocked;
  const rsts = segments(r.world, { from: 'client', rst: true });
  if (!rsts.length) return undefined;
  const first = rsts[0];
  const server = first.seg.dst.host;
  const { from: state, cause } = resetCause(r.world, first);
  const head = `the client sent ${count(rsts.length, 'RST')}, the first at ${at(first.t)} to '${server}'${state ? ` from state ${state}` : ''}`;
  if (cause?.includes('SO_LINGER 0')) {
    return `${head}: close() after setsockopt(SO_LINGER, { onoff: true, linger: 0 }) aborts the connection with RST instead of ending it with FIN, and the server cannot tell whether its reply was read. Leave SO_LINGER alone: a plain close() after EOF sends FIN.`;
  }
  if (cause?.includes('unread data')) {
    return (
      `${head}: close() was called while part of the reply was still unread in the socket, and a close() with unread data sends RST, not FIN (RFC 2525 §2.17). ` +
      `Read until recv() returns '' and only then close().`
    );
  }
  if (cause?.includes('after close()')) {
    return `${head}: more of the reply arrived after close(), and data arriving at a closed socket is answered with RST (RFC 2525 §2.17). The server had not finished: read until recv() returns '' and only then close().`;
  }
  return `${head}: it answered a segment for a connection whose socket was already gone, which means the client closed before the server had finished (RFC 2525 §2.17). Read until recv() returns '' and only then close().`;
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

const resetting = (t: CheckContext<CleanClient>): PlanShape => ({ ...SHAPES.medium(t), reset: true });

export default defineChecker<CleanClient>({
  lab: 'clean-client',
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
        const lossy = judge(await runPlans(t, list, 0.05));
        if (!lossy) return;
        if (lossy.prerequisite) fail(`over links that lose 5% of segments, ${lossy.problem}`);
        // Only a failure that loss causes belongs to this check: the same fetches without loss tell.
        const clean = judge(await runPlans(t, list, 0));
        if (clean) fail(`not a matter of loss: the same fetches fail '${clean.check}' without any loss too; fix that first.`);
        fail(`over links that lose 5% of segments, ${lossy.problem}`);
      },
    },
  ],
});
