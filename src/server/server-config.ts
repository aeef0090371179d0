// The server's settings, from the environment (npm start) or from tests.
import os from 'node:os';
import path from 'node:path';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  siteDir: string;
  base: string;
  /** Grading child processes. */
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

export function configFromEnv(env: NodeJS.ProcessEnv, root: string): ServerConfig {
  return {
    port: int('PORT', env.PORT, 4321, 0, 65535),
    // A workshop's learners connect from their own laptops: listen on every interface unless told otherwise.
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || path.join(root, 'data')),
    siteDir: path.resolve(env.SITE_DIR || path.join(root, 'dist', 'site')),
    base: (env.BASE_PATH || '/').replace(/\/?$/, '/'),
    graders: int('GRADERS', env.GRADERS, Math.max(1, os.availableParallelism()), 1, 64),
    graderMemoryMb: int('GRADER_MEMORY_MB', env.GRADER_MEMORY_MB, 128, 16, 4096),
    graderWallMs: int('GRADER_WALL_MS', env.GRADER_WALL_MS, 20_000, 1000, 600_000),
    queueMax: int('QUEUE_MAX', env.QUEUE_MAX, 500, 1, 1_000_000),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    ...(env.PUBLIC_URL ? { publicUrl: publicUrl(env.PUBLIC_URL) } : {}),
    joinsPerMinute: int('JOINS_PER_MINUTE', env.JOINS_PER_MINUTE, 300, 1, 1_000_000),
    submissionsPerMinute: int('SUBMISSIONS_PER_MINUTE', env.SUBMISSIONS_PER_MINUTE, 20, 1, 1_000_000),
  };
}
