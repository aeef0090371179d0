// Starts the real workshop server (src/server/main.ts) as its own process on a
// free port with a temporary DATA_DIR, the way `npm start` runs it, for the
// integration, durability and browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgres, type TestPostgres } from './postgres.ts';

export const root = path.resolve(__dirname, '../..');

export interface TestServer {
  origin: string;
  dataDir: string;
  adminToken: string;
  proc: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all. */
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Milliseconds to wait for the "being served" line. */
  startTimeoutMs?: number;
}

export type Backend = 'sqlite' | 'postgres';

let cluster: Promise<TestPostgres> | null = null;

/**
 * The environment that puts a test server on a backend: nothing for SQLite (a
 * temporary DATA_DIR), DATABASE_URL of a new database for PostgreSQL (on one
 * throwaway cluster per test file; stopTestPostgres() in afterAll). Reuse it
 * for a restart. A short lease, so a killed server's gradings pass on fast.
 */
export async function backendEnv(backend: Backend): Promise<Record<string, string>> {
  if (backend === 'sqlite') return {};
  cluster ??= startPostgres({ fsync: false });
  return { DATABASE_URL: await (await cluster).createDatabase(), LEASE_MS: '2000' };
}

export async function stopTestPostgres(): Promise<void> {
  const c = cluster;
  cluster = null;
  if (c) await (await c).stop();
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'ct-workshop-'));
}

export function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SITE_DIR: path.join(root, 'dist', 'site'), GRADERS: '2', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${out}`));
    }, options.startTimeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /being served at (http:\/\/[^\s/]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
      resolve({
        origin: m[1]!.replace('localhost', '127.0.0.1'),
        dataDir,
        adminToken: options.env?.ADMIN_TOKEN || readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim(),
        proc,
        output: () => out,
        async stop() {
          if (proc.exitCode !== null) return proc.exitCode;
          proc.kill('SIGTERM');
          return exited;
        },
        async kill() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGKILL');
          await exited;
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it started:\n${out}`));
    });
  });
}

/** A small JSON client with a cookie jar, as a browser would keep one. */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly origin: string,
    readonly bearer?: string,
  ) {}

  async request(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    if (this.bearer && !h.authorization) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.origin}${p}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get = (p: string, headers?: Record<string, string>) => this.request('GET', p, undefined, headers);
  post = (p: string, body: unknown = {}, headers?: Record<string, string>) => this.request('POST', p, body, headers);
}

/** Polls a submission until it is graded (the grader's own pace; bounded by `tries`). */
export async function waitGraded(client: Client, id: string, tries = 600): Promise<any> {
  for (let i = 0; i < tries; i++) {
    const r = await client.get(`/api/submissions/${id}`);
    if (r.status !== 200) throw new Error(`GET /api/submissions/${id}: ${r.status} ${r.text}`);
    if (r.json.status === 'done') return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`submission ${id} was not graded`);
}

export const labFile = (lab: string, file: 'solution.ts' | 'starter.ts') => readFileSync(path.join(root, 'labs', lab, file), 'utf8');

export interface TestGrader {
  proc: ChildProcess;
  /** The node's name in leased_by, from its first line. */
  nodeId: string;
  output(): string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Starts `closing-time grader` (the built command, as an operator runs it) on a database; resolves once it grades. */
export function startGrader(databaseUrl: string, options: { graders?: number; env?: Record<string, string> } = {}): Promise<TestGrader> {
  const proc = spawn(process.execPath, [path.join(root, 'bin/closing-time.mjs'), 'grader', '--database', databaseUrl, '--graders', String(options.graders ?? 1)], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the grader did not start within 60 s:\n${out}`));
    }, 60_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      const before = out;
      out += chunk.toString('utf8');
      const m = /Grading node (\S+) is grading/.exec(out);
      if (!m || /Grading node (\S+) is grading/.test(before)) return;
      clearTimeout(timer);
      resolve({
        proc,
        nodeId: m[1]!,
        output: () => out,
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
          proc.kill('SIGTERM');
          return exited;
        },
        async kill() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGKILL');
          await exited;
        },
      });
    });
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the grader exited (${code}) before it started:\n${out}`));
    });
  });
}
