// `closing-time workshop ... --database URL`, `workshop move-to-postgres` and
// `closing-time grader`, run as an operator runs them (the built command).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli } from '../cli/run-cli.ts';
import { startPostgres, testBackends, type TestPostgres } from './postgres.ts';

const withPostgres = testBackends().includes('postgres');
let cluster: TestPostgres | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  buildCli();
  if (withPostgres) cluster = await startPostgres({ fsync: false });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('closing-time grader', () => {
  it('refuses to start without a PostgreSQL URL, saying what it needs (exit 2)', async () => {
    const none = await cli(['grader']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs the database: --database postgres:\/\//);
    const sqlite = await cli(['grader', '--database', 'sqlite://data/workshop.sqlite']);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toMatch(/must be a PostgreSQL URL/);
  });
});

describe.runIf(withPostgres)('closing-time workshop on PostgreSQL', () => {
  it('creates and lists workshops in the database given with --database', async () => {
    const url = await cluster!.createDatabase();
    const created = await cli(['workshop', 'create', 'On the database', '--database', url, '--json']);
    expect(created.code).toBe(0);
    const { code } = JSON.parse(created.stdout);
    const listed = await cli(['workshop', 'list', '--database', url, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).workshops).toEqual([expect.objectContaining({ code, title: 'On the database', closed: false })]);
  });

  it('moves the workshops of a DATA_DIR into an empty database, and refuses a database that has some', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'ct-move-cli-'));
    dirs.push(data);
    const a = JSON.parse((await cli(['workshop', 'create', 'Monday', '--data', data, '--json'])).stdout).code;
    const b = JSON.parse((await cli(['workshop', 'create', 'Tuesday', '--data', data, '--json'])).stdout).code;
    expect((await cli(['workshop', 'close', b, '--data', data])).code).toBe(0);
    const url = await cluster!.createDatabase();
    const moved = await cli(['workshop', 'move-to-postgres', '--data', data, '--database', url]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/Moved 2 workshop\(s\)/);
    const listed = JSON.parse((await cli(['workshop', 'list', '--database', url, '--json'])).stdout).workshops;
    expect(listed.map((w: { code: string; closed: boolean }) => [w.code, w.closed])).toEqual([
      [a, false],
      [b, true],
    ]);
    const again = await cli(['workshop', 'move-to-postgres', '--data', data, '--database', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds 2 workshop/);
  });
});
