// A random but legal world, as data: link faults, partitions, sysctls, and for
// each connection a sequence of socket calls on both sides. Legal means each
// call is one a real program could make (no use after close, no double close);
// calls may still fail (EPIPE after shutdown, ECONNRESET after a RST), and that
// is what the invariants then judge.
import type { LinkOptions } from '../../types/closing-time.d.ts';
import { Rng } from './rng.ts';

export type Action =
  | { do: 'send'; bytes: number }
  | { do: 'recv' }
  | { do: 'recvall' }
  | { do: 'shutdown'; how: 'SHUT_RD' | 'SHUT_WR' | 'SHUT_RDWR' }
  | { do: 'close' }
  | { do: 'sleep'; ms: number }
  | { do: 'linger'; seconds: number }
  /** Throws on purpose: the run must end with endedBy 'error' and name this process. */
  | { do: 'throw' };

export interface ConnectionPlan {
  /** Each connection has its own server port, so each side knows which stream it handles. */
  port: number;
  clientStartMs: number;
  reuseaddr: boolean;
  client: Action[];
  server: Action[];
}

export interface WorldPlan {
  seed: number;
  link: Required<Pick<LinkOptions, 'delayMs' | 'jitterMs' | 'loss' | 'duplicate' | 'reorder'>>;
  partitions: { fromMs: number; untilMs: number }[];
  sysctls: { client: Record<string, number | string>; server: Record<string, number | string> };
  connections: ConnectionPlan[];
}

export const FIRST_PORT = 7000;

function script(rng: Rng, side: 'client' | 'server', purposeThrow: boolean): Action[] {
  const actions: Action[] = [];
  if (rng.chance(0.15)) actions.push({ do: 'linger', seconds: rng.pick([0, 0, 1, 3]) });
  const length = rng.int(1, 7);
  let shutWr = false;
  for (let i = 0; i < length; i++) {
    const kind = rng.weighted({ send: 5, recv: 3, recvall: 2, sleep: 2, shutdown: 1 });
    if (kind === 'send') {
      // Mostly small writes; sometimes more than the send buffer, so send() must wait for the peer.
      actions.push({ do: 'send', bytes: rng.chance(0.1) ? rng.int(20_000, 150_000) : rng.int(1, 3000) });
    } else if (kind === 'recv') actions.push({ do: 'recv' });
    else if (kind === 'recvall') actions.push({ do: 'recvall' });
    else if (kind === 'sleep') actions.push({ do: 'sleep', ms: rng.pick([1, 10, 100, 500, 2000, 10_000]) });
    else if (!shutWr) {
      const how = rng.weighted({ SHUT_WR: 6, SHUT_RDWR: 1, SHUT_RD: 1 } as const);
      if (how !== 'SHUT_RD') shutWr = true;
      actions.push({ do: 'shutdown', how });
    }
  }
  if (purposeThrow) actions.splice(rng.int(0, actions.length), 0, { do: 'throw' });
  // Most programs close; some leak the socket (a server that never closes: CLOSE_WAIT forever).
  if (rng.chance(side === 'server' ? 0.85 : 0.92)) actions.push({ do: 'close' });
  return actions;
}

export function makePlan(seed: number): WorldPlan {
  const rng = new Rng(seed);
  const lossy = rng.chance(0.7);
  const link = {
    delayMs: rng.pick([1, 5, 10, 40]),
    jitterMs: rng.chance(0.4) ? rng.int(1, 30) : 0,
    loss: lossy ? rng.pick([0.01, 0.05, 0.1, 0.2]) : 0,
    duplicate: rng.chance(0.3) ? rng.pick([0.01, 0.05, 0.1]) : 0,
    reorder: rng.chance(0.3) ? rng.pick([0.05, 0.1, 0.3]) : 0,
  };
  const partitions: WorldPlan['partitions'] = [];
  for (let i = rng.int(0, 2); i > 0; i--) {
    const fromMs = rng.int(0, 8000);
    partitions.push({ fromMs, untilMs: fromMs + rng.pick([100, 500, 2000, 10_000]) });
  }
  const sysctls: WorldPlan['sysctls'] = { client: {}, server: {} };
  for (const side of ['client', 'server'] as const) {
    if (rng.chance(0.3)) sysctls[side]['net.ipv4.tcp_fin_timeout'] = rng.pick([1, 3, 10, 60]);
    if (rng.chance(0.2)) sysctls[side]['net.ipv4.tcp_rfc1337'] = rng.int(0, 1);
    if (rng.chance(0.2)) sysctls[side]['net.ipv4.tcp_timestamps'] = rng.int(0, 1);
    if (rng.chance(0.2)) sysctls[side]['net.ipv4.tcp_retries2'] = rng.pick([3, 5, 8]);
    if (rng.chance(0.2)) sysctls[side]['net.ipv4.tcp_orphan_retries'] = rng.pick([1, 2, 3]);
  }
  const throwIn = rng.chance(0.03) ? rng.int(0, 5) : -1;
  const connections: ConnectionPlan[] = [];
  const count = rng.int(1, 3);
  for (let k = 0; k < count; k++) {
    connections.push({
      port: FIRST_PORT + k,
      clientStartMs: rng.pick([0, 0, 5, 50, 1000]),
      reuseaddr: rng.chance(0.5),
      client: script(rng, 'client', throwIn === 2 * k),
      server: script(rng, 'server', throwIn === 2 * k + 1),
    });
  }
  return { seed, link, partitions, sysctls, connections };
}
