// What must hold after any world, whatever the faults and the calls. Each
// check returns plain sentences; an empty list means the run is sound.
import type { SegmentEvent, StateEvent, TcpState, TraceEvent } from '../../types/closing-time.d.ts';
import type { RunSummary } from '../../src/sim/index.ts';
import { FIRST_PORT } from './plan.ts';
import type { PlanRun } from './run-plan.ts';
import { DELIBERATE_MESSAGE, type CallRecord, type StreamLog } from './streams.ts';
import { isLegalTransition } from '../../src/sim/tcp/transitions.ts';

/** Every state change is an edge of RFC 9293's diagram or a documented Linux extra, and follows on from the socket's previous state. */
export function checkTransitions(trace: readonly TraceEvent[]): string[] {
  const out: string[] = [];
  const last = new Map<string, TcpState>();
  for (const e of trace) {
    if (e.kind !== 'state') continue;
    const s = e as StateEvent;
    const key = `${s.host}/${s.sock.id}`;
    if (!isLegalTransition(s.from, s.to)) {
      out.push(`#${s.n} t=${s.t}: ${s.host} socket ${s.sock.id} (${s.sock.local} ${s.sock.remote}) went ${s.from} -> ${s.to} (cause '${s.cause}'): not an RFC 9293 or Linux transition`);
    }
    const prev = last.get(key);
    if (prev === undefined ? s.from !== 'CLOSED' && s.from !== 'LISTEN' : prev !== s.from) {
      out.push(`#${s.n} t=${s.t}: ${s.host} socket ${s.sock.id} left ${s.from} but was in ${prev ?? 'no state yet'}`);
    }
    last.set(key, s.to);
  }
  return out;
}

/** Positions count up by one; virtual time never runs backwards. */
export function checkTraceOrder(trace: readonly TraceEvent[]): string[] {
  for (let i = 1; i < trace.length; i++) {
    if (trace[i].n <= trace[i - 1].n) return [`trace position ${trace[i].n} follows ${trace[i - 1].n}`];
    if (trace[i].t < trace[i - 1].t) return [`trace time goes back from ${trace[i - 1].t} to ${trace[i].t} at #${trace[i].n}`];
  }
  return [];
}

/** errnos a call may report, from the API's documentation and Linux's man pages. */
const ALLOWED_ERRNO: Record<string, readonly string[]> = {
  send: ['EPIPE', 'ECONNRESET', 'ENOTCONN', 'ETIMEDOUT'],
  recv: ['ECONNRESET', 'ETIMEDOUT', 'ENOTCONN'],
  connect: ['ECONNREFUSED', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'EHOSTUNREACH'],
  shutdown: ['ENOTCONN'],
  close: [],
  setsockopt: [],
  bind: [],
  listen: [],
  accept: [],
};

export function checkErrnos(failures: readonly CallRecord[]): string[] {
  return failures
    .filter((f) => !(ALLOWED_ERRNO[f.call] ?? []).includes(f.errno))
    .map((f) => `${f.process}: ${f.call}() failed with ${f.errno}, which Linux does not report there`);
}

function connectionSegments(trace: readonly TraceEvent[], port: number, action: SegmentEvent['action']): SegmentEvent[] {
  return trace.filter(
    (e): e is SegmentEvent => e.kind === 'segment' && e.action === action && (e.seg.src.port === port || e.seg.dst.port === port),
  );
}

/**
 * Byte streams: what a side read is a prefix of what the other offered, in
 * order and without duplicates; a side that saw EOF on a connection no RST
 * touched read everything the other side's send() accepted; the FIN sits right
 * after the accepted bytes; ECONNRESET needs a RST that arrived.
 */
export function checkStreams(run: Pick<PlanRun, 'streams' | 'trace' | 'failures'>): string[] {
  const out: string[] = [];
  const trace = run.trace;
  const connections = new Set([...run.streams.keys()].map((k) => Number(k.split(':')[0])));
  for (const k of connections) {
    const port = FIRST_PORT + k;
    const sent = connectionSegments(trace, port, 'send');
    const rst = sent.some((e) => e.seg.rst);
    for (const dir of ['c2s', 's2c'] as const) {
      const s: StreamLog | undefined = run.streams.get(`${k}:${dir}`);
      if (!s) continue;
      const who = `connection ${k} ${dir === 'c2s' ? 'client->server' : 'server->client'}`;
      if (!s.offered.startsWith(s.read)) {
        let at = 0;
        while (at < s.read.length && s.read[at] === s.offered[at]) at++;
        out.push(`${who}: byte ${at} read is '${s.read.slice(at, at + 12)}…' but the sender wrote '${s.offered.slice(at, at + 12)}…' (read ${s.read.length} of ${s.offered.length} offered)`);
      }
      if (s.sawEof && !rst && s.read !== s.accepted) {
        out.push(`${who}: EOF after ${s.read.length} bytes, but send() accepted ${s.accepted.length} and no RST was sent: data lost before the FIN`);
      }
      const senderHost = dir === 'c2s' ? 'client' : 'server';
      const syn = sent.find((e) => e.host === senderHost && e.seg.syn);
      const fin = sent.find((e) => e.host === senderHost && e.seg.fin);
      if (!rst && syn && fin) {
        const expected = (syn.seg.seq + 1 + s.accepted.length) >>> 0;
        const finSeq = (fin.seg.seq + fin.seg.len) >>> 0;
        if (finSeq !== expected) {
          out.push(`${who}: FIN at sequence ${finSeq} but ISN+1+accepted bytes is ${expected} (${s.accepted.length} bytes accepted)`);
        }
      }
    }
    // ECONNRESET comes from a RST that arrived, or from a local reset that
    // sends one: data arriving after shutdown(SHUT_RD)/close() in FIN_WAIT_1/2
    // (tcp_rcv_state_process, "RFC 1122 says we MUST send a reset").
    const delivered = connectionSegments(trace, port, 'deliver');
    for (const f of run.failures) {
      if (f.errno !== 'ECONNRESET' || !f.process.endsWith(`-${k}`)) continue;
      const host = f.process.startsWith('client') ? 'client' : 'server';
      const reset = delivered.some((e) => e.host === host && e.seg.rst) || sent.some((e) => e.host === host && e.seg.rst);
      if (!reset) out.push(`${f.process}: ${f.call}() got ECONNRESET but no RST reached or left the ${host}`);
    }
  }
  return out;
}

/** The run ended as a run may: no exception escaped, and only processes that threw on purpose failed. */
export function checkOutcome(summary: RunSummary, unexpected: readonly string[], deliberate: readonly string[]): string[] {
  const out = unexpected.map((u) => `non-SocketError thrown by the simulator: ${u}`);
  if (summary.endedBy === 'wall-limit' || summary.endedBy === 'stopped') out.push(`run ended by ${summary.endedBy}: ${summary.message}`);
  if (deliberate.length === 0) {
    if (summary.endedBy === 'error') out.push(`run ended by error though no process threw: ${summary.message}`);
    for (const f of summary.failed) out.push(`process ${f.process} on ${f.host} failed: ${f.error?.message}`);
  } else {
    for (const f of summary.failed) {
      if (!deliberate.includes(f.process) || f.error?.message !== DELIBERATE_MESSAGE) out.push(`process ${f.process} failed: ${f.error?.message}`);
    }
    for (const d of deliberate) {
      if (!summary.failed.some((f) => f.process === d)) out.push(`process ${d} threw on purpose but the summary does not list it as failed`);
    }
  }
  return out;
}

/**
 * A run that went quiet (no event left) cannot hold a socket in a state that
 * owns a timer: SYN_SENT/SYN_RECV (SYN retransmission), FIN_WAIT_1, CLOSING,
 * LAST_ACK (retransmission), TIME_WAIT (2MSL), or an orphan in FIN_WAIT_2
 * (tcp_fin_timeout). Such a socket means a timer was lost.
 */
export function checkQuiescence(summary: RunSummary): string[] {
  if (summary.endedBy !== 'quiescence') return [];
  const out: string[] = [];
  const timed = new Set(['SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'CLOSING', 'LAST-ACK', 'TIME-WAIT']);
  for (const h of summary.hosts) {
    for (const row of h.ss) {
      if (timed.has(row.state) || (row.state === 'FIN-WAIT-2' && row.process === undefined)) {
        out.push(`${h.name}: ${row.local} ${row.peer} is still in ${row.state}${row.process ? '' : ' (orphan)'} though no event is left: a timer was lost`);
      }
    }
  }
  return out;
}

export function checkRun(run: PlanRun): string[] {
  return [
    ...checkOutcome(run.summary, run.unexpected, run.deliberate),
    ...checkQuiescence(run.summary),
    ...checkTraceOrder(run.trace),
    ...checkTransitions(run.trace),
    ...checkErrnos(run.failures),
    ...checkStreams(run),
  ];
}
