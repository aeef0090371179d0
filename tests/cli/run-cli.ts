// Spawns the built command the way a learner runs it: node bin/closing-time.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TraceEvent } from '../../types/closing-time.d.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BUILT = join(ROOT, 'dist/cli/main.js');
const SOURCES = ['src/cli', 'src/runner', 'src/console', 'src/sim', 'types', 'scripts/build-cli.mjs'];

function newestSource(path: string): number {
  const full = join(ROOT, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newestSource(join(path, name))));
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Bundles dist/cli as `npm install` does, unless it is newer than every source.
 * Test files run in parallel: a lock directory makes one of them build while
 * the others wait, so no command is started from a half-written bundle.
 */
export function buildCli(): void {
  const lock = join(ROOT, 'dist/.build-cli.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 50) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      pause(50);
    }
  }
  try {
    if (existsSync(BUILT) && statSync(BUILT).mtimeMs > Math.max(...SOURCES.map(newestSource))) return;
    const r = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CLOSING_TIME_STRICT_BUILD: '1' } });
    if (r.status !== 0) throw new Error(`build-cli failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs `closing-time ...args`; kills it (and fails) if it outlives `killMs`. */
export function cli(args: string[], killMs = 60_000): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['bin/closing-time.mjs', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`closing-time ${args.join(' ')} hung for ${killMs} ms\n${stderr}`));
    }, killMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface JsonRun extends CliRun {
  events: TraceEvent[];
  final: {
    kind: 'summary';
    ok: boolean;
    exitCode: number;
    summary: {
      endedBy: string;
      message: string;
      blocked: { host: string; process: string; waitingIn: string }[];
      failed: unknown[];
      hosts: { name: string; ss: { state: string; local: string; peer: string }[] }[];
    } | null;
    errors: { kind: string; message: string; line?: number }[];
    diagnostics: { line: number; message: string; severity: string }[];
  };
}

/** Runs with --json and parses every line (each must be one JSON object). */
export async function cliJson(args: string[], killMs?: number): Promise<JsonRun> {
  const run = await cli([...args, '--json'], killMs);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`line ${i + 1} of --json output is not JSON: ${l.slice(0, 200)}`);
    }
  });
  const final = parsed.pop();
  if (!final || final.kind !== 'summary') throw new Error(`--json output does not end with a summary line:\n${run.stdout.slice(-500)}\n${run.stderr}`);
  return { ...run, events: parsed as TraceEvent[], final };
}

/** Writes a throwaway program and returns its path. */
export function program(name: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-cli-'));
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}
