// Lab: CLOSE_WAIT detective. Four kinds of clients, each from its own host, hit
// the learner's server; `ss` on the server shows which peers the CLOSE_WAIT
// sockets belong to, which points at the handler that returns without close().
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, fromState, count, describeFailure, failures, segments, socketsIn } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import type { OS, Socket, World } from '../../src/sim/index.ts';

export interface CloseWaitDetective {
  handle(conn: Socket): Promise<void>;
}

const CSV = 'item,stock\nbolt,120\nnut,80\nwasher,0\n';
const ROUTES: Record<string, string> = {
  '/static/index.html': '200 <!doctype html><title>shop</title><script src="app.js"></script>',
  '/static/app.js': '200 document.title += " (ready)";',
  '/api/items': `200 ${JSON.stringify({ items: ['bolt', 'nut', 'washer'] })}`,
  '/api/stock': `200 ${JSON.stringify({ bolt: 120, nut: 80, washer: 0 })}`,
  '/report?format=csv': `200 ${CSV}`,
  '/report?format=json': `200 ${JSON.stringify(CSV.trimEnd().split('\n'))}`,
  '/health': '200 ok',
};

/** What each client host asks for. */
const KINDS: Record<string, string[]> = {
  web: ['/static/index.html', '/static/app.js'],
  api: ['/api/items', '/api/stock'],
  reports: ['/report?format=csv', '/report?format=json'],
  monitor: ['/health'],
};

interface Exchange {
  host: string;
  paths: string[];
  got: string[];
  error?: string;
  done: boolean;
}

/** Sends one request and reads its "<status> <length>\n<body>" response; `buffer` keeps bytes read past it. */
async function request(s: Socket, path: string, buffer: { text: string }): Promise<string> {
  await s.send(`GET ${path}\n`);
  const fill = async (enough: () => boolean, what: string) => {
    while (!enough()) {
      const part = await s.recv();
      if (part === '') throw new Error(`EOF ${what} of the response to ${path}`);
      buffer.text += part;
    }
  };
  await fill(() => buffer.text.includes('\n'), 'before the status line');
  const nl = buffer.text.indexOf('\n');
  const [status, length] = buffer.text.slice(0, nl).trim().split(' ');
  buffer.text = buffer.text.slice(nl + 1);
  const n = Number(length);
  if (!Number.isInteger(n) || n < 0) throw new Error(`a malformed status line ${JSON.stringify(status + ' ' + length)} for ${path}`);
  await fill(() => buffer.text.length >= n, 'in the body');
  const body = buffer.text.slice(0, n);
  buffer.text = buffer.text.slice(n);
  return `${status} ${body}`;
}

async function runLoad(t: CheckContext<CloseWaitDetective>, perHost: number, requestsPerConnection: (host: string) => number) {
  const world = t.world();
  const server = world.host('server');
  const hosts = Object.keys(KINDS).map((name) => world.host(name));
  for (const h of hosts) world.link(h, server, { delayMs: 5 });
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => t.learner.handle(conn), 'handle');
    }
  }, 'server');
  const exchanges: Exchange[] = [];
  for (const h of hosts) {
    for (let i = 0; i < perHost; i++) {
      const n = requestsPerConnection(h.name);
      const paths = Array.from({ length: n }, (_, k) => KINDS[h.name][(i + k) % KINDS[h.name].length]);
      const ex: Exchange = { host: h.name, paths, got: [], done: false };
      exchanges.push(ex);
      h.run(async (os: OS) => {
        await os.sleep(i * 40);
        const s = os.socket();
        try {
          await s.connect({ host: 'server', port: 80 });
          const buffer = { text: '' };
          for (const p of paths) ex.got.push(await request(s, p, buffer));
          await s.close();
        } catch (error) {
          ex.error = errnoOf(error) ?? (error instanceof Error ? error.message : String(error));
        }
        ex.done = true;
      }, `${h.name}-client`);
    }
  }
  const summary = await t.run(world);
  const f = failures(summary, 'handle')[0];
  if (f) fail(`your handler threw: ${describeFailure(f)}.`);
  return { world, summary, exchanges };
}

function requireAnswers(exchanges: Exchange[]) {
  for (const ex of exchanges) {
    for (let i = 0; i < ex.paths.length; i++) {
      const want = ROUTES[ex.paths[i]];
      if (ex.got[i] === want) continue;
      const where = ex.paths.length > 1 ? `request ${i + 1} of ${ex.paths.length} on one connection (${ex.paths[i]})` : ex.paths[i];
      if (ex.got[i] === undefined) {
        fail(
          `a ${ex.host} client got no answer to ${where}${ex.error ? `: ${ex.error}` : ex.done ? '' : ' (it was still waiting at the end of the run)'}. ` +
            (i > 0 ? 'The first request on the connection was answered, so the connection ended too early: keep serving requests until the client closes (EOF).' : 'Every route must keep answering.'),
        );
      }
      fail(`a ${ex.host} client asked for ${ex.paths[i]} and got ${JSON.stringify(ex.got[i])} instead of ${JSON.stringify(want)}.`);
    }
    if (ex.error) fail(`a ${ex.host} client got ${ex.error} after its answers${ex.error === 'ECONNRESET' ? ': the server reset the connection' : ''}.`);
  }
}

function peerHost(world: World, peer: string): string {
  const ip = peer.split(':')[0];
  return world.hosts.find((h) => h.ip === ip)?.name ?? ip;
}

export default defineChecker<CloseWaitDetective>({
  lab: 'close-wait-detective',
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' }],
  checks: [
    {
      name: 'every route still answers',
      points: 2,
      task: 1,
      description: '6 clients on each of the hosts web, api, reports and monitor each send one request and check the response.',
      async run(t) {
        const r = await runLoad(t, 6, () => 1);
        requireAnswers(r.exchanges);
      },
    },
    {
      name: 'no CLOSE_WAIT after the load',
      points: 3,
      task: 2,
      description: 'After 10 clients per host have come and gone, the server must hold no socket in CLOSE_WAIT.',
      async run(t) {
        const r = await runLoad(t, 10, (h) => (h === 'reports' || h === 'monitor' ? 1 : 2));
        const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
        if (left.length) {
          const byHost = new Map<string, number>();
          for (const row of left) byHost.set(peerHost(r.world, row.peer), (byHost.get(peerHost(r.world, row.peer)) ?? 0) + 1);
          const parts = [...byHost].map(([h, n]) => `${n} from ${h} (${r.world.hosts.find((x) => x.name === h)?.ip ?? '?'})`);
          fail(
            `server still has ${count(left.length, 'socket')} in CLOSE_WAIT after the clients left: ${parts.join(', ')}. ` +
              `The peer addresses say which clients they belong to; find the handler those clients' requests go through and the path where it returns without close().`,
          );
        }
        requireAnswers(r.exchanges);
      },
    },
    {
      name: 'connections end with FIN, not RST',
      points: 1,
      task: 2,
      description: 'Under the same load, the server must send no RST: a reset may throw away a response still in flight.',
      async run(t) {
        const r = await runLoad(t, 6, (h) => (h === 'reports' || h === 'monitor' ? 1 : 2));
        const rsts = segments(r.world, { from: 'server', rst: true });
        if (rsts.length) {
          fail(
            `the server sent ${count(rsts.length, 'RST')}, the first at ${at(rsts[0].t)} to ${peerHost(r.world, `${rsts[0].seg.dst.ip}:0`)}${fromState(rsts[0])}. ` +
              `A fix with SO_LINGER 0, or a close() while the request is unread, resets the connection: close() normally once the response is sent.`,
          );
        }
        requireAnswers(r.exchanges);
      },
    },
    {
      name: 'keep-alive connections serve several requests',
      points: 1,
      task: 3,
      description: 'Clients on web and api send 3 requests, one after another, on one connection; all must be answered.',
      async run(t) {
        const r = await runLoad(t, 4, (h) => (h === 'web' || h === 'api' ? 3 : 1));
        requireAnswers(r.exchanges);
      },
    },
  ],
});
