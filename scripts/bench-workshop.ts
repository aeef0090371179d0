// The workshop server under a room's load, measured against the real server
// process (src/server/main.ts, its SQLite file and its grading pool):
//   1. 200 learners, each submitting a lab every 30 s for 2 minutes (a mix of
//      every lab, right and wrong code): gradings/s, p50/p99 from the POST to
//      the 'done' event, errors, lost submissions (acknowledged, never graded).
//   2. The rate raised step by step until p99 passes 2 s: the saturation
//      throughput is the gradings/s of the last step that kept p99 under 2 s.
//   3. Each backend with one and with two grading processes, under the same
//      burst (200 learners in a room, 10 submissions/s until 80 are sent, more
//      than one or two processes keep up with, so the figure is the backend's
//      and the graders' throughput): SQLite with GRADERS=1 and 2 in the server;
//      PostgreSQL with a server that does not grade (GRADERS=0) and one or two
//      grading nodes (`closing-time grader --graders 1`), on a throwaway
//      cluster with fsync on. gradings/s from the first POST to the last
//      'done', p50/p99 from each POST to its 'done'. The PostgreSQL runs skip
//      with a line when it is not installed.
// Run alone with `npx tsx scripts/bench-workshop.ts` (BENCH_WORKSHOP_QUICK=1 for
// a 30 s room run); `npm run bench` calls benchWorkshop().
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresUnavailable, startPostgres } from './throwaway-postgres.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Server {
  origin: string;
  adminToken: string;
  stop(): Promise<void>;
}

async function start(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts')], {
    cwd: root,
    // The room joins from one address here, as many rooms do behind NAT; a real room's joins spread over a minute.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SITE_DIR: path.join(root, 'dist', 'site'), QUEUE_MAX: '100000', JOINS_PER_MINUTE: '100000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /being served at (http:\/\/[^\s/]+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    proc.once('exit', () => reject(new Error(`server exited: ${out}`)));
  });
  return {
    origin,
    adminToken: readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(),
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A grading node (`closing-time grader`, the built command) on a database. */
async function startGraderNode(databaseUrl: string, graders: number): Promise<{ stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [path.join(root, 'bin/closing-time.mjs'), 'grader', '--database', databaseUrl, '--graders', String(graders)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (/is grading for/.test(out)) resolve();
    });
    proc.once('exit', () => reject(new Error(`grading node exited: ${out}`)));
  });
  return {
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Every lab's reference solution and its starter and wrong attempts: what a room sends. */
export function corpus(): { lab: string; source: string; right: boolean }[] {
  const out: { lab: string; source: string; right: boolean }[] = [];
  for (const lab of readdirSync(path.join(root, 'labs'), { withFileTypes: true })) {
    if (!lab.isDirectory()) continue;
    const dir = path.join(root, 'labs', lab.name);
    out.push({ lab: lab.name, source: readFileSync(path.join(dir, 'solution.ts'), 'utf8'), right: true });
    out.push({ lab: lab.name, source: readFileSync(path.join(dir, 'starter.ts'), 'utf8'), right: false });
    const wrong = path.join(root, 'tests', 'labs', 'wrong', lab.name);
    try {
      for (const f of readdirSync(wrong)) out.push({ lab: lab.name, source: readFileSync(path.join(wrong, f), 'utf8'), right: false });
    } catch {
      // a lab without wrong attempts
    }
  }
  return out;
}

interface Learner {
  cookie: string;
}

async function room(s: Server, n: number): Promise<{ code: string; token: string; learners: Learner[] }> {
  const r = await fetch(`${s.origin}/api/workshops`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.adminToken}` }, body: JSON.stringify({ title: 'Load' }) });
  const ws = (await r.json()) as { code: string; instructorToken: string };
  const learners: Learner[] = [];
  for (let i = 0; i < n; i++) {
    const j = await fetch(`${s.origin}/api/workshops/${ws.code}/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `learner ${i + 1}` }) });
    learners.push({ cookie: j.headers.getSetCookie()[0]!.split(';')[0]! });
  }
  return { code: ws.code, token: ws.instructorToken, learners };
}

/** Watches the instructor's event stream and resolves each submission's 'done'. */
function watchDone(s: Server, code: string, token: string) {
  const done = new Map<string, number>();
  const waiting = new Map<string, (t: number) => void>();
  const abort = new AbortController();
  void (async () => {
    const res = await fetch(`${s.origin}/api/workshops/${code}/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!block.startsWith('event: submission')) continue;
          const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { id: string; status: string };
          if (data.status !== 'done') continue;
          const t = performance.now();
          done.set(data.id, t);
          waiting.get(data.id)?.(t);
          waiting.delete(data.id);
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    when(id: string): Promise<number> {
      const t = done.get(id);
      return t !== undefined ? Promise.resolve(t) : new Promise((r) => waiting.set(id, r));
    },
    close: () => abort.abort(),
  };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

interface Phase {
  submitted: number;
  graded: number;
  errors: number;
  rejected: number;
  lost: number;
  p50: number;
  p99: number;
  perSecond: number;
}

/**
 * Sends `total` submissions, one every `intervalMs` on average (spread evenly,
 * learners in turn), and waits for every acknowledged one to be graded (at most
 * `graceMs` after the last was sent).
 */
async function phase(s: Server, r: Awaited<ReturnType<typeof room>>, works: ReturnType<typeof corpus>, total: number, intervalMs: number, graceMs: number): Promise<Phase> {
  const watch = watchDone(s, r.code, r.token);
  const latencies: number[] = [];
  let errors = 0;
  let rejected = 0;
  let lost = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let lastDone = t0;
  for (let i = 0; i < total; i++) {
    const due = t0 + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    const learner = r.learners[i % r.learners.length]!;
    const work = works[(i * 7) % works.length]!;
    pending.push(
      (async () => {
        const sent = performance.now();
        let res: Response;
        try {
          res = await fetch(`${s.origin}/api/workshops/${r.code}/submissions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie: learner.cookie },
            body: JSON.stringify({ lab: work.lab, source: work.source }),
          });
        } catch {
          errors++;
          return;
        }
        if (res.status === 429) {
          rejected++;
          return;
        }
        if (res.status !== 202) {
          errors++;
          return;
        }
        const { id } = (await res.json()) as { id: string };
        const graded = await Promise.race([watch.when(id), new Promise<null>((res2) => setTimeout(() => res2(null), Math.max(0, t0 + total * intervalMs + graceMs - performance.now())))]);
        if (graded === null) lost++;
        else {
          latencies.push(graded - sent);
          lastDone = Math.max(lastDone, graded);
        }
      })(),
    );
  }
  await Promise.all(pending);
  watch.close();
  const seconds = (lastDone - t0) / 1000;
  return { submitted: total, graded: latencies.length, errors, rejected, lost, p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: latencies.length / Math.max(seconds, 1e-3) };
}

export async function benchWorkshop(): Promise<Record<string, number>> {
  const quick = process.env.BENCH_WORKSHOP_QUICK === '1';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ct-bench-workshop-'));
  const s = await start(dataDir);
  const works = corpus();
  const figures: Record<string, number> = {};
  try {
    // 1. The room: 200 learners, one submission each every 30 s, for 2 minutes.
    const learners = 200;
    const seconds = quick ? 30 : 120;
    const r = await room(s, learners);
    const total = (learners * seconds) / 30;
    const p = await phase(s, r, works, total, (30_000 / learners), 30_000);
    figures['workshop.room.gradingsPerSecond (200 learners, 1 per 30 s)'] = p.perSecond;
    figures['workshop.room.p50Ms'] = p.p50;
    figures['workshop.room.p99Ms (target <= 1000)'] = p.p99;
    figures['workshop.room.errors (target 0)'] = p.errors + p.rejected;
    figures['workshop.room.lost (target 0)'] = p.lost;

    // 2. Saturation: raise the rate until p99 passes 2 s.
    let best = 0;
    let lastRate = 0;
    const rr = await room(s, 400);
    for (const rate of [8, 10, 12, 14, 16, 20, 24, 30, 40]) {
      const step = await phase(s, rr, works, Math.round(rate * (quick ? 8 : 15)), 1000 / rate, 30_000);
      console.log(`  saturation step ${rate}/s: ${step.perSecond.toFixed(1)} gradings/s, p50 ${Math.round(step.p50)} ms, p99 ${Math.round(step.p99)} ms, ${step.rejected} refused (429), ${step.errors} errors, ${step.lost} lost`);
      lastRate = rate;
      if (step.p99 > 2000 || step.lost > 0 || step.errors > 0) break;
      best = Math.max(best, step.perSecond);
    }
    figures['workshop.saturation.gradingsPerSecond at p99 <= 2 s (target >= 10)'] = best;
    figures['workshop.saturation.firstRateOverP99 (submissions/s)'] = lastRate;
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  Object.assign(figures, await benchBackends(works, quick));
  return figures;
}

/** The same burst on SQLite and on PostgreSQL, with one and with two grading processes. */
export async function benchBackends(works: ReturnType<typeof corpus>, quick: boolean): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const learners = 200;
  const total = quick ? 30 : 80;
  const runRoom = async (label: string, s: Server) => {
    const r = await room(s, learners);
    const p = await phase(s, r, works, total, 100, 240_000);
    console.log(`  ${label}: ${p.perSecond.toFixed(1)} gradings/s, p50 ${Math.round(p.p50)} ms, p99 ${Math.round(p.p99)} ms, ${p.errors + p.rejected} errors, ${p.lost} lost`);
    figures[`workshop.backends.${label}.gradingsPerSecond`] = p.perSecond;
    figures[`workshop.backends.${label}.p50Ms`] = p.p50;
    figures[`workshop.backends.${label}.p99Ms`] = p.p99;
    figures[`workshop.backends.${label}.lost`] = p.lost + p.errors + p.rejected;
  };
  console.log(`  ${total} submissions at 10/s from a room of ${learners}, on each backend:`);
  for (const graders of [1, 2]) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ct-bench-workshop-'));
    const s = await start(dataDir, { GRADERS: String(graders) });
    try {
      await runRoom(`sqlite.${graders}grader${graders === 1 ? '' : 's'}`, s);
    } finally {
      await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const why = postgresUnavailable();
  if (why) {
    console.log(`  skipping the PostgreSQL runs: ${why}`);
    return figures;
  }
  // The grading nodes run the built command.
  spawnSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  const cluster = await startPostgres();
  try {
    for (const nodes of [1, 2]) {
      const url = await cluster.createDatabase();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'ct-bench-workshop-'));
      const s = await start(dataDir, { DATABASE_URL: url, GRADERS: '0' });
      const graderNodes = await Promise.all(Array.from({ length: nodes }, () => startGraderNode(url, 1)));
      try {
        await runRoom(`postgres.${nodes}gradingNode${nodes === 1 ? '' : 's'}`, s);
      } finally {
        for (const g of graderNodes) await g.stop();
        await s.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await cluster.stop();
  }
  return figures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await benchWorkshop();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(72)} ${String(Math.round(v * 100) / 100).padStart(10)}`);
}
