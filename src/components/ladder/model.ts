// The ladder (sequence) diagram of TCP textbooks, as data: hosts as vertical
// lines, each segment a sloped arrow from its send to its delivery, lost
// segments ending in a cross, state names along each line, and the TIME_WAIT
// timer as a bar. Pure: TraceEvent[] in, geometry out; render.ts draws it.
import type { SegmentEvent, SegmentInfo, TcpState, TraceEvent } from '../../../types/closing-time.d.ts';

export interface LadderHost {
  name: string;
  x: number;
}

export type ArrowKind = 'syn' | 'fin' | 'rst' | 'data' | 'ack';

export interface LadderArrow {
  /** Trace position of the send (the event a scrub selects). */
  n: number;
  /** Trace position of the delivery or loss, if it happened. */
  endN?: number;
  segId: number;
  from: string;
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  t1: number;
  t2?: number;
  /** Flags and numbers, e.g. "S seq 0" (relative) or "S seq 962788185" (absolute). */
  label: string;
  /** Source and destination ports, e.g. "40001→80". */
  ports: string;
  flags: string;
  kind: ArrowKind;
  lost: boolean;
  /** Still on the wire when the trace ends. */
  inFlight: boolean;
  retransmission: boolean;
  /** A second delivery of the same segment (the link duplicated it). */
  duplicate: boolean;
}

export interface LadderStateMark {
  n: number;
  host: string;
  x: number;
  y: number;
  t: number;
  state: TcpState;
  from: TcpState;
  cause: string;
  /** Which side of the host line to write on: away from the other hosts. */
  side: 'left' | 'right';
}

export interface LadderTimerBar {
  n: number;
  host: string;
  sockId: number;
  x: number;
  y1: number;
  y2: number;
  t1: number;
  /** Virtual ms when it ended (or is due to end, if the trace stops first). */
  t2: number;
  /** True when the trace ended before the socket left TIME_WAIT. */
  open: boolean;
  label: string;
  side: 'left' | 'right';
}

export interface LadderBreak {
  y: number;
  fromT: number;
  toT: number;
  label: string;
}

export interface LadderTick {
  y: number;
  t: number;
  label: string;
}

export interface LadderModel {
  width: number;
  height: number;
  hosts: LadderHost[];
  arrows: LadderArrow[];
  states: LadderStateMark[];
  timers: LadderTimerBar[];
  breaks: LadderBreak[];
  ticks: LadderTick[];
  /** Segments left out because the diagram has a size limit. */
  omitted: number;
}

/** The few words the diagram writes itself, in the page's language (English by default). */
export interface LadderModelWords {
  /** A gap in time the diagram skips: "⋯ 59.9 s later ⋯". */
  later(duration: string): string;
  /** A TIME_WAIT bar still open at the end of the run, with the time it ends. */
  timeWaitUntil(time: string): string;
}

export const ENGLISH_MODEL_WORDS: LadderModelWords = {
  later: (d) => `${d} later`,
  timeWaitUntil: (t) => `TIME_WAIT until ${t}`,
};

export interface LadderOptions {
  /** The diagram's own words (default English). */
  words?: LadderModelWords;
  /** Most arrows drawn; later segments are counted in `omitted`. Default 300. */
  maxArrows?: number;
  /** Pixels per one-way delay of the link (the typical arrow's drop). Default 44. */
  unitPx?: number;
  /** Horizontal distance between host lines. Default 300. */
  columnPx?: number;
  /** Only these hosts (in this order); others are left out. */
  hosts?: string[];
  /** x of the first host line: room for time labels and its state names. Default 210. */
  leftPx?: number;
  /** Sequence numbers relative to each direction's ISN (default, as tcpdump) or absolute (tcpdump -S). */
  numbering?: 'relative' | 'absolute';
  /** Only this connection (a key from listConnections); states of listening sockets stay. */
  connection?: string;
}

/** One connection of a run (a 4-tuple), for the picker. */
export interface LadderConnection {
  /** The two endpoints, sorted: the same key for both directions. */
  key: string;
  /** "10.0.0.2:40001 ↔ 10.0.0.1:80", the side that sent first on the left. */
  label: string;
  segments: number;
}

const TOP = 56;
/** Left margin: time labels, then room for the first host's state names. */
const FIRST_HOST_X = 210;
const BOTTOM = 36;
/** Vertical room for an element that happens at the same instant as the previous one. */
const SAME_TIME_PX = 16;
/** Height of a gap marker that stands for a long quiet stretch (a TIME_WAIT minute). */
const BREAK_PX = 34;

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}

function arrowKind(seg: SegmentInfo): ArrowKind {
  if (seg.rst) return 'rst';
  if (seg.syn) return 'syn';
  if (seg.fin) return 'fin';
  if (seg.len > 0) return 'data';
  return 'ack';
}

const endpointKey = (e: { ip: string; port: number }) => `${e.ip}:${e.port}`;

/** The key of the connection between two endpoints ("ip:port"), the same in both directions. */
export function connectionKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

const segKey = (seg: SegmentInfo) => connectionKey(endpointKey(seg.src), endpointKey(seg.dst));

/** The run's connections in order of their first segment. */
export function listConnections(events: readonly TraceEvent[]): LadderConnection[] {
  const byKey = new Map<string, LadderConnection>();
  for (const ev of events) {
    if (ev.kind !== 'segment' || ev.action !== 'send') continue;
    const key = segKey(ev.seg);
    const c = byKey.get(key);
    if (c) c.segments++;
    else byKey.set(key, { key, label: `${endpointKey(ev.seg.src)} ↔ ${endpointKey(ev.seg.dst)}`, segments: 1 });
  }
  return [...byKey.values()];
}

/** Sequence numbers relative to each direction's first SYN, as tcpdump shows them after the handshake. */
class RelativeSeq {
  private isn = new Map<string, number>();
  constructor(private readonly absolute = false) {}
  label(seg: SegmentInfo): string {
    const dir = `${endpointKey(seg.src)}>${endpointKey(seg.dst)}`;
    const rev = `${endpointKey(seg.dst)}>${endpointKey(seg.src)}`;
    if (seg.syn && !seg.retransmission) this.isn.set(dir, seg.seq);
    const rel = (v: number, base: number | undefined) => (base === undefined || this.absolute ? v : (v - base) >>> 0);
    const parts = [seg.flags];
    parts.push(`seq ${rel(seg.seq, this.isn.get(dir))}`);
    if (seg.ackFlag) parts.push(`ack ${rel(seg.ack, this.isn.get(rev))}`);
    if (seg.len > 0) parts.push(`len ${seg.len}`);
    return parts.join(' ');
  }
}

/** Typical one-way delay: the median send-to-delivery time of the trace. */
function typicalDelay(events: readonly TraceEvent[]): number {
  const sent = new Map<number, number>();
  const delays: number[] = [];
  for (const ev of events) {
    if (ev.kind !== 'segment') continue;
    if (ev.action === 'send' && !sent.has(ev.seg.id)) sent.set(ev.seg.id, ev.t);
    else if (ev.action === 'deliver' && sent.has(ev.seg.id)) delays.push(ev.t - sent.get(ev.seg.id)!);
    if (delays.length >= 64) break;
  }
  if (delays.length === 0) return 10;
  delays.sort((a, b) => a - b);
  return Math.max(0.5, delays[Math.floor(delays.length / 2)]!);
}

export function buildLadder(events: readonly TraceEvent[], options: LadderOptions = {}): LadderModel {
  const maxArrows = options.maxArrows ?? 300;
  const words = options.words ?? ENGLISH_MODEL_WORDS;
  const unitPx = options.unitPx ?? 44;
  const columnPx = options.columnPx ?? 300;
  const delay = typicalDelay(events);
  // A quiet stretch longer than this is drawn as a break, not to scale.
  const breakAfterMs = delay * 6;

  // Hosts in order of first appearance (or as asked).
  const hostNames: string[] = options.hosts ? [...options.hosts] : [];
  if (!options.hosts) {
    const seen = (h: string) => {
      if (!hostNames.includes(h)) hostNames.push(h);
    };
    // Whoever sends the first segment (the connecting client) is drawn on the left,
    // as in textbook diagrams; hosts that only change state come after.
    for (const ev of events) {
      if (ev.kind === 'segment') {
        seen(ev.seg.src.host);
        seen(ev.seg.dst.host);
      }
    }
    for (const ev of events) if (ev.kind === 'state') seen(ev.host);
  }
  const wanted = new Set(hostNames);
  const hosts: LadderHost[] = hostNames.map((name, i) => ({ name, x: (options.leftPx ?? FIRST_HOST_X) + i * columnPx }));
  const hostX = new Map(hosts.map((h) => [h.name, h.x]));
  const sideOf = (host: string): 'left' | 'right' => (hostNames.indexOf(host) === hostNames.length - 1 && hostNames.length > 1 ? 'right' : 'left');

  // Vertical positions grow with virtual time, in trace order, so nothing drawn
  // later sits above something drawn earlier.
  let y = TOP;
  let lastT = events.length ? events[0]!.t : 0;
  let placedAtLastT = false;
  const breaks: LadderBreak[] = [];
  const ticks: LadderTick[] = [];
  const place = (t: number): number => {
    if (t > lastT) {
      const dt = t - lastT;
      if (dt > breakAfterMs) {
        y += unitPx * 0.6;
        breaks.push({ y: y + BREAK_PX / 2, fromT: lastT, toT: t, label: words.later(formatMs(dt)) });
        y += BREAK_PX + unitPx * 0.4;
      } else {
        y += Math.max(SAME_TIME_PX, (dt / delay) * unitPx);
      }
      lastT = t;
      placedAtLastT = false;
    }
    if (placedAtLastT) y += SAME_TIME_PX;
    placedAtLastT = true;
    if (ticks.length === 0 || ticks[ticks.length - 1]!.t !== t) ticks.push({ y, t, label: formatMs(t) });
    return y;
  };

  const rel = new RelativeSeq(options.numbering === 'absolute');
  const only = options.connection;
  const arrows: LadderArrow[] = [];
  const pending = new Map<number, LadderArrow[]>(); // segment id -> arrows on the wire
  const lastSent = new Map<number, LadderArrow>();
  const states: LadderStateMark[] = [];
  const timers: LadderTimerBar[] = [];
  const openTimeWait = new Map<number, LadderTimerBar>(); // socket id -> bar
  const twDue = new Map<number, number>(); // socket id -> when its time-wait timer fires
  let omitted = 0;
  let typicalDy = unitPx;

  const relevant = (ev: SegmentEvent) => wanted.has(ev.seg.src.host) && wanted.has(ev.seg.dst.host) && (only === undefined || segKey(ev.seg) === only);

  for (const ev of events) {
    if (ev.kind === 'segment') {
      if (!relevant(ev)) continue;
      const seg = ev.seg;
      if (ev.action === 'send') {
        if (arrows.length >= maxArrows) {
          omitted++;
          continue;
        }
        const yy = place(ev.t);
        const a: LadderArrow = {
          n: ev.n,
          segId: seg.id,
          from: seg.src.host,
          to: seg.dst.host,
          x1: hostX.get(seg.src.host)!,
          y1: yy,
          x2: hostX.get(seg.dst.host)!,
          y2: yy + typicalDy,
          t1: ev.t,
          label: rel.label(seg),
          ports: `${seg.src.port}→${seg.dst.port}`,
          flags: seg.flags,
          kind: arrowKind(seg),
          lost: false,
          inFlight: true,
          retransmission: seg.retransmission,
          duplicate: false,
        };
        arrows.push(a);
        lastSent.set(seg.id, a);
        const q = pending.get(seg.id);
        if (q) q.push(a);
        else pending.set(seg.id, [a]);
      } else {
        const q = pending.get(seg.id);
        let a = q?.shift();
        if (!a) {
          // Delivered twice: the link duplicated it. Draw the copy from the original send.
          const orig = lastSent.get(seg.id);
          if (!orig || ev.action !== 'deliver') continue;
          a = { ...orig, duplicate: true, inFlight: true };
          arrows.push(a);
        }
        const yy = place(ev.t);
        a.inFlight = false;
        a.endN = ev.n;
        a.t2 = ev.t;
        if (ev.action === 'deliver') {
          a.y2 = Math.max(yy, a.y1 + SAME_TIME_PX);
          if (!a.duplicate && !a.retransmission) typicalDy = Math.max(SAME_TIME_PX, a.y2 - a.y1);
        } else {
          a.lost = true;
          // A lost segment stops part-way, where the cross is drawn.
          const reach = 0.6;
          const dy = Math.max(typicalDy, yy - a.y1);
          a.x2 = a.x1 + (a.x2 - a.x1) * reach;
          a.y2 = a.y1 + dy * reach;
        }
      }
    } else if (ev.kind === 'state') {
      if (!wanted.has(ev.host)) continue;
      if (only !== undefined && ev.sock.remote !== '*:*' && connectionKey(ev.sock.local, ev.sock.remote) !== only) continue;
      const yy = place(ev.t);
      const x = hostX.get(ev.host)!;
      states.push({ n: ev.n, host: ev.host, x, y: yy, t: ev.t, state: ev.to, from: ev.from, cause: ev.cause, side: sideOf(ev.host) });
      if (ev.to === 'TIME_WAIT') {
        const bar: LadderTimerBar = {
          n: ev.n,
          host: ev.host,
          sockId: ev.sock.id,
          x,
          y1: yy,
          y2: yy,
          t1: ev.t,
          t2: ev.t,
          open: true,
          label: 'TIME_WAIT',
          side: sideOf(ev.host),
        };
        timers.push(bar);
        openTimeWait.set(ev.sock.id, bar);
      } else if (ev.from === 'TIME_WAIT') {
        const bar = openTimeWait.get(ev.sock.id);
        if (bar) {
          bar.y2 = yy;
          bar.t2 = ev.t;
          bar.open = false;
          bar.label = `TIME_WAIT ${formatMs(ev.t - bar.t1)}`;
          openTimeWait.delete(ev.sock.id);
        }
      }
    } else if (ev.kind === 'timer' && ev.timer === 'time-wait' && ev.action === 'set' && ev.at !== undefined) {
      twDue.set(ev.sock.id, ev.at);
    }
  }

  const endY = y + unitPx;
  for (const bar of openTimeWait.values()) {
    bar.y2 = endY;
    const due = twDue.get(bar.sockId);
    bar.t2 = due ?? lastT;
    bar.label = due !== undefined ? words.timeWaitUntil(formatMs(due)) : 'TIME_WAIT';
  }
  for (const a of arrows) {
    if (a.inFlight) a.y2 = Math.max(a.y2, a.y1 + typicalDy);
  }
  const maxY = Math.max(endY, ...arrows.map((a) => a.y2), ...timers.map((b) => b.y2));
  const width = hosts.length ? hosts[hosts.length - 1]!.x + (hosts.length > 1 ? 140 : 60) : 400;
  return { width, height: maxY + BOTTOM, hosts, arrows, states, timers, breaks, ticks, omitted };
}

/** The trace positions a scrubber steps through: each arrow's send, in order. */
export function scrubSteps(model: LadderModel): number[] {
  const steps = new Set<number>();
  for (const a of model.arrows) if (!a.duplicate) steps.add(a.n);
  for (const s of model.states) steps.add(s.n);
  return [...steps].sort((a, b) => a - b);
}
