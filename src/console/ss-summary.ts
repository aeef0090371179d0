// `ss -s`: iproute2's print_summary (misc/ss.c) over one host's sockets. ss
// reads /proc/net/sockstat (TCP: inuse, orphan, tw, alloc) and Tcp CurrEstab
// from /proc/net/snmp, and prints
//   TCP:   alloc+tw (estab CurrEstab, closed alloc-(inuse-tw), orphaned orphan, timewait tw)
// so "closed" counts every TIME_WAIT a second time: it is a derived number, not
// a count of sockets in CLOSED. Pure: no DOM, no Node APIs.
import type { SsRow, SsState } from '../../types/closing-time.d.ts';

/** One socket as the kernel's counters see it. */
export interface SockstatEntry {
  readonly state: SsState;
  /** A TIME_WAIT minisock (inet_timewait_sock): TIME_WAIT, or an orphan's FIN_WAIT_2. */
  readonly minisock: boolean;
  /** Closed by its application but still alive (tcp_orphan_count: SOCK_DEAD full sockets). */
  readonly orphan: boolean;
  /** Held through a file descriptor (sockets: used). */
  readonly descriptor: boolean;
}

/** The numbers ss -s prints, for TCP over IPv4. */
export interface Sockstat {
  /** sockets: used (struct socket with a descriptor; on a real machine every family, Unix sockets included). */
  readonly sockets: number;
  /** TCP: inuse, sockets hashed in the listening or established tables. */
  readonly inuse: number;
  readonly orphan: number;
  readonly tw: number;
  /** TCP: alloc, full TCP sockets allocated (tcp_sockets_allocated). */
  readonly alloc: number;
  /** Tcp CurrEstab: ESTABLISHED and CLOSE_WAIT (tcp_set_state; RFC 1213 tcpCurrEstab). */
  readonly estab: number;
}

/**
 * The counters for a host's sockets. A connection still in SYN-RECV is a
 * request socket (request_sock) in Linux, counted in none of them. In the
 * simulator every full socket it lists is hashed, so inuse equals alloc.
 */
export function sockstat(entries: readonly SockstatEntry[]): Sockstat {
  let tw = 0;
  let full = 0;
  let orphan = 0;
  let estab = 0;
  let sockets = 0;
  for (const e of entries) {
    if (e.minisock) {
      tw++;
      continue;
    }
    if (e.state === 'SYN-RECV') continue;
    full++;
    if (e.orphan) orphan++;
    if (e.state === 'ESTAB' || e.state === 'CLOSE-WAIT') estab++;
    if (e.descriptor) sockets++;
  }
  return { sockets, inuse: full, orphan, tw, alloc: full, estab };
}

const ORPHAN_STATES: readonly SsState[] = ['FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSING', 'LAST-ACK'];

/**
 * Entries from the rows of a run summary (src/sim/ss.ts ssRows): a minisock's row
 * always carries its timewait timer, and a full socket's row names its process
 * unless no descriptor holds it. Without a process, a socket that has sent its FIN
 * was closed (an orphan); one that has not is waiting in a listener's accept queue.
 */
export function sockstatEntriesFromRows(rows: readonly SsRow[]): SockstatEntry[] {
  return rows.map((r) => {
    const minisock = r.state === 'TIME-WAIT' || (r.timer !== undefined && r.timer.startsWith('timewait,'));
    const descriptor = !minisock && r.process !== undefined;
    return { state: r.state, minisock, orphan: !minisock && !descriptor && ORPHAN_STATES.includes(r.state), descriptor };
  });
}

const pad9 = (n: number): string => String(n).padEnd(9);

/** The text ss -s prints for these counters (TCP over IPv4 only; RAW, UDP and FRAG are 0 in the simulator). */
export function formatSsSummary(s: Sockstat): string {
  const line = (name: string, v4: number): string => `${name}\t  ${pad9(v4)} ${pad9(v4)} ${pad9(0)}`;
  return [
    `Total: ${s.sockets}`,
    `TCP:   ${s.alloc + s.tw} (estab ${s.estab}, closed ${s.alloc - (s.inuse - s.tw)}, orphaned ${s.orphan}, timewait ${s.tw})`,
    '',
    'Transport Total     IP        IPv6',
    line('RAW', 0),
    line('UDP', 0),
    line('TCP', s.inuse),
    line('INET', s.inuse),
    line('FRAG', 0),
  ].join('\n');
}
