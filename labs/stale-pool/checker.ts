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
import { at, count, describeFailure, listSome, segments } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
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
}

async function runScenario(t: CheckContext<StalePool>, sc: Scenario): Promise<Run> {
  const world = t.world();
  const client = world.host('client');
  const server = world.host(sc.server);
  world.link(client, server, { delayMs: 5 });
  const processed = new Map<string, number>();
  const tokens = new Map<string, string>();
  const idle = new Set<{ close(): Promise<void> }>();
  let accepted = 0;
  const paths: string[] = sc.gaps.map((_, i) => `/${t.vary.word(3, 7)}/${i + 1}`);
  for (const p of paths) tokens.set(p, `${t.vary.word(6, 6)}${t.vary.int(100, 999)}`);

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      accepted++;
      os.spawn(async () => {
        let buf = '';
        let closed = false;
        const entry = {
          close: async () => {
            if (closed) return;
            closed = true;
            idle.delete(entry);
            await conn.close();
          },
        };
        try {
          for (;;) {
            idle.add(entry);
            // keepalive_timeout: the next request, or the connection is closed.
            const part = await Promise.race([conn.recv(), os.sleep(sc.idleMs).then(() => null)]);
            if (closed) return;
            if (part === null || part === '') break;
            idle.delete(entry);
            buf += part;
            let nl = buf.indexOf('\n');
            while (nl >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              const path = line.replace(/^GET /, '');
              processed.set(path, (processed.get(path) ?? 0) + 1);
              const token = tokens.get(path);
              await conn.send(token ? `200 ${path} ${token}\n` : `404 ${path}\n`);
              nl = buf.indexOf('\n');
            }
          }
        } catch {
          // the client reset: its trace tells the checks what happened
        }
        await entry.close();
      }, 'conn');
    }
  }, 'server');

  if (sc.reloadAt !== undefined) {
    world.at(sc.reloadAt, () => {
      for (const c of [...idle]) void c.close();
    });
  }
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
  if (f) failed = describeFailure(f);
  return { world, calls, processed, accepted, tokens, endMs: summary.virtualMs, failed };
}

const expected = (r: Run, c: Call) => `200 ${c.path} ${r.tokens.get(c.path)}`;

function describeCall(c: Call): string {
  const before = c.t === c.idleBefore ? 'the first request' : `${(c.idleBefore / 1000).toFixed(1)} s after the previous one resolved`;
  return `request ${JSON.stringify(c.line.trim())} at ${at(c.t)} (${before})`;
}

/** Every request answered once, correctly, with no error: a message if not. */
function answerProblem(r: Run, sc: Scenario): string | undefined {
  if (r.failed) return `the pool's caller failed: ${r.failed}.`;
  for (const c of r.calls) {
    if (!c.done) return `${describeCall(c)} never resolved (still waiting at ${at(r.endMs)}). A stale connection gives EOF ('' from recv()) or an error, never a response: stop waiting then.`;
    if (c.error !== undefined) {
      return (
        `${describeCall(c)} failed with ${c.errno ?? JSON.stringify(c.error)}; the server was up and answers every request. ` +
        `The server closes connections idle for ${sc.idleMs / 1000} s${sc.reloadAt !== undefined ? ` and closed every idle connection at ${at(sc.reloadAt)} (a reload)` : ''}: ` +
        `a request that fails on a reused connection must be sent once more on a new connection, not reported to the caller.`
      );
    }
    const want = expected(r, c);
    const got = (c.answered ?? '').replace(/\n$/, '');
    if (got !== want) {
      const seen = r.processed.get(c.path) ?? 0;
      return seen === 0
        ? `${describeCall(c)} returned ${JSON.stringify(got)}, but the server never received that request: send each request to the server and return its answer line.`
        : `${describeCall(c)} returned ${JSON.stringify(got)} instead of the server's answer ${JSON.stringify(want)}: return the answer line (without its '\\n') that the server sent for this request.`;
    }
  }
  for (const c of r.calls) {
    const n = r.processed.get(c.path) ?? 0;
    if (n > 1) return `the server processed ${describeCall(c)} ${n} times: send a request again only when its connection failed before any answer came back.`;
  }
  if (r.calls.length < sc.gaps.length) return `only ${r.calls.length} of ${sc.gaps.length} requests were made: the pool's caller stopped early.`;
  return undefined;
}

/** Requests that went out on connections the server had closed: RSTs from the server. */
function staleProblem(r: Run, sc: Scenario): string | undefined {
  const rsts = segments(r.world, { from: sc.server, rst: true });
  if (!rsts.length) return undefined;
  const first = rsts[0];
  const c = [...r.calls].reverse().find((x) => x.t <= first.t);
  return (
    `the server answered ${count(rsts.length, 'request')} with RST, the first at ${at(first.t)}${c ? ` (${describeCall(c)})` : ''}: the pool sent it on a connection the server had already closed after ${sc.idleMs / 1000} s of idleness. ` +
    `Drop idle connections before the server does: keep them for less than serverIdleMs (with a margin for the round trip), or notice the server's FIN (recv() returns '') before reusing one.`
  );
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
        if (problem) fail(`cannot judge reuse: ${problem}`);
        if (r.accepted > 2) {
          const longest = Math.max(...r.calls.map((c) => c.idleBefore));
          fail(
            `the server accepted ${r.accepted} connections for ${r.calls.length} requests, though no pause was longer than ${(longest / 1000).toFixed(1)} s and the server keeps idle connections for ${idleMs / 1000} s. ` +
              `Keep the connection after a request and send the next one on it: a new connection per request costs a handshake each time and leaves a TIME_WAIT behind.`,
          );
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
        if (problem) fail(`cannot judge: ${problem}`);
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
          fail(`cannot judge: before any reload, ${p ?? 'the requests were not made'}`);
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
        if (!c) fail(`cannot judge: ${answerProblem(r, sc) ?? 'the third request was never made'}`);
        const syns = segments(r.world, { from: 'client', syn: true }).filter((s) => s.t >= (sc.crashAt ?? 0));
        if (syns.length > 2 || !c.done) {
          fail(
            `the server's host went down at ${at(sc.crashAt ?? 0)} and stayed down; for ${describeCall(c)} the pool ${c.done ? '' : 'never returned and '}tried ${count(syns.length, 'new connection')} (${listSome(syns.map((s) => at(s.t)))}). ` +
              `Retry once on a new connection; when that fresh connection fails too, the error is real: let it reach the caller.`,
          );
        }
        if (c.error === undefined) fail(`the server's host went down at ${at(sc.crashAt ?? 0)}, yet ${describeCall(c)} resolved with ${JSON.stringify(c.answered)}: it must reject when no server answers.`);
      },
    },
  ],
});
