// Several machines' worth of processes on one PostgreSQL database: two
// servers that do not grade (GRADERS=0), as a load balancer would front them,
// and two grading nodes (`closing-time grader`). Learners join through one
// server and submit through either (no sticky sessions); the instructor's
// event stream on one server sees every submission; a grading node killed with
// SIGKILL in the middle of a job has that job finished by the other; nothing
// is lost and nothing is graded twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, labFile, startGrader, startServer, waitGraded, type TestGrader, type TestServer } from './harness.ts';
import { startPostgres, testBackends, type TestPostgres } from './postgres.ts';
import { SseReader } from './sse.ts';

const LAB = 'clean-client';
const withPostgres = testBackends().includes('postgres');
const ADMIN_TOKEN = 'scale-out-test-admin-token-0123456789abcdef';

let cluster: TestPostgres | undefined;
let url = '';
const servers: TestServer[] = [];
const graders: TestGrader[] = [];

beforeAll(async () => {
  if (!withPostgres) return;
  cluster = await startPostgres({ fsync: false });
  url = await cluster.createDatabase();
  const env = { DATABASE_URL: url, GRADERS: '0', ADMIN_TOKEN, LEASE_MS: '1500' };
  // The first start migrates the new database; the others find it done.
  servers.push(await startServer({ env }));
  servers.push(await startServer({ env }));
  // The first node (the one to be killed) grades two at a time, so that it surely holds a job when it dies.
  graders.push(...(await Promise.all([startGrader(url, { graders: 2, env: { LEASE_MS: '1500' } }), startGrader(url, { env: { LEASE_MS: '1500' } })])));
}, 180_000);

afterAll(async () => {
  for (const g of graders) await g.kill();
  for (const s of servers) await s.kill();
  await cluster?.stop();
});

describe.runIf(withPostgres)('two servers and two grading nodes on one database', () => {
  it('grades what learners submit through either server, shows it all on one dashboard, and survives a grading node killed mid-job', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    expect(a.dataDir).not.toBe(b.dataDir);
    const ws = (await new Client(a.origin, ADMIN_TOKEN).post('/api/workshops', { title: 'Scale out' })).json;
    expect(ws.code).toBeTruthy();
    const events = await SseReader.open(`${a.origin}/api/workshops/${ws.code}/events`, { authorization: `Bearer ${ws.instructorToken}` });
    expect(events.status).toBe(200);

    // Ten learners join through server a; half of them then submit through b with the same cookie.
    const learners: Client[] = [];
    for (let i = 0; i < 10; i++) {
      const c = new Client(a.origin);
      expect((await c.post(`/api/workshops/${ws.code}/join`, { name: `learner ${i}` })).status).toBe(201);
      if (i % 2) (c as { origin: string }).origin = b.origin;
      learners.push(c);
    }
    const sources = [labFile(LAB, 'solution.ts'), labFile(LAB, 'starter.ts')];
    const ids: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, c] of learners.entries()) {
        const r = await c.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: sources[(i + round) % 2] });
        expect(r.status).toBe(202);
        ids.push(r.json.id);
      }
    }

    // Kill the first grading node while it holds two jobs; what it still holds once dead was cut off mid-job.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const victim = graders[0]!;
    const holding = async () => (await db.query("SELECT id FROM submissions WHERE status = 'grading' AND leased_by = $1", [victim.nodeId])).rows.map((r) => r.id as string);
    for (let i = 0; i < 2000 && (await holding()).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await victim.kill();
    const held = (await holding())[0];
    expect(held).toBeDefined();

    // Every submission is graded, whichever server is asked.
    const instructorB = new Client(b.origin, ws.instructorToken);
    for (const id of ids) {
      const g = await waitGraded(instructorB, id);
      expect(g.status).toBe('done');
      expect(['pass', 'fail']).toContain(g.result.status);
    }
    // The killed node's job was taken over under a new generation and graded by the other node.
    const rows = (await db.query('SELECT id, generation, status, leased_by FROM submissions WHERE workshop_id = (SELECT id FROM workshops WHERE code = $1)', [ws.code])).rows;
    await db.end();
    expect(rows).toHaveLength(ids.length);
    const taken = rows.find((r) => r.id === held)!;
    expect(taken.status).toBe('done');
    expect(taken.generation).toBeGreaterThan(1);
    expect(taken.leased_by).toBe(graders[1]!.nodeId);

    // The dashboard on server a saw each submission queued and graded exactly once, including those sent to b.
    for (const id of ids) await events.next((e) => e.event === 'submission' && e.data.id === id && e.data.status === 'done');
    await new Promise((r) => setTimeout(r, 300));
    events.close();
    for (const id of ids) {
      const mine = events.events.filter((e) => e.event === 'submission' && e.data.id === id).map((e) => e.data.status);
      expect(mine.filter((s) => s === 'queued')).toHaveLength(1);
      expect(mine.filter((s) => s === 'done')).toHaveLength(1);
    }
    const dashboard = (await new Client(a.origin, ws.instructorToken).get(`/api/workshops/${ws.code}/dashboard`)).json;
    expect(dashboard.learners).toHaveLength(10);
    expect(dashboard.learners.reduce((n: number, l: any) => n + l.labs[LAB].attempts, 0)).toBe(ids.length);
  }, 240_000);
});
