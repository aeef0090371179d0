// A socket's queues (received data, out-of-order segments, the accept queue,
// waiting calls) start as one shared empty array: most sockets never use most
// of their queues, and an array each would be most of a socket's size. The
// rule that makes sharing safe lives here only: a queue grows through append()
// or insert(), which give the socket its own array the first time. The shared
// array cannot grow, so a write that bypassed them throws instead of sharing
// data between sockets.

const EMPTY: unknown[] = Object.preventExtensions([]);

/** The shared empty queue every socket starts with (and goes back to when it drops its contents). */
export const emptyQueue = <T>(): T[] => EMPTY as T[];

/** `q` with `x` at the end; keep the result (a new array, sized to one, the first time). */
export function append<T>(q: T[], x: T): T[] {
  if (q === EMPTY) return [x];
  q.push(x);
  return q;
}

/** `q` with `x` inserted at index `i`; keep the result. */
export function insert<T>(q: T[], i: number, x: T): T[] {
  if (q === EMPTY) return [x];
  q.splice(i, 0, x);
  return q;
}
