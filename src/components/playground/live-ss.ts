// `ss -tan` for a moment inside a run, rebuilt from the trace's state changes
// (the run's summary has the exact tables, queues included, once it ends).
import type { SsRow, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';
import { ssStateName } from '../../sim/ss-format.ts';

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
    // CLOSED sockets were dropped above: every state left is one ss lists.
    const row: SsRow = { state: ssStateName(s.state), recvQ: 0, sendQ: 0, local: s.local, peer: s.state === 'LISTEN' || !s.remote ? '*:*' : s.remote };
    const rows = byHost.get(s.host);
    if (rows) rows.push(row);
    else byHost.set(s.host, [row]);
  }
  return byHost;
}
