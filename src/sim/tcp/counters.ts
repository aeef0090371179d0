// The host's TCP counters with Linux's names (/proc/net/snmp's Tcp: and
// /proc/net/netstat's TcpExt: lines, as `nstat -az` prints them). Each is
// moved where Linux moves it; see the increments' comments in tcb.ts and stack.ts.
import type { NstatName, NstatTable } from '../../../types/closing-time.d.ts';

/** In the order `nstat -az` prints them (Tcp before TcpExt, each in the kernel's table order). */
export const NSTAT_NAMES: readonly NstatName[] = [
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpEstabResets',
  'TcpRetransSegs',
  'TcpOutRsts',
  'TcpExtTW',
  'TcpExtTWKilled',
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtTCPAbortOnData',
  'TcpExtTCPAbortOnClose',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPAbortOnTimeout',
  'TcpExtTCPAbortOnLinger',
  'TcpExtTCPTimeWaitOverflow',
];

/**
 * Plain number fields: an increment is one property store on an object of
 * fixed shape. Named after the kernel's MIB constants (TCP_MIB_*, LINUX_MIB_*).
 */
export class TcpCounters {
  /** TCP_MIB_ACTIVEOPENS: tcp_connect sent a SYN. */
  activeOpens = 0;
  /** TCP_MIB_PASSIVEOPENS: tcp_create_openreq_child, when a listener's handshake completes. */
  passiveOpens = 0;
  /** TCP_MIB_ESTABRESETS: tcp_set_state(TCP_CLOSE) from ESTABLISHED or CLOSE_WAIT. */
  estabResets = 0;
  /** TCP_MIB_RETRANSSEGS: every retransmitted segment (__tcp_retransmit_skb, tcp_rtx_synack). */
  retransSegs = 0;
  /** TCP_MIB_OUTRSTS: tcp_v4_send_reset and tcp_send_active_reset. */
  outRsts = 0;
  /** LINUX_MIB_TIMEWAITED: a minisock's timer armed for the first time, for more than 4 s. */
  tw = 0;
  /** LINUX_MIB_TIMEWAITKILLED: the same, for 4 s or less (__inet_twsk_schedule). */
  twKilled = 0;
  /** LINUX_MIB_LISTENOVERFLOWS: tcp_conn_request (a SYN) or tcp_v4_syn_recv_sock (a final ACK) found sk_acceptq_is_full. */
  listenOverflows = 0;
  /** LINUX_MIB_LISTENDROPS: tcp_listendrop, for every overflow and for a SYN dropped with the request queue full. */
  listenDrops = 0;
  /** LINUX_MIB_TCPABORTONDATA: close() with SO_LINGER 0, or new data (or an out-of-order FIN) after close() in FIN_WAIT_1/2. */
  abortOnData = 0;
  /** LINUX_MIB_TCPABORTONCLOSE: close() with unread data. */
  abortOnClose = 0;
  /** LINUX_MIB_TCPABORTONMEMORY: an orphan over tcp_max_orphans (tcp_check_oom in __tcp_close and tcp_out_of_resources; tcp_mem is not modelled). */
  abortOnMemory = 0;
  /** LINUX_MIB_TCPABORTONTIMEOUT: tcp_write_err, retransmissions or zero-window probes exhausted. */
  abortOnTimeout = 0;
  /** LINUX_MIB_TCPABORTONLINGER: close() in FIN_WAIT_2 with TCP_LINGER2 < 0 (not modelled: stays 0). */
  abortOnLinger = 0;
  /** LINUX_MIB_TCPTIMEWAITOVERFLOW: tcp_time_wait found no bucket (tcp_max_tw_buckets). */
  twOverflow = 0;

  /** __inet_twsk_schedule: `kill = timeo <= 4 * HZ`. */
  timeWaitScheduled(lengthMs: number): void {
    if (lengthMs <= TW_KILL_MS) this.twKilled++;
    else this.tw++;
  }

  snapshot(): NstatTable {
    return makeNstatTable([
      this.activeOpens,
      this.passiveOpens,
      this.estabResets,
      this.retransSegs,
      this.outRsts,
      this.tw,
      this.twKilled,
      this.listenOverflows,
      this.listenDrops,
      this.abortOnData,
      this.abortOnClose,
      this.abortOnMemory,
      this.abortOnTimeout,
      this.abortOnLinger,
      this.twOverflow,
    ]);
  }
}

/**
 * The notes a listener's drops leave in the trace (the console's nstat counts
 * them): an accept-queue overflow (ListenOverflows and ListenDrops) and a SYN
 * dropped for a full request queue (ListenDrops alone).
 */
export const LISTEN_OVERFLOW_NOTE = 'accept queue full: ';
export const LISTEN_DROP_NOTE = 'request queue full: ';

/** A TIME_WAIT (or orphan FIN_WAIT_2) timer this short counts as TWKilled. */
export const TW_KILL_MS = 4000;

/** A frozen table of counter name -> value, in NSTAT_NAMES order; `values` in that order. */
export function makeNstatTable(values: readonly number[]): NstatTable {
  const t: Record<string, unknown> = {};
  NSTAT_NAMES.forEach((n, i) => (t[n] = values[i] ?? 0));
  Object.defineProperty(t, 'toString', { value: () => formatNstat(t as unknown as NstatTable), enumerable: false });
  return Object.freeze(t) as unknown as NstatTable;
}

/**
 * As `nstat -az` prints (its "%-32s%-16llu%6.1f"): a header, then name, value and
 * a rate of 0.0. `zeros` false leaves out the counters at 0, as without -z.
 */
export function formatNstat(t: NstatTable, zeros = true): string {
  const lines = ['#kernel'];
  for (const n of NSTAT_NAMES) {
    if (!zeros && t[n] === 0) continue;
    const v = String(t[n]);
    lines.push(`${n.padEnd(32)}${v.padEnd(16)}${'0.0'.padStart(6)}`);
  }
  return lines.join('\n');
}
