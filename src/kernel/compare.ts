// Compares the trace of a program on the simulator with its trace on the
// kernel: states per socket, call results and errnos per process, bytes read,
// segment flags and relative seq/ack per direction, FIN/RST counts. Pure: no
// I/O, so it is tested on recorded traces.
import type { SegmentEvent, StateEvent, SyscallEvent, TcpState, TraceEvent } from '../../types/closing-time.d.ts';
import { SIMPLIFICATIONS, type SimplificationId } from './simplifications.ts';

export interface Difference {
  /** What differs: 'states', 'calls', 'bytes', 'segments', 'counts'. */
  aspect: string;
  /** Which socket, process or direction. */
  subject: string;
  sim: string;
  kernel: string;
  /** The deliberate simplification of the simulator that explains it, if any. */
  explainedBy?: SimplificationId;
}

export interface Comparison {
  verdict: 'same' | 'same-but-simplifications' | 'different';
  differences: Difference[];
  /** How many items of each aspect were compared, e.g. { states: 4, calls: 22, segments: 9 }. */
  compared: Record<string, number>;
  /** The time up to which the simulator's trace was compared (the kernel run's end), ms. */
  cutAtMs: number;
  /** The kernel run hit its time limit: only what it reached was compared. */
  truncated: boolean;
}

/** Ports that some listener in the trace has as its local port; every other port is ephemeral. */
function listenPorts(events: readonly TraceEvent[]): Set<number> {
  const ports = new Set<number>();
  for (const e of events) {
    if (e.kind === 'state' && e.to === 'LISTEN') ports.add(Number(e.sock.local.split(':').pop()));
  }
  return ports;
}

function normAddr(addr: string, ports: Set<number>): string {
  if (addr === '*:*') return addr;
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  return `${addr.slice(0, i)}:${ports.has(port) ? port : 'ephemeral'}`;
}

/**
 * Each socket's path of states, keyed by host, normalized addresses and the how-manieth
 * such socket it is. With `twEnded`, the ms each socket spent in TIME_WAIT before it
 * went to CLOSED, by the same keys.
 */
export function statePaths(events: readonly TraceEvent[], twEnded?: Map<string, number>): Map<string, TcpState[]> {
  const twSince = new Map<string, number>();
  const ports = listenPorts(events);
  const byId = new Map<string, string>();
  const seen = new Map<string, number>();
  const paths = new Map<string, TcpState[]>();
  for (const e of events) {
    if (e.kind !== 'state') continue;
    const s = (e as StateEvent).sock;
    const idKey = `${s.host}|${s.id}`;
    let key = byId.get(idKey);
    if (key === undefined) {
      const base = `${s.host} ${normAddr(s.local, ports)} > ${normAddr(s.remote, ports)}`;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      key = `${base} #${k}`;
      byId.set(idKey, key);
      paths.set(key, [e.from]);
    }
    const path = paths.get(key)!;
    if (path[path.length - 1] !== e.from) path.push(e.from);
    path.push(e.to);
    if (e.to === 'TIME_WAIT') twSince.set(key, e.t);
    else if (e.to === 'CLOSED' && twEnded && twSince.has(key)) twEnded.set(key, e.t - twSince.get(key)!);
  }
  return paths;
}

/** Is `sub` what sampling `full` could give: the same states in the same order with some left out, and the same last one? */
function sampledFrom(sub: readonly string[], full: readonly string[]): boolean {
  if (sub[sub.length - 1] !== full[full.length - 1] || sub[0] !== full[0]) return false;
  let i = 0;
  for (const s of full) if (i < sub.length && sub[i] === s) i++;
  return i === sub.length;
}

/** A TIME_WAIT that ended sooner than this was taken over, not timed out (TCP_TIMEWAIT_LEN is 60 s). */
const TW_TAKEOVER_MS = 59_000;

/** Is `sub` a sampling of the start of `full`: its states in order, the same first one? */
function sampledPrefix(sub: readonly string[], full: readonly string[]): boolean {
  if (sub[0] !== full[0]) return false;
  let i = 0;
  for (const s of full) if (i < sub.length && sub[i] === s) i++;
  return i === sub.length;
}

/**
 * One run's socket of an ephemeral 4-tuple left TIME_WAIT early (a new connection on
 * its 4-tuple took it over: a SYN in TIME_WAIT, or connect() with tcp_tw_reuse) and the
 * other's stayed in TIME_WAIT, the two paths being the same otherwise. Which earlier
 * TIME_WAIT a new connection meets depends on the port numbers, which the runs pick
 * from different keys (and Linux with a random step, table_perturb): sockets are paired
 * by order, so a takeover shows on the nth socket of one run and the mth of the other.
 */
function takenOverElsewhere(key: string, a: readonly string[], b: readonly string[]): boolean {
  if (!key.includes(':ephemeral')) return false;
  const tw = (p: readonly string[]) => (p[p.length - 1] === 'CLOSED' && p[p.length - 2] === 'TIME_WAIT' ? p.slice(0, -1) : p);
  const [x, y] = [tw(a), tw(b)];
  if (x[x.length - 1] !== 'TIME_WAIT' || y[y.length - 1] !== 'TIME_WAIT' || (x.length === a.length) === (y.length === b.length)) return false;
  return x.join() === y.join() || sampledFrom(y, x) || sampledFrom(x, y);
}

interface CallOutcome {
  call: string;
  outcome: string;
}

/**
 * Each process's calls as they ended: the result (data for recv) or the errno. Processes of
 * the same name (one handler per connection) are told apart by the order they started in.
 */
export function callLists(events: readonly TraceEvent[]): Map<string, CallOutcome[]> {
  const lists = new Map<string, CallOutcome[]>();
  const ordinal = new Map<string, number>();
  const named = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'process' || e.action !== 'start') continue;
    const name = `${e.host}[${e.process}]`;
    const k = (named.get(name) ?? 0) + 1;
    named.set(name, k);
    ordinal.set(`${e.host}|${e.pid}`, k);
  }
  for (const e of events) {
    if (e.kind !== 'syscall') continue;
    const c = e as SyscallEvent;
    if (c.phase === 'call') continue;
    const k = ordinal.get(`${c.host}|${c.pid}`) ?? 1;
    const key = `${c.host}[${c.process}${k > 1 ? ` #${k}` : ''}]`;
    const list = lists.get(key) ?? [];
    lists.set(key, list);
    let outcome = c.errno ?? c.result ?? '';
    if (c.call === 'accept' && !c.errno) outcome = outcome.replace(/ \(.*\)$/, '');
    list.push({ call: c.call, outcome });
  }
  return lists;
}

/** When each process of `callLists` started (its key there), ms. */
export function processStarts(events: readonly TraceEvent[]): Map<string, number> {
  const starts = new Map<string, number>();
  const named = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'process' || e.action !== 'start') continue;
    const name = `${e.host}[${e.process}]`;
    const k = (named.get(name) ?? 0) + 1;
    named.set(name, k);
    starts.set(`${e.host}[${e.process}${k > 1 ? ` #${k}` : ''}]`, e.t);
  }
  return starts;
}

/**
 * How close (simulator time, ms) two same-named processes must have started for the kernel
 * run to start them in the other order: connections that arrive together (three clients on
 * like links, two clients a millisecond apart) are accepted in the order the kernel's real
 * time gives, and each of its calls takes a few milliseconds.
 */
const START_RACE_MS = 5;

/**
 * Pairs each simulator process with the kernel run's process it is compared with: by name
 * and start order, except that same-named siblings the simulator started within
 * START_RACE_MS of each other may be paired out of order when their calls are the same
 * (a handler per accepted connection, accepted in another order). Pairs are [sim, kernel].
 */
function pairProcesses(sc: Map<string, CallOutcome[]>, kc: Map<string, CallOutcome[]>, simStarts: Map<string, number>, truncated: boolean): [string | undefined, string | undefined][] {
  const base = (key: string) => key.replace(/ #\d+\]$/, ']');
  const same = (a: CallOutcome[] | undefined, b: CallOutcome[] | undefined) =>
    !!a && !!b && (a.length === b.length || (truncated && b.length < a.length)) && b.every((c, i) => c.call === a[i]!.call && c.outcome === a[i]!.outcome);
  const pairs: [string | undefined, string | undefined][] = [];
  const groups = new Map<string, { sim: string[]; kernel: string[] }>();
  for (const [list, side] of [
    [sc, 'sim'],
    [kc, 'kernel'],
  ] as const) {
    for (const key of list.keys()) {
      const g = groups.get(base(key)) ?? { sim: [], kernel: [] };
      groups.set(base(key), g);
      g[side].push(key);
    }
  }
  for (const g of groups.values()) {
    const freeSim = [...g.sim];
    const freeKernel = [...g.kernel];
    const take = (a: string, b: string) => {
      pairs.push([a, b]);
      freeSim.splice(freeSim.indexOf(a), 1);
      freeKernel.splice(freeKernel.indexOf(b), 1);
    };
    for (const key of g.sim) if (kc.has(key) && same(sc.get(key), kc.get(key))) take(key, key);
    for (const a of [...freeSim]) {
      const t = simStarts.get(a);
      const b = freeKernel.find((k) => sc.has(k) && t !== undefined && Math.abs((simStarts.get(k) ?? Infinity) - t) <= START_RACE_MS && same(sc.get(a), kc.get(k)));
      if (b) take(a, b);
    }
    for (let i = 0; i < Math.max(freeSim.length, freeKernel.length); i++) pairs.push([freeSim[i], freeKernel[i]]);
  }
  return pairs;
}

interface Seg {
  flags: string;
  seq: number;
  ack: number;
  len: number;
  data: string;
}

/** Each direction's segments with seq and ack relative to the two ISNs, per connection (ports normalized). */
export function directions(events: readonly TraceEvent[]): Map<string, Seg[]> {
  const ports = listenPorts(events);
  const isn = new Map<string, number>();
  const seen = new Map<string, number>();
  const connKey = new Map<string, string>();
  const out = new Map<string, Seg[]>();
  for (const e of events) {
    if (e.kind !== 'segment' || (e as SegmentEvent).action !== 'send') continue;
    const g = (e as SegmentEvent).seg;
    const a = `${g.src.ip}:${g.src.port}`;
    const b = `${g.dst.ip}:${g.dst.port}`;
    const pair = [a, b].sort().join('|');
    if (g.syn && !g.ackFlag && !g.retransmission) {
      // A new connection on this 4-tuple (a reused port starts afresh).
      const base = `${normAddr(a, ports)} > ${normAddr(b, ports)}`;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      connKey.set(pair, `#${k}`);
      isn.delete(`${pair}|${a}`);
      isn.delete(`${pair}|${b}`);
    }
    if (g.syn) isn.set(`${pair}|${a}`, g.seq);
    const conn = connKey.get(pair) ?? '#0';
    const key = `${g.src.host} ${normAddr(a, ports)} > ${g.dst.host} ${normAddr(b, ports)} ${conn}`;
    const mine = isn.get(`${pair}|${a}`) ?? g.seq;
    const theirs = isn.get(`${pair}|${b}`);
    const list = out.get(key) ?? [];
    out.set(key, list);
    list.push({ flags: g.flags, seq: (g.seq - mine) >>> 0, ack: g.ackFlag && theirs !== undefined ? (g.ack - theirs) >>> 0 : 0, len: g.len, data: g.data ?? '' });
  }
  return out;
}

const show = (s: Seg) => `${s.flags} ${s.seq}${s.len ? `:${s.seq + s.len}` : ''}${s.flags.includes('.') ? ` ack ${s.ack}` : ''}`;
const bareAck = (s: Seg) => s.flags === '.' && s.len === 0;

/**
 * `truncated`: the kernel run stopped at its time limit (real time, slower per call than the
 * simulator's virtual time), so it may have got less far: calls and sockets the simulator had
 * and the kernel run never reached are not differences, only those both reached are compared.
 * `simEndMs`: where the simulator's run stopped, when it stopped at its time limit.
 */
export function compareTraces(simIn: readonly TraceEvent[], kernelIn: readonly TraceEvent[], kernelEndMs: number, truncated = false, simEndMs?: number): Comparison {
  const sim = simIn.filter((e) => e.t <= kernelEndMs);
  // A simulator run that stopped at its time limit before the kernel's did is compared with as much of the kernel's.
  const kernel = simEndMs !== undefined && simEndMs < kernelEndMs ? kernelIn.filter((e) => e.t <= simEndMs) : kernelIn;
  const differences: Difference[] = [];
  const compared: Record<string, number> = { states: 0, calls: 0, bytes: 0, segments: 0 };

  // States per socket.
  const simTw = new Map<string, number>();
  const kernelTw = new Map<string, number>();
  const sp = statePaths(sim, simTw);
  const kp = statePaths(kernel, kernelTw);
  for (const key of new Set([...sp.keys(), ...kp.keys()])) {
    const a = sp.get(key);
    const b = kp.get(key);
    compared.states++;
    if (!b && truncated) continue;
    if (!a || !b) {
      differences.push({ aspect: 'states', subject: key, sim: a ? a.join(' > ') : '(no such socket)', kernel: b ? b.join(' > ') : '(no such socket)' });
      continue;
    }
    if (a.join() === b.join() || sampledFrom(b, a)) continue;
    // The kernel run hit its time limit: a socket it left on the way is compared as far as it got.
    if (truncated && sampledPrefix(b, a)) continue;
    const early = (simTw.get(key) ?? 0) < TW_TAKEOVER_MS && (kernelTw.get(key) ?? 0) < TW_TAKEOVER_MS;
    const explainedBy = early && takenOverElsewhere(key, a, b) ? ('ephemeral-ports' as const) : undefined;
    differences.push({ aspect: 'states', subject: key, sim: a.join(' > '), kernel: b.join(' > '), ...(explainedBy ? { explainedBy } : {}) });
  }

  // Calls and bytes read per process.
  const sc = callLists(sim);
  const kc = callLists(kernel);
  for (const [simKey, kernelKey] of pairProcesses(sc, kc, processStarts(sim), truncated)) {
    const a = (simKey && sc.get(simKey)) || [];
    const b = (kernelKey && kc.get(kernelKey)) || [];
    const key = simKey === kernelKey || !kernelKey ? simKey! : !simKey ? kernelKey : `${simKey} (kernel ${kernelKey.replace(/^[^[]*\[/, '[')})`;
    const n = Math.max(a.length, b.length);
    compared.calls += n;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x && y && x.call === y.call && x.outcome === y.outcome) continue;
      if (truncated && x && !y) break;
      differences.push({
        aspect: 'calls',
        subject: `${key} call ${i + 1}`,
        sim: x ? `${x.call} = ${x.outcome}` : '(no more calls)',
        kernel: y ? `${y.call} = ${y.outcome}` : '(no more calls)',
      });
      break; // after the first divergence the rest would all differ
    }
    const bytes = (list: CallOutcome[]) => list.filter((c) => c.call === 'recv').reduce((sum, c) => sum + (/\((\d+) bytes\)$/.exec(c.outcome)?.[1] ? Number(/\((\d+) bytes\)$/.exec(c.outcome)![1]) : 0), 0);
    compared.bytes++;
    if (bytes(a) !== bytes(b) && !(truncated && b.length < a.length)) differences.push({ aspect: 'bytes', subject: `${key} bytes read`, sim: String(bytes(a)), kernel: String(bytes(b)) });
  }

  // Segments per direction.
  const sd = directions(sim);
  const kd = directions(kernel);
  for (const key of new Set([...sd.keys(), ...kd.keys()])) {
    const a = sd.get(key) ?? [];
    const b = kd.get(key) ?? [];
    const ma = a.filter((s) => !bareAck(s));
    const mb = b.filter((s) => !bareAck(s));
    compared.segments += Math.max(ma.length, mb.length);
    const count = (list: Seg[], flag: string) => list.filter((s) => s.flags.includes(flag)).length;
    for (const [flag, name] of [
      ['F', 'FIN'],
      ['R', 'RST'],
    ] as const) {
      if (count(a, flag) !== count(b, flag)) differences.push({ aspect: 'counts', subject: `${key} ${name}s`, sim: String(count(a, flag)), kernel: String(count(b, flag)) });
    }
    const same = ma.length === mb.length && ma.every((s, i) => show(s) === show(mb[i]));
    if (!same) {
      const dataA = ma.map((s) => s.data).join('');
      const dataB = mb.map((s) => s.data).join('');
      const ctl = (list: Seg[]) => ['S', 'F', 'R'].map((f) => count(list, f)).join('/');
      // The same bytes and as many SYNs, FINs and RSTs, cut into other segments (a FIN riding on
      // data that Nagle held back): Nagle.
      const nagle = dataA === dataB && ctl(ma) === ctl(mb);
      differences.push({ aspect: 'segments', subject: key, sim: ma.map(show).join(', ') || '(none)', kernel: mb.map(show).join(', ') || '(none)', ...(nagle ? { explainedBy: 'nagle' as const } : {}) });
    }
    const acksA = a.filter(bareAck).length;
    const acksB = b.filter(bareAck).length;
    if (acksA !== acksB) differences.push({ aspect: 'segments', subject: `${key} bare ACKs`, sim: String(acksA), kernel: String(acksB), explainedBy: 'delayed-ack' });
  }

  const undocumented = differences.some((d) => !d.explainedBy);
  return {
    verdict: undocumented ? 'different' : differences.length ? 'same-but-simplifications' : 'same',
    differences,
    compared,
    cutAtMs: kernelEndMs,
    truncated,
  };
}

/** The comparison for people: aligned differences, the simplifications they come from, and the verdict. */
export function formatComparison(c: Comparison, fileName: string): string {
  const lines: string[] = [];
  const counted = Object.entries(c.compared)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  lines.push(`compared ${fileName} on the simulator and on the kernel, up to ${(c.cutAtMs / 1000).toFixed(3)} s (the kernel run's end): ${counted}`);
  if (c.truncated) lines.push("the kernel run hit its time limit: only the calls and sockets it reached are compared");
  const width = Math.max(10, ...c.differences.map((d) => d.sim.length).filter((n) => n < 60));
  for (const d of c.differences) {
    lines.push('');
    lines.push(`${d.explainedBy ? 'simplification' : 'DIFFERENT'} ${d.aspect}: ${d.subject}`);
    lines.push(`  simulator: ${d.sim.padEnd(width)}`);
    lines.push(`  kernel:    ${d.kernel}`);
    if (d.explainedBy) lines.push(`  (${SIMPLIFICATIONS[d.explainedBy].text})`);
  }
  lines.push('');
  if (c.verdict === 'same') lines.push('verdict: the same on the simulator and on Linux');
  else if (c.verdict === 'same-but-simplifications') {
    const ids = [...new Set(c.differences.map((d) => d.explainedBy!))];
    lines.push(`verdict: the same on the simulator and on Linux, but for the simulator's deliberate simplifications (${ids.join(', ')})`);
  } else lines.push(`verdict: DIFFERENT: ${c.differences.filter((d) => !d.explainedBy).length} difference(s) no simplification explains`);
  return lines.join('\n');
}
