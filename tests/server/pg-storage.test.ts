// The PostgreSQL backend below the HTTP layer, on a throwaway cluster: the two
// migration sets give the same schema, claims never hand one job to two
// nodes, a lease that runs out passes the job on with its generation bumped
// (so the first node's late result is refused), and events and queued work
// reach the other processes through LISTEN/NOTIFY.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub, type WorkshopEvent } from '../../src/server/workshop/events.ts';
import { GradingQueue } from '../../src/server/workshop/grading-queue.ts';
import { MIGRATIONS } from '../../src/server/workshop/migrations.ts';
import { openPgStorage, type PgStorage } from '../../src/server/workshop/pg-storage.ts';
import { moveSqliteToPostgres } from '../../src/server/workshop/move-to-postgres.ts';
import { migrate, openSqliteStorage } from '../../src/server/workshop/sqlite-storage.ts';
import { startPostgres, testBackends, type TestPostgres } from './postgres.ts';

const withPostgres = testBackends().includes('postgres');
let cluster: TestPostgres | undefined;
const opened: PgStorage[] = [];

beforeAll(async () => {
  if (withPostgres) cluster = await startPostgres({ fsync: false });
}, 120_000);

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  await cluster?.stop();
});

async function open(url: string, options: Parameters<typeof openPgStorage>[1] = {}): Promise<PgStorage> {
  const s = await openPgStorage(url, options);
  opened.push(s);
  return s;
}

const at = () => new Date().toISOString();

async function roomWithSubmissions(s: PgStorage, n: number): Promise<{ workshopId: number; learnerId: string; ids: string[] }> {
  const w = await s.createWorkshop({ code: `C${Math.random().toString(36).slice(2, 10)}`, title: 't', instructorTokenHash: 'h', createdAt: at() });
  const learnerId = `l-${w.id}`;
  expect(await s.addLearner({ id: learnerId, workshopId: w.id, name: 'Ada', nameKey: 'ada', joinedAt: at() })).toBe('ok');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `s-${w.id}-${i}`;
    await s.addSubmission({ id, workshopId: w.id, learnerId, lab: 'clean-client', source: `// ${i}`, browserScore: null, browserMax: null, createdAt: at() });
    ids.push(id);
  }
  return { workshopId: w.id, learnerId, ids };
}

const graded = { result: '{}', score: 1, maxScore: 1, resultStatus: 'pass' as const, gradedAt: '2026-01-01T00:00:00.000Z' };

describe.runIf(withPostgres)('the PostgreSQL workshop storage', () => {
  it('has, after its migrations, the same tables, columns and indexes as SQLite after its own', async () => {
    const url = await cluster!.createDatabase();
    await (await open(url)).close();
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-schema-'));
    const db = new Database(path.join(dir, 'schema.sqlite'));
    migrate(db);
    const sqlite: Record<string, string[]> = {};
    const sqliteIndexes: string[] = [];
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]) {
      sqlite[name] = (db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((c) => c.name).sort();
    }
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string }[]) sqliteIndexes.push(name);
    db.close();
    rmSync(dir, { recursive: true, force: true });

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const cols = (await c.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")).rows as { table_name: string; column_name: string }[];
    const postgres: Record<string, string[]> = {};
    for (const r of cols) (postgres[r.table_name] ??= []).push(r.column_name);
    for (const k of Object.keys(postgres)) postgres[k]!.sort();
    // Named indexes (those a migration creates; keys and UNIQUE columns are named by each engine its own way).
    const pgIndexes = ((await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'")).rows as { indexname: string }[]).map((r) => r.indexname);
    const versions = ((await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows as { version: number }[]).map((r) => r.version);
    await c.end();

    expect(postgres).toEqual(sqlite);
    expect(pgIndexes.sort()).toEqual(sqliteIndexes.sort());
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    expect(postgres.submissions).toContain('lease_until');
  });

  it('applies each migration once when several servers start on a new database at the same moment', async () => {
    const url = await cluster!.createDatabase();
    const all = await Promise.all([open(url), open(url), open(url)]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const n = (await c.query('SELECT COUNT(*)::int AS n FROM schema_migrations')).rows[0].n;
    await c.end();
    expect(n).toBe(MIGRATIONS.length);
    for (const s of all) await s.close();
  });

  it('refuses a second learner with a taken name in the same workshop', async () => {
    const s = await open(await cluster!.createDatabase());
    const { workshopId } = await roomWithSubmissions(s, 0);
    expect(await s.addLearner({ id: 'other', workshopId, name: 'ADA', nameKey: 'ada', joinedAt: at() })).toBe('name_taken');
  });

  it('hands each queued submission to exactly one of many nodes claiming at once', async () => {
    const url = await cluster!.createDatabase();
    const nodes = await Promise.all(Array.from({ length: 4 }, (_, i) => open(url, { nodeId: `node-${i}` })));
    const { ids } = await roomWithSubmissions(nodes[0]!, 20);
    const claimed: string[] = [];
    await Promise.all(
      nodes.map(async (n) => {
        for (;;) {
          const job = await n.claimNext(at());
          if (!job) return;
          claimed.push(job.id);
        }
      }),
    );
    expect([...claimed].sort()).toEqual([...ids].sort());
    expect(new Set(claimed).size).toBe(ids.length);
  });

  it('passes a job whose lease ran out to another node with a new generation, and refuses the first node its late result', async () => {
    const url = await cluster!.createDatabase();
    const a = await open(url, { nodeId: 'a', leaseMs: 300 });
    const b = await open(url, { nodeId: 'b', leaseMs: 300 });
    const { ids } = await roomWithSubmissions(a, 1);
    const first = (await a.claimNext(at()))!;
    expect(first.id).toBe(ids[0]);
    // Held: b finds nothing while a's lease runs.
    expect(await b.claimNext(at())).toBeNull();
    await new Promise((r) => setTimeout(r, 450)); // real time: the lease is the database's clock
    const second = (await b.claimNext(at()))!;
    expect(second.id).toBe(first.id);
    expect(second.generation).toBe(first.generation + 1);
    expect(await a.renewLease(first.id, first.generation)).toBe(false);
    expect(await a.finishGrading(first.id, first.generation, graded)).toBe(false);
    expect(await b.finishGrading(second.id, second.generation, graded)).toBe(true);
    expect((await a.submission(first.id))!.status).toBe('done');
  });

  it('keeps a renewed lease: nobody else claims the job while its node renews', async () => {
    const url = await cluster!.createDatabase();
    const a = await open(url, { nodeId: 'a', leaseMs: 300 });
    const b = await open(url, { nodeId: 'b', leaseMs: 300 });
    await roomWithSubmissions(a, 1);
    const job = (await a.claimNext(at()))!;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await a.renewLease(job.id, job.generation)).toBe(true);
      expect(await b.claimNext(at())).toBeNull();
    }
  });

  it("keeps a grading that runs past its lease: the queue renews it, no other node takes it, and the result lands", async () => {
    const url = await cluster!.createDatabase();
    const a = await open(url, { nodeId: 'a', leaseMs: 300 });
    const b = await open(url, { nodeId: 'b', leaseMs: 300 });
    const { ids } = await roomWithSubmissions(a, 1);
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const grader = {
      size: 1,
      // Four leases long, in real time: the lease is the database's clock.
      grade: async () => {
        release();
        await new Promise((r) => setTimeout(r, 1200));
        return { version: 3, status: 'pass', message: null, tests: [], score: 1, max_score: 1 } as never;
      },
      close: async () => undefined,
    };
    const hub = new EventHub();
    const done: string[] = [];
    hub.subscribe((await a.submission(ids[0]!))!.workshopId, (e) => e.type === 'submission' && e.data.status === 'done' && done.push(e.data.id));
    const queue = new GradingQueue(a, grader, hub, { pollMs: 50 });
    await queue.start();
    await started;
    const stolen: string[] = [];
    while (done.length === 0 && stolen.length === 0) {
      const job = await b.claimNext(at());
      if (job) stolen.push(job.id);
      await new Promise((r) => setTimeout(r, 50));
    }
    await queue.close();
    expect(stolen).toEqual([]);
    expect(done).toEqual(ids);
    expect((await a.submission(ids[0]!))!).toMatchObject({ status: 'done', generation: 1 });
  });

  it('at a start, requeues only gradings whose lease ran out, not those of live nodes', async () => {
    const url = await cluster!.createDatabase();
    const live = await open(url, { nodeId: 'live', leaseMs: 60_000 });
    const dead = await open(url, { nodeId: 'dead', leaseMs: 200 });
    await roomWithSubmissions(live, 2);
    const kept = (await live.claimNext(at()))!;
    const lost = (await dead.claimNext(at()))!;
    await new Promise((r) => setTimeout(r, 300));
    expect(await live.requeueAbandoned()).toBe(1);
    expect((await live.submission(kept.id))!.status).toBe('grading');
    expect((await live.submission(lost.id))!.status).toBe('queued');
  });

  it("delivers one process's dashboard events to the other processes' hubs, once, and its own at once", async () => {
    const url = await cluster!.createDatabase();
    const a = await open(url, { nodeId: 'a' });
    const b = await open(url, { nodeId: 'b' });
    const hubA = new EventHub();
    const hubB = new EventHub();
    await a.shareEvents(hubA);
    await b.shareEvents(hubB);
    const seenA: WorkshopEvent[] = [];
    const seenB: WorkshopEvent[] = [];
    hubA.subscribe(7, (e) => seenA.push(e));
    hubB.subscribe(7, (e) => seenB.push(e));
    const event: WorkshopEvent = { type: 'submission', data: { id: 'x', learnerId: 'l', lab: 'clean-client', status: 'queued' } };
    hubA.publish(7, event);
    expect(seenA).toEqual([event]);
    for (let i = 0; i < 100 && seenB.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seenB).toEqual([event]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seenA).toEqual([event]);
    expect(seenB).toEqual([event]);
  });

  it('wakes the queue watchers of other processes when a submission is stored', async () => {
    const url = await cluster!.createDatabase();
    const server = await open(url, { nodeId: 'server' });
    const grader = await open(url, { nodeId: 'grader' });
    let woken = 0;
    await grader.watchQueue(() => woken++);
    await roomWithSubmissions(server, 1);
    for (let i = 0; i < 100 && woken === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(woken).toBeGreaterThan(0);
  });

  it('moves a SQLite workshop into an empty database with its ids, sessions and grades, and numbers new rows on from them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-move-'));
    const lite = openSqliteStorage(dir);
    await lite.createWorkshop({ code: 'AAAA-AAAA', title: 'first', instructorTokenHash: 'h1', createdAt: at() });
    const w = await lite.createWorkshop({ code: 'KX7P-QM4W', title: 'Friday', instructorTokenHash: 'h2', createdAt: at() });
    await lite.setSolutionsHidden(w.id, true);
    await lite.addLearner({ id: 'ada', workshopId: w.id, name: 'Ada', nameKey: 'ada', joinedAt: at() });
    await lite.createSession({ tokenHash: 'tok', kind: 'learner', workshopId: w.id, learnerId: 'ada', createdAt: at(), expiresAt: '2099-01-01T00:00:00.000Z' });
    await lite.addSubmission({ id: 'done', workshopId: w.id, learnerId: 'ada', lab: 'clean-client', source: 'a', browserScore: 2.5, browserMax: 3, createdAt: at() });
    await lite.addSubmission({ id: 'half', workshopId: w.id, learnerId: 'ada', lab: 'close-wait-leak', source: 'b', browserScore: null, browserMax: null, createdAt: at() });
    const j = (await lite.claimNext(at()))!;
    await lite.finishGrading(j.id, j.generation, { ...graded, score: 2.5, maxScore: 3 });
    await lite.claimNext(at()); // 'half' is left grading, as by a server that stopped
    const before = await lite.latestSubmissions(w.id);
    await lite.close();

    const url = await cluster!.createDatabase();
    expect(await moveSqliteToPostgres(path.join(dir, 'workshop.sqlite'), url)).toEqual({ workshops: 2, learners: 1, sessions: 1, submissions: 2 });
    const s = await open(url);
    const moved = (await s.workshopByCode('KX7P-QM4W'))!;
    expect(moved).toMatchObject({ id: w.id, title: 'Friday', solutionsHidden: true });
    expect((await s.session('tok'))!.learnerId).toBe('ada');
    const after = await s.latestSubmissions(w.id);
    expect(after.find((r) => r.id === 'done')).toEqual(before.find((r) => r.id === 'done'));
    expect(after.find((r) => r.id === 'half')!.status).toBe('queued');
    const fresh = await s.createWorkshop({ code: 'NEW0-NEW0', title: 'next', instructorTokenHash: 'h3', createdAt: at() });
    expect(fresh.id).toBe(w.id + 1);
    // A second move into the same database is refused and changes nothing.
    await expect(moveSqliteToPostgres(path.join(dir, 'workshop.sqlite'), url)).rejects.toThrow(/already holds 3 workshop/);
    rmSync(dir, { recursive: true, force: true });
  });
});
