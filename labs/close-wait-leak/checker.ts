// Lab: fix a server that leaks CLOSE_WAIT. The checker's clients close first;
// a handler that returns on EOF without close() leaves the server's socket in
// CLOSE_WAIT forever (it has no timer: RFC 9293 §3.6, Linux tcp_fin()).
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, fromState, count, describeFailure, failures, listSome, segments, socketsIn } from '../../src/grading/trace-queries.ts';
import { errnoOf, readToEof, readUntil } from '../../src/grading/reference-io.ts';
import type { Socket } from '../../src/sim/index.ts';

export interface CloseWaitLeak {
  handle(conn: Socket): Promise<void>;
}

interface ClientPlan {
  /** Lines to send, grouped by send() call (a line may be split across calls). */
  sends: string[];
  /** Lines the client expects answers to. */
  lines: string[];
  /** Half-close after sending and read answers to EOF, instead of reading answers then closing. */
  halfClose: boolean;
  startMs: number;
}

interface ClientOutcome {
  plan: ClientPlan;
  answers?: string;
  error?: string;
  done: boolean;
}

function plans(n: number, halfClose: boolean, spacingMs: number): ClientPlan[] {
  const out: ClientPlan[] = [];
  for (let i = 0; i < n; i++) {
    const lines = [`hello ${i}`, `item ${i * 7}`, `bye ${i}`];
    // Line 2 goes out split across two sends and line 3 rides with it, so a
    // handler that answers per recv() instead of per line gets it wrong.
    const sends = [`${lines[0]}\n${lines[1].slice(0, 3)}`, `${lines[1].slice(3)}\n${lines[2]}\n`];
    out.push({ sends, lines, halfClose, startMs: i * spacingMs });
  }
  return out;
}

const expected = (p: ClientPlan) => p.lines.map((l) => `OK ${l}\n`).join('');

async function runLoad(t: CheckContext<CloseWaitLeak>, clientPlans: ClientPlan[]) {
  const world = t.world();
  const server = world.host('server');
  const clients = world.host('clients');
  world.link(clients, server, { delayMs: 5 });
  const handlerErrors: string[] = [];
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
  const outcomes: ClientOutcome[] = clientPlans.map((plan) => ({ plan, done: false }));
  for (const o of outcomes) {
    clients.run(async (os) => {
      await os.sleep(o.plan.startMs);
      const s = os.socket();
      try {
        await s.connect({ host: 'server', port: 80 });
        for (const part of o.plan.sends) {
          await s.send(part);
          await os.sleep(20);
        }
        if (o.plan.halfClose) {
          s.shutdown('SHUT_WR');
          o.answers = await readToEof(s);
        } else {
          const want = expected(o.plan);
          let got = '';
          while (got.length < want.length) {
            const r = await readUntil(s, '\n');
            got += r.text;
            if (r.eof) break;
          }
          o.answers = got;
        }
        await s.close();
      } catch (error) {
        o.error = errnoOf(error) ?? String(error);
      }
      o.done = true;
    }, 'client');
  }
  const summary = await t.run(world);
  for (const f of failures(summary, 'handle')) handlerErrors.push(describeFailure(f));
  return { world, summary, outcomes, handlerErrors };
}

type Load = Awaited<ReturnType<typeof runLoad>>;

function requireAnswers(r: Load) {
  if (r.handlerErrors.length) fail(`your handler threw: ${r.handlerErrors[0]}${r.handlerErrors.length > 1 ? ` (and ${r.handlerErrors.length - 1} more)` : ''}.`);
  for (const o of r.outcomes) {
    const want = expected(o.plan);
    if (o.error) {
      fail(
        `a client got ${o.error} before all its answers arrived (it had ${JSON.stringify(o.answers ?? '')}). ` +
          (o.error === 'ECONNRESET' ? 'The server reset the connection: a close() with unread data or SO_LINGER 0 does that.' : 'Look at how your handler ends a connection.'),
      );
    }
    if (!o.done && o.plan.halfClose) {
      fail(
        `a client that half-closed (shutdown SHUT_WR) after its lines was still waiting for EOF at the end of the run, with ${JSON.stringify(o.answers ?? '')} received: ` +
          `it reads until EOF, so your handler must close() once it has answered everything and seen EOF.`,
      );
    }
    if (!o.done) {
      fail(
        `a client that sent the lines ${JSON.stringify(o.plan.lines)} was still waiting for answers at the end of the run. ` +
          `Answer every complete line with "OK <line>\n": one recv() may hold part of a line or several lines.`,
      );
    }
    if (o.answers !== want) {
      fail(
        `for the lines ${JSON.stringify(o.plan.lines)} a client received ${JSON.stringify(o.answers)} instead of ${JSON.stringify(want)}. ` +
          `Answer every complete line with "OK <line>\\n": one recv() may hold part of a line or several lines.`,
      );
    }
  }
}

function requireNoCloseWait(r: Load, who: string) {
  const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
  ensure(
    left.length === 0,
    () =>
      `server still has ${count(left.length, 'socket')} in CLOSE_WAIT after ${who} left (${listSome(left.map((x) => `${x.local} <- ${x.peer}`))}): ` +
      `does your handler close() on EOF? recv() returning '' means the client sent FIN; CLOSE_WAIT lasts until you call close().`,
  );
}

export default defineChecker<CloseWaitLeak>({
  lab: 'close-wait-leak',
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' }],
  checks: [
    {
      name: 'answers every line',
      points: 2,
      task: 1,
      description: '10 clients each send three lines (one split across two sends, two in one segment) and expect "OK <line>\\n" for each, then close.',
      async run(t) {
        requireAnswers(await runLoad(t, plans(10, false, 30)));
      },
    },
    {
      name: 'no CLOSE_WAIT after 50 clients leave',
      points: 3,
      task: 2,
      description: '50 clients, 10 ms apart, send their lines, read the answers and close first; afterwards the server must hold no CLOSE_WAIT socket.',
      async run(t) {
        const r = await runLoad(t, plans(50, false, 10));
        requireNoCloseWait(r, '50 clients');
        requireAnswers(r);
      },
    },
    {
      name: 'half-closing clients get every answer and an EOF',
      points: 3,
      task: 3,
      description: '20 clients send their lines then shutdown(SHUT_WR) and read answers until EOF; each must get all answers and EOF, and the server must hold no CLOSE_WAIT socket.',
      async run(t) {
        const r = await runLoad(t, plans(20, true, 15));
        requireAnswers(r);
        requireNoCloseWait(r, '20 half-closing clients');
      },
    },
    {
      name: 'ends connections with FIN, not RST',
      points: 1,
      task: 2,
      description: 'Across 20 clients, the server must send no RST: a reset loses answers still in flight.',
      async run(t) {
        const r = await runLoad(t, [...plans(10, false, 10), ...plans(10, true, 10).map((p) => ({ ...p, startMs: p.startMs + 5 }))]);
        const rsts = segments(r.world, { from: 'server', rst: true });
        ensure(
          rsts.length === 0,
          () =>
            `the server sent ${count(rsts.length, 'RST')}, the first at ${at(rsts[0].t)}${fromState(rsts[0])}: ` +
            `close() with unread data or SO_LINGER 0 resets the connection and throws away answers not yet delivered. Read to EOF, then close() normally.`,
        );
        requireAnswers(r);
      },
    },
  ],
});
