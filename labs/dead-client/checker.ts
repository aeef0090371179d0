// Lab: find the dead client. Clients of the checker's server vanish without a
// FIN or a RST (a partition: power, cable, a NAT that forgot the flow). The
// learner configures the listening socket (accepted sockets inherit its
// options) so that the kernel reclaims a dead client's connection within
// DEADLINE_MS of its going silent, idle (keepalive: Linux tcp_keepalive_timer)
// or with a reply in flight (keepalive waits while data is unacknowledged;
// TCP_USER_TIMEOUT: tcp_retransmit_timer), while live clients that are idle
// for minutes, read slowly (a zero window: tcp_probe_timer) or drop off the
// network for up to OUTAGE_MS keep their connections.
//
// Everything is judged from the trace: when the server's socket for each
// client went to CLOSED and why, what the clients received, and which errors
// the server's handlers saw. Nothing the learner prints counts.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, failures, socketHistory } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import { DEADLINE_MS, OUTAGE_MS, deadClientMessages, type ClientKind } from './messages.ts';
import type { Host, OS, Socket, World } from '../../src/sim/index.ts';

export interface DeadClient {
  configure(listener: Socket): void;
}

/** What the listener ended up with, read back after configure(). */
interface Options {
  keepalive: boolean;
  idle: number;
  intvl: number;
  cnt: number;
  userTimeout: number;
}

function describeOptions(r: Run): string {
  return r.m.options(r.options);
}

/** How a client behaves (labs/dead-client/messages.ts says what each does). */
type Kind = ClientKind;

interface Client {
  kind: Kind;
  name: string;
  host?: Host;
  /** "ip:port" once connected. */
  addr?: string;
  /** When it went silent (vanished, or its outage began). */
  silentAt?: number;
  replies: number;
  wanted: number;
  /** Size of the large reply (slow-reader). */
  bigBytes: number;
  error?: string;
  errorAt?: number;
}

interface Run {
  world: World;
  serverName: string;
  clients: Client[];
  options: Options;
  /** Errors the server's handlers saw, by client address. */
  serverErrors: Map<string, { errno: string; t: number }>;
  endMs: number;
  lang: GradeLang;
  m: (typeof deadClientMessages.messages)[GradeLang];
}

async function runServer(t: CheckContext<DeadClient>, kinds: Kind[], untilMs: number): Promise<Run> {
  const v = t.vary;
  const world = t.world();
  const serverName = v.pick(['server', 'api', 'chat', 'broker', 'gateway']);
  const server = world.host(serverName);
  const port = v.pick([80, 443, 5222, 8080, v.int(1024, 9999)]);
  const options: Options = { keepalive: false, idle: 7200, intvl: 75, cnt: 9, userTimeout: 0 };
  const serverErrors = new Map<string, { errno: string; t: number }>();
  const bigReply = 'r'.repeat(v.int(40_000, 60_000));
  world.until(untilMs);

  server.run(async (os) => {
    const ls = os.socket();
    // The server's own calls, taken before configure() could replace them on the object.
    const bind = ls.bind.bind(ls);
    const listen = ls.listen.bind(ls);
    const accept = ls.accept.bind(ls);
    t.learner.configure(ls);
    options.keepalive = ls.getsockopt('SO_KEEPALIVE');
    options.idle = ls.getsockopt('TCP_KEEPIDLE');
    options.intvl = ls.getsockopt('TCP_KEEPINTVL');
    options.cnt = ls.getsockopt('TCP_KEEPCNT');
    options.userTimeout = ls.getsockopt('TCP_USER_TIMEOUT');
    bind({ port });
    listen(64);
    for (;;) {
      const conn = await accept();
      const addr = `${conn.remoteAddress!.ip}:${conn.remoteAddress!.port}`;
      os.spawn(async (w) => {
        try {
          for (;;) {
            const req = await conn.recv();
            if (req === '') break;
            if (req.startsWith('slow')) await w.sleep(2_000); // a report takes a while to prepare
            await conn.send(req.startsWith('big') ? bigReply : `reply to ${req}`);
          }
        } catch (e) {
          serverErrors.set(addr, { errno: errnoOf(e) ?? String(e), t: w.now() });
        }
        await conn.close();
      }, 'handler');
    }
  }, 'server');

  const clients: Client[] = kinds.map((kind, i) => ({ kind, name: `${v.pick(['laptop', 'phone', 'kiosk', 'sensor', 'desk', 'car'])}-${i + 1}`, replies: 0, wanted: 0, bigBytes: bigReply.length }));
  for (const [i, c] of clients.entries()) {
    const host = world.host(c.name);
    c.host = host;
    world.link(host, server, { delayMs: v.int(5, 25) });
    const start = 200 + i * v.int(50, 150);
    host.run(async (os) => {
      await os.sleep(start);
      const s = os.socket();
      try {
        if (c.kind === 'slow-reader') s.setsockopt('SO_RCVBUF', 4096);
        await s.connect({ host: serverName, port });
        c.addr = `${s.localAddress!.ip}:${s.localAddress!.port}`;
        await talk(os, world, s, c, server);
      } catch (e) {
        c.error = errnoOf(e) ?? String(e);
        c.errorAt = os.now();
      }
    }, `client ${c.name}`);
  }
  const summary = await t.run(world);
  const threw = failures(summary, 'server');
  const m = deadClientMessages.messages[t.lang];
  if (threw.length) fail(m.serverFailed({ failure: describeFailure(threw[0]!, t.lang) }));
  return { world, serverName, clients, options, serverErrors, endMs: summary.virtualMs, lang: t.lang, m };
}

async function request(s: Socket, c: Client, text: string, bytes = 1): Promise<void> {
  c.wanted++;
  await s.send(text);
  let got = 0;
  while (got < bytes) {
    const part = await s.recv();
    if (part === '') throw Object.assign(new Error('EOF'), { code: 'EOF' });
    got += part.length;
  }
  c.replies++;
}

async function talk(os: OS, world: World, s: Socket, c: Client, server: Host): Promise<void> {
  const cut = (fromMs: number, ms: number) => {
    c.silentAt = fromMs;
    world.partition(c.host!, server, { fromMs, untilMs: fromMs + ms });
  };
  switch (c.kind) {
    case 'vanishes-idle':
      await request(s, c, 'hello');
      cut(os.now() + 1, 24 * 3_600_000);
      await os.sleep(24 * 3_600_000);
      return;
    case 'vanishes-waiting':
      cut(os.now() + 500, 24 * 3_600_000);
      await s.send('slow report');
      await os.sleep(24 * 3_600_000);
      return;
    case 'idle':
      await request(s, c, 'hello');
      await os.sleep(10 * 60_000);
      await request(s, c, 'still there?');
      return;
    case 'slow-reader': {
      c.wanted++;
      await s.send('big file');
      await os.sleep(OUTAGE_MS);
      let got = '';
      while (got.length < c.bigBytes) {
        const part = await s.recv();
        if (part === '') throw Object.assign(new Error('EOF'), { code: 'EOF' });
        got += part;
      }
      c.replies++;
      await request(s, c, 'thanks', 'reply to thanks'.length);
      return;
    }
    case 'outage-idle':
      await request(s, c, 'hello');
      cut(os.now() + 1, OUTAGE_MS);
      await os.sleep(OUTAGE_MS + 2_000);
      await request(s, c, 'back again');
      return;
    case 'outage-waiting':
      cut(os.now() + 500, OUTAGE_MS);
      await request(s, c, 'slow report');
      await request(s, c, 'back again');
      return;
  }
}

/** When and how the server's socket for `c` ended (its change to CLOSED), if it did. */
function ending(r: Run, c: Client) {
  if (!c.addr) return undefined;
  return socketHistory(r.world, r.serverName, c.addr).find((e) => e.to === 'CLOSED');
}

/** Why an option set does not reclaim the idle client in time. */
function idleAdvice(r: Run): string {
  return r.options.keepalive ? r.m.keepaliveTooSlow(r.options) : r.m.noKeepalive;
}

function describeClient(r: Run, c: Client): string {
  return r.m.who({ kind: r.m.kind[c.kind], name: c.name, addr: c.addr });
}

function requireReclaimed(r: Run, c: Client, advice: (r: Run) => string): void {
  const end = ending(r, c);
  const m = r.m;
  const who = describeClient(r, c);
  if (c.silentAt === undefined) fail(m.neverVanished({ who, why: c.error ? m.gotError({ error: c.error, at: at(c.errorAt!) }) : m.stillWaiting }));
  if (!end) {
    fail(m.stillHeld({ who, silentAt: at(c.silentAt), endAt: at(r.endMs), options: describeOptions(r), advice: advice(r) }));
  }
  const took = end.t - c.silentAt;
  if (took > DEADLINE_MS) {
    fail(m.tooLate({ who, silentAt: at(c.silentAt), endAt: at(end.t), cause: String(end.cause), tookMs: took, options: describeOptions(r), advice: advice(r) }), end);
  }
}

function requireAlive(r: Run): void {
  for (const c of r.clients) {
    const m = r.m;
    const who = describeClient(r, c);
    const err = c.addr ? r.serverErrors.get(c.addr) : undefined;
    const end = ending(r, c);
    if (err || (end && c.replies < c.wanted) || c.error) {
      const cause = end ? m.closedBy({ from: String(end.from), cause: String(end.cause), at: at(end.t) }) : '';
      const why =
        end?.cause === 'keepalive timeout'
          ? m.keepaliveGaveUp({ options: describeOptions(r) })
          : end?.cause === 'TCP_USER_TIMEOUT'
            ? m.userTimeoutRanOut({ userTimeout: r.options.userTimeout })
            : m.lookAtOptions({ options: describeOptions(r) });
      const what = err ? m.handlerGot({ errno: err.errno, at: at(err.t) }) : m.clientGot({ error: c.error, at: c.errorAt ? at(c.errorAt) : undefined });
      fail(m.dropped({ who, what, cause, replies: c.replies, wanted: c.wanted, why }), end);
    }
    if (c.replies < c.wanted) fail(m.fewReplies({ who, replies: c.replies, wanted: c.wanted, endAt: at(r.endMs) }));
  }
}

export default defineChecker<DeadClient>({
  lab: 'dead-client',
  messages: deadClientMessages,
  exports: [{ name: 'configure', kind: 'function', signature: 'export function configure(listener: Socket): void' }],
  checks: [
    {
      name: 'reclaims a client that vanished while idle',
      points: 3,
      task: 1,
      description: `A client makes a request, gets its reply and vanishes (no FIN, no RST); a live one stays. The server's socket for the vanished client must end within ${DEADLINE_MS / 1000} s.`,
      async run(t) {
        const r = await runServer(t, ['vanishes-idle', 'idle'], 3 * 60_000);
        requireReclaimed(r, r.clients[0]!, idleAdvice);
      },
    },
    {
      name: 'reclaims a client that vanished with a reply in flight',
      points: 3,
      task: 1,
      description: `A client asks for a slow reply and vanishes before it comes: the reply is retransmitted into the void. The server's socket for it must end within ${DEADLINE_MS / 1000} s.`,
      async run(t) {
        const r = await runServer(t, ['vanishes-waiting'], 3 * 60_000);
        requireReclaimed(r, r.clients[0]!, (x) => (x.options.userTimeout ? x.m.userTimeoutTooLong({ userTimeout: x.options.userTimeout }) : x.m.noUserTimeout));
      },
    },
    {
      name: 'keeps live clients that are idle or read slowly',
      points: 2,
      task: 2,
      description: `A client stays connected and idle for 10 minutes, then asks again; another pauses ${OUTAGE_MS / 1000} s before it reads a 40-60 KB reply (its window shut meanwhile). Both must be served, with no reset and no timeout.`,
      wallMs: 10_000,
      async run(t) {
        requireAlive(await runServer(t, ['idle', 'slow-reader'], 12 * 60_000));
      },
    },
    {
      name: `keeps clients through a ${OUTAGE_MS / 1000}-second outage`,
      points: 2,
      task: 2,
      description: `Two clients lose the network for ${OUTAGE_MS / 1000} s: one while idle, one while its reply is being sent. Both must get their replies afterwards.`,
      async run(t) {
        requireAlive(await runServer(t, ['outage-idle', 'outage-waiting'], 3 * 60_000));
      },
    },
  ],
});
