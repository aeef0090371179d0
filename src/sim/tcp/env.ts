import type { Errno, TcpState } from '../../../types/closing-time.d.ts';
import type { Segment } from '../segment.ts';
import type { TimerEnv } from './timers.ts';

/** Something a process waits on: resolved or rejected by the world, one process at a time. */
export interface Waiter<T = unknown> {
  readonly what: string;
  /** Set when the waiter was woken or cancelled. */
  settled: boolean;
  /** A number the waiting call keeps with it (recv: the most bytes it takes). */
  n: number;
  /** Only for the type parameter. */
  readonly __t?: T;
}

/** What a host's TCP stack needs from the world around it. */
export interface StackEnv extends TimerEnv {
  /** Puts a segment on the wire from the host of stack `from`. */
  transmit(seg: Segment, from: { readonly host: unknown }): void;
  wake<T>(w: Waiter<T>, value: T): void;
  fail(w: Waiter<any>, code: Errno, syscall: string, message?: string): void;
  /** Trace hooks; cheap no-ops when nobody listens. */
  readonly tracing: boolean;
  /** Somebody reads state changes, or timer events (building them costs: addresses are formatted). */
  readonly tracingState: boolean;
  traceState(host: string, id: number, local: string, remote: string, from: TcpState, to: TcpState, cause: string): void;
  note(level: 'info' | 'warn', text: string, host?: string): void;
  /** A learner-supplied TIME_WAIT handler threw. */
  policyError(error: unknown): void;
  /** Seeded randomness (ISN secret, port offsets). */
  random32(): number;
}
