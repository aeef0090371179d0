// Hardens the isolate's realm before learner code runs in it. Learner code is
// evaluated in the same realm as the grader (src/runner evaluates it with an
// indirect eval), so without this it could rewrite what the grader relies on:
// `Array.prototype.every = () => true`, `JSON.stringify = ...`,
// `Object.prototype.status = 'pass'`. Every intrinsic reachable from the global
// object (and the ones only syntax reaches: generator, async and iterator
// prototypes) is frozen, the global's bindings become read-only, and the global
// takes no new names, so a program cannot plant one that the grader would
// feature-test (`typeof TextEncoder`).
//
// Freezing a prototype turns a plain assignment of an inherited name into an
// error on every object below it (the "override mistake": `this.name = 'X'` in
// an Error subclass). As SES does, the few names programs commonly assign are
// made accessors whose setter defines an own property on the receiver. Hot
// paths (Array and Map methods, Promise.prototype.then) stay plain frozen data
// properties.

/** Names assigned on ordinary objects often enough that refusing them would break honest code. */
const OVERRIDABLE: readonly [() => object, readonly string[]][] = [
  [() => Object.prototype, ['constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf']],
  [() => Function.prototype, ['constructor', 'bind', 'name', 'toString', 'apply', 'call']],
  [() => Error.prototype, ['constructor', 'message', 'name', 'toString']],
  [() => EvalError.prototype, ['constructor', 'message', 'name']],
  [() => RangeError.prototype, ['constructor', 'message', 'name']],
  [() => ReferenceError.prototype, ['constructor', 'message', 'name']],
  [() => SyntaxError.prototype, ['constructor', 'message', 'name']],
  [() => TypeError.prototype, ['constructor', 'message', 'name']],
  [() => URIError.prototype, ['constructor', 'message', 'name']],
  [() => AggregateError.prototype, ['constructor', 'message', 'name']],
  [() => Promise.prototype, ['constructor']],
];

/** Globals a grading realm has no use for and that widen what a program can do (shared memory, Atomics.wait, compiled Wasm). */
const REMOVED_GLOBALS = ['SharedArrayBuffer', 'Atomics', 'WebAssembly'];

const hasOwn = Object.prototype.hasOwnProperty;
const defineProperty = Object.defineProperty;

/** Turns `obj[key]` into an accessor: reading gives the original value, assigning on an heir defines the heir's own property. */
function makeOverridable(obj: object, key: string): void {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  if (!desc || !('value' in desc) || !desc.configurable) return;
  const value: unknown = desc.value;
  Object.defineProperty(obj, key, {
    get: function () {
      return value;
    },
    set: function (this: unknown, next: unknown) {
      if (this === obj) throw new TypeError(`Cannot assign to read only property '${key}' of a frozen built-in`);
      if ((typeof this !== 'object' && typeof this !== 'function') || this === null) throw new TypeError(`Cannot create property '${key}' on ${typeof this}`);
      if (hasOwn.call(this, key)) {
        (this as Record<string, unknown>)[key] = next;
      } else {
        defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      }
    },
    enumerable: desc.enumerable,
    configurable: false,
  });
}

/** Intrinsics no global names: only syntax or an instance leads to them. */
function hiddenIntrinsics(): unknown[] {
  const proto = Object.getPrototypeOf;
  const found: unknown[] = [
    proto(function* () {}), // %GeneratorFunction.prototype%, and from it %GeneratorPrototype% and %GeneratorFunction%
    proto(async function () {}), // %AsyncFunction.prototype%
    proto(async function* () {}), // %AsyncGeneratorFunction.prototype%
    proto(proto([][Symbol.iterator]())), // %IteratorPrototype%
    proto([][Symbol.iterator]()),
    proto(''[Symbol.iterator]()),
    proto(new Map()[Symbol.iterator]()),
    proto(new Set()[Symbol.iterator]()),
    proto('a'.matchAll(/a/g)),
    proto(Uint8Array), // %TypedArray%
    Object.getOwnPropertyDescriptor(
      (function (this: unknown) {
        'use strict';
        // eslint-disable-next-line prefer-rest-params
        return arguments;
      })(),
      'callee',
    )?.get, // %ThrowTypeError%
  ];
  const intl = (globalThis as { Intl?: { Segmenter?: new () => { segment(s: string): object } } }).Intl;
  if (intl?.Segmenter) {
    const segments = new intl.Segmenter().segment('');
    found.push(proto(segments), proto((segments as Iterable<unknown>)[Symbol.iterator]()));
  }
  return found;
}

/** Freezes every object reachable from `roots` through properties, accessors and prototypes. */
function harden(roots: unknown[], skip: ReadonlySet<object>): number {
  const seen = new Set<object>();
  const pending = [...roots];
  while (pending.length) {
    const value = pending.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue;
    if (seen.has(value) || skip.has(value)) continue;
    seen.add(value);
    Object.freeze(value);
    pending.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const desc = Reflect.getOwnPropertyDescriptor(value, key);
      if (!desc) continue;
      if ('value' in desc) pending.push(desc.value);
      else pending.push(desc.get, desc.set);
    }
  }
  return seen.size;
}

export interface LockdownOptions {
  /** Global names left deletable (the grader's entry point, which the host removes before grading). */
  keep?: readonly string[];
  /** More objects to freeze with everything they reach: what programs get from the grader besides the built-ins. */
  harden?: readonly unknown[];
}

/** Freezes the realm's intrinsics and global bindings. Returns how many objects were frozen. */
export function lockdown(options: LockdownOptions = {}): number {
  const global = globalThis as unknown as Record<string, unknown>;
  const keep = new Set(options.keep ?? []);
  for (const name of REMOVED_GLOBALS) delete global[name];
  for (const [target, keys] of OVERRIDABLE) {
    const obj = target();
    for (const key of keys) makeOverridable(obj, key);
  }

  const roots: unknown[] = [...hiddenIntrinsics(), ...(options.harden ?? [])];
  const skip = new Set<object>([globalThis]);
  for (const key of Reflect.ownKeys(globalThis)) {
    if (typeof key === 'string' && keep.has(key)) {
      const kept = Reflect.getOwnPropertyDescriptor(globalThis, key)?.value;
      if ((typeof kept === 'object' || typeof kept === 'function') && kept !== null) skip.add(kept);
      continue;
    }
    const desc = Reflect.getOwnPropertyDescriptor(globalThis, key);
    if (!desc) continue;
    if ('value' in desc) roots.push(desc.value);
    else roots.push(desc.get, desc.set);
  }
  const frozen = harden(roots, skip);

  for (const key of Reflect.ownKeys(globalThis)) {
    if (typeof key === 'string' && keep.has(key)) continue;
    const desc = Reflect.getOwnPropertyDescriptor(globalThis, key);
    if (!desc || !desc.configurable) {
      if (desc && 'value' in desc && desc.writable) Object.defineProperty(globalThis, key, { writable: false });
      continue;
    }
    Object.defineProperty(globalThis, key, 'value' in desc ? { writable: false, configurable: false } : { configurable: false });
  }
  Object.preventExtensions(globalThis);
  return frozen;
}
