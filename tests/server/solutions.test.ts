// A lab's reference solution goes out through GET /api/solutions/:lab, never as
// a static file from the server: anyone gets it, except the learners of a
// workshop whose instructor turned solutions off (403, with a message), and
// turning them back on works at once.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, root, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = new Client(server.origin, server.adminToken);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('reference solutions and workshops', () => {
  it('the build carries each solution as a file the pages never inline', () => {
    expect(existsSync(path.join(root, 'dist/site/solutions/clean-client.json'))).toBe(true);
  });

  it('serves a solution to a visitor outside any workshop, and never as a static file', async () => {
    const anyone = new Client(server.origin);
    const r = await anyone.get('/api/solutions/clean-client');
    expect(r.status).toBe(200);
    expect(r.json.source).toContain('export async function fetchAll');
    expect((await anyone.get('/solutions/clean-client.json')).status).toBe(404);
    expect((await anyone.get('/api/solutions/..%2Fadmin-token')).status).toBe(404);
    expect((await anyone.get('/api/solutions/no-such-lab')).status).toBe(404);
  });

  it("refuses it to a workshop's learners while the instructor hides solutions, and gives it again once shown", async () => {
    const ws = (await admin.post('/api/workshops', { title: 'No spoilers' })).json;
    const instructor = new Client(server.origin, ws.instructorToken);
    const learner = new Client(server.origin);
    expect((await learner.post(`/api/workshops/${ws.code}/join`, { name: 'Grace' })).status).toBe(201);
    expect((await learner.get('/api/me')).json.workshop.solutions).toBe(true);

    const hide = await instructor.post(`/api/workshops/${ws.code}/solutions`, { shown: false });
    expect(hide.json).toEqual({ solutions: false });
    expect((await learner.get('/api/me')).json.workshop.solutions).toBe(false);
    const refused = await learner.get('/api/solutions/clean-client');
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('turned solutions off');
    expect((await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json.workshop.solutions).toBe(false);

    expect((await learner.post(`/api/workshops/${ws.code}/solutions`, { shown: true })).status).toBe(401);
    expect((await instructor.post(`/api/workshops/${ws.code}/solutions`, { shown: 'yes' })).status).toBe(400);
    expect((await instructor.post(`/api/workshops/${ws.code}/solutions`, { shown: true })).json).toEqual({ solutions: true });
    expect((await learner.get('/api/solutions/clean-client')).status).toBe(200);
  });
});
