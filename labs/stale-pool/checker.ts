// Lab: a pool that survives the server's idle timeout. The checker's server
// keeps connections alive between requests and closes those idle for its
// keepalive_timeout (nginx does the same, 75 s by default); sometimes it also
// closes every idle connection at once (a reload). A stale connection fails on
// reuse: the request is sent, the server's closed socket answers RST
// (tcp_rcv_state_process), and the client reads EOF or ECONNRESET
// (tcp_reset). The pool must keep idle connections for less than the server
// does, retry once on a fresh connection when a reused one fails, never more,
// and still reuse connections. Host names, paths, the idle timeout and the
// pauses vary with the program graded (t.vary); each answer carries a token the
// server draws at run time, so answers cannot be made up.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, listSome, segments } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { stalePoolMessages } from './messages.ts';
import { runKeepAliveBackend } from '../keep-alive-backend.ts';
import type { OS, World } from '../../src/sim/index.ts';

export interface Pool {
  request(line: string): Promise<string>;
}

export interface StalePool {
  createPool(os: OS, server: string, options: { serverIdleMs: number }): Pool;
}

/** What one request did, recorded as it happens. */
interface Call {
  line: string;
  path: string;
  /** When the caller issued it, ms. */
  t: number;
  /** Virtual time since the previous request had resolved, ms. */
  idleBefore: number;
  answered?: string;
  errno?: string;
  error?: string;
  done: boolean;
}

interface Scenario {
  server: string;
  idleMs: number;
  /** Pauses before each request, ms. */
  gaps: number[];
  /** Close every idle connection at this time (a reload). */
  reloadAt?: number;
  /** The server's host loses power at this time and stays down. */
  crashAt?: number;
}

const NAMES = ['api', 'shop', 'auth', 'search', 'images', 'orders', 'billing', 'catalog', 'profile', 'stock'];

function serverName(t: CheckContext<StalePool>): string {
  return `${t.vary.pick(NAMES)}${t.vary.int(1, 99)}`;
}

interface Run {
  world: World;
  calls: Call[];
  /** How many times the server processed each path. */
  processed: Map<string, number>;
  /** Connections the server accepted. */
  accepted: number;
  tokens: Map<string, string>;
  endMs: number;
  failed: string | undefined;
  lang: GradeLang;
  m: (typeof stalePoolMessages.messages)[GradeLang];
}

async function runScenario(t: CheckContext<StalePool>, sc: Scenario): Promise<Run> {
  const world = t.world();
  const client = world.host('client');
  const server = world.host(sc.server);
  world.link(client, server, { delayMs: 5 });
  const processed = new Map<string, number>();
  const tokens = new Map<string, string>();
  const paths: string[] = sc.gaps.map((_, i) => `/${t.vary.word(3, 7)}/${i + 1}`);
  for (const p of paths) tokens.set(p, `${t.vary.word(6, 6)}${t.vary.int(100, 999)}`);

  const backend = runKeepAliveBackend(server, {
    port: 80,
    keepAliveMs: sc.idleMs,
    processName: 'server',
    answer: (line) => {
      const path = line.replace(/^GET /, '');
      processed.set(path, (processed.get(path) ?? 0) + 1);
      const token = tokens.get(path);
      return token ? `200 ${path} ${token}\n` : `404 ${path}\n`;
    },
  });

  if (sc.reloadAt !== undefined) world.at(sc.reloadAt, () => backend.closeIdle());
  if (sc.crashAt !== undefined) {
    world.at(sc.crashAt, () => server.crash());
    world.until(sc.crashAt + 20_000); // enough to give up; a pool that never does is seen by then
  }

  const calls: Call[] = [];
  let failed: string | undefined;
  client.run(async (os) => {
    const pool = t.learner.createPool(os, sc.server, { serverIdleMs: sc.idleMs });
    let last = os.now();
    for (const [i, gap] of sc.gaps.entries()) {
      await os.sleep(gap);
      const path = paths[i];
      const call: Call = { line: `GET ${path}\n`, path, t: os.now(), idleBefore: os.now() - last, done: false };
      calls.push(call);
      try {
        call.answered = await pool.request(call.line);
      } catch (error) {
        call.errno = errnoOf(error);
        call.error = error instanceof Error ? error.message : String(error);
      }
      call.done = true;
      last = os.now();
    }
  }, 'caller');
  const summary = await t.run(world);
  const f = summary.failed.find((x) => x.host === 'client');
  if (f) failed = describeFailure(f, t.lang);
  return { world, calls, processed, accepted: backend.accepted, tokens, endMs: summary.virtualMs, failed, lang: t.lang, m: stalePoolMessages.messages[t.lang] };
}

const expected = (r: Run, c: Call) => `200 ${c.path} ${r.tokens.get(c.path)}`;

function describeCall(r: Run, c: Call): string {
  const before = c.t === c.idleBefore ? r.m.firstRequest : r.m.afterPrevious({ idleMs: c.idleBefore });
  return r.m.call({ line: JSON.stringify(c.line.trim()), at: at(c.t), before });
}

/** Every request answered once, correctly, with no error: a message if not. */
function answerProblem(r: Run, sc: Scenario): string | undefined {
  const m = r.m;
  if (r.failed) return m.callerFailed({ failure: r.failed });
  for (const c of r.calls) {
    if (!c.done) return m.neverResolved({ call: describeCall(r, c), at: at(r.endMs) });
    if (c.error !== undefined) {
      return m.failedWith({ call: describeCall(r, c), error: c.errno ?? JSON.stringify(c.error), idleMs: sc.idleMs, reloadAt: sc.reloadAt !== undefined ? at(sc.reloadAt) : undefined });
    }
    const want = expected(r, c);
    const got = (c.answered ?? '').replace(/\n$/, '');
    if (got !== want) {
      const seen = r.processed.get(c.path) ?? 0;
      return seen === 0
        ? m.madeUp({ call: describeCall(r, c), got: JSON.stringify(got) })
        : m.wrongAnswer({ call: describeCall(r, c), got: JSON.stringify(got), want: JSON.stringify(want) });
    }
  }
  for (const c of r.calls) {
    const n = r.processed.get(c.path) ?? 0;
    if (n > 1) return m.processedTwice({ call: describeCall(r, c), n });
  }
  if (r.calls.length < sc.gaps.length) return m.stoppedEarly({ made: r.calls.length, total: sc.gaps.length });
  return undefined;
}

/** Requests that went out on connections the server had closed: RSTs from the server. */
function staleProblem(r: Run, sc: Scenario): string | undefined {
  const rsts = segments(r.world, { from: sc.server, rst: true });
  if (!rsts.length) return undefined;
  const first = rsts[0];
  const c = [...r.calls].reverse().find((x) => x.t <= first.t);
  return r.m.stale({ n: rsts.length, at: at(first.t), call: c ? describeCall(r, c) : undefined, idleMs: sc.idleMs });
}

function gapsAround(t: CheckContext<StalePool>, idleMs: number, n: number): number[] {
  // Short pauses, and some well past the idle timeout; none within 300 ms of it.
  const out: number[] = [0];
  for (let i = 1; i < n; i++) {
    out.push(t.vary.int(0, 3) === 0 ? idleMs + t.vary.int(300, 4000) : t.vary.int(50, Math.floor(idleMs / 3)));
  }
  out[Math.floor(n / 2)] = idleMs + t.vary.int(300, 2000); // at least one long pause
  out[Math.floor(n / 2) + 1] = t.vary.int(50, 400);
  return out;
}

export default defineChecker<StalePool>({
  lab: 'stale-pool',
  messages: stalePoolMessages,
  exports: [{ name: 'createPool', kind: 'function', signature: 'export function createPool(os: OS, server: string, options: { serverIdleMs: number }): Pool' }],
  checks: [
    {
      name: 'answers every request',
      points: 3,
      task: 1,
      description:
        'A server that closes connections idle for 3-8 s; 14-18 requests one after another, some after short pauses, some after pauses longer than the idle timeout. Every request must resolve with the server\'s answer, none with an error, none processed twice.',
      async run(t) {
        const idleMs = t.vary.int(3, 8) * 1000;
        const sc: Scenario = { server: serverName(t), idleMs, gaps: gapsAround(t, idleMs, t.vary.int(14, 18)) };
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(problem);
      },
    },
    {
      name: 'reuses connections',
      points: 2,
      task: 2,
      description: '15 requests with pauses under a third of the server\'s idle timeout: the server must see at most 2 connections.',
      wallMs: 8000,
      async run(t) {
        const idleMs = t.vary.int(4, 8) * 1000;
        const gaps = Array.from({ length: 15 }, (_, i) => (i === 0 ? 0 : t.vary.int(50, Math.floor(idleMs / 3))));
        const sc: Scenario = { server: serverName(t), idleMs, gaps };
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(r.m.cannotJudgeReuse({ problem }));
        if (r.accepted > 2) {
          const longest = Math.max(...r.calls.map((c) => c.idleBefore));
          fail(r.m.noReuse({ accepted: r.accepted, requests: r.calls.length, longestMs: longest, idleMs }));
        }
      },
    },
    {
      name: 'drops idle connections before the server does',
      points: 2,
      task: 3,
      description: 'Pauses shorter and longer than the server\'s idle timeout (3-8 s, passed as serverIdleMs): no request may reach a connection the server has already closed (the server would answer it with RST).',
      async run(t) {
        const idleMs = t.vary.int(3, 8) * 1000;
        const sc: Scenario = { server: serverName(t), idleMs, gaps: gapsAround(t, idleMs, t.vary.int(10, 14)) };
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(r.m.cannotJudge({ problem }));
        const stale = staleProblem(r, sc);
        if (stale) fail(stale);
      },
    },
    {
      name: 'retries once when a reused connection fails',
      points: 2,
      task: 4,
      description:
        'The server closes every idle connection at once (a reload) 1-4 ms before the next request leaves, so its FIN is still on the way: the request meets a closed connection and must be sent again, once, on a new connection.',
      async run(t) {
        const idleMs = t.vary.int(5, 8) * 1000;
        const gaps = [0, t.vary.int(100, 600), t.vary.int(100, 600), t.vary.int(800, 1500), t.vary.int(100, 400)];
        // A first run finds when request 4 leaves; the second reloads just before (the runs are identical until then).
        const sc: Scenario = { server: serverName(t), idleMs, gaps };
        const probe = await runScenario(t, sc);
        const issued = probe.calls[3]?.t;
        if (issued === undefined || answerProblem(probe, sc)) {
          const p = answerProblem(probe, sc);
          fail(probe.m.beforeReload({ problem: p ?? probe.m.notMade }));
        }
        sc.reloadAt = issued - t.vary.int(1, 4);
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(problem);
      },
    },
    {
      name: 'gives up when the server is down',
      points: 1,
      task: 4,
      description: 'The server loses power while the pool holds an idle connection and stays down: the next request must fail (reject), after at most one retry on a new connection, instead of retrying forever.',
      async run(t) {
        const idleMs = t.vary.int(5, 8) * 1000;
        const gaps = [0, t.vary.int(100, 600), t.vary.int(1500, 2500)];
        const sc: Scenario = { server: serverName(t), idleMs, gaps, crashAt: gaps[0] + gaps[1] + t.vary.int(400, 1000) };
        const r = await runScenario(t, sc);
        const c = r.calls[2];
        if (!c) fail(r.m.cannotJudge({ problem: answerProblem(r, sc) ?? r.m.thirdNotMade }));
        const syns = segments(r.world, { from: 'client', syn: true }).filter((s) => s.t >= (sc.crashAt ?? 0));
        if (syns.length > 2 || !c.done) {
          fail(r.m.retriedTooMuch({ crashAt: at(sc.crashAt ?? 0), call: describeCall(r, c), done: c.done, syns: syns.length, times: listSome(syns.map((s) => at(s.t)), 3, r.lang) }));
        }
        if (c.error === undefined) fail(r.m.resolvedWhileDown({ crashAt: at(sc.crashAt ?? 0), call: describeCall(r, c), answered: JSON.stringify(c.answered) }));
      },
    },
  ],
});
