// `ss -tan` for a moment inside a run, rebuilt from the trace's state changes
// (the run's summary has the exact tables, queues included, once it ends).
import type { SsRow, SsState, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';

const SS_NAME: Record<TcpState, SsState | null> = {
  CLOSED: null,
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN-SENT',
  SYN_RECEIVED: 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  FIN_WAIT_1: 'FIN-WAIT-1',
  FIN_WAIT_2: 'FIN-WAIT-2',
  CLOSE_WAIT: 'CLOSE-WAIT',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK',
  TIME_WAIT: 'TIME-WAIT',
};

/** Each host's sockets after the events up to trace position `untilN` (all if left out). */
export function socketsFromTrace(events: readonly TraceEvent[], untilN = Infinity): Map<string, SsRow[]> {
  const socks = new Map<number, { host: string; state: TcpState; local: string; remote: string }>();
  for (const ev of events) {
    if (ev.n > untilN) break;
    if (ev.kind !== 'state') continue;
    if (ev.to === 'CLOSED') socks.delete(ev.sock.id);
    else socks.set(ev.sock.id, { host: ev.host, state: ev.to, local: ev.sock.local, remote: ev.sock.remote });
  }
  const byHost = new Map<string, SsRow[]>();
  for (const s of socks.values()) {
    const state = SS_NAME[s.state];
    if (!state) continue;
    const row: SsRow = { state, recvQ: 0, sendQ: 0, local: s.local, peer: s.state === 'LISTEN' || !s.remote ? '*:*' : s.remote };
    const rows = byHost.get(s.host);
    if (rows) rows.push(row);
    else byHost.set(s.host, [row]);
  }
  return byHost;
}
