// An acknowledged submission is never lost: the server is killed with SIGKILL
// while submissions arrive, and every one that got its 202 is there after the
// restart and gets graded. A SIGTERM finishes or requeues what is in flight.
// On each backend: the SQLite file, and PostgreSQL where it is installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendEnv, Client, labFile, startServer, stopTestPostgres, waitGraded, type TestServer } from './harness.ts';
import { testBackends } from './postgres.ts';

const LAB = 'clean-client';

describe.each(testBackends())('on %s', (backend) => {
  let server: TestServer | undefined;
  let env: Record<string, string> = {};

  afterAll(async () => {
    await server?.stop();
    await stopTestPostgres();
  });

  async function roomOf(s: TestServer, learners: number) {
    const admin = new Client(s.origin, s.adminToken);
    const ws = (await admin.post('/api/workshops', { title: 'Durability' })).json;
    const clients: Client[] = [];
    for (let i = 0; i < learners; i++) {
      const c = new Client(s.origin);
      expect((await c.post(`/api/workshops/${ws.code}/join`, { name: `learner ${i}` })).status).toBe(201);
      clients.push(c);
    }
    return { ws, clients, instructor: new Client(s.origin, ws.instructorToken) };
  }

  describe('durability', () => {
    beforeAll(async () => {
      env = await backendEnv(backend);
    });

    it('keeps and grades every acknowledged submission after a kill -9 in the middle of arrivals', async () => {
      server = await startServer({ env });
      const { ws, clients, instructor } = await roomOf(server, 20);
      const sources = [labFile(LAB, 'solution.ts'), labFile(LAB, 'starter.ts')];
      const acknowledged: string[] = [];
      let killed = false;
      const s = server;
      // 60 submissions in flight at once; the server dies after the 25th acknowledgement.
      const sends = Array.from({ length: 60 }, async (_, i) => {
        const c = clients[i % clients.length]!;
        try {
          const r = await c.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: sources[i % 2] });
          if (r.status === 202) {
            acknowledged.push(r.json.id);
            if (acknowledged.length === 25 && !killed) {
              killed = true;
              await s.kill();
            }
          }
        } catch {
          // the connection died with the server: not acknowledged
        }
      });
      await Promise.all(sends);
      expect(killed).toBe(true);
      expect(acknowledged.length).toBeGreaterThanOrEqual(25);

      server = await startServer({ dataDir: s.dataDir, env });
      for (const c of [instructor, ...clients]) (c as { origin: string }).origin = server.origin;
      for (const id of acknowledged) {
        const graded = await waitGraded(instructor, id);
        expect(graded.result.lab).toBe(LAB);
        expect(['pass', 'fail']).toContain(graded.result.status);
      }
    }, 240_000);

    it('on SIGTERM finishes or requeues the gradings in flight and exits 0; after a restart all are graded', async () => {
      await server?.stop();
      server = await startServer({ env });
      const { ws, clients, instructor } = await roomOf(server, 3);
      const ids: string[] = [];
      for (const c of clients) {
        for (let i = 0; i < 2; i++) {
          const r = await c.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: labFile(LAB, i ? 'starter.ts' : 'solution.ts') });
          expect(r.status).toBe(202);
          ids.push(r.json.id);
        }
      }
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: server.dataDir, env });
      (instructor as { origin: string }).origin = server.origin;
      for (const id of ids) expect((await waitGraded(instructor, id)).status).toBe('done');
    }, 240_000);
  });
});
