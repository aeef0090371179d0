// A grading child process (forked by pool.ts with `--no-node-snapshot`, which
// isolated-vm needs on Node 20). It keeps one warm isolate with the grader's
// script compiled once, and grades each job in a fresh context of it, one job
// at a time. Learner code runs only inside the isolate; this process holds the
// limits: the isolate's memory limit, CPU time (polled) and real time (a timer
// of its own: isolated-vm's `timeout` does not cover time spent awaiting).
// When a limit ends a grading the isolate is disposed and replaced; if its
// thread does not come back (a builtin that cannot be interrupted) the child
// exits after answering and the pool starts another.
import ivm from 'isolated-vm';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { capResultJson, capTestJson } from './cap-result.ts';
import { graderMessages, parseGradeLang, type GradeLang } from '../../grading/messages.ts';
import { GRADER_API, HOST_DONE, HOST_REPORT, HOST_WAKE, type IsolateGradeOptions } from './isolate-names.ts';
import { MAX_RESULT_CHARS, type ChildConfig, type ChildMessage, type GradeRequest, type StopReason } from './protocol.ts';

const CPU_POLL_MS = 25;
/** How long a disposed isolate's thread may take to come back before the child gives up on it. */
const SETTLE_MS = 1500;
/** A fresh isolate now and then, so nothing a long run of gradings leaves behind can build up. */
const JOBS_PER_ISOLATE = 500;
const MAX_TEST_CHARS = 32 * 1024;
const MAX_CHECKS = 1000;

const here = dirname(fileURLToPath(import.meta.url));

function readConfig(): ChildConfig {
  const raw = JSON.parse(process.argv[2] ?? '{}') as Partial<ChildConfig>;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);
  return {
    memoryMb: Math.max(8, num(raw.memoryMb, 128)),
    wallMs: num(raw.wallMs, 20_000),
    cpuMs: num(raw.cpuMs, 15_000),
    ...(raw.checkWallMs !== undefined ? { checkWallMs: num(raw.checkWallMs, 5000) } : {}),
    ...(raw.sliceMs !== undefined ? { sliceMs: num(raw.sliceMs, 1000) } : {}),
  };
}

const config = readConfig();

/** The child's own limits, said in the grade's language. */
function stopMessage(reason: Exclude<StopReason, 'internal'>, lang: GradeLang): string {
  const say = graderMessages[lang].sandbox;
  if (reason === 'memory') return say.memory({ mb: config.memoryMb });
  if (reason === 'cpu') return say.cpu({ cpuMs: config.cpuMs });
  return say.wall({ wallMs: config.wallMs });
}

/** The isolate script: the bundle beside this file, or (when this file runs from source) bundled from source now. */
async function loadIsolateScript(): Promise<string> {
  if (!import.meta.url.endsWith('.ts')) return readFileSync(join(here, 'isolate.js'), 'utf8');
  const root = resolve(here, '../../..');
  const helper: { bundleIsolateScript(root: string): Promise<string> } = await import(pathToFileURL(join(root, 'scripts/grader-bundle.mjs')).href);
  return helper.bundleIsolateScript(root);
}

interface Sandbox {
  isolate: ivm.Isolate;
  script: ivm.Script;
  jobs: number;
}

async function createSandbox(code: string): Promise<Sandbox> {
  const isolate = new ivm.Isolate({
    memoryLimit: config.memoryMb,
    onCatastrophicError(message) {
      // V8 has lost control of the isolate: this process cannot be trusted to go on.
      process.stderr.write(`grading child: catastrophic isolate error: ${message}\n`);
      process.abort();
    },
  });
  const script = await isolate.compileScript(code, { filename: 'file:///closing-time/grader-isolate.js' });
  return { isolate, script, jobs: 0 };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolveSend) => {
    if (!process.send || !process.connected) return resolveSend();
    process.send(message, undefined, {}, () => resolveSend());
  });
}

interface Outcome {
  message: ChildMessage;
  /** Settles when the isolate's thread has let go of the job. */
  settled: Promise<unknown>;
  /** The isolate was disposed (a limit, or isolated-vm's memory limit). */
  disposed: boolean;
}

type Ending =
  | { kind: 'done'; json: unknown; failure: unknown }
  | { kind: 'stopped'; reason: StopReason; message: string }
  /** A call into the isolate failed: it was disposed, or the grader's script is broken. */
  | { kind: 'failed'; error: unknown };

async function runJob(sandbox: Sandbox, job: GradeRequest): Promise<Outcome> {
  const { isolate, script } = sandbox;
  const lang: GradeLang = job.lang ?? 'en';
  const say = graderMessages[lang];
  const partial: string[] = [];
  let ending: Ending | null = null;
  let onEnd!: () => void;
  const ended = new Promise<void>((r) => (onEnd = r));
  const end = (e: Ending) => {
    if (ending) return;
    ending = e;
    onEnd();
  };
  let memoryLimitHit = false;
  /** Every call into the isolate: when one fails, the isolate is gone or the script is broken. */
  const calls: Promise<unknown>[] = [];
  const track = <T>(call: Promise<T>): Promise<T> => {
    const quiet = call.then(
      () => undefined,
      (error: unknown) => {
        // isolated-vm disposes an isolate that reaches its memory limit and says so only in the message of the call that was running.
        if (/memory limit/i.test(String((error as Error)?.message ?? error))) memoryLimitHit = true;
        // A call whose task left a learner's promise rejection unhandled fails too; only a disposed isolate ends the job.
        if (isolate.isDisposed) end({ kind: 'failed', error });
      },
    );
    calls.push(quiet);
    return call;
  };

  const stop = (reason: StopReason, message: string) => {
    end({ kind: 'stopped', reason, message });
    try {
      isolate.dispose();
    } catch {
      // Already disposed (isolated-vm's own memory limit got there first).
    }
  };

  // The host side of the isolate's timers: one pending wake-up at a time.
  let active = true;
  const api: { fire?: ivm.Reference<() => void> } = {};
  let wakeTimer: { cancel(): void } | null = null;
  let wakeDue = Infinity;
  const cancelWake = () => {
    wakeTimer?.cancel();
    wakeTimer = null;
    wakeDue = Infinity;
  };
  const fireNow = () => {
    wakeTimer = null;
    wakeDue = Infinity;
    if (!active) return;
    if (!api.fire) return wake(1); // asked before the entry point was found: ask again shortly
    track(api.fire.apply(undefined, []));
  };
  const wake = (delayMs: unknown) => {
    if (!active) return;
    const delay = typeof delayMs === 'number' && delayMs > 0 ? Math.min(delayMs, 2 ** 31 - 1) : 0;
    const due = Date.now() + delay;
    if (wakeTimer && wakeDue <= due) return;
    cancelWake();
    wakeDue = due;
    if (delay === 0) {
      const h = setImmediate(fireNow);
      wakeTimer = { cancel: () => clearImmediate(h) };
    } else {
      const h = setTimeout(fireNow, delay);
      wakeTimer = { cancel: () => clearTimeout(h) };
    }
  };
  const report = (index: unknown, json: unknown) => {
    if (!active || typeof json !== 'string' || index !== partial.length || partial.length >= MAX_CHECKS) return;
    partial.push(capTestJson(json, MAX_TEST_CHARS, lang) ?? 'null');
  };
  const done = (json: unknown, failure: unknown) => {
    if (active) end({ kind: 'done', json, failure });
  };

  const cpuStart = isolate.cpuTime;
  const wallTimer = setTimeout(() => stop('wall', stopMessage('wall', lang)), config.wallMs);
  const cpuTimer = setInterval(() => {
    if (isolate.isDisposed) {
      // Not by us: isolated-vm disposes an isolate only when it reaches its memory limit, and the
      // call that was running may never settle (a builtin stuck in a last-resort GC).
      memoryLimitHit = true;
      end({ kind: 'failed', error: new Error('memory limit') });
      return;
    }
    try {
      if (Number(isolate.cpuTime - cpuStart) / 1e6 > config.cpuMs) stop('cpu', stopMessage('cpu', lang));
    } catch {
      // Disposed meanwhile.
    }
  }, CPU_POLL_MS);

  const held: { context?: ivm.Context } = {};
  const start = (async () => {
    const context = (held.context = await isolate.createContext());
    const global = context.global;
    await global.set(HOST_WAKE, new ivm.Callback(wake, { ignored: true }));
    await global.set(HOST_REPORT, new ivm.Callback(report, { ignored: true }));
    await global.set(HOST_DONE, new ivm.Callback(done, { ignored: true }));
    await script.run(context);
    const entry = await global.get(GRADER_API, { reference: true });
    const grade = (await entry.get('grade', { reference: true })) as ivm.Reference<(lab: string, source: string, options: string) => void>;
    api.fire = (await entry.get('fire', { reference: true })) as ivm.Reference<() => void>;
    entry.release();
    // Gone before learner code can look for it.
    await global.delete(GRADER_API);
    const options: IsolateGradeOptions = { checkWallMs: config.checkWallMs, sliceMs: config.sliceMs, lang: job.lang };
    // Its error is only news when the isolate is gone (track()): the result comes through HOST_DONE.
    await track(grade.apply(undefined, [job.lab, job.source, JSON.stringify(options)])).catch(() => undefined);
    grade.release();
  })();
  start.catch((error: unknown) => end({ kind: 'failed', error }));

  await ended;
  active = false;
  cancelWake();
  clearTimeout(wallTimer);
  clearInterval(cpuTimer);
  // The call that was running may be the one that learned why the isolate went away.
  if (isolate.isDisposed) await Promise.race([Promise.all(calls), new Promise((r) => setTimeout(r, 200))]);

  const e = ending as Ending | null;
  const stoppedWith = (reason: StopReason, message: string): ChildMessage => ({ type: 'stopped', id: job.id, reason, message, partial });
  let message: ChildMessage;
  if (memoryLimitHit) message = stoppedWith('memory', stopMessage('memory', lang));
  else if (!e) message = stoppedWith('internal', say.sandbox.noResult);
  else if (e.kind === 'stopped') message = stoppedWith(e.reason, e.message);
  else if (e.kind === 'done') {
    const capped = typeof e.json === 'string' ? capResultJson(e.json, MAX_RESULT_CHARS) : null;
    if (capped !== null) message = { type: 'done', id: job.id, json: capped };
    else if (typeof e.failure === 'string') message = stoppedWith('internal', say.graderFailed({ error: e.failure.slice(0, 500) }));
    else message = stoppedWith('internal', say.sandbox.unsendable);
  } else {
    const text = String((e.error as Error)?.message ?? e.error);
    // Only stop() and isolated-vm's memory limit dispose an isolate, and stop() was not it. The call
    // whose error names the memory limit may be another one, or one that never settles.
    if (/memory limit/i.test(text) || isolate.isDisposed) message = stoppedWith('memory', stopMessage('memory', lang));
    else message = stoppedWith('internal', say.graderFailed({ error: text.slice(0, 500) }));
  }

  const disposed = isolate.isDisposed;
  if (!disposed) {
    try {
      api.fire?.release();
      held.context?.release();
    } catch {
      // Nothing to free.
    }
  }
  const settled = Promise.all([start.catch(() => undefined), ...calls]);
  return { message, settled, disposed };
}

async function main(): Promise<void> {
  const code = await loadIsolateScript();
  let sandbox: Sandbox | null = await createSandbox(code);
  const jobs: GradeRequest[] = [];
  let busy = false;

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        sandbox ??= await createSandbox(code);
        const outcome = await runJob(sandbox, job);
        sandbox.jobs++;
        if (!outcome.disposed && sandbox.jobs < JOBS_PER_ISOLATE) {
          // The usual case: the same isolate takes the next job.
          await send({ ...outcome.message, ready: true } as ChildMessage);
          continue;
        }
        await send(outcome.message);
        if (outcome.disposed) {
          sandbox = null;
          const back = await Promise.race([outcome.settled.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), SETTLE_MS))]);
          // A thread still inside an uninterruptible builtin would slow every later grading: start over.
          // Not process.exit(): it waits for that thread. The pool sees the exit and starts another child.
          if (!back) process.kill(process.pid, 'SIGKILL');
        } else {
          sandbox.isolate.dispose();
          sandbox = null;
        }
        sandbox = await createSandbox(code);
        await send({ type: 'ready' });
      }
    } finally {
      busy = false;
    }
  };

  process.on('message', (msg: unknown) => {
    const m = msg as Partial<GradeRequest> | null;
    if (!m || m.type !== 'grade' || typeof m.id !== 'string' || typeof m.lab !== 'string' || typeof m.source !== 'string') return;
    jobs.push({ type: 'grade', id: m.id, lab: m.lab, source: m.source, lang: parseGradeLang(typeof m.lang === 'string' ? m.lang : null) ?? 'en' });
    pump().catch((error) => {
      process.stderr.write(`grading child: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    });
  });
  // The pool is gone: so is the reason to exist.
  process.on('disconnect', () => process.exit(0));
  await send({ type: 'ready' });
}

main().catch((error) => {
  process.stderr.write(`grading child could not start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
