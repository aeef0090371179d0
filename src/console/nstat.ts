// `nstat -az` for a moment inside a run, rebuilt from the trace: each host's
// counters (src/sim/tcp/counters.ts) recomputed from the events that mark the
// places where the kernel moves them. Pure: no DOM, no Node APIs.
import type { NoteEvent, NstatName, NstatTable, TraceEvent } from '../../types/closing-time.d.ts';
import { LISTEN_DROP_NOTE, LISTEN_OVERFLOW_NOTE, NSTAT_NAMES, TW_KILL_MS, makeNstatTable } from '../sim/tcp/counters.ts';

type Counts = Record<NstatName, number>;

const zero = (): Counts => Object.fromEntries(NSTAT_NAMES.map((n) => [n, 0])) as Counts;

/** The note a host's crash leaves (world.ts): a reboot starts the counters again. */
const CRASHED = ' crashed: ';
/** The note of tcp_time_wait finding no bucket (stack.ts). */
const TW_OVERFLOW = 'TCP: time wait bucket table overflow';

/**
 * Each host's counters after the events up to trace position `untilN` (all if
 * left out), for the hosts that appear in the trace. Needs the trace's state,
 * segment, timer and note events (a world records them all by default):
 * - TcpActiveOpens: CLOSED -> SYN_SENT; TcpPassiveOpens: SYN_RECEIVED -> ESTABLISHED of a socket a listener made;
 * - TcpEstabResets: ESTABLISHED or CLOSE_WAIT -> CLOSED;
 * - TcpOutRsts, TcpRetransSegs: segments the host sent with RST, or marked as retransmissions;
 * - TcpExtTW, TcpExtTWKilled: a minisock's first timer (time-wait or fin-wait-2), by its length;
 * - TcpExtTCPTimeWaitOverflow: the bucket-table note;
 * - TcpExtListenOverflows, TcpExtListenDrops: a listener's notes of a full accept queue (both)
 *   and of a full request queue (ListenDrops alone);
 * - the aborts: the cause of the change to CLOSED (close() with unread data, with SO_LINGER 0,
 *   data after close() in a full socket, retransmissions or zero-window probes exhausted, an
 *   orphan over tcp_max_orphans).
 */
export function countersFromTrace(events: readonly TraceEvent[], untilN = Infinity): Map<string, NstatTable> {
  const hosts = new Map<string, Counts>();
  const of = (host: string): Counts => {
    let c = hosts.get(host);
    if (!c) hosts.set(host, (c = zero()));
    return c;
  };
  /** Sockets a listener made (LISTEN -> SYN_RECEIVED), until their handshake completes. */
  const passive = new Set<number>();
  /** Sockets that became minisocks (a time-wait or fin-wait-2 timer was set). */
  const minisocks = new Set<number>();
  for (const ev of events) {
    if (ev.n > untilN) break;
    switch (ev.kind) {
      case 'segment': {
        if (ev.action !== 'send') break;
        const c = of(ev.host);
        if (ev.seg.rst) c.TcpOutRsts++;
        if (ev.seg.retransmission) c.TcpRetransSegs++;
        break;
      }
      case 'timer': {
        if (ev.action !== 'set' || (ev.timer !== 'time-wait' && ev.timer !== 'fin-wait-2')) break;
        if (minisocks.has(ev.sock.id)) break; // a re-arm (inet_twsk_reschedule) is not counted
        minisocks.add(ev.sock.id);
        const c = of(ev.host);
        if ((ev.at ?? ev.t) - ev.t <= TW_KILL_MS) c.TcpExtTWKilled++;
        else c.TcpExtTW++;
        break;
      }
      case 'note': {
        const note = ev as NoteEvent;
        if (!note.host) break;
        if (note.text === TW_OVERFLOW) of(note.host).TcpExtTCPTimeWaitOverflow++;
        else if (note.text.startsWith(LISTEN_OVERFLOW_NOTE)) {
          const c = of(note.host);
          c.TcpExtListenOverflows++;
          c.TcpExtListenDrops++;
        } else if (note.text.startsWith(LISTEN_DROP_NOTE)) of(note.host).TcpExtListenDrops++;
        else if (note.text.startsWith(`${note.host}${CRASHED}`)) hosts.set(note.host, zero());
        break;
      }
      case 'state': {
        const c = of(ev.host);
        const id = ev.sock.id;
        const { from, to, cause } = ev;
        if (from === 'CLOSED' && to === 'SYN_SENT') c.TcpActiveOpens++;
        else if (from === 'LISTEN' && to === 'SYN_RECEIVED') passive.add(id);
        else if (from === 'SYN_RECEIVED' && to === 'ESTABLISHED' && passive.delete(id)) c.TcpPassiveOpens++;
        if (to !== 'CLOSED') break;
        if (from === 'ESTABLISHED' || from === 'CLOSE_WAIT') c.TcpEstabResets++;
        if (cause.endsWith(' with unread data')) c.TcpExtTCPAbortOnClose++;
        else if (cause.endsWith(' with SO_LINGER 0')) c.TcpExtTCPAbortOnData++;
        else if ((cause === 'data after close()' || cause === 'data after shutdown(SHUT_RD)') && !minisocks.has(id)) c.TcpExtTCPAbortOnData++;
        else if (cause.endsWith('too many orphaned sockets')) c.TcpExtTCPAbortOnMemory++;
        else if (cause === 'retransmission timeout' || cause === 'zero-window probes given up' || cause === 'TCP_USER_TIMEOUT' || cause === 'keepalive timeout') {
          // A listener's request socket that never completed its handshake is dropped uncounted (reqsk_timer_handler).
          if (!(from === 'SYN_RECEIVED' && passive.has(id))) c.TcpExtTCPAbortOnTimeout++;
        }
        passive.delete(id);
        break;
      }
    }
  }
  const out = new Map<string, NstatTable>();
  for (const [host, c] of hosts) out.set(host, makeNstatTable(NSTAT_NAMES.map((n) => c[n])));
  return out;
}
