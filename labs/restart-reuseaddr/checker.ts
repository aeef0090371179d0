// Lab: restart a server at once while its old connections sit in TIME_WAIT.
// Linux's bind (inet_csk_bind_conflict / inet_bind_conflict) lets a new socket
// share a port with non-LISTEN sockets only if both have SO_REUSEADDR, and a
// TIME_WAIT socket keeps the flag of the socket it came from (accepted sockets
// inherit the listener's). SO_REUSEPORT would also allow two live listeners.
import { defineChecker, ensure, fail, isCheckFailure, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, count, describeDescriptor, describeFailure, failures, listSome, openDescriptors } from '../../src/grading/trace-queries.ts';
import { errnoOf, readToEof, readUntil } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, Socket, World } from '../../src/sim/index.ts';

/** A process failure as a message: the checker's own verdicts (fail() inside a process) as they are. */
function failureText(f: ProcessEvent): string {
  return f.error?.name === 'CheckFailure' ? f.error.message : `${describeFailure(f)}.`;
}

export interface RestartReuseaddr {
  listen(os: OS, port: number): Promise<Socket>;
}

/** The port of a check: it varies with the program graded, so no solution can count on 8080. */
function pickPort(t: CheckContext<RestartReuseaddr>): number {
  return t.vary.int(8000, 8999);
}

interface Served {
  n: number;
}

/**
 * Accepts `connections` clients, answering each request line with "hi <n> <request>\n"
 * and closing first, so TIME_WAIT lands on the server.
 */
async function serve(os: OS, ls: Socket, served: Served, connections: number, name: string) {
  for (let i = 0; i < connections; i++) {
    const conn = await ls.accept();
    os.spawn(async () => {
      const { text } = await readUntil(conn, '\n');
      await conn.send(`hi ${++served.n} ${text}`);
      await conn.close();
    }, `${name}-worker`);
  }
}

/**
 * Calls the learner's listen() and checks it returned a listener. Only the
 * check 'listens on the given port' fails on a wrong port (`strict`); the
 * others go on with the port the listener is on.
 */
async function callListen(learner: RestartReuseaddr, os: OS, port: number, who = 'listen()', strict = false): Promise<Socket> {
  const ls = await learner.listen(os, port);
  if (!ls || typeof ls !== 'object' || typeof (ls as Socket).accept !== 'function') {
    fail(`${who} resolved with ${ls === null ? 'null' : typeof ls}, not the listening Socket.`);
  }
  if (ls.state !== 'LISTEN') fail(`${who} returned a socket in state ${ls.state}: call bind({ port }) and then listen() on it before returning it.`);
  if (strict && ls.localAddress?.port !== port) fail(`${who} returned a socket on port ${ls.localAddress?.port}, not port ${port}: bind({ port }) to the port you are given.`);
  return ls;
}

interface ClientLog {
  ok: number;
  /** What went wrong for each client that never got its answer. */
  errors: string[];
  /** SYNs sent again because the first got no answer. */
  synRetries: number;
}

/**
 * A client that connects, sends one request line, reads the answer to EOF and
 * closes; on ECONNREFUSED / ECONNRESET (the server is restarting) it tries
 * again `retries` times, `retryMs` apart.
 */
function startClient(os: OS, target: { port: number }, request: string, log: ClientLog, retries: number, retryMs: number) {
  return os.spawn(async (os) => {
    for (let attempt = 0; ; attempt++) {
      const s = os.socket();
      let received = '';
      try {
        await s.connect({ host: 'server', port: target.port });
        await s.send(`${request}\n`);
        for (;;) {
          const part = await s.recv();
          if (part === '') break;
          received += part;
        }
        await s.close();
        if (received.startsWith('hi ') && received.endsWith(` ${request}\n`)) log.ok++;
        else log.errors.push(`got ${JSON.stringify(received)}`);
        return;
      } catch (error) {
        await s.close();
        const errno = errnoOf(error);
        if ((errno === 'ECONNREFUSED' || errno === 'ECONNRESET') && attempt < retries) {
          await os.sleep(retryMs);
          continue;
        }
        log.errors.push(`${errno ?? String(error)} at ${at(os.now())}${received ? ` after receiving ${JSON.stringify(received)}` : ''}`);
        return;
      }
    }
  }, 'client');
}

function newLog(): ClientLog {
  return { ok: 0, errors: [], synRetries: 0 };
}

/** Counts retransmitted SYNs from the client host (a dropped SYN costs the client a second). */
function countSynRetries(world: World, log: ClientLog) {
  world.on('segment', (e) => {
    if (e.action === 'send' && e.seg.syn && !e.seg.ackFlag && e.seg.retransmission && e.seg.src.host === 'client') log.synRetries++;
  });
}

/** The backlog the learner passed to listen() on `port`, from the trace. */
function backlogs(world: World): string[] {
  const out: string[] = [];
  for (const e of world.trace) {
    if (e.kind === 'syscall' && e.call === 'listen' && e.phase === 'return' && e.host === 'server') out.push(e.args.split(',').pop()!.trim());
  }
  return out;
}

function queueDrops(world: World, port: number) {
  return world.trace.filter((e) => e.kind === 'note' && e.text.startsWith('listen queue of ') && e.text.includes(`:${port} is full`));
}

function requestText(t: CheckContext<RestartReuseaddr>): string {
  return `hello ${t.vary.word(3, 8)}`;
}

/** One server, and a second listen(): from a separately loaded copy, from the same module, from another program. */
async function secondServerScenario(t: CheckContext<RestartReuseaddr>) {
  const port = pickPort(t);
  const copy = await t.load();
  const world = t.world();
  const server = world.host('server');
  type Attempt = { who: string; process: string; ok: boolean; error?: unknown; firstState?: string; firstReuseport?: boolean };
  const attempts: Attempt[] = [];
  server.run(async (os) => {
    const first = await callListen(t.learner, os, port);
    const bound = first.localAddress!.port;
    const firstReuseport = first.getsockopt('SO_REUSEPORT');
    const list: { who: string; process: string; run: (os: OS) => Promise<Socket> }[] = [
      { who: 'a second program (a separately loaded copy of your module)', process: 'second-program', run: (os2) => copy.listen(os2, port) },
      { who: 'a second listen() in the same program', process: 'second-listen', run: (os2) => t.learner.listen(os2, port) },
      {
        who: 'another program that sets SO_REUSEADDR and SO_REUSEPORT itself',
        process: 'other-program',
        run: async (os2) => {
          const s = os2.socket();
          s.setsockopt('SO_REUSEADDR', true);
          s.setsockopt('SO_REUSEPORT', true);
          try {
            s.bind({ port: bound });
            s.listen();
          } catch (error) {
            await s.close();
            throw error;
          }
          return s;
        },
      },
    ];
    for (const attempt of list) {
      const p = os.spawn(async (os2) => {
        try {
          const s = await attempt.run(os2);
          attempts.push({ who: attempt.who, process: attempt.process, ok: true, firstState: first.state, firstReuseport });
          if (s && typeof s.close === 'function') await s.close();
        } catch (error) {
          attempts.push({ who: attempt.who, process: attempt.process, ok: false, error, firstState: first.state, firstReuseport });
        }
      }, attempt.process);
      await p.done;
    }
    // Unless the learner's code closed it already.
    if (first.state === 'LISTEN') await first.close();
  }, 'server');
  const summary = await t.run(world);
  return { world, summary, attempts, port };
}

export default defineChecker<RestartReuseaddr>({
  lab: 'restart-reuseaddr',
  exports: [{ name: 'listen', kind: 'function', signature: 'export async function listen(os: OS, port: number): Promise<Socket>' }],
  checks: [
    {
      name: 'listens on the given port',
      points: 1,
      task: 1,
      description: 'listen(os, port), with a port between 8000 and 8999, must resolve with a socket in LISTEN on that port that accepts a client and answers it.',
      async run(t) {
        const port = pickPort(t);
        const request = requestText(t);
        const world = t.world();
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        let reply: string | undefined;
        server.run(async (os) => {
          const ls = await callListen(t.learner, os, port, 'listen()', true);
          await serve(os, ls, { n: 0 }, 1, 'server');
        }, 'server');
        client.run(async (os) => {
          const s = os.socket();
          await s.connect({ host: 'server', port });
          await s.send(`${request}\n`);
          reply = await readToEof(s);
          await s.close();
        }, 'client');
        const summary = await t.run(world);
        const f = failures(summary)[0];
        if (f) fail(failureText(f));
        ensure(reply === `hi 1 ${request}\n`, `the client got ${JSON.stringify(reply ?? '')} from the server on port ${port} instead of "hi 1 ${request}\\n".`);
      },
    },
    {
      name: 'serves a burst of clients at once',
      points: 1,
      task: 1,
      description: 'Between 40 and 90 clients connect in the same millisecond: every SYN must find room in the listen queue (none retransmitted) and every client must get its answer.',
      async run(t) {
        const port = pickPort(t);
        const clients = t.vary.int(40, 90);
        const world = t.world({ untilMs: 60_000 });
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        const log = newLog();
        countSynRetries(world, log);
        const target = { port };
        server.run(async (os) => {
          const ls = await callListen(t.learner, os, port);
          target.port = ls.localAddress!.port;
          await serve(os, ls, { n: 0 }, clients, 'server');
          await os.sleep(1000);
          await ls.close();
        }, 'server');
        client.run(async (os) => {
          await os.sleep(1);
          const all = Array.from({ length: clients }, (_, i) => startClient(os, target, `hello ${i} ${t.vary.word()}`, log, 0, 0));
          await Promise.all(all.map((p) => p.done));
          world.stop('every client finished');
        }, 'burst');
        const summary = await t.run(world);
        const f = failures(summary, 'server')[0];
        if (f) fail(failureText(f));
        const drops = queueDrops(world, target.port);
        if (drops.length || log.synRetries) {
          const dropped = new Set(drops.map((e) => (e.kind === 'note' ? /SYN from (\S+) dropped/.exec(e.text)?.[1] : undefined)));
          fail(
            `of ${clients} clients connecting at once, ${dropped.size} had their SYN dropped because port ${target.port}'s listen queue was full (the first at ${at(drops[0]?.t ?? 0)}; your listen() passed backlog ${listSome(backlogs(world))}), ` +
              `so they waited for SYN retransmissions (after 1 s, then 2 s, 4 s ...): ${count(log.synRetries, 'SYN was', 'SYNs were')} sent again, ${drops.length} dropped in all. ` +
              `The backlog bounds the connections waiting for accept(); listen() with no argument takes the default (128 here, capped by net.core.somaxconn).`,
          );
        }
        ensure(log.ok === clients, () => `only ${log.ok} of ${clients} clients got their answer (${listSome(log.errors)}).`);
      },
    },
    {
      name: 'restarts at once while old connections sit in TIME_WAIT',
      points: 4,
      task: 2,
      description:
        'A server serves a burst of 10–30 clients (closing first, so their sockets go to TIME_WAIT) and closes its listener; a new server, from a separately loaded copy of your module, calls listen(os, port) at once while another burst of clients keeps connecting (retrying on ECONNREFUSED): it must be listening within 1 s and every client must be served.',
      async run(t) {
        const port = pickPort(t);
        const before = t.vary.int(10, 30);
        const after = t.vary.int(10, 30);
        const restarted = await t.load();
        const world = t.world({ untilMs: 120_000 });
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        const log = newLog();
        const served: Served = { n: 0 };
        const target = { port };
        const run: { v1ClosedAt?: number; v2ListeningAt?: number; v2Error?: unknown; timeWait: number; v2Served: number } = { timeWait: 0, v2Served: 0 };
        server.run(async (os) => {
          const ls = await callListen(t.learner, os, port, 'the first server\'s listen()');
          target.port = ls.localAddress!.port;
          await serve(os, ls, served, before, 'v1');
          await os.sleep(200); // let the last worker close its connection
          await ls.close();
          run.v1ClosedAt = os.now();
          run.timeWait = os.ss().inState('TIME-WAIT').length;
          // The new version of the server starts at once, like `systemctl restart`: a new program, loaded afresh.
          os.spawn(async (os2) => {
            try {
              const ls2 = await callListen(restarted, os2, port, 'the restarted server\'s listen()');
              run.v2ListeningAt = os2.now();
              const v2: Served = { n: served.n };
              await serve(os2, ls2, v2, after, 'v2');
              run.v2Served = v2.n - served.n;
            } catch (error) {
              run.v2Error = error;
            }
          }, 'server-v2');
        }, 'server-v1');
        client.run(async (os) => {
          await os.sleep(1);
          const first = Array.from({ length: before }, (_, i) => startClient(os, target, `${requestText(t)} ${i}`, log, 0, 0));
          await Promise.all(first.map((p) => p.done));
          // The second burst straddles the restart: some reach the old listener as it closes, some find no listener, some the new one.
          await os.sleep(150);
          const second = [];
          for (let i = 0; i < after; i++) {
            second.push(startClient(os, target, `${requestText(t)} ${before + i}`, log, 40, 50));
            await os.sleep(5);
          }
          await Promise.all(second.map((p) => p.done));
          await os.sleep(100); // the last workers close
          world.stop('every client finished');
        }, 'clients');
        const summary = await t.run(world);
        const f = failures(summary, 'server-v1')[0];
        if (f) fail(f.error?.name === 'CheckFailure' ? failureText(f) : `the first server failed: ${describeFailure(f)}.`);
        if (run.v2Error !== undefined) {
          if (isCheckFailure(run.v2Error)) fail(run.v2Error.message);
          const errno = errnoOf(run.v2Error);
          if (errno === 'EADDRINUSE') {
            fail(
              `the restarted server's listen() failed with EADDRINUSE at ${at(run.v1ClosedAt ?? 0)}: port ${target.port} still had ${count(run.timeWait, 'socket')} in TIME_WAIT from the old server's connections. ` +
                `On Linux, bind() may share a port with TIME_WAIT sockets only if BOTH the new socket and the old ones have SO_REUSEADDR, ` +
                `and the old ones got their flag from the old listener. Set SO_REUSEADDR on every listening socket, before bind().`,
            );
          }
          fail(`the restarted server's listen() threw ${String((run.v2Error as Error)?.message ?? run.v2Error)}.`);
        }
        if (run.v1ClosedAt === undefined) fail(`the first server never closed its listener (the run ended at ${at(summary.virtualMs)}).`);
        const outage = 'waiting for TIME_WAIT to expire (60 s on Linux) is exactly the outage this lab removes. SO_REUSEADDR lets bind() succeed at once.';
        if (run.v2ListeningAt === undefined) {
          const waiting = summary.blocked.filter((b) => b.process === 'server-v2').map((b) => b.waitingIn);
          fail(
            `the restarted server was still not listening ${((summary.virtualMs - run.v1ClosedAt) / 1000).toFixed(1)} s after the old one closed its listener, when the run ended at ${at(summary.virtualMs)} (${summary.endedBy === 'stopped' ? 'every client had finished or given up' : summary.message})` +
              (waiting.length ? ` (its listen() was waiting in ${waiting.join(', ')})` : '') +
              `: ${outage}`,
          );
        }
        const delay = run.v2ListeningAt - run.v1ClosedAt;
        ensure(delay <= 1000, `the restarted server took ${(delay / 1000).toFixed(1)} s to listen: ${outage}`);
        ensure(
          log.ok === before + after,
          () => `only ${log.ok} of ${before + after} clients were served across the restart (${listSome(log.errors)}); the restarted server answered ${run.v2Served}.`,
        );
      },
    },
    {
      name: "a second server cannot take a running server's port",
      points: 2,
      task: 3,
      description:
        'While one server listens, listen(os, port) from a separately loaded copy of your module, a second listen() from the same module, and another program that sets SO_REUSEADDR and SO_REUSEPORT must all fail with EADDRINUSE, and the first server must still be listening.',
      async run(t) {
        const { summary, attempts, port } = await secondServerScenario(t);
        const f = failures(summary, 'server')[0];
        if (f) fail(failureText(f));
        if (attempts.length < 3) {
          const waiting = summary.blocked.filter((b) => b.host === 'server' && b.process !== 'server').map((b) => `${b.process} in ${b.waitingIn}`);
          fail(
            `${['a second program (a separately loaded copy of your module)', 'a second listen() in the same program'][attempts.length] ?? 'the second listen()'} had not returned at ${at(summary.virtualMs)}, when the run ended` +
              (waiting.length ? ` (still waiting: ${listSome(waiting)})` : '') +
              `: while another server holds the port, listen() must fail with EADDRINUSE at once instead of waiting for the port.`,
          );
        }
        for (const a of attempts) {
          if (a.ok) {
            if (a.firstState !== 'LISTEN') {
              fail(`${a.who} got port ${port} after the first server's listener was closed (it is in state ${a.firstState}): listen() must not close another server's listener to take its port.`);
            }
            fail(
              `${a.who} bound port ${port} and listened while the first server was still listening` +
                (a.firstReuseport ? `: your listener has SO_REUSEPORT set. ` : `. `) +
                `SO_REUSEPORT lets several listeners share a port on purpose (load balancing), so a server started twice by mistake, or any other program of the same user, goes unnoticed and takes a share of the connections. ` +
                `SO_REUSEADDR is the option for restarts: it never allows two listeners on one port, and the kernel, not your module, must be what refuses the second one.`,
            );
          }
          const errno = errnoOf(a.error);
          if (errno !== 'EADDRINUSE') fail(`${a.who}: listen() failed with ${errno ?? String(a.error)}, expected EADDRINUSE.`);
          if (a.firstState !== 'LISTEN') fail(`after ${a.who} tried, the first server's listener was in state ${a.firstState}, not LISTEN.`);
        }
      },
    },
    {
      name: 'closes the socket of a failed listen()',
      points: 1,
      task: 3,
      description: 'When listen(os, port) fails because another server holds the port, the socket it opened must be closed: after the run no descriptor from socket() may be left open on the server.',
      async run(t) {
        const { world, attempts } = await secondServerScenario(t);
        // Judged only for the calls that failed (the check above judges whether they should have).
        const failed = attempts.filter((a) => !a.ok);
        const open = openDescriptors(world, 'server').filter((d) => failed.some((a) => a.process === d.process));
        if (open.length) {
          fail(
            `${count(open.length, 'socket')} opened by a listen() that failed with ${listSome([...new Set(failed.filter((a) => open.some((d) => d.process === a.process)).map((a) => errnoOf(a.error) ?? String(a.error)))])} ${open.length === 1 ? 'was' : 'were'} left open: ${listSome(open.map(describeDescriptor))}; close() was never called on ${open.length === 1 ? 'it' : 'them'}. ` +
              `A socket whose bind() failed still holds a descriptor: close it before you rethrow (a supervisor that retries listen() would leak one per attempt).`,
          );
        }
      },
    },
  ],
});
