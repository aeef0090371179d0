// setTimeout, clearTimeout, setImmediate and clearImmediate for the grader's
// isolate, which has no event loop of its own: the host keeps one wake-up
// pending (HOST_WAKE) and calls `fire()` when it is due. Each fire runs one
// callback, so the isolate's microtasks drain between two callbacks as they do
// between Node's macrotasks. This module must be evaluated before the
// simulator's: the world picks setImmediate (or MessageChannel) when it loads.
import { HOST_WAKE } from './isolate-names.ts';

type Task = { id: number; due: number; fn: (...args: unknown[]) => void; args: unknown[] };

/** Real timers are the grader's business only (programs get stand-ins): a small cap is plenty. */
const MAX_PENDING = 1000;

const global = globalThis as unknown as Record<string, unknown>;
const hostWake = global[HOST_WAKE] as ((delayMs: number) => void) | undefined;
delete global[HOST_WAKE];
if (typeof hostWake !== 'function') throw new Error(`the grader's isolate script needs the host's ${HOST_WAKE} function`);

const timers = new Map<number, Task>();
const immediates: Task[] = [];
let nextId = 1;
/** The earliest wake-up the host holds for us (Date.now() ms); Infinity when none. */
let wakeAt = Infinity;

function add(fn: unknown, delayMs: number, args: unknown[], immediate: boolean): number {
  if (typeof fn !== 'function') throw new TypeError('the callback must be a function');
  if (timers.size >= MAX_PENDING) throw new RangeError(`more than ${MAX_PENDING} timers pending in the grader`);
  const task: Task = { id: nextId++, due: Date.now() + delayMs, fn: fn as Task['fn'], args };
  timers.set(task.id, task);
  if (immediate) immediates.push(task);
  requestWake();
  return task.id;
}

function requestWake(): void {
  let next = immediates.length ? 0 : Infinity;
  if (next !== 0) for (const t of timers.values()) if (t.due < next) next = t.due;
  if (next === Infinity) return;
  const now = Date.now();
  const at = Math.max(now, next);
  if (at >= wakeAt) return;
  wakeAt = at;
  hostWake!(at - now);
}

function runOne(): void {
  while (immediates.length) {
    const t = immediates.shift()!;
    if (timers.get(t.id) !== t) continue; // cleared
    timers.delete(t.id);
    return call(t);
  }
  const now = Date.now();
  let first: Task | null = null;
  for (const t of timers.values()) if (t.due <= now && (!first || t.due < first.due)) first = t;
  if (!first) return;
  timers.delete(first.id);
  call(first);
}

function call(t: Task): void {
  try {
    t.fn(...t.args);
  } catch {
    // Nothing awaits a timer callback; the grader's own callbacks do not throw.
  }
}

/** The host's wake-up came: run the next due callback, then ask for the next wake-up. */
export function fire(): void {
  wakeAt = Infinity;
  try {
    runOne();
  } finally {
    requestWake();
  }
}

function clear(id: unknown): void {
  if (typeof id === 'number') timers.delete(id);
}

const delay = (ms: unknown) => {
  const n = Number(ms);
  return n >= 1 && n < 2 ** 31 ? n : 1; // as Node: below 1 (or NaN, or too large) means 1
};

const shims: Record<string, unknown> = {
  setTimeout: (fn: unknown, ms?: unknown, ...args: unknown[]) => add(fn, delay(ms), args, false),
  clearTimeout: clear,
  setImmediate: (fn: unknown, ...args: unknown[]) => add(fn, 0, args, true),
  clearImmediate: clear,
};
for (const [name, value] of Object.entries(shims)) {
  Object.defineProperty(value, 'name', { value: name });
  Object.defineProperty(globalThis, name, { value, writable: true, enumerable: false, configurable: true });
}

// grade-lab.ts and the busy-loop guard measure real time with performance.now() where there is one.
const origin = Date.now();
Object.defineProperty(globalThis, 'performance', {
  value: { timeOrigin: origin, now: () => Date.now() - origin },
  writable: true,
  enumerable: false,
  configurable: true,
});
