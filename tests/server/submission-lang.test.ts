// A submission's language on both backends: it is stored with the row, and a
// row written before the column existed (schema version 3) reads as English
// once the server has migrated the database.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/server/workshop/migrations.ts';
import { migratePg, openPgStorage } from '../../src/server/workshop/pg-storage.ts';
import { migrate, openSqliteStorage } from '../../src/server/workshop/sqlite-storage.ts';
import type { Storage } from '../../src/server/workshop/storage.ts';
import { startPostgres, testBackends, type TestPostgres } from './postgres.ts';

const BEFORE_LANG = MIGRATIONS.filter((m) => m.version <= 3);
const at = '2026-01-01T00:00:00.000Z';
const OLD_ROWS = [
  `INSERT INTO workshops (id, code, title, instructor_token_hash, created_at) VALUES (1, 'AAAA-CCCC', 'old', 'h', '${at}')`,
  `INSERT INTO learners (id, workshop_id, name, name_key, joined_at, last_seen) VALUES ('l1', 1, 'Ada', 'ada', '${at}', '${at}')`,
  `INSERT INTO submissions (id, workshop_id, learner_id, lab, source, status, created_at) VALUES ('old-submission', 1, 'l1', 'clean-client', '//', 'queued', '${at}')`,
];

let cluster: TestPostgres | undefined;
const dirs: string[] = [];
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  if (testBackends().includes('postgres')) cluster = await startPostgres({ fsync: false });
}, 120_000);

afterAll(async () => {
  for (const c of closers) await c();
  await cluster?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A database of `backend` at schema version 3 with one submission, then opened (and so migrated) by the server's storage. */
async function upgradedFromV3(backend: 'sqlite' | 'postgres'): Promise<Storage> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-lang-'));
    dirs.push(dir);
    const db = new Database(path.join(dir, 'workshop.sqlite'));
    migrate(db, BEFORE_LANG);
    for (const sql of OLD_ROWS) db.exec(sql);
    db.close();
    const s = openSqliteStorage(dir);
    closers.push(() => s.close());
    return s;
  }
  const url = await cluster!.createDatabase();
  const pool = new pg.Pool({ connectionString: url });
  await migratePg(pool, BEFORE_LANG);
  for (const sql of OLD_ROWS) await pool.query(sql);
  await pool.end();
  const s = await openPgStorage(url);
  closers.push(() => s.close());
  return s;
}

describe.each(testBackends())('on %s', (backend) => {
  it('reads a submission stored before submissions had a language as English', async () => {
    const s = await upgradedFromV3(backend);
    expect((await s.submission('old-submission'))?.lang).toBe('en');
    expect((await s.submissionMetas(1))[0].lang).toBe('en');
    // The queue hands the grader the row with its language.
    expect((await s.claimNext(at))?.lang).toBe('en');
  });

  it('keeps the language a submission was made in, and defaults one made without it to English', async () => {
    const s = await upgradedFromV3(backend);
    await s.addSubmission({ id: 'zh-submission', workshopId: 1, learnerId: 'l1', lab: 'clean-client', source: '//', browserScore: null, browserMax: null, lang: 'zh-CN', createdAt: at });
    await s.addSubmission({ id: 'plain-submission', workshopId: 1, learnerId: 'l1', lab: 'clean-client', source: '//', browserScore: null, browserMax: null, createdAt: at });
    expect((await s.submission('zh-submission'))?.lang).toBe('zh-CN');
    expect((await s.submission('plain-submission'))?.lang).toBe('en');
    expect((await s.latestSubmissions(1)).map((r) => r.lang)).toEqual(['en']);
  });
});
