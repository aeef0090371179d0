// The workshop's HTTP routes (design.md, "Workshop mode"), as one Fastify plugin
// under <base>api. Every body is validated (zod), every secret is compared in
// constant time and only its hash is stored, state-changing routes take JSON
// only, and learners read only their own submissions.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { DEFAULT_GRADE_LANG, GRADE_LANGS, parseGradeLang } from '../../grading/messages.ts';
import { sendError } from '../app.ts';
import { exportCsv, exportJson } from './exports.ts';
import type { GradingQueue } from './grading-queue.ts';
import { normalizeJoinCode, tokenMatches } from './secrets.ts';
import { parseResult, WorkshopError, type WorkshopService } from './service.ts';
import type { WorkshopRow } from './storage.ts';

export interface WorkshopRoutesOptions {
  service: WorkshopService;
  queue: GradingQueue;
  /** SHA-256 of the admin token (DATA_DIR/admin-token). */
  adminTokenHash: string;
  /** The site's base path, with a trailing slash. */
  base: string;
  /** Where learners reach the server (PUBLIC_URL), for the links shown; default: the request's own origin. */
  publicUrl?: string;
  /** Longest learner source, characters. */
  maxSourceChars?: number;
  /** The built site (dist/site): its solutions/<lab>.json are served through GET /api/solutions/:lab. */
  siteRoot?: string;
  /** Rate limits; generous defaults suit a room of 200 behind one NAT address. */
  limits?: Partial<typeof DEFAULT_LIMITS>;
}

const DEFAULT_LIMITS = {
  /** Requests per minute from one address (or one joined learner), any route. */
  perIp: 6000,
  /** Joins (and join-code guesses) per minute from one address. */
  joinsPerIp: 300,
  /** Submissions per minute from one learner. */
  submissionsPerLearner: 20,
  /** Failed admin or instructor authentications per minute from one address. */
  authFailuresPerIp: 30,
};

const LEARNER_COOKIE = 'ct_learner';
const instructorCookie = (code: string) => `ct_i_${code.replace('-', '')}`;

/** A page's language ('en', 'zh-CN'; 'zh-cn', 'zh-Hans' are read as 'zh-CN'), as a body field. */
const LangField = z
  .string()
  .max(20)
  .refine((v) => parseGradeLang(v) !== null, { message: `lang is one of ${GRADE_LANGS.join(', ')}` })
  .optional();

const CreateBody = z
  .object({
    title: z.string().max(1000),
    /** The edition of the page that creates the workshop ('en', 'zh-CN'): its instructor link opens the dashboard in it. Default English. */
    lang: LangField,
  })
  .strict();

/** The site's path prefix of an edition: none for English, 'zh-cn/' for Simplified Chinese (as the site's pages are laid out). */
const editionPrefix = (lang: string | undefined) => (parseGradeLang(lang) === 'zh-CN' ? 'zh-cn/' : '');
const JoinBody = z.object({ name: z.string().max(1000) }).strict();
const EmptyBody = z.object({}).strict();
const SolutionsBody = z.object({ shown: z.boolean() }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  throw new WorkshopError(400, 'bad_request', `The request body is not what this route takes: ${detail}.`);
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export async function workshopRoutes(fastify: FastifyInstance, options: WorkshopRoutesOptions): Promise<void> {
  const { service, queue, base } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxSource = options.maxSourceChars ?? 200_000;
  const apiPath = `${base}api/`;

  await fastify.register(fastifyCookie);
  await fastify.register(rateLimit, {
    global: true,
    max: limits.perIp,
    timeWindow: 60_000,
    // A room of 200 often shares one NAT address: a joined learner is counted by session,
    // everyone else by address (a made-up cookie only buys 401 answers).
    keyGenerator: (request) => {
      const session = request.cookies?.[LEARNER_COOKIE];
      return session && session.length <= 200 ? `learner:${session}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });

  const secure = (request: FastifyRequest) => request.protocol === 'https';
  const setCookie = (reply: FastifyReply, request: FastifyRequest, name: string, value: string) =>
    reply.setCookie(name, value, { httpOnly: true, sameSite: 'lax', secure: secure(request), path: apiPath, maxAge: 30 * 86_400 });

  // Browsers send Origin on cross-site requests: refuse any from elsewhere (a second lock beside SameSite and JSON-only bodies).
  const sameOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (!origin) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  fastify.addHook('preValidation', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (!sameOrigin(request)) throw new WorkshopError(403, 'cross_origin', 'Requests from another site are refused.');
    const type = String(request.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) throw new WorkshopError(415, 'unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json), even if it is only {}.');
  });

  fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string; retryAfter?: number }, request, reply) => {
    if (error instanceof WorkshopError) {
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return sendError(reply, error.status, error.code, error.message);
    }
    if (error.statusCode === 429) return sendError(reply, 429, 'rate_limited', error.message);
    throw error; // the app's handler: body limits, JSON syntax, 500s
  });

  // Authentication failures are counted per address so tokens cannot be guessed at speed.
  const authFailures = new Map<string, { n: number; until: number }>();
  const noteAuthFailure = (request: FastifyRequest) => {
    const now = Date.now();
    const f = authFailures.get(request.ip);
    if (!f || f.until < now) authFailures.set(request.ip, { n: 1, until: now + 60_000 });
    else f.n++;
    if (authFailures.size > 10_000) for (const [k, v] of authFailures) if (v.until < now) authFailures.delete(k);
  };
  const checkAuthBudget = (request: FastifyRequest) => {
    const f = authFailures.get(request.ip);
    if (f && f.until >= Date.now() && f.n >= limits.authFailuresPerIp) throw new WorkshopError(429, 'rate_limited', 'Too many failed attempts with a token from this address; wait a minute.');
  };

  const requireAdmin = (request: FastifyRequest) => {
    checkAuthBudget(request);
    const token = bearer(request);
    if (!token) throw new WorkshopError(401, 'unauthorized', 'This needs the admin token (Authorization: Bearer <token>; it is in DATA_DIR/admin-token).');
    if (!tokenMatches(token, options.adminTokenHash)) {
      noteAuthFailure(request);
      throw new WorkshopError(403, 'forbidden', 'That is not the admin token.');
    }
  };

  /** The workshop, for its instructor: Bearer token, or the instructor cookie the dashboard got. */
  const requireInstructor = async (request: FastifyRequest, code: string): Promise<WorkshopRow> => {
    checkAuthBudget(request);
    const token = bearer(request);
    if (token) {
      try {
        return await service.asInstructor(code, token);
      } catch (e) {
        if (e instanceof WorkshopError && e.status === 403) noteAuthFailure(request);
        throw e;
      }
    }
    const workshop = await service.find(code);
    const cookie = request.cookies[instructorCookie(workshop.code)];
    const session = await service.session(cookie, 'instructor');
    if (session && session.workshopId === workshop.id) return workshop;
    if (cookie) noteAuthFailure(request);
    throw new WorkshopError(cookie ? 403 : 401, cookie ? 'forbidden' : 'unauthorized', 'This needs the instructor link: open it again (its token is after the # in the address).');
  };

  const requireLearner = async (request: FastifyRequest) => {
    const who = await service.learnerOf(request.cookies[LEARNER_COOKIE]);
    if (!who) throw new WorkshopError(401, 'not_joined', 'Join the workshop first (with its code and your name).');
    return who;
  };

  const workshopUrls = (request: FastifyRequest, w: WorkshopRow, token?: string, edition = '') => {
    const origin = options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.headers.host ?? 'localhost'}`;
    const prefix = options.publicUrl ? '/' : base;
    return {
      joinUrl: `${origin}${prefix}${edition}workshop/?code=${encodeURIComponent(w.code)}`,
      ...(token ? { instructorUrl: `${origin}${prefix}${edition}workshop/instructor/#code=${encodeURIComponent(w.code)}&token=${encodeURIComponent(token)}` } : {}),
    };
  };

  // ---------------------------------------------------------------- admin

  fastify.post('/workshops', { config: { rateLimit: { max: 60, timeWindow: 60_000 } } }, async (request, reply) => {
    requireAdmin(request);
    const { title, lang } = parse(CreateBody, request.body);
    const { workshop, instructorToken } = await service.create(title);
    return reply.code(201).header('cache-control', 'no-store').send({ code: workshop.code, title: workshop.title, instructorToken, ...workshopUrls(request, workshop, instructorToken, editionPrefix(lang)) });
  });

  fastify.get('/workshops', async (request) => {
    requireAdmin(request);
    return { workshops: await service.storage.listWorkshops() };
  });

  // ---------------------------------------------------------------- learners

  fastify.post<{ Params: { code: string } }>(
    '/workshops/:code/join',
    { config: { rateLimit: { max: limits.joinsPerIp, timeWindow: 60_000 } } },
    async (request, reply) => {
      const { name } = parse(JoinBody, request.body);
      const { workshop, learner, sessionToken } = await service.join(request.params.code, name);
      setCookie(reply, request, LEARNER_COOKIE, sessionToken);
      return reply.code(201).send({ learnerId: learner.id, name: learner.name, workshop: { code: workshop.code, title: workshop.title } });
    },
  );

  fastify.get('/me', async (request, reply) => {
    const { learner, workshop } = await requireLearner(request);
    void service.storage.touchLearner(learner.id, new Date().toISOString()).catch(() => undefined);
    return reply.header('cache-control', 'no-store').send({ learnerId: learner.id, name: learner.name, workshop: { code: workshop.code, title: workshop.title, closed: workshop.closedAt !== null, solutions: !workshop.solutionsHidden } });
  });

  fastify.post('/me/leave', async (request, reply) => {
    parse(EmptyBody, request.body);
    await service.leave(request.cookies[LEARNER_COOKIE]);
    reply.clearCookie(LEARNER_COOKIE, { path: apiPath });
    return reply.code(204).send();
  });

  fastify.get('/me/submissions', async (request, reply) => {
    const { learner, workshop } = await requireLearner(request);
    const metas = await service.storage.submissionMetas(workshop.id, learner.id);
    const labs = service.standings(metas).get(learner.id) ?? {};
    const byId = new Map(metas.map((m) => [m.id, m]));
    const out = Object.fromEntries(
      Object.entries(labs).map(([lab, s]) => {
        const last = byId.get(s.lastId)!;
        return [lab, { best: s.best, max: s.max, attempts: s.attempts, last: { id: last.id, status: last.status, score: last.score, max_score: last.maxScore ?? s.max, createdAt: last.createdAt } }];
      }),
    );
    return reply.header('cache-control', 'no-store').send({ labs: out });
  });

  const SubmitBody = z
    .object({
      lab: z.string().max(100),
      source: z.string().max(maxSource, `a submission is at most ${maxSource} characters`),
      browser: z.object({ score: z.number().finite().min(0), max_score: z.number().finite().min(0), status: z.string().max(20).optional() }).nullish(),
      /** The language the page was in ('en', 'zh-CN'; 'zh-cn', 'zh-Hans' are read as 'zh-CN'): the grader answers in it. Default English. */
      lang: LangField,
    })
    .strict();

  fastify.post<{ Params: { code: string } }>(
    '/workshops/:code/submissions',
    {
      config: {
        rateLimit: {
          max: limits.submissionsPerLearner,
          timeWindow: 60_000,
          keyGenerator: (request: FastifyRequest) => `submit:${request.cookies?.[LEARNER_COOKIE] ?? request.ip}`,
        },
      },
    },
    async (request, reply) => {
      const { learner, workshop } = await requireLearner(request);
      const code = normalizeJoinCode(request.params.code);
      if (code !== workshop.code) throw new WorkshopError(403, 'forbidden', 'You joined a different workshop; submit to the one you are in.');
      const body = parse(SubmitBody, request.body);
      const { id } = await service.submit(workshop, learner, body.lab, body.source, body.browser ?? null, () => queue.admission(learner.id), parseGradeLang(body.lang) ?? DEFAULT_GRADE_LANG);
      queue.kick();
      return reply.code(202).header('cache-control', 'no-store').send({ id });
    },
  );

  fastify.get<{ Params: { id: string } }>('/submissions/:id', async (request, reply) => {
    const id = request.params.id;
    const s = /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await service.storage.submission(id) : null;
    const who = await service.learnerOf(request.cookies[LEARNER_COOKIE]);
    let allowed = !!(s && who && who.learner.id === s.learnerId);
    if (s && !allowed) {
      const workshop = await service.storage.workshopById(s.workshopId);
      const token = bearer(request);
      if (workshop && token) allowed = tokenMatches(token, workshop.instructorTokenHash);
      else if (workshop) {
        const session = await service.session(request.cookies[instructorCookie(workshop.code)], 'instructor');
        allowed = !!session && session.workshopId === workshop.id;
      }
    }
    if (!s) throw new WorkshopError(404, 'unknown_submission', 'There is no such submission.');
    if (!allowed) {
      if (!who && !bearer(request)) throw new WorkshopError(401, 'unauthorized', 'Join the workshop (or use the instructor link) to read submissions.');
      throw new WorkshopError(403, 'forbidden', 'That submission is not yours.');
    }
    return reply.header('cache-control', 'no-store').send({
      id: s.id,
      lab: s.lab,
      status: s.status,
      lang: s.lang,
      ...(s.status === 'done' && s.result ? { result: parseResult(s.result) } : {}),
      createdAt: s.createdAt,
      ...(s.gradedAt ? { gradedAt: s.gradedAt } : {}),
      ...(s.browserScore !== null ? { browser: { score: s.browserScore, max_score: s.browserMax } } : {}),
    });
  });

  // ---------------------------------------------------------------- instructor

  fastify.post<{ Params: { code: string } }>('/workshops/:code/instructor-session', async (request, reply) => {
    parse(EmptyBody, request.body);
    const token = bearer(request);
    checkAuthBudget(request);
    if (!token) throw new WorkshopError(401, 'unauthorized', 'Present the instructor token once (Authorization: Bearer <token>) to get the dashboard cookie.');
    let workshop: WorkshopRow;
    try {
      workshop = await service.asInstructor(request.params.code, token);
    } catch (e) {
      if (e instanceof WorkshopError && e.status === 403) noteAuthFailure(request);
      throw e;
    }
    const session = await service.newSession('instructor', workshop.id, null);
    setCookie(reply, request, instructorCookie(workshop.code), session);
    return reply.code(204).send();
  });

  // `?lang=zh-CN`: the dashboard of that edition asks, and the join link it shows leads to the same edition.
  fastify.get<{ Params: { code: string }; Querystring: { lang?: string } }>('/workshops/:code/dashboard', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    const d = await service.dashboard(workshop);
    const lang = typeof request.query.lang === 'string' ? request.query.lang : undefined;
    return reply.header('cache-control', 'no-store').send({ ...d, workshop: { ...d.workshop, ...workshopUrls(request, workshop, undefined, editionPrefix(lang)) } });
  });

  fastify.get<{ Params: { code: string; id: string } }>('/workshops/:code/learners/:id', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    const learner = await service.storage.learner(request.params.id);
    if (!learner || learner.workshopId !== workshop.id || learner.removedAt) throw new WorkshopError(404, 'unknown_learner', 'There is no such learner in this workshop.');
    const latest = await service.storage.latestSubmissions(workshop.id, learner.id);
    const labs = Object.fromEntries(
      latest.map((s) => [
        s.lab,
        { submission: { id: s.id, source: s.source, status: s.status, lang: s.lang, result: s.result ? parseResult(s.result) : null, createdAt: s.createdAt, gradedAt: s.gradedAt } },
      ]),
    );
    return reply.header('cache-control', 'no-store').send({ learner: { id: learner.id, name: learner.name, joinedAt: learner.joinedAt, lastSeen: learner.lastSeen }, labs });
  });

  fastify.post<{ Params: { code: string; id: string } }>('/workshops/:code/learners/:id/remove', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    parse(EmptyBody, request.body);
    await service.removeLearner(workshop, request.params.id);
    return reply.code(204).send();
  });

  for (const [route, closed] of [['close', true], ['reopen', false]] as const) {
    fastify.post<{ Params: { code: string } }>(`/workshops/:code/${route}`, async (request) => {
      const workshop = await requireInstructor(request, request.params.code);
      parse(EmptyBody, request.body);
      return { closed: await service.setClosed(workshop, closed) };
    });
  }

  // A lab's reference solution, for its page's "compare with the solution" step. Served
  // here rather than as a static file so that a workshop whose instructor hid them refuses
  // its learners (the static path is not served: see app.ts). Anyone not in such a workshop gets it.
  fastify.get<{ Params: { lab: string } }>('/solutions/:lab', async (request, reply) => {
    const lab = request.params.lab;
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(lab) || !options.siteRoot) throw new WorkshopError(404, 'not_found', `No solution for '${lab}' on this server.`);
    const who = await service.learnerOf(request.cookies[LEARNER_COOKIE]);
    if (who?.workshop.solutionsHidden) throw new WorkshopError(403, 'solutions_hidden', `The instructor of "${who.workshop.title}" has turned solutions off for this workshop.`);
    const body = await readFile(join(options.siteRoot, 'solutions', `${lab}.json`)).catch(() => null);
    if (!body) throw new WorkshopError(404, 'not_found', `No solution for '${lab}' in this build (built with CT_HIDE_SOLUTIONS=1, or no such lab).`);
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  });

  fastify.post<{ Params: { code: string } }>('/workshops/:code/solutions', async (request) => {
    const workshop = await requireInstructor(request, request.params.code);
    const { shown } = parse(SolutionsBody, request.body);
    return { solutions: await service.setSolutionsShown(workshop, shown) };
  });

  fastify.post<{ Params: { code: string } }>('/workshops/:code/regrade', async (request) => {
    const workshop = await requireInstructor(request, request.params.code);
    parse(EmptyBody, request.body);
    const requeued = await service.regrade(workshop);
    queue.kick();
    return { requeued };
  });

  fastify.get<{ Params: { code: string } }>('/workshops/:code/export.csv', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="workshop-${workshop.code}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(await exportCsv(service, workshop));
  });

  fastify.get<{ Params: { code: string } }>('/workshops/:code/export.json', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="workshop-${workshop.code}.json"`)
      .send(await exportJson(service, workshop));
  });

  // Server-sent events: the dashboard refetches when something happened.
  const streams = new Set<ServerResponse>();
  fastify.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
  });

  fastify.get<{ Params: { code: string } }>('/workshops/:code/events', async (request, reply) => {
    const workshop = await requireInstructor(request, request.params.code);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ code: workshop.code })}\n\n`);
    streams.add(res);
    const unsubscribe = service.hub.subscribe(workshop.id, (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    // A comment every 20 s keeps proxies and browsers from dropping a quiet stream.
    const ping = setInterval(() => res.write(': ping\n\n'), 20_000);
    ping.unref();
    const done = () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    };
    request.raw.on('close', done);
    res.on('close', done);
  });

  fastify.get('/health', async () => ({ ok: true, storage: service.storage.kind, grading: queue.stats(), pending: await service.storage.pendingCount(), listeners: service.hub.size }));

}
