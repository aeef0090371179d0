import type { SsOptions, SsRow, SsState, SsTable } from '../../types/closing-time.d.ts';
import { formatSsTable, ssStateName } from './ss-format.ts';
import type { Stack } from './tcp/stack.ts';
import { Tcb } from './tcp/tcb.ts';

/** ss -o timer text: e.g. timewait,59sec,0 or on,200ms,1 (iproute2 misc/ss.c print_timer). */
export function timerText(kind: string, msLeft: number, retrans: number): string {
  const ms = Math.max(0, Math.round(msLeft));
  let t: string;
  if (ms >= 60_000) t = `${Math.floor(ms / 60_000)}min${Math.floor((ms % 60_000) / 1000)}sec`;
  else if (ms >= 1000) t = `${Math.floor(ms / 1000)}sec`;
  else t = `${ms}ms`;
  return `${kind},${t},${retrans}`;
}

/** The rows of `ss -tan` for one host. */
export function ssRows(stack: Stack, now: number): SsRow[] {
  const rows: SsRow[] = [];
  // Rows share equal strings (the peer of every TIME_WAIT to one server, timer texts), and an
  // address is one flat string (join), not a rope of three: the run summary keeps every row.
  const strs = new Map<string, string>();
  const str = (v: string): string => {
    const o = strs.get(v);
    if (o !== undefined) return o;
    strs.set(v, v);
    return v;
  };
  const addr = (ip: string, port: number): string => str([ip, port].join(':'));
  for (const s of stack.allSockets()) {
    if (s instanceof Tcb) {
      const listen = s.state === 'LISTEN';
      let timer: string | undefined;
      if (s.rtx.kind === 'retransmit') timer = timerText('on', s.rtx.at - now, s.retries);
      else if (s.rtx.kind === 'persist') timer = timerText('persist', s.rtx.at - now, s.probes);
      else if (s.ka !== null && s.ka.slot !== null && s.ka.slot.kind === 'keepalive') timer = timerText('keepalive', s.ka.slot.at - now, s.ka.probesOut);
      rows.push({
        state: ssStateName(s.state),
        // For a listener ss shows the accept queue and the backlog.
        recvQ: listen ? s.acceptQueue.length : s.rqBytes,
        sendQ: listen ? s.backlog : s.sqLen,
        local: addr(listen && s.localIp === '0.0.0.0' ? '0.0.0.0' : s.localIp, s.localPort),
        peer: listen ? '0.0.0.0:*' : addr(s.remoteIp, s.remotePort),
        timer: timer === undefined ? undefined : str(timer),
        process: s.orphan || s.fdClosed ? undefined : s.owner || undefined,
      });
    } else {
      rows.push({
        state: ssStateName(s.substate),
        recvQ: 0,
        sendQ: 0,
        local: addr(s.localIp, s.localPort),
        peer: addr(s.remoteIp, s.remotePort),
        timer: str(timerText('timewait', s.expiresAt - now, 0)),
        process: s.tcb && s.tcb.owner ? s.tcb.owner : undefined,
      });
    }
  }
  return rows;
}

/** An SsTable: the rows, printable as ss prints them. */
export function makeSsTable(rows: SsRow[], opts: SsOptions = {}): SsTable {
  const all = opts.all !== false;
  const kept = all ? rows : rows.filter((r) => r.state !== 'LISTEN');
  const table = kept.slice() as SsRow[] & { toString(): string; inState(s: SsState): SsRow[] };
  Object.defineProperty(table, 'toString', { value: () => formatSsTable(kept, { timers: opts.timers }), enumerable: false });
  Object.defineProperty(table, 'inState', { value: (s: SsState) => kept.filter((r) => r.state === s), enumerable: false });
  return table as unknown as SsTable;
}
