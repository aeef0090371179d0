// The server's settings, from the environment (npm start) or from tests.
import os from 'node:os';
import path from 'node:path';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL (postgres://...) instead of the SQLite file in dataDir: several servers and grading nodes on one database. */
  databaseUrl?: string;
  /** How long a grading stays one node's without renewal (PostgreSQL), ms. */
  leaseMs: number;
  /** The admin token, when given in the environment (several servers must share one); else DATA_DIR/admin-token. */
  adminToken?: string;
  siteDir: string;
  base: string;
  /** Grading child processes (0, with PostgreSQL: this server only queues; grading nodes grade). */
  graders: number;
  /** Per-grading limits. */
  graderMemoryMb: number;
  graderWallMs: number;
  /** Most submissions waiting or grading. */
  queueMax: number;
  trustProxy: boolean;
  /** Where learners reach the course (e.g. https://tcp.example.org/course/), for the join and instructor links. */
  publicUrl?: string;
  /** Joins per minute from one address (a room behind one NAT address joins at once). */
  joinsPerMinute: number;
  /** Submissions per minute from one learner. */
  submissionsPerMinute: number;
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

function publicUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL must be a URL such as http://192.168.1.20:4321/, got '${raw}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`PUBLIC_URL must start with http:// or https://, got '${raw}'`);
  return u.href.replace(/\/?$/, '/');
}

function databaseUrl(raw: string): string {
  if (!/^postgres(ql)?:\/\//i.test(raw)) throw new Error(`DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/closing_time, got '${raw.replace(/\/\/[^@/]*@/, '//***@')}'`);
  return raw;
}

export function configFromEnv(env: NodeJS.ProcessEnv, root: string): ServerConfig {
  const shared = Boolean(env.DATABASE_URL);
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '' && env.ADMIN_TOKEN.length < 32) throw new Error('ADMIN_TOKEN must be at least 32 characters (make one with: openssl rand -hex 32)');
  return {
    port: int('PORT', env.PORT, 4321, 0, 65535),
    // A workshop's learners connect from their own laptops: listen on every interface unless told otherwise.
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || path.join(root, 'data')),
    ...(shared ? { databaseUrl: databaseUrl(env.DATABASE_URL!) } : {}),
    leaseMs: int('LEASE_MS', env.LEASE_MS, 30_000, 200, 3_600_000),
    ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
    siteDir: path.resolve(env.SITE_DIR || path.join(root, 'dist', 'site')),
    base: (env.BASE_PATH || '/').replace(/\/?$/, '/'),
    graders: int('GRADERS', env.GRADERS, Math.max(1, os.availableParallelism()), shared ? 0 : 1, 64),
    graderMemoryMb: int('GRADER_MEMORY_MB', env.GRADER_MEMORY_MB, 128, 16, 4096),
    graderWallMs: int('GRADER_WALL_MS', env.GRADER_WALL_MS, 20_000, 1000, 600_000),
    queueMax: int('QUEUE_MAX', env.QUEUE_MAX, 500, 1, 1_000_000),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    ...(env.PUBLIC_URL ? { publicUrl: publicUrl(env.PUBLIC_URL) } : {}),
    joinsPerMinute: int('JOINS_PER_MINUTE', env.JOINS_PER_MINUTE, 300, 1, 1_000_000),
    submissionsPerMinute: int('SUBMISSIONS_PER_MINUTE', env.SUBMISSIONS_PER_MINUTE, 20, 1, 1_000_000),
  };
}
