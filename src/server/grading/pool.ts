// The workshop server's grading pool: a few child processes (child.ts), each
// with one warm isolated-vm isolate, and a FIFO of jobs waiting for a free one.
// Learner code never runs in this process, and this module does not load
// isolated-vm: a crash or a runaway builtin takes down a child, which is
// replaced, never the server. Whatever a child reports is validated and
// recomputed here against the trusted checkers (trusted-result.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graderMessages, parseGradeLang, type GradeLang } from '../../grading/messages.ts';
import type { GradeResult } from '../../grading/result-types.ts';
import type { ChildConfig, ChildMessage, GradeRequest } from './protocol.ts';
import { errorResult, isKnownLab, stoppedResult, trustedResult, unknownLabResult } from './trusted-result.ts';

export interface GradeJob {
  id: string;
  lab: string;
  source: string;
  /** The language of the grade's messages ('en' when absent). */
  lang?: GradeLang;
}

export interface GradingPoolOptions {
  /** Child processes, each grading one job at a time. Default os.availableParallelism(). */
  size?: number;
  /** Each isolate's heap limit, MB. Default 128. */
  memoryMb?: number;
  /** Real time per job, ms. Default 20000. */
  wallMs?: number;
  /** CPU time per job, ms. Default three quarters of wallMs. */
  cpuMs?: number;
  /** The child's script. Default dist/grader/child.js, else src/server/grading/child.ts run with tsx. */
  childPath?: string;
  /** Real-time budget of each check that names none, ms (passed to the grader; its default, 5000, when absent). */
  checkWallMs?: number;
  /** How long synchronous learner code may hold the thread, ms (the grader's busy-loop limit; default 1000). */
  sliceMs?: number;
}

export interface GradingPool {
  readonly size: number;
  /** Resolves with the server-validated GradeResult; never rejects for anything learner code does (rejects only after close()). */
  grade(job: GradeJob): Promise<GradeResult>;
  /** Graceful: stops taking jobs, lets running jobs finish up to graceMs, then kills children; resolves when all are gone. Jobs not finished reject with an error whose `code` is 'POOL_CLOSED' so the caller can requeue them. */
  close(options?: { graceMs?: number }): Promise<void>;
  stats(): { size: number; busy: number; queued: number; restarts: number; graded: number };
}

/** The error a job rejects with when the pool closes before it finished. */
export class PoolClosedError extends Error {
  readonly code = 'POOL_CLOSED';
  constructor(message = 'the grading pool was closed before this job finished') {
    super(message);
    this.name = 'PoolClosedError';
  }
}

/** Largest source text graded, in characters; the lab files are a few KB. */
export const MAX_SOURCE_CHARS = 512 * 1024;
/** Beyond its own wall limit, how long a child may take to answer before it is killed. */
const HARD_MARGIN_MS = { min: 1000, max: 5000 };
/** A child that dies before it is ready is restarted after a pause that doubles each time, up to this. */
const MAX_BACKOFF_MS = 5000;
const STDERR_TAIL_CHARS = 4000;
/** A child that answered but is not ready again after this long (a new isolate that will not start) is replaced. */
const SETTLE_TIMEOUT_MS = 15_000;

interface Pending {
  job: GradeJob;
  resolve(result: GradeResult): void;
  reject(error: Error): void;
}

interface Worker {
  proc: ChildProcess;
  /** starting: not ready yet; idle: takes a job; busy: grading; settling: answered, not ready again yet; gone: exited. */
  state: 'starting' | 'idle' | 'busy' | 'settling' | 'gone';
  job: Pending | null;
  deadline: ReturnType<typeof setTimeout> | null;
  stderr: string;
  exited: Promise<void>;
}

/** The project's folder: the nearest one up from this module whose package.json is closing-time's. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const manifest = resolve(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'closing-time') return dir;
      } catch {
        // Not ours; keep looking.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/**
 * What a child inherits of the environment: enough to run Node, none of the
 * server's settings or secrets (nothing in the child needs them, and learner
 * code runs in that process, if only inside an isolate).
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'NODE_ENV', 'SystemRoot'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/** The child to fork, and the flags it needs (isolated-vm on Node 20 wants --no-node-snapshot on the command line). */
function childCommand(childPath: string | undefined): { path: string; execArgv: string[]; cwd: string } {
  const root = repoRoot();
  const candidates = childPath ? [resolve(childPath)] : [resolve(root, 'dist/grader/child.js'), resolve(root, 'src/server/grading/child.ts')];
  const path = candidates.find((p) => existsSync(p)) ?? candidates[0];
  // From source, tsx loads the TypeScript; it resolves from the child's working folder, the project's.
  const execArgv = ['--no-node-snapshot', ...(path.endsWith('.ts') ? ['--import', 'tsx'] : [])];
  return { path, execArgv, cwd: root };
}

/** The server's own words about a grading, in the job's language. */
function sandboxSays(lang: GradeLang | undefined) {
  return graderMessages[lang ?? 'en'].sandbox;
}

function defaultSize(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Starts `size` grading children at once (each ready in about 0.3 s). Besides
 * POOL_CLOSED, grade() rejects in one case that no learner causes: when the
 * children cannot start at all (three failed starts before any was ready,
 * e.g. isolated-vm missing), jobs waiting then reject with code
 * 'GRADER_UNAVAILABLE' rather than wait forever; requeue them as for POOL_CLOSED.
 */
export function createGradingPool(options: GradingPoolOptions = {}): GradingPool {
  const size = Math.max(1, Math.floor(positive(options.size, defaultSize())));
  const wallMs = positive(options.wallMs, 20_000);
  const config: ChildConfig = {
    memoryMb: Math.max(8, positive(options.memoryMb, 128)),
    wallMs,
    cpuMs: positive(options.cpuMs, Math.round(wallMs * 0.75)),
    ...(options.checkWallMs !== undefined ? { checkWallMs: positive(options.checkWallMs, 5000) } : {}),
    ...(options.sliceMs !== undefined ? { sliceMs: positive(options.sliceMs, 1000) } : {}),
  };
  const hardDeadlineMs = wallMs + Math.min(HARD_MARGIN_MS.max, Math.max(HARD_MARGIN_MS.min, wallMs / 4));
  const command = childCommand(options.childPath);

  const workers = new Set<Worker>();
  const queue: Pending[] = [];
  let restarts = 0;
  let graded = 0;
  /** close() was called: no new jobs, no new children. */
  let closed = false;
  let closing: Promise<void> | null = null;
  let startFailures = 0;
  let everReady = false;

  const finish = (w: Worker, result: GradeResult) => {
    const p = w.job;
    if (!p) return;
    w.job = null;
    if (w.deadline) clearTimeout(w.deadline);
    w.deadline = null;
    graded++;
    p.resolve(result);
  };

  const spawn = () => {
    let proc: ChildProcess;
    try {
      proc = fork(command.path, [JSON.stringify(config)], {
        execArgv: command.execArgv,
        cwd: command.cwd,
        env: childEnv(),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'json',
      });
    } catch {
      // Out of processes or memory for now: try again shortly.
      setTimeout(() => {
        if (!closed) spawn();
      }, MAX_BACKOFF_MS);
      return;
    }
    let onExit!: () => void;
    const w: Worker = { proc, state: 'starting', job: null, deadline: null, stderr: '', exited: new Promise((r) => (onExit = r)) };
    workers.add(w);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      w.stderr = (w.stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    proc.on('message', (msg: ChildMessage) => onMessage(w, msg));
    proc.on('error', () => {
      // 'exit' follows (or the fork failed: 'exit' then comes with a code too).
    });
    proc.once('exit', (code, signal) => {
      const wasReady = w.state !== 'starting';
      w.state = 'gone';
      workers.delete(w);
      onExit();
      if (w.job) {
        const { lab, lang } = w.job.job;
        const say = sandboxSays(lang);
        const memory = /heap out of memory|invalid (array|string|table) (length|size)|allocation failed|Reached heap limit/i.test(w.stderr);
        finish(w, errorResult(lab, memory ? say.crashedMemory({ mb: config.memoryMb }) : say.crashed, lang));
      }
      if (closed) return;
      restarts++;
      if (wasReady) startFailures = 0;
      else startFailures++;
      if (!wasReady && startFailures >= 3 && !everReady) failQueued(`the grader could not start (exit ${code ?? signal}): ${w.stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
      const delay = wasReady ? 0 : Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(startFailures, 10));
      // Not unref'd: a job waiting for this child must keep the process alive.
      setTimeout(() => {
        if (!closed) spawn();
      }, delay);
    });
  };

  /** The grader cannot start at all (isolated-vm missing or broken): waiting jobs would wait forever. */
  const failQueued = (message: string) => {
    for (const p of queue.splice(0)) p.reject(Object.assign(new Error(message), { code: 'GRADER_UNAVAILABLE' }));
  };

  const onMessage = (w: Worker, msg: ChildMessage) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'ready') {
      if (w.state === 'busy') return; // not ours to believe while a job runs
      w.state = 'idle';
      everReady = true;
      startFailures = 0;
      if (closed) {
        w.proc.kill('SIGKILL');
        return;
      }
      dispatch();
      return;
    }
    const p = w.job;
    if (!p || w.state !== 'busy' || (msg as { id?: unknown }).id !== p.job.id) return;
    // Before the job's promise settles, so that a caller who submits again at once finds the child free.
    w.state = msg.ready === true && !closed ? 'idle' : 'settling';
    if (w.state === 'settling' && !closed) {
      const settling = setTimeout(() => {
        if (w.state === 'settling') w.proc.kill('SIGKILL');
      }, SETTLE_TIMEOUT_MS);
      settling.unref?.();
    }
    if (msg.type === 'done' && typeof msg.json === 'string') {
      finish(w, trustedResult(p.job.lab, msg.json, p.job.lang));
    } else if (msg.type === 'stopped') {
      const partial = Array.isArray(msg.partial) ? msg.partial.filter((s): s is string => typeof s === 'string') : [];
      finish(w, stoppedResult(p.job.lab, typeof msg.message === 'string' ? msg.message : sandboxSays(p.job.lang).stopped, partial, p.job.lang));
    } else {
      finish(w, errorResult(p.job.lab, sandboxSays(p.job.lang).garbled, p.job.lang));
    }
    if (closed) w.proc.kill('SIGKILL');
    else if (w.state === 'idle') dispatch();
  };

  const dispatch = () => {
    if (closed) return;
    for (const w of workers) {
      if (!queue.length) return;
      if (w.state !== 'idle' || !w.proc.connected) continue;
      const p = queue.shift()!;
      w.state = 'busy';
      w.job = p;
      w.deadline = setTimeout(() => {
        // The child's own limits did not end it: its main thread is stuck. Kill it; 'exit' starts another.
        if (w.job === p) finish(w, errorResult(p.job.lab, sandboxSays(p.job.lang).unresponsive, p.job.lang));
        w.proc.kill('SIGKILL');
      }, hardDeadlineMs);
      const request: GradeRequest = { type: 'grade', id: p.job.id, lab: p.job.lab, source: p.job.source, lang: p.job.lang };
      try {
        w.proc.send(request);
      } catch {
        w.proc.kill('SIGKILL'); // 'exit' gives the job its result
      }
    }
  };

  for (let i = 0; i < size; i++) spawn();

  return {
    size,
    grade(job: GradeJob): Promise<GradeResult> {
      if (closed) return Promise.reject(new PoolClosedError('the grading pool is closed'));
      const lab = job?.lab;
      const lang: GradeLang = parseGradeLang(typeof job?.lang === 'string' ? job.lang : null) ?? 'en';
      if (!isKnownLab(lab)) return Promise.resolve(unknownLabResult(String(lab), lang));
      if (typeof job.source !== 'string') return Promise.resolve(errorResult(lab, graderMessages[lang].notText, lang));
      if (job.source.length > MAX_SOURCE_CHARS) {
        return Promise.resolve(errorResult(lab, sandboxSays(lang).tooLarge({ kb: Math.round(job.source.length / 1024), maxKb: MAX_SOURCE_CHARS / 1024 }), lang));
      }
      return new Promise<GradeResult>((resolveJob, rejectJob) => {
        queue.push({ job: { id: String(job.id), lab, source: job.source, lang }, resolve: resolveJob, reject: rejectJob });
        dispatch();
      });
    },
    close({ graceMs = 10_000 } = {}): Promise<void> {
      if (closing) return closing;
      closed = true;
      closing = (async () => {
        for (const p of queue.splice(0)) p.reject(new PoolClosedError());
        const all = [...workers];
        for (const w of all) if (!w.job) w.proc.kill('SIGKILL');
        const busy = all.filter((w) => w.job);
        if (busy.length) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const grace = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, graceMs))));
          await Promise.race([Promise.all(busy.map((w) => w.exited)), grace]);
          clearTimeout(timer);
          for (const w of busy) {
            const p = w.job;
            if (p) {
              w.job = null;
              if (w.deadline) clearTimeout(w.deadline);
              p.reject(new PoolClosedError());
            }
            w.proc.kill('SIGKILL');
          }
        }
        await Promise.all(all.map((w) => w.exited));
        // Children that were being started when close() came.
        await Promise.all([...workers].map((w) => (w.proc.kill('SIGKILL'), w.exited)));
      })();
      return closing;
    },
    stats() {
      let busy = 0;
      for (const w of workers) if (w.job) busy++;
      return { size, busy, queued: queue.length, restarts, graded };
    },
  };
}
