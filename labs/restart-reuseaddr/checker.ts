// Lab: restart a server at once while its old connections sit in TIME_WAIT.
// Linux's bind (inet_csk_bind_conflict / inet_bind_conflict) lets a new socket
// share a port with non-LISTEN sockets only if both have SO_REUSEADDR, and a
// TIME_WAIT socket keeps the flag of the socket it came from (accepted sockets
// inherit the listener's). SO_REUSEPORT would also allow two live listeners.
import { defineChecker, ensure, fail, isCheckFailure, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeDescriptorIn, describeFailure, failures, listSome, openDescriptors } from '../../src/grading/trace-queries.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { restartReuseaddrMessages } from './messages.ts';
import { errnoOf, readToEof, readUntil } from '../../src/grading/reference-io.ts';
import type { OS, ProcessEvent, Socket, World } from '../../src/sim/index.ts';
import { LISTEN_DROP_NOTE, LISTEN_OVERFLOW_NOTE } from '../../src/sim/tcp/counters.ts';

/** A process failure as a message: the checker's own verdicts (fail() inside a process) as they are. */
function failureText(f: ProcessEvent, lang: GradeLang): string {
  return f.error?.name === 'CheckFailure' ? f.error.message : msgs(lang).failedListen({ error: describeFailure(f, lang) });
}

const msgs = (lang: GradeLang) => restartReuseaddrMessages.messages[lang];
type Messages = ReturnType<typeof msgs>;

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
async function callListen(m: Messages, learner: RestartReuseaddr, os: OS, port: number, who = m.whoListen, strict = false): Promise<Socket> {
  const ls = await learner.listen(os, port);
  if (!ls || typeof ls !== 'object' || typeof (ls as Socket).accept !== 'function') {
    fail(m.notSocket({ who, type: ls === null ? 'null' : typeof ls }));
  }
  if (ls.state !== 'LISTEN') fail(m.notListening({ who, state: ls.state }));
  if (strict && ls.localAddress?.port !== port) fail(m.wrongPort({ who, got: String(ls.localAddress?.port), port }));
  return ls;
}

interface ClientLog {
  ok: number;
  /** What went wrong for each client that never got its answer. */
  errors: string[];
  /** Segments sent again: the clients' (SYNs, requests) and the server's SYN-ACKs. */
  synRetries: number;
}

/**
 * A client that connects, sends one request line, reads the answer to EOF and
 * closes; on ECONNREFUSED / ECONNRESET (the server is restarting) it tries
 * again `retries` times, `retryMs` apart.
 */
function startClient(m: Messages, os: OS, target: { port: number }, request: string, log: ClientLog, retries: number, retryMs: number) {
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
        else log.errors.push(m.clientGot({ received: JSON.stringify(received) }));
        return;
      } catch (error) {
        await s.close();
        const errno = errnoOf(error);
        if ((errno === 'ECONNREFUSED' || errno === 'ECONNRESET') && attempt < retries) {
          await os.sleep(retryMs);
          continue;
        }
        log.errors.push(m.clientError({ errno: errno ?? String(error), at: at(os.now()), received: received ? JSON.stringify(received) : undefined }));
        return;
      }
    }
  }, 'client');
}

function newLog(): ClientLog {
  return { ok: 0, errors: [], synRetries: 0 };
}

/**
 * Counts the client host's retransmissions (SYNs, and requests sent after a dropped final ACK)
 * and the server's retransmitted SYN-ACKs (Linux's request socket retransmits its SYN-ACK while
 * the final ACK finds the accept queue full).
 */
function countSynRetries(world: World, log: ClientLog) {
  world.on('segment', (e) => {
    if (e.action !== 'send' || !e.seg.retransmission) return;
    if (e.seg.src.host === 'client' || (e.seg.syn && e.seg.ackFlag && e.seg.src.host === 'server')) log.synRetries++;
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

/** The listener's drops (stack.ts notes them as it counts ListenOverflows and ListenDrops): SYNs and final ACKs. */
function queueDrops(world: World, port: number) {
  return world.trace.filter(
    (e) => e.kind === 'note' && (e.text.startsWith(LISTEN_OVERFLOW_NOTE) || e.text.startsWith(LISTEN_DROP_NOTE)) && e.text.includes(`:${port} has `),
  );
}

/** How long the burst check's server is busy before its first accept(), ms. */
const BUSY_MS = 50;

function requestText(t: CheckContext<RestartReuseaddr>): string {
  return `hello ${t.vary.word(3, 8)}`;
}

/** One server, and a second listen(): from a separately loaded copy, from the same module, from another program. */
async function secondServerScenario(t: CheckContext<RestartReuseaddr>) {
  const port = pickPort(t);
  const m = msgs(t.lang);
  const copy = await t.load();
  const world = t.world();
  const server = world.host('server');
  type Attempt = { who: string; process: string; ok: boolean; error?: unknown; firstState?: string; firstReuseport?: boolean; boundPort?: number };
  const attempts: Attempt[] = [];
  server.run(async (os) => {
    const first = await callListen(m, t.learner, os, port);
    const bound = first.localAddress!.port;
    const firstReuseport = first.getsockopt('SO_REUSEPORT');
    const list: { who: string; process: string; run: (os: OS) => Promise<Socket> }[] = [
      { who: m.whoSecondProgram, process: 'second-program', run: (os2) => copy.listen(os2, port) },
      { who: m.whoSecondListen, process: 'second-listen', run: (os2) => t.learner.listen(os2, port) },
      {
        who: m.whoOtherProgram,
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
          const boundPort = s?.localAddress?.port;
          attempts.push({ who: attempt.who, process: attempt.process, ok: true, firstState: first.state, firstReuseport, ...(boundPort !== undefined ? { boundPort } : {}) });
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
  return { world, summary, attempts, port, m };
}

export default defineChecker<RestartReuseaddr>({
  lab: 'restart-reuseaddr',
  messages: restartReuseaddrMessages,
  exports: [{ name: 'listen', kind: 'function', signature: 'export async function listen(os: OS, port: number): Promise<Socket>' }],
  checks: [
    {
      name: 'listens on the given port',
      points: 1,
      task: 1,
      description: 'listen(os, port), with a port between 8000 and 8999, must resolve with a socket in LISTEN on that port that accepts a client and answers it.',
      async run(t) {
        const port = pickPort(t);
        const m = msgs(t.lang);
        const request = requestText(t);
        const world = t.world();
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        let reply: string | undefined;
        server.run(async (os) => {
          const ls = await callListen(m, t.learner, os, port, m.whoListen, true);
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
        if (f) fail(failureText(f, t.lang));
        ensure(reply === `hi 1 ${request}\n`, m.wrongReply({ reply: JSON.stringify(reply ?? ''), port, want: `hi 1 ${request}` }));
      },
    },
    {
      name: 'serves a burst of clients at once',
      points: 1,
      task: 1,
      description:
        "Between 40 and 90 clients connect in the same millisecond while the server is busy for 50 ms before its first accept(): the accept queue must hold them all (no SYN or handshake's final ACK dropped for a full queue, no SYN or SYN-ACK retransmitted) and every client must get its answer.",
      async run(t) {
        const port = pickPort(t);
        const clients = t.vary.int(40, 90);
        const m = msgs(t.lang);
        const world = t.world({ untilMs: 60_000 });
        const server = world.host('server');
        const client = world.host('client');
        world.link(client, server, { delayMs: 5 });
        const log = newLog();
        countSynRetries(world, log);
        const target = { port };
        server.run(async (os) => {
          const ls = await callListen(m, t.learner, os, port);
          target.port = ls.localAddress!.port;
          // Busy before its first accept(): the whole burst completes its handshakes meanwhile,
          // and the accept queue (backlog + 1 connections) must hold it.
          await os.sleep(BUSY_MS);
          await serve(os, ls, { n: 0 }, clients, 'server');
          await os.sleep(1000);
          await ls.close();
        }, 'server');
        client.run(async (os) => {
          await os.sleep(1);
          const all = Array.from({ length: clients }, (_, i) => startClient(m, os, target, `hello ${i} ${t.vary.word()}`, log, 0, 0));
          await Promise.all(all.map((p) => p.done));
          world.stop('every client finished');
        }, 'burst');
        const summary = await t.run(world);
        const f = failures(summary, 'server')[0];
        if (f) fail(failureText(f, t.lang));
        const drops = queueDrops(world, target.port);
        if (drops.length || log.synRetries) {
          const dropped = new Set(drops.map((e) => (e.kind === 'note' ? /(?:SYN|ACK) from (\S+) dropped/.exec(e.text)?.[1] : undefined)));
          fail(m.synDropped({ clients, dropped: dropped.size, port: target.port, first: at(drops[0]?.t ?? 0), backlogs: listSome(backlogs(world), 3, t.lang), retries: log.synRetries, drops: drops.length }));
        }
        ensure(log.ok === clients, () => m.fewAnswered({ ok: log.ok, clients, errors: listSome(log.errors, 3, t.lang) }));
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
        const m = msgs(t.lang);
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
          const ls = await callListen(m, t.learner, os, port, m.whoFirst);
          target.port = ls.localAddress!.port;
          await serve(os, ls, served, before, 'v1');
          await os.sleep(200); // let the last worker close its connection
          await ls.close();
          run.v1ClosedAt = os.now();
          run.timeWait = os.ss().inState('TIME-WAIT').length;
          // The new version of the server starts at once, like `systemctl restart`: a new program, loaded afresh.
          os.spawn(async (os2) => {
            try {
              const ls2 = await callListen(m, restarted, os2, port, m.whoRestarted);
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
          const first = Array.from({ length: before }, (_, i) => startClient(m, os, target, `${requestText(t)} ${i}`, log, 0, 0));
          await Promise.all(first.map((p) => p.done));
          // The second burst straddles the restart: some reach the old listener as it closes, some find no listener, some the new one.
          await os.sleep(150);
          const second = [];
          for (let i = 0; i < after; i++) {
            second.push(startClient(m, os, target, `${requestText(t)} ${before + i}`, log, 40, 50));
            await os.sleep(5);
          }
          await Promise.all(second.map((p) => p.done));
          await os.sleep(100); // the last workers close
          world.stop('every client finished');
        }, 'clients');
        const summary = await t.run(world);
        const f = failures(summary, 'server-v1')[0];
        if (f) fail(f.error?.name === 'CheckFailure' ? failureText(f, t.lang) : m.firstFailed({ error: describeFailure(f, t.lang) }));
        if (run.v2Error !== undefined) {
          if (isCheckFailure(run.v2Error)) fail(run.v2Error.message);
          const errno = errnoOf(run.v2Error);
          if (errno === 'EADDRINUSE') {
            fail(m.eaddrinuse({ at: at(run.v1ClosedAt ?? 0), port: target.port, timeWait: run.timeWait }));
          }
          fail(m.restartThrew({ error: String((run.v2Error as Error)?.message ?? run.v2Error) }));
        }
        if (run.v1ClosedAt === undefined) fail(m.neverClosed({ at: at(summary.virtualMs) }));
        const outage = m.outage;
        if (run.v2ListeningAt === undefined) {
          const waiting = summary.blocked.filter((b) => b.process === 'server-v2').map((b) => b.waitingIn);
          fail(
            m.notYetListening({
              seconds: ((summary.virtualMs - run.v1ClosedAt) / 1000).toFixed(1),
              at: at(summary.virtualMs),
              ended: summary.endedBy === 'stopped' ? m.endedStopped : String(summary.message),
              waiting: waiting.length ? waiting.join(', ') : undefined,
              outage,
            }),
          );
        }
        const delay = run.v2ListeningAt - run.v1ClosedAt;
        ensure(delay <= 1000, m.slowRestart({ seconds: (delay / 1000).toFixed(1), outage }));
        ensure(
          log.ok === before + after,
          () => m.fewServed({ ok: log.ok, total: before + after, errors: listSome(log.errors, 3, t.lang), v2: run.v2Served }),
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
        const { summary, attempts, port, m } = await secondServerScenario(t);
        const f = failures(summary, 'server')[0];
        if (f) fail(failureText(f, t.lang));
        if (attempts.length < 3) {
          const waiting = summary.blocked.filter((b) => b.host === 'server' && b.process !== 'server').map((b) => m.stillWaiting({ process: b.process, call: b.waitingIn }));
          fail(
            m.secondHung({
              who: [m.whoSecondProgram, m.whoSecondListen][attempts.length] ?? m.whoSecond,
              at: at(summary.virtualMs),
              waiting: waiting.length ? listSome(waiting, 3, t.lang) : undefined,
            }),
          );
        }
        for (const a of attempts) {
          if (a.ok) {
            // It did not fail, but it did not get the port either: it listens somewhere else.
            if (a.boundPort !== port) fail(m.otherPort({ who: a.who, port, got: a.boundPort ?? '?' }));
            if (a.firstState !== 'LISTEN') {
              fail(m.tookAfterClose({ who: a.who, port, state: String(a.firstState) }));
            }
            fail(m.sharedPort({ who: a.who, port, reuseport: !!a.firstReuseport }));
          }
          const errno = errnoOf(a.error);
          if (errno !== 'EADDRINUSE') fail(m.wrongErrno({ who: a.who, errno: errno ?? String(a.error) }));
          if (a.firstState !== 'LISTEN') fail(m.firstNotListening({ who: a.who, state: String(a.firstState) }));
        }
      },
    },
    {
      name: 'closes the socket of a failed listen()',
      points: 1,
      task: 3,
      description: 'When listen(os, port) fails because another server holds the port, the socket it opened must be closed: after the run no descriptor from socket() may be left open on the server.',
      async run(t) {
        const { world, attempts, m } = await secondServerScenario(t);
        // Judged only for the calls that failed (the check above judges whether they should have).
        const failed = attempts.filter((a) => !a.ok);
        const open = openDescriptors(world, 'server').filter((d) => failed.some((a) => a.process === d.process));
        if (open.length) {
          fail(
            m.leftOpen({
              count: open.length,
              errnos: listSome([...new Set(failed.filter((a) => open.some((d) => d.process === a.process)).map((a) => errnoOf(a.error) ?? String(a.error)))], 3, t.lang),
              list: listSome(open.map((d) => describeDescriptorIn(t.lang, d)), 3, t.lang),
            }),
          );
        }
      },
    },
  ],
});
