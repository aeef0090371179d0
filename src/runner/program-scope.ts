// The names a program sees besides its own: a console that writes into the
// trace, a `require` that knows only 'closing-time', and stand-ins for the
// host's timers, network and process objects that explain why they are not
// there. Time in a simulation is virtual and I/O goes through the simulated
// sockets; a real setTimeout would run outside the simulation's clock and make
// runs differ from one to the next. This is a teaching scope, not a security
// boundary: the workshop server runs untrusted code in a real isolate.
import { SocketError } from '../sim/errors.ts';

/** What `require('closing-time')` returns: the runtime part of types/closing-time.d.ts. */
export const RUNTIME_EXPORTS: Readonly<Record<string, unknown>> = Object.freeze({ __esModule: true, SocketError });

export const ALLOWED_MODULE = 'closing-time';

export class ModuleNotAvailableError extends Error {
  constructor(readonly module: string) {
    super(`Cannot import '${module}': programs can only import '${ALLOWED_MODULE}'`);
    this.name = 'ImportError';
  }
}

export class NotAvailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAvailable';
  }
}

const TIME_HINT = 'time in a simulation is virtual: use `await os.sleep(ms)` inside a process';
const NET_HINT = 'a program talks through simulated sockets: use os.socket()';

const UNAVAILABLE_FUNCTIONS: Record<string, string> = {
  setTimeout: TIME_HINT,
  setInterval: TIME_HINT,
  setImmediate: TIME_HINT,
  clearTimeout: TIME_HINT,
  clearInterval: TIME_HINT,
  clearImmediate: TIME_HINT,
  requestAnimationFrame: TIME_HINT,
  fetch: NET_HINT,
  XMLHttpRequest: NET_HINT,
  WebSocket: NET_HINT,
  importScripts: `programs can only import '${ALLOWED_MODULE}'`,
};

const UNAVAILABLE_OBJECTS: Record<string, string> = {
  process: `a program runs inside the simulation and has no host process: each simulated process gets \`os\` (os.now(), os.sleep(), os.ss() ...)`,
  Buffer: 'data in a simulation is text: send and receive strings',
};

function unavailableFunction(name: string, hint: string): (...args: unknown[]) => never {
  const fn = () => {
    throw new NotAvailableError(`${name} is not available in a simulation program: ${hint}`);
  };
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

function unavailableObject(name: string, hint: string): object {
  return new Proxy(function () {}, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive || prop === 'toString') return () => `[${name}: not available]`;
      throw new NotAvailableError(`${name}${typeof prop === 'string' ? `.${prop}` : ''} is not available in a simulation program: ${hint}`);
    },
    apply() {
      throw new NotAvailableError(`${name} is not available in a simulation program: ${hint}`);
    },
    construct() {
      throw new NotAvailableError(`${name} is not available in a simulation program: ${hint}`);
    },
  });
}

/** mulberry32: a small seeded PRNG, so Math.random repeats with the run's seed. */
function seededRandom(seed: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function programRequire(module: unknown): unknown {
  if (module === ALLOWED_MODULE) return RUNTIME_EXPORTS;
  throw new ModuleNotAvailableError(String(module));
}

/** Virtual time starts here when a program reads the wall clock: 2026-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * A Date whose clock is the simulation's: `new Date()` and `Date.now()` read
 * virtual time (from VIRTUAL_EPOCH_MS), so a program that prints timestamps
 * gives the same output on every run. Dates built from arguments are ordinary.
 */
function virtualDate(now: () => number): DateConstructor {
  const RealDate = Date;
  const VirtualDate = function (this: unknown, ...args: unknown[]) {
    if (!new.target) return new RealDate(VIRTUAL_EPOCH_MS + now()).toString();
    return args.length === 0 ? new RealDate(VIRTUAL_EPOCH_MS + now()) : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  } as unknown as DateConstructor;
  Object.defineProperties(VirtualDate, {
    now: { value: () => VIRTUAL_EPOCH_MS + now() },
    parse: { value: RealDate.parse },
    UTC: { value: RealDate.UTC },
    prototype: { value: RealDate.prototype },
  });
  return VirtualDate;
}

export interface ScopeOptions {
  console: object;
  guard: (line: number) => void;
  seed: number;
  fileName: string;
  module: { exports: Record<string, unknown> };
  /** Virtual time in ms, when the program runs in a world: Date and performance.now() follow it. */
  clock?: () => number;
}

/** The scope's names and values, in parameter order for the module wrapper. */
export function buildScope(options: ScopeOptions): Map<string, unknown> {
  const scope = new Map<string, unknown>();
  scope.set('exports', options.module.exports);
  scope.set('require', programRequire);
  scope.set('module', options.module);
  scope.set('__filename', options.fileName);
  scope.set('__dirname', '.');
  scope.set('__ct_guard', options.guard);
  scope.set('console', options.console);
  const random = seededRandom(options.seed);
  scope.set('Math', Object.create(Math, { random: { value: random, enumerable: false } }));
  // Always present, so the wrapper's parameter list does not depend on the options.
  const clock = options.clock;
  scope.set('Date', clock ? virtualDate(clock) : Date);
  scope.set('performance', clock ? Object.freeze({ now: () => clock() }) : globalThis.performance);
  for (const [name, hint] of Object.entries(UNAVAILABLE_FUNCTIONS)) scope.set(name, unavailableFunction(name, hint));
  for (const [name, hint] of Object.entries(UNAVAILABLE_OBJECTS)) scope.set(name, unavailableObject(name, hint));
  // globalThis.setTimeout and friends resolve to the same stand-ins.
  const shadowGlobal = new Proxy(globalThis, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && scope.has(prop) && prop !== 'exports' && prop !== 'module') return scope.get(prop);
      return Reflect.get(target, prop, receiver === shadowGlobal ? target : receiver);
    },
  });
  for (const name of ['globalThis', 'global', 'self', 'window']) scope.set(name, shadowGlobal);
  return scope;
}
