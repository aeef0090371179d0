// The workshop server: the course site and the workshop API on one port, an
// embedded SQLite file in DATA_DIR (or PostgreSQL at DATABASE_URL, shared with
// other servers and grading nodes), and a pool of sandboxed grading processes.
// `npm start` (scripts/start.mjs) builds the site when needed and then runs this;
// `node --import tsx src/server/main.ts` runs it directly.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from './app.ts';
import { configFromEnv, type ServerConfig } from './server-config.ts';
import { loadAdminToken } from './workshop/admin-token.ts';
import { EventHub } from './workshop/events.ts';
import { GradingQueue, type Grader } from './workshop/grading-queue.ts';
import { workshopRoutes } from './workshop/routes.ts';
import { hashToken } from './workshop/secrets.ts';
import { WorkshopService } from './workshop/service.ts';
import { openSqliteStorage } from './workshop/sqlite-storage.ts';
import type { Storage } from './workshop/storage.ts';

export interface RunningServer {
  app: App;
  url: string;
  adminToken: string;
  service: WorkshopService;
  queue: GradingQueue;
  /** Graceful stop: no new requests, gradings in flight finish (or go back to the queue), then the database closes. */
  stop(graceMs?: number): Promise<void>;
}

/** GRADERS=0 on a shared database: this server queues, grading nodes (closing-time grader) grade. */
const noGrader: Grader = {
  size: 0,
  grade: () => Promise.reject(new Error('this server does not grade (GRADERS=0)')),
  close: async () => undefined,
};

export async function startServer(config: ServerConfig, log: (line: string) => void = console.log, grader?: Grader): Promise<RunningServer> {
  const hub = new EventHub();
  let storage: Storage;
  let where: string;
  if (config.databaseUrl) {
    const { openPgStorage, redactUrl } = await import('./workshop/pg-storage.ts');
    const pg = await openPgStorage(config.databaseUrl, { leaseMs: config.leaseMs, onError: (e) => log(`database: ${(e as Error).message}`) });
    // Dashboards on this server see what the other servers and the grading nodes publish.
    await pg.shareEvents(hub);
    storage = pg;
    where = `PostgreSQL at ${redactUrl(config.databaseUrl)}`;
  } else {
    storage = openSqliteStorage(config.dataDir);
    where = path.join(config.dataDir, 'workshop.sqlite');
  }
  if (!config.adminToken) mkdirSync(config.dataDir, { recursive: true });
  const admin = config.adminToken ? { token: config.adminToken, created: false, file: 'ADMIN_TOKEN' } : loadAdminToken(config.dataDir);
  const service = new WorkshopService(storage, hub);
  const pool = grader ?? (config.graders === 0 ? noGrader : (await import('./grading/pool.ts')).createGradingPool({ size: config.graders, memoryMb: config.graderMemoryMb, wallMs: config.graderWallMs }));
  const queue = new GradingQueue(storage, pool, hub, { maxPending: config.queueMax, onError: (e) => log(`grading queue: ${(e as Error).message}`) });
  const app = createApp({ root: config.siteDir, base: config.base, trustProxy: config.trustProxy, solutionsViaApi: true });
  await app.fastify.register(workshopRoutes, { prefix: `${config.base}api`, service, queue, adminTokenHash: hashToken(admin.token), base: config.base, siteRoot: config.siteDir, publicUrl: config.publicUrl, limits: { joinsPerIp: config.joinsPerMinute, submissionsPerLearner: config.submissionsPerMinute } });
  await app.listen(config.port, config.host);
  const requeued = await queue.start();

  const addr = app.fastify.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}${config.base}`;
  log(`Closing Time is being served at ${url}`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => `http://${i!.address}:${port}${config.base}`);
    if (lan.length) log(`Learners on your network can open ${lan.join(' or ')}`);
  }
  log(`Workshop data: ${where} (${pool.size ? `${pool.size} grading process${pool.size === 1 ? '' : 'es'}` : 'no grading here: grading nodes grade'})`);
  if (requeued) log(`${requeued} submission(s) left half-graded by the last run are queued again.`);
  if (admin.created) {
    log(`Admin token (shown once; kept in ${admin.file}): ${admin.token}`);
    log(`Create a workshop at ${url}workshop/admin/ or with: npx closing-time workshop create "Title"`);
  } else if (config.adminToken) {
    log(`Admin token: the one in ADMIN_TOKEN. Create a workshop at ${url}workshop/admin/`);
  } else {
    log(`Admin token: in ${admin.file}. Create a workshop at ${url}workshop/admin/`);
  }

  let stopping: Promise<void> | null = null;
  return {
    app,
    url,
    adminToken: admin.token,
    service,
    queue,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        await app.close();
        await queue.close(graceMs);
        await storage.close();
      })();
      return stopping;
    },
  };
}

/** Starts the server from the environment and stops it gracefully on SIGINT/SIGTERM (npm start). */
export async function runFromEnv(): Promise<RunningServer> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  let server: RunningServer;
  try {
    server = await startServer(configFromEnv(process.env, root));
  } catch (error) {
    console.error(`The server could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.log(`${sig}: finishing the gradings in flight (at most 10 s), then stopping.`);
      // A second signal, or a shutdown that hangs, ends it at once.
      process.once(sig, () => process.exit(1));
      setTimeout(() => process.exit(1), 15_000).unref();
      server.stop(10_000).then(
        () => process.exit(0),
        (e) => {
          console.error(`Shutdown failed: ${(e as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runFromEnv();
