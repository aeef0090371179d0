// Lab: restart a server at once while its old connections sit in TIME_WAIT.
// Linux's bind (inet_csk_bind_conflict / inet_bind_conflict) lets a new socket
// share a port with non-LISTEN sockets only if both have SO_REUSEADDR, and a
// TIME_WAIT socket keeps the flag of the socket it came from (accepted sockets
// inherit the listener's). SO_REUSEPORT would also allow two live listeners.
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, count, describeFailure, failures, socketsIn } from '../../src/grading/trace-queries.ts';
import { errnoOf, readToEof, readUntil } from '../../src/grading/reference-io.ts';
import type { OS, Socket } from '../../src/sim/index.ts';

export interface RestartReuseaddr {
  listen(os: OS, port: number): Promise<Socket>;
}

const PORT = 8080;

/** Accepts `connections` clients, answering "hello\n" with "hi <n>\n" and closing first, so TIME_WAIT lands on the server. */
async function serve(os: OS, ls: Socket, served: { n: number }, connections: number) {
  for (let i = 0; i < connections; i++) {
    const conn = await ls.accept();
    os.spawn(async () => {
      await readUntil(conn, '\n');
      await conn.send(`hi ${++served.n}\n`);
      await conn.close();
    }, 'worker');
  }
}

async function callListen(t: CheckContext<RestartReuseaddr>, os: OS): Promise<Socket> {
  const ls = await t.learner.listen(os, PORT);
  if (!ls || typeof ls !== 'object' || typeof (ls as Socket).accept !== 'function') {
    fail(`listen() resolved with ${ls === null ? 'null' : typeof ls}, not the listening Socket.`);
  }
  if (ls.state !== 'LISTEN') fail(`listen() returned a socket in state ${ls.state}: call bind({ port }) and then listen() on it before returning it.`);
  if (ls.localAddress?.port !== PORT) fail(`listen() returned a socket on port ${ls.localAddress?.port}, not port ${PORT}: bind({ port }) to the port you are given.`);
  return ls;
}

interface RestartRun {
  clientsOk: number;
  clientErrors: string[];
  v1ClosedAt?: number;
  v2ListeningAt?: number;
  v2Error?: unknown;
  timeWaitAtRestart: number;
}

async function restartScenario(t: CheckContext<RestartReuseaddr>) {
  const world = t.world();
  const server = world.host('server');
  const client = world.host('client');
  world.link(client, server, { delayMs: 5 });
  const run: RestartRun = { clientsOk: 0, clientErrors: [], timeWaitAtRestart: 0 };
  const served = { n: 0 };
  server.run(async (os) => {
    const ls = await callListen(t, os);
    await serve(os, ls, served, 5);
    await os.sleep(200); // let the last worker close its connection
    await ls.close();
    run.v1ClosedAt = os.now();
    run.timeWaitAtRestart = os.ss().inState('TIME-WAIT').length;
    // The new version of the server starts at once, like `systemctl restart`.
    os.spawn(async (os2) => {
      try {
        const ls2 = await t.learner.listen(os2, PORT);
        run.v2ListeningAt = os2.now();
        await serve(os2, ls2, served, 5);
      } catch (error) {
        run.v2Error = error;
      }
    }, 'server-v2');
  }, 'server-v1');
  client.run(async (os) => {
    for (let i = 0; i < 10; i++) {
      if (i === 5) await os.sleep(1000);
      const s = os.socket();
      try {
        await s.connect({ host: 'server', port: PORT });
        await s.send('hello\n');
        const reply = await readToEof(s);
        await s.close();
        if (reply.startsWith('hi ')) run.clientsOk++;
        else run.clientErrors.push(`got ${JSON.stringify(reply)}`);
      } catch (error) {
        run.clientErrors.push(`${errnoOf(error) ?? String(error)} at ${at(os.now())}`);
        await os.sleep(500);
      }
    }
  }, 'client');
  const summary = await t.run(world);
  return { world, summary, run };
}

export default defineChecker<RestartReuseaddr>({
  lab: 'restart-reuseaddr',
  exports: [{ name: 'listen', kind: 'function', signature: 'export async function listen(os: OS, port: number): Promise<Socket>' }],
  checks: [
    {
      name: 'listens on the given port',
      points: 1,
      task: 1,
      description: 'listen(os, 8080) must resolve with a socket in LISTEN on port 8080 that accepts a client.',
      async run(t) {
        const world = t.world();
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        let reply: string | undefined;
        server.run(async (os) => {
          const ls = await callListen(t, os);
          await serve(os, ls, { n: 0 }, 1);
        }, 'server');
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port: PORT });
          await s.send('hello\n');
          reply = await readToEof(s);
          await s.close();
        }, 'client');
        const summary = await t.run(world);
        const f = failures(summary)[0];
        if (f) fail(`${describeFailure(f)}.`);
        ensure(reply === 'hi 1\n', `the client got ${JSON.stringify(reply ?? '')} from the server instead of "hi 1\\n".`);
      },
    },
    {
      name: 'restarts at once while old connections sit in TIME_WAIT',
      points: 4,
      task: 2,
      description:
        'The server serves 5 clients (closing first, so their sockets go to TIME_WAIT), closes its listener, and a new server calls listen(os, 8080) at once; it must be listening within 1 s and serve 5 more clients.',
      async run(t) {
        const { summary, run } = await restartScenario(t);
        const f = failures(summary, 'server-v1')[0];
        if (f) fail(`the first server failed: ${describeFailure(f)}.`);
        if (run.v2Error !== undefined) {
          const errno = errnoOf(run.v2Error);
          if (errno === 'EADDRINUSE') {
            fail(
              `the restarted server's listen() failed with EADDRINUSE: port ${PORT} still has ${count(run.timeWaitAtRestart, 'socket')} in TIME_WAIT from the old server's connections. ` +
                `On Linux, bind() may share a port with TIME_WAIT sockets only if BOTH the new socket and the old ones have SO_REUSEADDR, ` +
                `and the old ones got their flag from the old listener. Set SO_REUSEADDR on every listening socket, before bind().`,
            );
          }
          fail(`the restarted server's listen() threw ${String(run.v2Error)}.`);
        }
        if (run.v2ListeningAt === undefined) fail(`the restarted server never got to listen (its listen() had not resolved at ${at(summary.virtualMs)}).`);
        const delay = run.v2ListeningAt - (run.v1ClosedAt ?? 0);
        ensure(
          delay <= 1000,
          `the restarted server took ${(delay / 1000).toFixed(1)} s to listen: waiting for TIME_WAIT to expire (60 s on Linux) is exactly the outage this lab removes. SO_REUSEADDR lets bind() succeed at once.`,
        );
        ensure(
          run.clientsOk === 10,
          () => `only ${run.clientsOk} of 10 clients were served across the restart (${run.clientErrors.slice(0, 3).join('; ')}).`,
        );
      },
    },
    {
      name: 'a second server cannot take a running server\'s port',
      points: 2,
      task: 3,
      description: 'While one server listens on 8080, a second call to listen(os, 8080) must fail with EADDRINUSE.',
      async run(t) {
        const world = t.world();
        const server = world.host('server');
        let second: { ok: boolean; error?: unknown } | undefined;
        server.run(async (os) => {
          const first = await callListen(t, os);
          try {
            await t.learner.listen(os, PORT);
            second = { ok: true };
          } catch (error) {
            second = { ok: false, error };
          }
          await first.close();
        }, 'server');
        const summary = await t.run(world);
        const f = failures(summary)[0];
        if (f) fail(`${describeFailure(f)}.`);
        ensure(second !== undefined, 'the second listen() never returned.');
        if (second.ok) {
          fail(
            `a second listen() on port ${PORT} succeeded while the first server was still listening. SO_REUSEPORT does that on purpose (several listeners share a port), ` +
              `so a server started twice by mistake goes unnoticed and steals half the connections. SO_REUSEADDR is the option for restarts: it never allows two listeners on one port.`,
          );
        }
        const errno = errnoOf(second.error);
        ensure(errno === 'EADDRINUSE', `the second listen() failed with ${errno ?? String(second.error)}, expected EADDRINUSE.`);
        ensure(socketsIn(world, 'server', 'LISTEN').length === 0, 'a listener was left open after close().');
      },
    },
  ],
});
