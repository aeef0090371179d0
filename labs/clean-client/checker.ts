// Lab: a client that closes correctly. The checker's server answers one
// request with a reply sent in pieces, then closes first (so TIME_WAIT lands on
// the server and the client's part is the passive close, RFC 9293 §3.6 case 1).
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, fromState, count, describeFailure, failures, segments, socketsIn } from '../../src/grading/trace-queries.ts';
import { firstDifference, payload, readUntil } from '../../src/grading/reference-io.ts';
import type { OS } from '../../src/sim/index.ts';

export interface CleanClient {
  fetchAll(os: OS, server: string, request: string): Promise<string>;
}

const REQUEST = 'GET /report\n';

interface Scenario {
  replyBytes: number;
  pieces: number;
  gapMs: number;
  loss?: number;
}

async function runScenario(t: CheckContext<CleanClient>, s: Scenario) {
  const world = t.world();
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, { delayMs: 5, loss: s.loss ?? 0 });
  const reply = payload(s.replyBytes, `clean-client/${s.replyBytes}`);
  let request: string | undefined;
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    request = (await readUntil(conn, '\n')).text;
    const size = Math.ceil(reply.length / s.pieces);
    for (let i = 0; i < s.pieces; i++) {
      await conn.send(reply.slice(i * size, (i + 1) * size));
      if (i < s.pieces - 1) await os.sleep(s.gapMs);
    }
    await conn.close();
  }, 'server');
  let got: unknown;
  let returned = false;
  client.run(async (os) => {
    got = await t.learner.fetchAll(os, 'server', REQUEST);
    returned = true;
  }, 'fetchAll');
  const summary = await t.run(world);
  const learnerFailure = failures(summary, 'fetchAll')[0];
  return { world, summary, reply, got, returned, request, learnerFailure };
}

type Run = Awaited<ReturnType<typeof runScenario>>;

function requireReturned(r: Run) {
  if (r.learnerFailure) fail(`${describeFailure(r.learnerFailure)}. The server sent its reply and closed normally, so nothing should fail here.`);
  if (!r.returned) {
    const waiting = r.summary.blocked.find((b) => b.process === 'fetchAll');
    fail(
      `fetchAll never returned${waiting ? ` (still waiting in ${waiting.waitingIn} at ${at(r.summary.virtualMs)})` : ''}. ` +
        `recv() returns '' once the server's FIN has arrived: stop reading then.`,
    );
  }
  if (r.request !== REQUEST) fail(`the server received ${JSON.stringify(r.request ?? '')} instead of the request ${JSON.stringify(REQUEST)}: send the request you are given, as is.`);
}

function requireWholeReply(r: Run) {
  ensure(typeof r.got === 'string', `fetchAll returned ${typeof r.got}, not the reply text.`);
  const got = r.got as string;
  if (got === r.reply) return;
  if (got.length < r.reply.length && r.reply.startsWith(got)) {
    fail(
      `fetchAll returned ${got.length} of the ${r.reply.length} bytes the server sent. One recv() returns only what has arrived so far; ` +
        `keep calling recv() until it returns '' (end of stream).`,
    );
  }
  fail(`fetchAll returned ${got.length} bytes that differ from the reply at byte ${firstDifference(got, r.reply)}: return exactly the bytes received, in order.`);
}

function requireNoRst(r: Run) {
  const rsts = segments(r.world, { from: 'client', rst: true });
  if (rsts.length === 0) return;
  const first = rsts[0];
  fail(
    `the client sent ${count(rsts.length, 'RST')}, the first at ${at(first.t)}${fromState(first)}. ` +
      `A close() with unread data, data arriving after close(), or SO_LINGER 0 all end a connection with RST (RFC 2525 §2.17) and the server cannot tell the reply was read: ` +
      `read until recv() returns '' and only then close().`,
  );
}

export default defineChecker<CleanClient>({
  lab: 'clean-client',
  exports: [{ name: 'fetchAll', kind: 'function', signature: 'export async function fetchAll(os: OS, server: string, request: string): Promise<string>' }],
  checks: [
    {
      name: 'returns the whole reply',
      points: 3,
      task: 1,
      description: 'The server answers GET with 40,000 bytes sent in 4 pieces 200 ms apart, then closes; fetchAll must return all of it.',
      async run(t) {
        const r = await runScenario(t, { replyBytes: 40_000, pieces: 4, gapMs: 200 });
        requireReturned(r);
        requireWholeReply(r);
      },
    },
    {
      name: 'closes its socket after EOF',
      points: 2,
      task: 2,
      description: 'After the exchange, the client host must hold no socket in CLOSE_WAIT (the server closed first, so the client must close too).',
      async run(t) {
        const r = await runScenario(t, { replyBytes: 5_000, pieces: 1, gapMs: 0 });
        requireReturned(r);
        const left = socketsIn(r.world, 'client', 'CLOSE-WAIT');
        ensure(
          left.length === 0,
          () =>
            `the client still has ${count(left.length, 'socket')} in CLOSE_WAIT (${left.map((x) => `${x.local} -> ${x.peer}`).join(', ')}) long after the server's FIN. ` +
            `CLOSE_WAIT has no timer: it lasts until your program calls close(). Call close() once recv() returned ''.`,
        );
        const lastAck = segments(r.world, { from: 'client', fin: true });
        ensure(lastAck.length > 0, 'the client never sent its FIN: close() the socket after reading the reply.');
      },
    },
    {
      name: 'ends without RST',
      points: 2,
      task: 2,
      description: 'The reply arrives in 3 pieces 300 ms apart; the client must not send any RST.',
      async run(t) {
        const r = await runScenario(t, { replyBytes: 12_000, pieces: 3, gapMs: 300 });
        requireNoRst(r);
        requireReturned(r);
      },
    },
    {
      name: 'works over a lossy link',
      points: 2,
      task: 3,
      description: 'The link loses 5% of segments (seeded); the client must still return the whole 20,000-byte reply, close, and send no RST.',
      async run(t) {
        const r = await runScenario(t, { replyBytes: 20_000, pieces: 2, gapMs: 100, loss: 0.05 });
        requireReturned(r);
        requireWholeReply(r);
        requireNoRst(r);
        const left = socketsIn(r.world, 'client', 'CLOSE-WAIT');
        ensure(left.length === 0, `the client still has ${count(left.length, 'socket')} in CLOSE_WAIT after the run: close() after EOF.`);
      },
    },
  ],
});
