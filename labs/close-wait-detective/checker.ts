// Lab: CLOSE_WAIT detective. Four kinds of clients, each from its own host, hit
// the learner's server; `ss` on the server shows which peers the CLOSE_WAIT
// sockets belong to, which points at the handler that returns without close().
// The clients behave as real ones do: one request at a time or all at once,
// requests cut across segments, pauses over a second, a half-close after the
// last request, probes that connect and leave, and clients that reset. Paths,
// addresses and timings vary with the program graded (t.vary).
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, describeLeak, failures, resetCause, segments, socketsIn, unclosedDescriptors } from '../../src/grading/trace-queries.ts';
import { errnoOf } from '../../src/grading/reference-io.ts';
import { closeWaitDetectiveMessages } from './messages.ts';
import type { GradeLang } from '../../src/grading/messages.ts';
import type { Host, OS, RunSummary, Socket, World } from '../../src/sim/index.ts';

export interface CloseWaitDetective {
  handle(conn: Socket): Promise<void>;
}

const CSV = 'item,stock\nbolt,120\nnut,80\nwasher,0\n';
const STATIC: Record<string, string> = {
  '/static/index.html': '<!doctype html><title>shop</title><script src="app.js"></script>',
  '/static/app.js': 'document.title += " (ready)";',
};
const API: Record<string, string> = {
  '/api/items': JSON.stringify({ items: ['bolt', 'nut', 'washer'] }),
  '/api/stock': JSON.stringify({ bolt: 120, nut: 80, washer: 0 }),
};

/** The answer the server has always given, as "<status> <body>". */
function expected(path: string): string {
  if (path.startsWith('/static/')) return STATIC[path] !== undefined ? `200 ${STATIC[path]}` : '404 not found';
  if (path.startsWith('/api/')) return API[path] !== undefined ? `200 ${API[path]}` : '404 no such endpoint';
  if (path.startsWith('/report')) return `200 ${path.includes('format=json') ? JSON.stringify(CSV.trimEnd().split('\n')) : CSV}`;
  if (path === '/health') return '200 ok';
  return '404 not found';
}

const HOSTS = ['web', 'api', 'reports', 'monitor'] as const;
type HostName = (typeof HOSTS)[number];

/** What a host's clients ask for (varied: a missing file, an unknown endpoint, report options). */
function pathsOf(t: CheckContext<CloseWaitDetective>, host: HostName, n: number): string[] {
  const pick = (): string => {
    switch (host) {
      case 'web':
        return t.vary.pick(['/static/index.html', '/static/app.js', '/static/index.html', `/static/${t.vary.word()}.css`]);
      case 'api':
        return t.vary.pick(['/api/items', '/api/stock', '/api/items', `/api/${t.vary.word()}`]);
      case 'reports':
        return t.vary.pick(['/report?format=csv', '/report?format=json', `/report?format=${t.vary.pick(['csv', 'json'])}&from=${t.vary.word()}`]);
      case 'monitor':
        return t.vary.pick(['/health', '/health', `/${t.vary.word()}`]);
    }
  };
  return Array.from({ length: host === 'reports' ? 1 : n }, pick);
}

type Kind = 'interactive' | 'pipelined' | 'split' | 'half-close' | 'probe' | 'reset';

interface ClientPlan {
  host: HostName;
  kind: Kind;
  paths: string[];
  startMs: number;
  /** Before the first request and between requests (interactive, split), ms. */
  pauseMs: number;
  /** half-close: a last line without '\n' before the FIN (not a request; answering it or not is up to the server). */
  tail?: string;
}

/** One client connection, recorded as it goes. */
interface Exchange {
  plan: ClientPlan;
  /** Answers so far, as "<status> <body>". */
  got: string[];
  /** Bytes received that do not make a whole answer yet. */
  partial: string;
  connected: boolean;
  eof: boolean;
  error?: string;
  /** The answer's status line could not be read: the line as received, and the request it answered. */
  malformed?: { line: string; path: string };
  errorAt?: number;
  done: boolean;
}

function kindText(r: Load, p: ClientPlan): string {
  return r.m.kind({ kind: p.kind, requests: p.paths.length, pauseMs: p.pauseMs, tail: !!p.tail });
}

/** Reads "<status> <length>\n<body>" answers, keeping what has arrived in `ex.partial`. */
async function answer(s: Socket, ex: Exchange, path: string): Promise<string> {
  const fill = async (enough: () => boolean) => {
    while (!enough()) {
      const part = await s.recv();
      if (part === '') {
        ex.eof = true;
        throw new Error(`EOF before the whole answer to ${path}`);
      }
      ex.partial += part;
    }
  };
  await fill(() => ex.partial.includes('\n'));
  const nl = ex.partial.indexOf('\n');
  const [status, length] = ex.partial.slice(0, nl).trim().split(' ');
  const n = Number(length);
  if (!Number.isInteger(n) || n < 0) {
    const line = JSON.stringify(ex.partial.slice(0, nl));
    ex.malformed ??= { line, path };
    throw new Error(`a malformed status line ${line} for ${path}`);
  }
  await fill(() => ex.partial.length >= nl + 1 + n);
  const body = ex.partial.slice(nl + 1, nl + 1 + n);
  ex.partial = ex.partial.slice(nl + 1 + n);
  return `${status} ${body}`;
}

async function runClient(os: OS, ex: Exchange): Promise<void> {
  const p = ex.plan;
  await os.sleep(p.startMs);
  const s = os.socket();
  try {
    await s.connect({ host: 'server', port: 80 });
    ex.connected = true;
    const lines = p.paths.map((path) => `GET ${path}\n`);
    switch (p.kind) {
      case 'interactive':
        for (let i = 0; i < lines.length; i++) {
          if (p.pauseMs && (i > 0 || lines.length === 1)) await os.sleep(p.pauseMs);
          await s.send(lines[i]);
          ex.got.push(await answer(s, ex, p.paths[i]));
        }
        break;
      case 'split':
        for (let i = 0; i < lines.length; i++) {
          const cut = Math.max(1, Math.min(lines[i].length - 1, 4 + ((p.startMs + i * 7) % (lines[i].length - 4))));
          await s.send(lines[i].slice(0, cut));
          await os.sleep(p.pauseMs);
          await s.send(lines[i].slice(cut));
          ex.got.push(await answer(s, ex, p.paths[i]));
        }
        break;
      case 'pipelined':
      case 'half-close':
        await s.send(lines.join('') + (p.tail ?? ''));
        if (p.kind === 'half-close') s.shutdown('SHUT_WR');
        for (const path of p.paths) ex.got.push(await answer(s, ex, path));
        if (p.kind === 'half-close') {
          // The server closes once it has seen our FIN and answered everything.
          while ((await s.recv()) !== '');
          ex.eof = true;
        }
        break;
      case 'probe':
        if (p.pauseMs) await os.sleep(p.pauseMs);
        break;
      case 'reset':
        for (let i = 0; i < lines.length - 1; i++) {
          await s.send(lines[i]);
          ex.got.push(await answer(s, ex, p.paths[i]));
        }
        await s.send(lines[lines.length - 1]);
        s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
        break;
    }
    await s.close();
  } catch (error) {
    if (ex.error === undefined && !(error instanceof Error && error.message.startsWith('EOF'))) ex.error = errnoOf(error) ?? (error instanceof Error ? error.message : String(error));
    ex.errorAt = os.now();
    try {
      await s.close();
    } catch {
      // already closed
    }
  }
  ex.done = true;
}

interface Load {
  world: World;
  summary: RunSummary;
  exchanges: Exchange[];
  ipOf: Map<string, string>;
  lang: GradeLang;
  m: (typeof closeWaitDetectiveMessages.messages)[GradeLang];
}

/** Clients of each host and kind; `spacingMs` apart per host. */
function plansFor(t: CheckContext<CloseWaitDetective>, spec: { host: HostName; kind: Kind; n: number; requests?: number; pauseMs?: number; tail?: boolean }[]): ClientPlan[] {
  const out: ClientPlan[] = [];
  const next = new Map<HostName, number>();
  for (const s of spec) {
    for (let i = 0; i < s.n; i++) {
      const startMs = (next.get(s.host) ?? 0) + t.vary.int(0, 30);
      next.set(s.host, startMs + 40);
      const pauseMs = s.pauseMs ?? (s.kind === 'split' ? t.vary.int(50, 300) : 0);
      const tail = s.tail ? `GET /${t.vary.word()}` : undefined;
      out.push({ host: s.host, kind: s.kind, paths: s.kind === 'probe' ? [] : pathsOf(t, s.host, s.requests ?? 1), startMs, pauseMs, ...(tail ? { tail } : {}) });
    }
  }
  return out;
}

async function runLoad(t: CheckContext<CloseWaitDetective>, plans: ClientPlan[]): Promise<Load> {
  const world = t.world();
  // Addresses change per program: a fix must not key on the lab text's 10.0.0.4.
  const net = `10.${t.vary.int(1, 250)}.${t.vary.int(0, 250)}`;
  const octets = new Set<number>();
  while (octets.size < HOSTS.length + 1) octets.add(t.vary.int(2, 250));
  const [serverOctet, ...clientOctets] = [...octets];
  const server = world.host('server', `${net}.${serverOctet}`);
  const ipOf = new Map<string, string>([['server', server.ip]]);
  // Only the hosts this load uses: every host that connects costs the simulator a port table.
  const hosts = new Map<HostName, Host>();
  HOSTS.forEach((name, i) => {
    if (!plans.some((p) => p.host === name)) return;
    const h = world.host(name, `${net}.${clientOctets[i]}`);
    ipOf.set(name, h.ip);
    world.link(h, server, { delayMs: 5 });
    hosts.set(name, h);
  });
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
  for (const plan of plans) {
    const ex: Exchange = { plan, got: [], partial: '', connected: false, eof: false, done: false };
    exchanges.push(ex);
    hosts.get(plan.host)!.run((os) => runClient(os, ex), `${plan.host}-client`);
  }
  const summary = await t.run(world);
  return { world, summary, exchanges, ipOf, lang: t.lang, m: closeWaitDetectiveMessages.messages[t.lang] };
}

function clip(text: string, most = 60): string {
  return JSON.stringify(text.length > most ? `${text.slice(0, most)}...` : text);
}

function handlerThrew(r: Load): string {
  const f = failures(r.summary, 'handle')[0];
  return f ? r.m.meanwhile({ failure: describeFailure(f, r.lang) }) : '';
}

/** Every request a client sent was answered as before; judged on answers only. */
function requireAnswers(r: Load, exchanges = r.exchanges) {
  for (const ex of exchanges) {
    const p = ex.plan;
    for (let i = 0; i < p.paths.length; i++) {
      if (p.kind === 'reset' && i === p.paths.length - 1) break; // it never reads that answer
      const want = expected(p.paths[i]);
      const got = ex.got[i];
      if (got === want) continue;
      const m = r.m;
      const who = m.who({ host: p.host, ip: String(r.ipOf.get(p.host)), kind: kindText(r, p) });
      const where = p.paths.length > 1 ? m.whereOfMany({ i: i + 1, n: p.paths.length, path: p.paths[i] }) : m.whereOne({ path: p.paths[i] });
      if (got === undefined) {
        const how = ex.error
          ? m.howError({ error: ex.malformed ? m.malformed(ex.malformed) : ex.error, at: at(ex.errorAt ?? 0) })
          : ex.eof
            ? m.howEof({ at: at(ex.errorAt ?? 0) })
            : m.howWaiting({ at: at(r.summary.virtualMs) });
        const received = ex.partial ? m.receivedSome({ partial: clip(ex.partial) }) : m.receivedNone;
        const advice =
          i > 0
            ? m.adviceEarly
            : !ex.connected
              ? m.adviceNoConnect
              : p.kind === 'split'
                ? m.adviceSplit
                : m.adviceRoutes;
        fail(m.noAnswer({ who, where, how, received, meanwhile: handlerThrew(r), advice }));
      }
      const hint =
        p.kind === 'split' || p.kind === 'pipelined' || p.kind === 'half-close'
          ? m.framingHint
          : '';
      fail(m.wrongAnswer({ who, where, got: clip(got, 80), want: clip(want, 80), hint }));
    }
  }
}

function hostOf(r: Load, ipPort: string): string {
  const ip = ipPort.split(':')[0];
  for (const [name, addr] of r.ipOf) if (addr === ip) return name;
  return ip;
}

/** A message for leftover CLOSE_WAIT sockets or descriptors from accept() never closed. */
function closeProblem(r: Load): string | undefined {
  const left = socketsIn(r.world, 'server', 'CLOSE-WAIT');
  if (left.length) {
    const byHost = new Map<string, number>();
    for (const row of left) byHost.set(hostOf(r, row.peer), (byHost.get(hostOf(r, row.peer)) ?? 0) + 1);
    const parts = [...byHost].map(([h, n]) => r.m.fromHost({ n, host: h, ip: r.ipOf.get(h) ?? '?' }));
    return r.m.closeWait({ n: left.length, parts, meanwhile: handlerThrew(r) });
  }
  // A connection the client still holds open (waiting for an answer it never got) is not a closing question.
  const live = new Set(r.world.hosts.find((h) => h.name === 'server')!.ss().filter((row) => row.state === 'ESTAB').map((row) => row.peer));
  const open = unclosedDescriptors(r.world, 'server').filter((d) => d.via === 'accept' && !live.has(d.peer ?? ''));
  if (open.length) {
    const byHost = new Map<string, number>();
    for (const d of open) byHost.set(hostOf(r, d.peer ?? ''), (byHost.get(hostOf(r, d.peer ?? '')) ?? 0) + 1);
    return r.m.openDescriptors({ n: open.length, parts: [...byHost].map(([h, n]) => r.m.ofHost({ n, host: h })), leak: describeLeak(r.world, open[0], r.lang) });
  }
  return undefined;
}

export default defineChecker<CloseWaitDetective>({
  lab: 'close-wait-detective',
  messages: closeWaitDetectiveMessages,
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket): Promise<void>' }],
  checks: [
    {
      name: 'every route still answers',
      points: 2,
      task: 1,
      description:
        'Clients on web, api, reports and monitor each send one request (known and unknown paths, varied): at once, after a pause over a second, or cut across two segments; each answer must be what the server always sent.',
      async run(t) {
        const plans = plansFor(t, [
          ...HOSTS.map((host) => ({ host, kind: 'interactive' as const, n: 2 })),
          ...HOSTS.map((host) => ({ host, kind: 'interactive' as const, n: 1, pauseMs: t.vary.int(1_100, 1_800) })),
          ...HOSTS.map((host) => ({ host, kind: 'split' as const, n: 1 })),
        ]);
        requireAnswers(await runLoad(t, plans));
      },
    },
    {
      name: 'no CLOSE_WAIT or open descriptor after the load',
      points: 3,
      task: 2,
      description:
        "After clients of every kind have come and gone (keep-alive, all-at-once, half-closing, some after a last line without '\\n', probes that send nothing), the server must hold no socket in CLOSE_WAIT and every descriptor from accept() must be closed.",
      async run(t) {
        const plans = plansFor(t, [
          { host: 'web', kind: 'interactive', n: 3, requests: 2 },
          { host: 'api', kind: 'pipelined', n: 2, requests: 2 },
          { host: 'api', kind: 'half-close', n: 1, requests: 2 },
          { host: 'api', kind: 'half-close', n: 1, requests: 1, tail: true },
          { host: 'reports', kind: 'interactive', n: 4 },
          { host: 'reports', kind: 'half-close', n: 1 },
          { host: 'monitor', kind: 'interactive', n: 2 },
          { host: 'monitor', kind: 'probe', n: 2, pauseMs: t.vary.int(0, 1_500) },
        ]);
        const problem = closeProblem(await runLoad(t, plans));
        if (problem) fail(problem);
      },
    },
    {
      name: 'connections end with FIN, not RST',
      points: 1,
      task: 2,
      description: 'Under a load of keep-alive, all-at-once and half-closing clients (reports among them), the server must send no RST: a reset may throw away a response still in flight.',
      async run(t) {
        const plans = plansFor(t, [
          { host: 'web', kind: 'interactive', n: 2, requests: 2, pauseMs: t.vary.int(200, 1_200) },
          { host: 'api', kind: 'pipelined', n: 1, requests: 3 },
          { host: 'api', kind: 'half-close', n: 1, requests: 2 },
          { host: 'reports', kind: 'interactive', n: 3 },
          { host: 'reports', kind: 'half-close', n: 1 },
          { host: 'monitor', kind: 'interactive', n: 2 },
        ]);
        const r = await runLoad(t, plans);
        const rsts = segments(r.world, { from: 'server', rst: true });
        if (!rsts.length) return;
        const first = rsts[0];
        const peer = first.seg.dst.host;
        const { from: state, cause } = resetCause(r.world, first);
        const m = r.m;
        const head = m.rstHead({ n: rsts.length, at: at(first.t), peer, ip: first.seg.dst.ip, state });
        if (cause?.includes('SO_LINGER 0')) fail(m.rstLinger({ head }), first);
        if (cause?.includes('unread data')) fail(m.rstUnread({ head }), first);
        if (cause?.includes('after close()')) fail(m.rstAfterClose({ head, peer }), first);
        fail(m.rstOrphan({ head, peer, cause }), first);
      },
    },
    {
      name: 'keep-alive connections serve several requests',
      points: 1,
      task: 3,
      description:
        'Clients on web and api send 3-5 requests on one connection: one at a time with pauses over a second, all at once, cut across segments, or followed by shutdown(SHUT_WR); all must be answered.',
      async run(t) {
        const many = () => t.vary.int(3, 5);
        const plans = plansFor(t, [
          { host: 'web', kind: 'interactive', n: 2, requests: many(), pauseMs: t.vary.int(1_100, 1_600) },
          { host: 'api', kind: 'interactive', n: 1, requests: many() },
          { host: 'web', kind: 'pipelined', n: 1, requests: many() },
          { host: 'api', kind: 'split', n: 1, requests: many() },
          { host: 'api', kind: 'half-close', n: 1, requests: many(), tail: true },
          { host: 'monitor', kind: 'interactive', n: 1, requests: many(), pauseMs: t.vary.int(1_100, 1_600) },
        ]);
        requireAnswers(await runLoad(t, plans));
      },
    },
    {
      name: "a client's reset costs no descriptor",
      points: 1,
      task: 4,
      description:
        'Clients on web, api and monitor reset the connection (SO_LINGER 0) right after a request, some after earlier answers; every descriptor from accept() must still be closed.',
      async run(t) {
        const plans = plansFor(t, [
          { host: 'web', kind: 'reset', n: 2, requests: 2 },
          { host: 'api', kind: 'reset', n: 2, requests: 1 },
          { host: 'monitor', kind: 'reset', n: 1, requests: 3 },
          { host: 'api', kind: 'interactive', n: 1, requests: 2 },
        ]);
        const r = await runLoad(t, plans);
        const open = unclosedDescriptors(r.world, 'server').filter((d) => d.via === 'accept');
        if (!open.length) return;
        const d = open[0];
        const host = hostOf(r, d.peer ?? '');
        const rst = segments(r.world, { from: host, to: 'server', rst: true }).find((s) => `${s.seg.src.ip}:${s.seg.src.port}` === d.peer);
        const handler = r.summary.failed.find((f) => f.process === 'handle' && f.t >= d.t && (!rst || f.t >= rst.t));
        const what = rst
          ? r.m.resetThen({ host, at: at(rst.t), failure: handler ? describeFailure(handler, r.lang) : undefined })
          : r.m.fromHostOnly({ host });
        fail(r.m.resetLeak({ n: open.length, leak: describeLeak(r.world, d, r.lang), what }));
      },
    },
  ],
});
