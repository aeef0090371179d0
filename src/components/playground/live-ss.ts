// `ss -tan` for a moment inside a run, rebuilt from the trace's state changes
// (the run's summary has the exact tables, queues included, once it ends).
import type { SsRow, TcpState, TimerName, TraceEvent } from '../../../types/closing-time.d.ts';
import { ssStateName } from '../../sim/ss-format.ts';
import { timerText } from '../../sim/ss.ts';
import { SYSCTL_DEFAULTS } from '../../sim/tcp/params.ts';
import type { SockstatEntry } from '../../console/ss-summary.ts';

/**
 * How `ss -o` names a timer (iproute2 misc/ss.c: on, keepalive, timewait, persist); the linger wait is close()'s, not a socket timer.
 * The keepalive timer is a socket's second timer (Linux sk_timer), kept apart: ss shows it when the first (icsk_retransmit_timer) is idle.
 */
/** net.core.somaxconn as the stack starts (the trace does not carry sysctl changes). */
const SOMAXCONN = SYSCTL_DEFAULTS['net.core.somaxconn'];

const SS_TIMER: Partial<Record<TimerName, string>> = { retransmit: 'on', 'syn-ack': 'on', 'time-wait': 'timewait', 'fin-wait-2': 'timewait', persist: 'persist' };

interface Keepalive {
  due: number;
  /** Probes sent and not answered (icsk_probes_out, the count `ss -o` shows). */
  probes: number;
  /** Time of a keepalive expiry whose probe, if it sent one, is the socket's next segment. */
  firedAt: number;
}

/**
 * Each host's sockets as `ss -s` counts them, after the events up to trace
 * position `untilN`. A socket is a minisock once its time-wait or fin-wait-2
 * timer is armed, and an orphan once close() moved it (close() after
 * shutdown(SHUT_WR) in FIN_WAIT_1 moves nothing and is not seen here). The
 * trace does not tell a socket in an accept queue from an accepted one: both
 * count as held by a descriptor.
 */
export function sockstatEntriesFromTrace(events: readonly TraceEvent[], untilN = Infinity): Map<string, SockstatEntry[]> {
  const socks = new Map<number, { host: string; state: TcpState; minisock: boolean; orphan: boolean }>();
  for (const ev of events) {
    if (ev.n > untilN) break;
    if (ev.kind === 'timer') {
      const s = socks.get(ev.sock.id);
      if (s && ev.action === 'set' && (ev.timer === 'time-wait' || ev.timer === 'fin-wait-2')) s.minisock = true;
      continue;
    }
    if (ev.kind !== 'state') continue;
    if (ev.to === 'CLOSED') {
      socks.delete(ev.sock.id);
      continue;
    }
    const s = socks.get(ev.sock.id) ?? { host: ev.host, state: ev.to, minisock: false, orphan: false };
    s.state = ev.to;
    if (ev.cause === 'close()') s.orphan = true;
    if (ev.to === 'TIME_WAIT') s.minisock = true;
    socks.set(ev.sock.id, s);
  }
  const byHost = new Map<string, SockstatEntry[]>();
  for (const s of socks.values()) {
    const orphan = s.orphan && !s.minisock;
    const entry: SockstatEntry = { state: ssStateName(s.state), minisock: s.minisock, orphan, descriptor: !s.minisock && !orphan };
    const list = byHost.get(s.host);
    if (list) list.push(entry);
    else byHost.set(s.host, [entry]);
  }
  return byHost;
}

/**
 * Each host's sockets after the events up to trace position `untilN` (all if
 * left out). With `atMs`, the virtual time of that position, each row carries
 * the timer `ss -o` would show then, counting down (timewait,59sec,0;
 * keepalive,7sec,2 when only the keepalive timer runs).
 */
export function socketsFromTrace(events: readonly TraceEvent[], untilN = Infinity, atMs?: number): Map<string, SsRow[]> {
  const socks = new Map<number, { host: string; state: TcpState; local: string; remote: string; backlog: number }>();
  /** Per host, the socket that just entered LISTEN: the listen() call's own event, which carries the backlog, comes after its state change. */
  const newListener = new Map<string, number>();
  const timers = new Map<number, { kind: string; due: number; retries: number }>();
  const keepalives = new Map<number, Keepalive>();
  /** Socket ids by `host local>remote`, to tie segments to the keepalive of their socket. */
  const byTuple = new Map<string, number>();
  for (const ev of events) {
    if (ev.n > untilN) break;
    if (ev.kind === 'timer') {
      if (ev.timer === 'keepalive') {
        const ka = keepalives.get(ev.sock.id);
        if (ev.action === 'set' && ev.at !== undefined) {
          if (ka) ka.due = ev.at;
          else keepalives.set(ev.sock.id, { due: ev.at, probes: 0, firedAt: -1 });
          byTuple.set(`${ev.host} ${ev.sock.local}>${ev.sock.remote}`, ev.sock.id);
        } else if (ev.action === 'fire' && ka) {
          ka.due = -1;
          ka.firedAt = ev.t;
        } else if (ka) ka.due = -1;
        continue;
      }
      const kind = SS_TIMER[ev.timer];
      if (!kind) continue;
      const old = timers.get(ev.sock.id);
      if (ev.action === 'set' && ev.at !== undefined) timers.set(ev.sock.id, { kind, due: ev.at, retries: old && old.kind === kind ? old.retries : 0 });
      else if (ev.action === 'fire' && old && ev.timer === 'retransmit') old.retries++;
      else if (old && old.kind === kind) timers.delete(ev.sock.id);
      continue;
    }
    if (ev.kind === 'segment') {
      if (keepalives.size === 0 || ev.action === 'drop') continue;
      const seg = ev.seg;
      const src = `${seg.src.ip}:${seg.src.port}`;
      const dst = `${seg.dst.ip}:${seg.dst.port}`;
      if (ev.action === 'send') {
        const id = byTuple.get(`${ev.host} ${src}>${dst}`);
        const ka = id === undefined ? undefined : keepalives.get(id);
        if (!ka || ka.firedAt < 0) continue;
        // tcp_keepalive_timer sends its probe (tcp_write_wakeup: a bare ACK below snd_una) as it expires.
        if (ev.t === ka.firedAt && seg.len === 0 && !seg.syn && !seg.fin && !seg.rst) ka.probes++;
        ka.firedAt = -1;
      } else {
        // tcp_ack: an ACK from the peer means it is alive (icsk_probes_out = 0).
        const id = byTuple.get(`${ev.host} ${dst}>${src}`);
        const ka = id === undefined ? undefined : keepalives.get(id);
        if (ka && seg.ackFlag) ka.probes = 0;
      }
      continue;
    }
    if (ev.kind === 'syscall') {
      const id = newListener.get(ev.host);
      const l = id === undefined ? undefined : socks.get(id);
      if (ev.call === 'listen' && ev.phase === 'return' && l) {
        // As the stack keeps it (Linux __sys_listen): at most net.core.somaxconn, a negative backlog becomes it too, 0 stays 0.
        const asked = Number.parseInt(ev.args, 10);
        if (!Number.isNaN(asked)) l.backlog = asked < 0 || asked > SOMAXCONN ? SOMAXCONN : asked;
        newListener.delete(ev.host);
      }
      continue;
    }
    if (ev.kind !== 'state') continue;
    if (ev.to === 'CLOSED') {
      socks.delete(ev.sock.id);
      timers.delete(ev.sock.id);
      keepalives.delete(ev.sock.id);
    } else {
      if (ev.to === 'LISTEN') newListener.set(ev.host, ev.sock.id);
      socks.set(ev.sock.id, { host: ev.host, state: ev.to, local: ev.sock.local, remote: ev.sock.remote, backlog: 0 });
    }
  }
  const byHost = new Map<string, SsRow[]>();
  for (const [id, s] of socks) {
    // CLOSED sockets were dropped above: every state left is one ss lists.
    // A listener's row as ss prints it: the backlog as Send-Q, and the peer 0.0.0.0:* (os.ss() does the same).
    const listen = s.state === 'LISTEN';
    const row: SsRow = { state: ssStateName(s.state), recvQ: 0, sendQ: listen ? s.backlog : 0, local: s.local, peer: listen || !s.remote || s.remote === '*:*' ? '0.0.0.0:*' : s.remote };
    if (atMs !== undefined) {
      const tm = timers.get(id);
      const ka = keepalives.get(id);
      let timer: string | undefined;
      if (tm && tm.due >= atMs) timer = timerText(tm.kind, tm.due - atMs, tm.retries);
      else if (ka && ka.due >= atMs) timer = timerText('keepalive', ka.due - atMs, ka.probes);
      if (timer !== undefined) (row as { timer?: string }).timer = timer;
    }
    const rows = byHost.get(s.host);
    if (rows) rows.push(row);
    else byHost.set(s.host, [row]);
  }
  return byHost;
}
