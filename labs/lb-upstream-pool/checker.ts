// Lab: a load balancer's upstream pool that never answers 502 for a
// connection the backend had already closed. The checker's backend keeps
// connections alive between requests and closes those idle for its keep-alive
// timeout (shorter than the balancer's own idle timeout, as a 60 s ALB in front
// of a 5 s Node.js server); sometimes it closes every idle connection at once
// (a deploy), and sometimes it crashes in the middle of a request after acting
// on it. A request sent on a connection the backend has closed meets its
// closed socket, which answers RST (tcp_rcv_state_process); the balancer reads
// EOF or ECONNRESET (tcp_reset) and, unless it does something, answers 502.
// The upstream pool must drop idle connections before the backend does, retry
// an idempotent request (GET) once on a fresh connection when a reused one
// fails, never retry a POST the backend may have acted on, keep reusing
// connections (a new one per request costs a handshake and leaves a TIME_WAIT
// on the balancer each time), and add no delay. Host names, paths, methods,
// the keep-alive timeout and the pauses vary with the program graded (t.vary);
// each answer carries a token the backend draws at run time.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, segments } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { lbUpstreamPoolMessages } from './messages.ts';
import { runKeepAliveBackend } from '../keep-alive-backend.ts';
import type { OS, World } from '../../src/sim/index.ts';

export type Method = 'GET' | 'POST';

export interface Upstream {
  forward(method: Method, path: string): Promise<string>;
}

export interface LbUpstreamPool {
  createUpstream(os: OS, backend: string, options: { backendKeepAliveMs: number }): Upstream;
}

/** What the balancer did with one request, recorded as it happens. */
interface Call {
  method: Method;
  path: string;
  /** When the balancer got it, ms. */
  t: number;
  /** Virtual time since the previous request had been answered, ms. */
  idleBefore: number;
  answered?: string;
  errno?: string;
  error?: string;
  /** When forward() settled, ms. */
  doneAt?: number;
}

interface Scenario {
  backend: string;
  keepAliveMs: number;
  /** Pauses before each request, ms, and each request's method. */
  gaps: number[];
  methods: Method[];
  /** Close every idle connection at this time (a deploy). */
  reloadAt?: number;
  /** Requests the backend acts on and then dies without answering (reset). */
  crashOn?: Set<number>;
}

const NAMES = ['app', 'web', 'api', 'cart', 'users', 'media', 'pay', 'search', 'feed', 'ledger'];

function backendName(t: CheckContext<LbUpstreamPool>): string {
  return `${t.vary.pick(NAMES)}-${t.vary.int(1, 40)}`;
}

interface Run {
  world: World;
  calls: Call[];
  /** How many times the backend acted on each request. */
  processed: Map<string, number>;
  accepted: number;
  tokens: Map<string, string>;
  endMs: number;
  failed: string | undefined;
  lang: GradeLang;
  m: (typeof lbUpstreamPoolMessages.messages)[GradeLang];
}

/** Round trip between balancer and backend, ms. */
const RTT = 10;

async function runScenario(t: CheckContext<LbUpstreamPool>, sc: Scenario): Promise<Run> {
  const world = t.world();
  const lb = world.host('lb');
  const backend = world.host(sc.backend);
  world.link(lb, backend, { delayMs: RTT / 2 });
  const processed = new Map<string, number>();
  const tokens = new Map<string, string>();
  const paths: string[] = sc.gaps.map((_, i) => `/${t.vary.word(3, 7)}/${i + 1}`);
  for (const p of paths) tokens.set(p, `${t.vary.word(5, 5)}${t.vary.int(100, 999)}`);
  const crashPaths = new Set([...(sc.crashOn ?? [])].map((i) => paths[i]));

  const server = runKeepAliveBackend(backend, {
    port: 8080,
    keepAliveMs: sc.keepAliveMs,
    processName: 'backend',
    answer: (line) => {
      const path = line.replace(/^[A-Z]+ /, '');
      processed.set(line, (processed.get(line) ?? 0) + 1);
      // Acted on the request, then died before answering: a reset.
      if (crashPaths.has(path)) return 'reset';
      const token = tokens.get(path);
      return token ? `200 ${path} ${token}\n` : `404 ${path}\n`;
    },
  });

  if (sc.reloadAt !== undefined) world.at(sc.reloadAt, () => server.closeIdle());

  const calls: Call[] = [];
  let failed: string | undefined;
  lb.run(async (os) => {
    const upstream = t.learner.createUpstream(os, sc.backend, { backendKeepAliveMs: sc.keepAliveMs });
    let last = os.now();
    for (const [i, gap] of sc.gaps.entries()) {
      await os.sleep(gap);
      const call: Call = { method: sc.methods[i], path: paths[i], t: os.now(), idleBefore: os.now() - last };
      calls.push(call);
      try {
        call.answered = await upstream.forward(call.method, call.path);
      } catch (error) {
        call.errno = errnoOf(error);
        call.error = error instanceof Error ? error.message : String(error);
      }
      call.doneAt = os.now();
      last = os.now();
    }
  }, 'balancer');
  const summary = await t.run(world);
  const f = summary.failed.find((x) => x.host === 'lb');
  if (f) failed = describeFailure(f, t.lang);
  return { world, calls, processed, accepted: server.accepted, tokens, endMs: summary.virtualMs, failed, lang: t.lang, m: lbUpstreamPoolMessages.messages[t.lang] };
}

const expected = (r: Run, c: Call) => `200 ${c.path} ${r.tokens.get(c.path)}`;
const lineOf = (c: Call) => `${c.method} ${c.path}`;

function describeCall(r: Run, c: Call): string {
  const before = c.t === c.idleBefore ? r.m.firstRequest : r.m.afterPrevious({ idleMs: c.idleBefore });
  return r.m.call({ line: JSON.stringify(lineOf(c)), at: at(c.t), before });
}

/** Longest a request may take: a fresh connection's handshake, the exchange, and a retry of both. */
const SLOWEST = 6 * RTT + 20;

/** Every request answered once, correctly, promptly, with no 502: a message if not. */
function answerProblem(r: Run, sc: Scenario): string | undefined {
  const m = r.m;
  if (r.failed) return m.balancerFailed({ failure: r.failed });
  if (r.calls.length < sc.gaps.length) {
    const c = r.calls[r.calls.length - 1];
    if (c && c.doneAt === undefined) return m.neverResolved({ call: describeCall(r, c), at: at(r.endMs) });
    return m.stoppedEarly({ made: r.calls.length, total: sc.gaps.length });
  }
  for (const c of r.calls) {
    if (c.doneAt === undefined) return m.neverResolved({ call: describeCall(r, c), at: at(r.endMs) });
    if (c.error !== undefined) {
      return m.answered502({ call: describeCall(r, c), error: c.errno ?? JSON.stringify(c.error), keepAliveMs: sc.keepAliveMs, reloadAt: sc.reloadAt !== undefined ? at(sc.reloadAt) : undefined });
    }
    const want = expected(r, c);
    const got = (c.answered ?? '').replace(/\n$/, '');
    if (got !== want) {
      const seen = r.processed.get(lineOf(c)) ?? 0;
      return seen === 0
        ? m.madeUp({ call: describeCall(r, c), got: JSON.stringify(got) })
        : m.wrongAnswer({ call: describeCall(r, c), got: JSON.stringify(got), want: JSON.stringify(want) });
    }
    if (c.doneAt - c.t > SLOWEST) return m.slow({ call: describeCall(r, c), tookMs: c.doneAt - c.t, limitMs: SLOWEST });
  }
  for (const c of r.calls) {
    const n = r.processed.get(lineOf(c)) ?? 0;
    if (n > 1) return m.processedTwice({ call: describeCall(r, c), n });
  }
  return undefined;
}

/** Requests that went out on connections the backend had closed: RSTs from the backend. */
function staleProblem(r: Run, sc: Scenario): string | undefined {
  const rsts = segments(r.world, { from: sc.backend, rst: true });
  if (!rsts.length) return undefined;
  const first = rsts[0];
  const c = [...r.calls].reverse().find((x) => x.t <= first.t);
  return r.m.stale({ n: rsts.length, at: at(first.t), call: c ? describeCall(r, c) : undefined, keepAliveMs: sc.keepAliveMs });
}

function gapsAround(t: CheckContext<LbUpstreamPool>, keepAliveMs: number, n: number): number[] {
  // Short pauses, and some well past the keep-alive timeout; none within 300 ms of it.
  const out: number[] = [0];
  for (let i = 1; i < n; i++) {
    out.push(t.vary.int(0, 3) === 0 ? keepAliveMs + t.vary.int(300, 4000) : t.vary.int(30, Math.floor(keepAliveMs / 3)));
  }
  out[Math.floor(n / 2)] = keepAliveMs + t.vary.int(300, 2000); // at least one long pause
  out[Math.floor(n / 2) + 1] = t.vary.int(30, 400);
  return out;
}

function methodsFor(t: CheckContext<LbUpstreamPool>, n: number): Method[] {
  const out: Method[] = Array.from({ length: n }, () => (t.vary.int(0, 2) === 0 ? 'POST' : 'GET'));
  out[0] = 'GET';
  return out;
}

export default defineChecker<LbUpstreamPool>({
  lab: 'lb-upstream-pool',
  messages: lbUpstreamPoolMessages,
  exports: [{ name: 'createUpstream', kind: 'function', signature: "export function createUpstream(os: OS, backend: string, options: { backendKeepAliveMs: number }): { forward(method: 'GET' | 'POST', path: string): Promise<string> }" }],
  checks: [
    {
      name: 'never answers 502 while the backend is up',
      points: 3,
      task: 1,
      description:
        'A backend that closes connections idle for 3-8 s; 14-18 GET and POST requests, some after short pauses, some after pauses longer than its keep-alive timeout. Every request must be forwarded and resolve with the backend\'s answer, promptly, none with an error (a 502), none acted on twice.',
      async run(t) {
        const keepAliveMs = t.vary.int(3, 8) * 1000;
        const n = t.vary.int(14, 18);
        const sc: Scenario = { backend: backendName(t), keepAliveMs, gaps: gapsAround(t, keepAliveMs, n), methods: methodsFor(t, n) };
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(problem);
      },
    },
    {
      name: 'keeps upstream connections alive',
      points: 2,
      task: 2,
      description: '15 requests with pauses under a third of the backend\'s keep-alive timeout: the backend must see at most 2 connections.',
      async run(t) {
        const keepAliveMs = t.vary.int(4, 8) * 1000;
        const gaps = Array.from({ length: 15 }, (_, i) => (i === 0 ? 0 : t.vary.int(30, Math.floor(keepAliveMs / 3))));
        const sc: Scenario = { backend: backendName(t), keepAliveMs, gaps, methods: methodsFor(t, 15) };
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(r.m.cannotJudgeReuse({ problem }));
        if (r.accepted > 2) {
          const longest = Math.max(...r.calls.map((c) => c.idleBefore));
          fail(r.m.noReuse({ accepted: r.accepted, requests: r.calls.length, longestMs: longest, keepAliveMs }));
        }
      },
    },
    {
      name: 'never sends on a connection the backend closed',
      points: 2,
      task: 3,
      description: 'Two backends, one closing idle connections after 3-5 s, one after 6-8 s (passed as backendKeepAliveMs); pauses shorter and longer than that: no request may reach a connection the backend has already closed (it would answer with RST).',
      async run(t) {
        // Two backends, one with a short keep-alive and one with a long one: a pool timeout fixed for either fails the other.
        for (const keepAliveMs of [t.vary.int(3, 5) * 1000, t.vary.int(6, 8) * 1000]) {
          const n = t.vary.int(10, 14);
          const sc: Scenario = { backend: backendName(t), keepAliveMs, gaps: gapsAround(t, keepAliveMs, n), methods: methodsFor(t, n) };
          const r = await runScenario(t, sc);
          // A stale connection first: a POST sent on one rightly fails, so its 502 is the symptom, not the cause.
          const stale = staleProblem(r, sc);
          if (stale) fail(stale);
          const problem = answerProblem(r, sc);
          if (problem) fail(r.m.cannotJudge({ problem }));
        }
      },
    },
    {
      name: 'retries a GET once when a reused connection fails',
      points: 2,
      task: 4,
      description:
        'The backend closes every idle connection at once (a deploy) 1-4 ms before the next GET leaves, its FIN still on the way: the GET meets a closed connection and must be sent again, once, on a new connection.',
      async run(t) {
        const keepAliveMs = t.vary.int(5, 8) * 1000;
        const gaps = [0, t.vary.int(100, 600), t.vary.int(100, 600), t.vary.int(800, 1500), t.vary.int(100, 400)];
        const methods: Method[] = ['GET', t.vary.pick(['GET', 'POST'] as const), 'GET', 'GET', t.vary.pick(['GET', 'POST'] as const)];
        // A first run finds when request 4 leaves; the second closes just before (the runs are identical until then).
        const sc: Scenario = { backend: backendName(t), keepAliveMs, gaps, methods };
        const probe = await runScenario(t, sc);
        const issued = probe.calls[3]?.t;
        const p = answerProblem(probe, sc);
        if (issued === undefined || p) fail(probe.m.beforeReload({ problem: p ?? probe.m.notMade }));
        sc.reloadAt = issued - t.vary.int(1, 4);
        const r = await runScenario(t, sc);
        const problem = answerProblem(r, sc);
        if (problem) fail(problem);
      },
    },
    {
      name: 'never sends a POST twice',
      points: 1,
      task: 5,
      description:
        'The backend acts on a POST and dies before answering (its connection is reset): the balancer must not send that POST again, since the backend may already have charged the card; it answers 502 (forward() rejects) once, and the next requests are answered.',
      async run(t) {
        const keepAliveMs = t.vary.int(5, 8) * 1000;
        const gaps = [0, t.vary.int(100, 600), t.vary.int(100, 600), t.vary.int(100, 600)];
        const methods: Method[] = ['GET', 'GET', 'POST', 'GET'];
        const sc: Scenario = { backend: backendName(t), keepAliveMs, gaps, methods, crashOn: new Set([2]) };
        const r = await runScenario(t, sc);
        const c = r.calls[2];
        if (r.failed) fail(r.m.balancerFailed({ failure: r.failed }));
        if (!c || c.doneAt === undefined) fail(r.m.cannotJudge({ problem: c ? r.m.neverResolved({ call: describeCall(r, c), at: at(r.endMs) }) : r.m.notMade }));
        const n = r.processed.get(lineOf(c)) ?? 0;
        if (n > 1) fail(r.m.postTwice({ call: describeCall(r, c), n }));
        if (c.error === undefined) fail(r.m.postSwallowed({ call: describeCall(r, c), answered: JSON.stringify(c.answered) }));
        const next = r.calls[3];
        if (!next || next.error !== undefined || next.answered !== expected(r, next)) {
          fail(r.m.afterCrash({ call: next ? describeCall(r, next) : r.m.notMade, got: next ? JSON.stringify(next.answered ?? next.errno ?? next.error) : '' }));
        }
      },
    },
  ],
});
