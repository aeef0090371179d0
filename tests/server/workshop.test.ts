// The workshop server end to end, as its users meet it: the real server process
// on a free port with a temporary DATA_DIR, real grading in the sandbox pool,
// over HTTP. An instructor creates a workshop, learners join and submit right
// and wrong code, the dashboard, live events, exports, regrade and close behave
// as design.md's contract says, and a restart loses nothing. All of it on
// each backend: the SQLite file, and PostgreSQL where it is installed.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendEnv, Client, labFile, startServer, stopTestPostgres, waitGraded, type TestServer } from './harness.ts';
import { testBackends } from './postgres.ts';
import { SseReader } from './sse.ts';

describe.each(testBackends())('on %s', (backend) => {
  let server: TestServer;
  let env: Record<string, string>;
  let admin: Client;
  let ws: { code: string; instructorToken: string; instructorUrl: string; joinUrl: string };
  let instructor: Client;
  let ada: Client;
  let bob: Client;
  const LAB = 'close-wait-leak';

  beforeAll(async () => {
    env = await backendEnv(backend);
    server = await startServer({ env });
    admin = new Client(server.origin, server.adminToken);
    const r = await admin.post('/api/workshops', { title: 'Friday TCP workshop' });
    expect(r.status).toBe(201);
    ws = r.json;
    instructor = new Client(server.origin, ws.instructorToken);
    ada = new Client(server.origin);
    bob = new Client(server.origin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await stopTestPostgres();
  });

  describe('a workshop from creation to export', () => {
    it('creates a workshop with a readable join code and a secret instructor link whose token is in the fragment', () => {
      expect(ws.code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}$/);
      expect(ws.instructorToken.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
      const url = new URL(ws.instructorUrl);
      expect(url.search).toBe('');
      expect(url.hash).toContain(`token=${ws.instructorToken}`);
    });

    it('hands out an instructor link into the edition of the page that created the workshop, the English one as before', async () => {
      expect(new URL(ws.instructorUrl).pathname).toBe('/workshop/instructor/');
      const zh = await admin.post('/api/workshops', { title: '周五 TCP 工作坊', lang: 'zh-CN' });
      expect(zh.status).toBe(201);
      const url = new URL(zh.json.instructorUrl);
      expect(url.pathname).toBe('/zh-cn/workshop/instructor/');
      expect(url.hash).toBe(`#code=${zh.json.code}&token=${zh.json.instructorToken}`);
      expect(new URL(zh.json.joinUrl).pathname).toBe('/zh-cn/workshop/');
      expect(new URL(ws.joinUrl).pathname).toBe('/workshop/');
      expect(new URL((await admin.post('/api/workshops', { title: 'English again', lang: 'en' })).json.instructorUrl).pathname).toBe('/workshop/instructor/');
      expect((await admin.post('/api/workshops', { title: 'Klingon', lang: 'tlh' })).status).toBe(400);
    });

    it('keeps its data in the backend it was started on', async () => {
      expect((await admin.get('/api/health')).json.storage).toBe(backend);
      expect(server.output()).toContain(backend === 'postgres' ? 'Workshop data: PostgreSQL at postgres://' : 'workshop.sqlite');
    });

    it('stores only hashes of the tokens', async () => {
      if (backend === 'postgres') {
        // Every row of every table, as text: the workshop is there, its token is not.
        const c = new pg.Client({ connectionString: env.DATABASE_URL });
        await c.connect();
        const tables = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.table_name as string);
        let dump = '';
        for (const t of tables) dump += JSON.stringify((await c.query(`SELECT * FROM ${t}`)).rows);
        await c.end();
        expect(dump).toContain(ws.code);
        expect(dump).not.toContain(ws.instructorToken);
        return;
      }
      const db = readFileSync(`${server.dataDir}/workshop.sqlite`);
      const wal = (() => {
        try {
          return readFileSync(`${server.dataDir}/workshop.sqlite-wal`);
        } catch {
          return Buffer.alloc(0);
        }
      })();
      expect(Buffer.concat([db, wal]).includes(Buffer.from(ws.instructorToken))).toBe(false);
    });

    it('lets learners join with the code in any case and without the hyphen, and keeps their session in a cookie', async () => {
      const r = await ada.post(`/api/workshops/${ws.code.toLowerCase().replace('-', '')}/join`, { name: 'Ada' });
      expect(r.status).toBe(201);
      expect(r.json.workshop.code).toBe(ws.code);
      const cookie = r.headers.getSetCookie().join('\n');
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect((await ada.get('/api/me')).json.name).toBe('Ada');
      expect((await bob.post(`/api/workshops/${ws.code}/join`, { name: 'Bob' })).status).toBe(201);
    });

    it('refuses a second learner with the same name (case and spacing aside)', async () => {
      const r = await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: '  ada ' });
      expect(r.status).toBe(409);
      expect(r.json.error).toBe('name_taken');
    });

    it('grades a correct solution to full marks and the starter with failing checks, in the sandbox, and streams both to the dashboard', async () => {
      const events = await SseReader.open(`${server.origin}/api/workshops/${ws.code}/events`, { authorization: `Bearer ${ws.instructorToken}` });
      expect(events.status).toBe(200);
      try {
        const good = await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: labFile(LAB, 'solution.ts'), browser: { score: 9, max_score: 9 } });
        expect(good.status).toBe(202);
        const bad = await bob.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: labFile(LAB, 'starter.ts') });
        expect(bad.status).toBe(202);
        const g = await waitGraded(ada, good.json.id);
        expect(g.result.status).toBe('pass');
        expect(g.result.score).toBe(g.result.max_score);
        expect(g.browser).toEqual({ score: 9, max_score: 9 });
        const b = await waitGraded(bob, bad.json.id);
        expect(b.result.status).toBe('fail');
        expect(b.result.score).toBeLessThan(b.result.max_score);
        await events.next((e) => e.event === 'submission' && e.data.id === bad.json.id && e.data.status === 'done');
        const seen = events.events.filter((e) => e.event === 'submission' && e.data.id === good.json.id).map((e) => e.data.status);
        expect(seen).toEqual(['queued', 'grading', 'done']);
      } finally {
        events.close();
      }
    });

    it('shows learners x labs with best score and attempts, and the checks the room is stuck on with their message', async () => {
      const d = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      expect(d.workshop.code).toBe(ws.code);
      const byName = Object.fromEntries(d.learners.map((l: any) => [l.name, l]));
      expect(byName.Ada.labs[LAB]).toMatchObject({ best: 9, max: 9, attempts: 1 });
      expect(byName.Bob.labs[LAB].attempts).toBe(1);
      expect(byName.Bob.labs[LAB].best).toBeLessThan(9);
      const failing = Object.entries(d.checks[LAB]).filter(([, n]) => (n as number) > 0);
      expect(failing.length).toBeGreaterThan(0);
      for (const [, n] of failing) expect(n).toBe(1);
      expect(d.sticking[0]).toMatchObject({ lab: LAB, failures: 1, learners: ['Bob'] });
      expect(d.sticking[0].message).toBeTruthy();
    });

    it('shows the join link of the edition the dashboard is read in', async () => {
      expect(new URL((await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json.workshop.joinUrl).pathname).toBe('/workshop/');
      const zh = new URL((await instructor.get(`/api/workshops/${ws.code}/dashboard?lang=zh-CN`)).json.workshop.joinUrl);
      expect(zh.pathname).toBe('/zh-cn/workshop/');
      expect(zh.searchParams.get('code')).toBe(ws.code);
    });

    it("opens a learner's latest code and results for the instructor", async () => {
      const d = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      const bobId = d.learners.find((l: any) => l.name === 'Bob').id;
      const r = await instructor.get(`/api/workshops/${ws.code}/learners/${bobId}`);
      expect(r.status).toBe(200);
      expect(r.json.labs[LAB].submission.source).toBe(labFile(LAB, 'starter.ts'));
      expect(r.json.labs[LAB].submission.result.status).toBe('fail');
    });

    it('gives the instructor the dashboard cookie once for the token, so the event stream needs no header', async () => {
      const browser = new Client(server.origin);
      expect((await browser.get(`/api/workshops/${ws.code}/dashboard`)).status).toBe(401);
      const r = await browser.post(`/api/workshops/${ws.code}/instructor-session`, {}, { authorization: `Bearer ${ws.instructorToken}` });
      expect(r.status).toBe(204);
      expect(r.headers.getSetCookie().join('\n')).toMatch(/HttpOnly/i);
      expect((await browser.get(`/api/workshops/${ws.code}/dashboard`)).status).toBe(200);
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const events = await SseReader.open(`${server.origin}/api/workshops/${ws.code}/events`, { cookie });
      expect(events.status).toBe(200);
      events.close();
    });

    it('exports one CSV row per learner x lab with RFC 4180 quoting and formula cells made inert', async () => {
      const tricky = new Client(server.origin);
      expect((await tricky.post(`/api/workshops/${ws.code}/join`, { name: '=HYPERLINK("x","y"), "q"' })).status).toBe(201);
      const r = await instructor.get(`/api/workshops/${ws.code}/export.csv`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = r.text.split('\r\n');
      expect(lines[0]).toBe('learner,lab,best,max,attempts,last_submission_at,last_score,last_status');
      expect(lines.at(-1)).toBe('');
      const d = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      expect(lines.length - 2).toBe(d.learners.length * d.labs.length);
      expect(r.text).toContain(`"'=HYPERLINK(""x"",""y""), ""q""",${LAB},0,9,0`);
      expect(lines.find((l) => l.startsWith(`Ada,${LAB},`))).toMatch(/^Ada,close-wait-leak,9,9,1,/);
    });

    it('exports JSON with each learner’s latest result in the grader’s format', async () => {
      const r = await instructor.get(`/api/workshops/${ws.code}/export.json`);
      const ada = r.json.learners.find((l: any) => l.name === 'Ada');
      expect(ada.labs[LAB].result).toMatchObject({ version: 3, lab: LAB, status: 'pass', score: 9, max_score: 9 });
    });

    it('regrades every learner’s latest submission per lab', async () => {
      const events = await SseReader.open(`${server.origin}/api/workshops/${ws.code}/events`, { authorization: `Bearer ${ws.instructorToken}` });
      try {
        const r = await instructor.post(`/api/workshops/${ws.code}/regrade`, {});
        expect(r.status).toBe(200);
        expect(r.json.requeued).toBe(2);
        const done = new Set<string>();
        while (done.size < 2) {
          const e = await events.next((e) => e.event === 'submission' && e.data.status === 'done' && !done.has(e.data.id));
          done.add(e.data.id);
        }
        const d = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
        expect(d.learners.find((l: any) => l.name === 'Ada').labs[LAB]).toMatchObject({ best: 9, attempts: 1 });
      } finally {
        events.close();
      }
    });

    it('removes a learner: their session ends and they leave the dashboard', async () => {
      const carl = new Client(server.origin);
      const j = await carl.post(`/api/workshops/${ws.code}/join`, { name: 'Carl' });
      const r = await instructor.post(`/api/workshops/${ws.code}/learners/${j.json.learnerId}/remove`, {});
      expect(r.status).toBe(204);
      expect((await carl.get('/api/me')).status).toBe(401);
      const d = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      expect(d.learners.map((l: any) => l.name)).not.toContain('Carl');
    });

    it('takes no joins or submissions once closed (409), and again after reopening', async () => {
      expect((await instructor.post(`/api/workshops/${ws.code}/close`, {})).json).toEqual({ closed: true });
      const late = await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: 'Late' });
      expect(late.status).toBe(409);
      expect(late.json.error).toBe('workshop_closed');
      expect((await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: 'export {}' })).status).toBe(409);
      expect((await instructor.post(`/api/workshops/${ws.code}/reopen`, {})).json).toEqual({ closed: false });
      expect((await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: 'Late' })).status).toBe(201);
    });

    it('keeps everything across a restart: workshops, learners, sessions, submissions and grades', async () => {
      const before = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: server.dataDir, env });
      for (const c of [admin, instructor, ada, bob]) (c as { origin: string }).origin = server.origin;
      const after = (await instructor.get(`/api/workshops/${ws.code}/dashboard`)).json;
      expect(after.learners).toEqual(before.learners);
      expect(after.checks).toEqual(before.checks);
      expect((await ada.get('/api/me')).json.name).toBe('Ada');
      expect((await admin.get('/api/workshops')).json.workshops.map((w: any) => w.code)).toContain(ws.code);
      expect(server.output()).not.toContain('Admin token (shown once');
    });
  });

  describe('bad input gets a clear 4xx and changes nothing', () => {
    const post = (c: Client, p: string, body: string, type = 'application/json') => c.request('POST', p, body, { 'content-type': type });

    it('answers malformed JSON with 400', async () => {
      const r = await post(ada, `/api/workshops/${ws.code}/submissions`, '{"lab": ');
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/JSON/);
    });

    it('answers wrong types and unknown fields with 400 naming the field', async () => {
      const r = await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: 42 });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/source/);
      expect((await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: '', admin: true })).status).toBe(400);
      expect((await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: 'no-such-lab', source: '' })).status).toBe(400);
      expect((await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: '' })).status).toBe(400);
      expect((await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: 'a\u0000b' })).status).toBe(400);
    });

    it('answers a 3 MB body with 413', async () => {
      // The server answers as soon as it reads Content-Length and may close before the
      // client has written it all: read the answer as a browser does, whatever the write says.
      const body = JSON.stringify({ lab: LAB, source: 'x'.repeat(3 * 1024 * 1024) });
      const url = new URL(`${server.origin}/api/workshops/${ws.code}/submissions`);
      const cookie = [...ada.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), cookie } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
          res.on('error', () => resolve({ status: res.statusCode!, text }));
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
        });
        req.end(body);
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text).error).toBe('body_too_large');
    });

    it('refuses form posts and text bodies (415) and requests from another origin (403)', async () => {
      expect((await post(new Client(server.origin), `/api/workshops/${ws.code}/join`, 'name=x', 'application/x-www-form-urlencoded')).status).toBe(415);
      expect((await post(new Client(server.origin), `/api/workshops/${ws.code}/join`, '{"name":"x"}', 'text/plain')).status).toBe(415);
      const r = await new Client(server.origin).post(`/api/workshops/${ws.code}/join`, { name: 'Mallory' }, { origin: 'https://evil.example' });
      expect(r.status).toBe(403);
    });

    it('answers unknown codes with 404', async () => {
      expect((await new Client(server.origin).post('/api/workshops/AAAA-AAAA/join', { name: 'x' })).status).toBe(404);
      expect((await new Client(server.origin).post('/api/workshops/not-a-code/join', { name: 'x' })).status).toBe(404);
      expect((await instructor.get('/api/workshops/AAAA-AAAA/dashboard')).status).toBe(404);
    });

    it('answers missing tokens with 401 and forged ones with 403', async () => {
      const anon = new Client(server.origin);
      expect((await anon.post('/api/workshops', { title: 'x' })).status).toBe(401);
      expect((await new Client(server.origin, 'forged').post('/api/workshops', { title: 'x' })).status).toBe(403);
      expect((await anon.get(`/api/workshops/${ws.code}/dashboard`)).status).toBe(401);
      expect((await new Client(server.origin, server.adminToken).get(`/api/workshops/${ws.code}/dashboard`)).status).toBe(403);
      const forgedCookie = `ct_i_${ws.code.replace('-', '')}=${ws.instructorToken}`;
      expect((await anon.get(`/api/workshops/${ws.code}/dashboard`, { cookie: forgedCookie })).status).toBe(403);
      expect((await anon.get('/api/me', { cookie: 'ct_learner=forged' })).status).toBe(401);
      expect((await anon.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: '' })).status).toBe(401);
    });

    it('lets a learner read only their own submissions', async () => {
      const mine = await bob.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: labFile(LAB, 'starter.ts') });
      expect(mine.status).toBe(202);
      expect((await bob.get(`/api/submissions/${mine.json.id}`)).status).toBe(200);
      expect((await ada.get(`/api/submissions/${mine.json.id}`)).status).toBe(403);
      expect((await new Client(server.origin).get(`/api/submissions/${mine.json.id}`)).status).toBe(401);
      expect((await instructor.get(`/api/submissions/${mine.json.id}`)).status).toBe(200);
      await waitGraded(bob, mine.json.id);
    });

    it('keeps a name with a script tag as text', async () => {
      const c = new Client(server.origin);
      const r = await c.post(`/api/workshops/${ws.code}/join`, { name: '<script>alert(1)</script>' });
      expect(r.status).toBe(201);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await c.get('/api/me')).json.name).toBe('<script>alert(1)</script>');
    });

    it('answers a learner who submits too much with 429 and Retry-After', async () => {
      const eager = new Client(server.origin);
      await eager.post(`/api/workshops/${ws.code}/join`, { name: 'Eager' });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const r = await eager.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: labFile(LAB, 'starter.ts') });
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
      expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    });

    it('refuses a submission in a language the grader does not speak, naming the field', async () => {
      const r = await ada.post(`/api/workshops/${ws.code}/submissions`, { lab: LAB, source: '', lang: 'fr' });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/lang/);
    });

    it('sends a strict Content-Security-Policy on workshop pages and API answers', async () => {
      const r = await fetch(`${server.origin}/api/health`);
      expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    });
  });

  describe('a submission is graded in the language the learner submitted in', () => {
    // clean-client has its checker's messages in Chinese; its starter fails checks.
    const ZH_LAB = 'clean-client';
    const CJK = /[\u4e00-\u9fff]/;
    let zh: Client;
    let en: Client;
    let room: { code: string; instructorToken: string };
    let zhId: string;

    beforeAll(async () => {
      room = (await admin.post('/api/workshops', { title: 'Languages' })).json;
      zh = new Client(server.origin);
      en = new Client(server.origin);
      const joined = await zh.post(`/api/workshops/${room.code}/join`, { name: '李雷' });
      expect(joined.status).toBe(201);
      zhId = joined.json.learnerId;
      expect((await en.post(`/api/workshops/${room.code}/join`, { name: 'Lee' })).status).toBe(201);
    });

    it('answers a zh-CN submission in Chinese and one without a language in English', async () => {
      const a = await zh.post(`/api/workshops/${room.code}/submissions`, { lab: ZH_LAB, source: labFile(ZH_LAB, 'starter.ts'), lang: 'zh-CN' });
      expect(a.status).toBe(202);
      const b = await en.post(`/api/workshops/${room.code}/submissions`, { lab: ZH_LAB, source: labFile(ZH_LAB, 'starter.ts') });
      expect(b.status).toBe(202);
      const za = await waitGraded(zh, a.json.id);
      expect(za.lang).toBe('zh-CN');
      expect(za.result.lang).toBe('zh-CN');
      expect(za.result.status).toBe('fail');
      const failed = za.result.tests.filter((t: { status: string }) => t.status !== 'pass');
      expect(failed.length).toBeGreaterThan(0);
      for (const t of failed) expect(t.message).toMatch(CJK);
      for (const t of za.result.tests) {
        expect(t.title).toMatch(CJK);
        expect(t.test_code).toMatch(CJK);
      }
      const eb = await waitGraded(en, b.json.id);
      expect(eb.lang).toBe('en');
      expect(eb.result.lang ?? 'en').toBe('en');
      expect(eb.result.status).toBe('fail');
      // The same checks by the same names, in English.
      expect(eb.result.tests.map((t: { name: string }) => t.name)).toEqual(za.result.tests.map((t: { name: string }) => t.name));
      expect(JSON.stringify(eb.result)).not.toMatch(CJK);
      // The instructor's view of the learner says which language the grade is in.
      const seen = await new Client(server.origin, room.instructorToken).get(`/api/workshops/${room.code}/learners/${zhId}`);
      expect(seen.json.labs[ZH_LAB].submission.lang).toBe('zh-CN');
    });

    it("reads a page locale's spelling (zh-cn) as zh-CN", async () => {
      const r = await zh.post(`/api/workshops/${room.code}/submissions`, { lab: ZH_LAB, source: labFile(ZH_LAB, 'starter.ts'), lang: 'zh-cn' });
      expect(r.status).toBe(202);
      expect((await waitGraded(zh, r.json.id)).result.lang).toBe('zh-CN');
    });
  });
});
