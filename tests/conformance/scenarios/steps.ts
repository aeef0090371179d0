// Short builders for the step lists, so a scenario reads like the program it
// stands for. They only produce data (see ../scenario.ts).
import type { Step, StepExpect } from '../scenario.ts';

export const PORT = 8080;

const withExpect = <T extends Step>(step: T, expect?: StepExpect): T => (expect ? { ...step, expect } : step);

export const socket = (sock: string): Step => ({ op: 'socket', sock });
export const bind = (sock: string, port?: number, expect?: StepExpect): Step =>
  withExpect({ op: 'bind', sock, ...(port === undefined ? {} : { port }) }, expect);
export const listen = (sock: string, expect?: StepExpect): Step => withExpect({ op: 'listen', sock }, expect);
export const accept = (sock: string, as: string, expect?: StepExpect): Step => withExpect({ op: 'accept', sock, as }, expect);
export const connect = (sock: string, port = PORT, expect?: StepExpect, to?: 'loopback' | 'self'): Step =>
  withExpect({ op: 'connect', sock, port, ...(to ? { to } : {}) }, expect);
export const send = (sock: string, data: string, expect?: StepExpect, times?: number): Step =>
  withExpect({ op: 'send', sock, data, ...(times ? { times } : {}) }, expect);
export const recv = (sock: string, expect?: StepExpect): Step => withExpect({ op: 'recv', sock }, expect);
export const recvall = (sock: string, expect?: StepExpect): Step => withExpect({ op: 'recvall', sock }, expect);
export const shutdown = (sock: string, how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR', expect?: StepExpect): Step =>
  withExpect({ op: 'shutdown', sock, how }, expect);
export const close = (sock: string, expect?: StepExpect): Step => withExpect({ op: 'close', sock }, expect);
export const sleep = (ms: number): Step => ({ op: 'sleep', ms });
/** Sleeps until `ms` after the start of the step marked `mark`. */
export const sleepSince = (mark: string, ms: number): Step => ({ op: 'sleep', ms, since: mark });
export const ss = (...states: string[]): Step => ({ op: 'ss', expect: { states: [...states].sort() } });
/** Like `ss -tano`: each socket as 'STATE timer-kind' ('-' for none). */
export const ssTimers = (...rows: string[]): Step => ({ op: 'ss', timers: true, expect: { timers: [...rows].sort() } });
export const signal = (name: string): Step => ({ op: 'signal', name });
export const wait = (name: string): Step => ({ op: 'wait', name });
export const reuseaddr = (sock: string, value = true): Step => ({ op: 'setsockopt', sock, opt: 'SO_REUSEADDR', value });
export const reuseport = (sock: string, value = true): Step => ({ op: 'setsockopt', sock, opt: 'SO_REUSEPORT', value });
export const linger = (sock: string, seconds: number): Step => ({
  op: 'setsockopt',
  sock,
  opt: 'SO_LINGER',
  value: { onoff: true, linger: seconds },
});

/** A listener on PORT that signals 'listening' and accepts one connection as `as`. */
export function serveOne(as = 'c', options: { reuseaddr?: boolean; rcvbuf?: number } = {}): Step[] {
  const steps: Step[] = [socket('l')];
  if (options.reuseaddr !== undefined) steps.push(reuseaddr('l', options.reuseaddr));
  if (options.rcvbuf !== undefined) steps.push({ op: 'setsockopt', sock: 'l', opt: 'SO_RCVBUF', value: options.rcvbuf });
  steps.push(bind('l', PORT, { ok: true }), listen('l', { ok: true }), signal('listening'), accept('l', as, { ok: true }));
  return steps;
}

/** A client socket `sock` connected to the server's PORT once it listens. */
export function connectOne(sock = 's'): Step[] {
  return [socket(sock), wait('listening'), connect(sock, PORT, { ok: true })];
}
