// Lab: implement TIME_WAIT. The learner's handler replaces the kernel's
// tcp_timewait_state_process (Linux net/ipv4/tcp_minisocks.c) through
// world.setTimeWaitPolicy; each check replays one of the situations TIME_WAIT
// exists for (RFC 9293 §3.6.1 and §3.10.7.4, RFC 1337, RFC 6191), on several
// client hosts at once: Linux's defaults, timestamps off, a per-4-tuple ISN,
// both, and sequence numbers and timestamps that wrap past 2^32.
import { defineChecker, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, describeFailure, failures, listSome, stateChanges } from '../../src/grading/trace-queries.ts';
import { errnoOf, readToEof, readUntil } from '../../src/grading/reference-io.ts';
import type { Host, OS, SegmentEvent, SegmentInfo, StateEvent, TimeWaitPolicy, TimeWaitVerdict, TimeWaitView, World } from '../../src/sim/index.ts';
import { implementTimeWaitMessages, type VariantKey } from './messages.ts';

type Messages = (typeof implementTimeWaitMessages.messages)['en'];

export interface ImplementTimeWait {
  durationMs(): number;
  onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict;
}

const VERDICTS: readonly TimeWaitVerdict[] = ['ack', 'ack-restart', 'ignore', 'kill', 'rst', 'accept-syn'];
const LINUX_TIME_WAIT_MS = 60_000;
const TWO32 = 2 ** 32;
/** More decisions than this for one TIME_WAIT socket is a loop (e.g. ACK answering RST answering ACK). */
const MOST_DECISIONS_PER_SOCKET = 60;

// ---------------------------------------------------------------- variants

/**
 * How a client host is set up. `wrap` shifts the sequence numbers (and
 * timestamps) the handler sees for that host's connections, as if the ISN and
 * the timestamp clock had started elsewhere: 'forward' puts rcvNxt just below
 * 2^32 (a later SYN wraps past 0), 'backward' just after 0 (earlier segments
 * wrap to just below 2^32). Differences mod 2^32 are exactly those of the real run.
 */
interface Variant {
  key: VariantKey;
  isn: 'rfc6528' | 'per-tuple';
  timestamps: boolean;
  wrap?: 'forward' | 'backward';
}

// How messages call each variant ("with timestamps off ...") is in the catalogue (messages.ts, variant).
const V: Record<Variant['key'], Variant> = {
  linux: { key: 'linux', isn: 'rfc6528', timestamps: true },
  'no-ts': { key: 'no-ts', isn: 'rfc6528', timestamps: false },
  'per-tuple': { key: 'per-tuple', isn: 'per-tuple', timestamps: true },
  both: { key: 'both', isn: 'per-tuple', timestamps: false },
  'wrap-forward': { key: 'wrap-forward', isn: 'rfc6528', timestamps: true, wrap: 'forward' },
  'wrap-backward': { key: 'wrap-backward', isn: 'rfc6528', timestamps: true, wrap: 'backward' },
};

/** One client host and its connection(s) to the server. */
interface Pair {
  v: Variant;
  host: string;
  ip: string;
  /** The client's bound port (every incarnation uses it). */
  port: number;
  request: string;
  reply: string;
  first: Progress;
  second?: Progress & { startedAt?: number; connectedAt?: number };
}

/** What one client connection did, recorded as it happened. */
interface Progress {
  connected: boolean;
  got: string;
  eof: boolean;
  error?: string;
  closed: boolean;
}

interface Decision {
  t: number;
  host: string;
  pair?: Pair;
  /** tw.local + ' ' + tw.remote, real addresses. */
  key: string;
  /** The segment and view as the handler saw them (shifted for wrap variants). */
  seg: SegmentInfo;
  view: TimeWaitView;
  verdict: TimeWaitVerdict;
  /** For 'ack-restart': what durationMs() returned for the restart. */
  lengthMs?: number;
}

interface Shift {
  rcv: number;
  snd: number;
  ts: number;
}

const u32 = (n: number) => ((n % TWO32) + TWO32) % TWO32;

interface Scenario {
  /** Who closes first (and so holds TIME_WAIT). */
  closer: 'client' | 'server';
  variants: Variant[];
  /** Connections per client host (all from different ports, except reconnects). */
  perHost?: number;
  /** Faults for one pair. */
  faults?: (world: World, p: Pair, server: string, index: number) => void;
  /** The client connects again from the same port at this virtual time (ms), while the server holds TIME_WAIT. */
  reconnectAtMs?: number;
  /** Which clients reconnect (default: all, when reconnectAtMs is set). */
  reconnects?: (v: Variant) => boolean;
  untilMs?: number;
  /**
   * Many connections: no request or reply, the server closes as soon as it
   * accepts, each client host runs its connections in one process, and the
   * trace keeps only state changes (real time is what hundreds of sockets cost).
   */
  bare?: boolean;
}

function makeWorld(t: CheckContext<ImplementTimeWait>, sc: Scenario) {
  // The learner's code makes no socket calls here: no call sites to remember.
  const world = t.world({ untilMs: sc.untilMs ?? 400_000, callSites: false, record: !sc.bare });
  const states: StateEvent[] = [];
  world.on('state', (e) => states.push(e));
  const vary = t.vary;
  const net = `10.${vary.int(1, 250)}.${vary.int(0, 250)}`;
  const serverName = vary.pick(['server', 'web', 'api', 'origin', 'backend']);
  const serverIp = `${net}.${vary.int(1, 50)}`;
  const server = world.host(serverName, { ip: serverIp });
  const serverPort = vary.pick([80, 443, 8080, vary.int(1024, 9999)]);
  const delayMs = vary.int(5, 30);
  const pairs: Pair[] = [];
  const hosts = new Map<string, Host>();
  const perHost = sc.perHost ?? 1;
  sc.variants.forEach((v, i) => {
    const host = `${vary.pick(['client', 'laptop', 'phone', 'probe', 'box'])}-${v.key}`;
    const ip = `${net}.${100 + i * 20 + vary.int(0, 15)}`;
    const h = world.host(host, { ip, isn: v.isn });
    hosts.set(host, h);
    if (!v.timestamps) h.sysctl('net.ipv4.tcp_timestamps', 0);
    world.link(h, server, { delayMs });
    const basePort = vary.int(20_000, 50_000);
    for (let k = 0; k < perHost; k++) {
      pairs.push({
        v,
        host,
        ip,
        port: basePort + k * 7,
        request: `${vary.words(vary.int(1, 4))} ${k}\n`,
        reply: `${vary.words(vary.int(1, 6))}\n`,
        first: { connected: false, got: '', eof: false, closed: false },
      });
    }
  });
  const byPort = new Map(pairs.map((p) => [`${p.ip}:${p.port}`, p]));
  pairs.forEach((p, i) => sc.faults?.(world, p, serverName, i));

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: serverPort });
    ls.listen(1024);
    for (;;) {
      const conn = await ls.accept();
      if (sc.bare) {
        await conn.close();
        continue;
      }
      const p = byPort.get(`${conn.remoteAddress?.ip}:${conn.remoteAddress?.port}`);
      os.spawn(async () => {
        try {
          await readUntil(conn, '\n');
          await conn.send(p?.reply ?? 'who are you?\n');
          if (sc.closer === 'client') await readToEof(conn);
        } finally {
          await conn.close();
        }
      }, 'worker');
    }
  }, 'server');

  if (sc.bare) {
    for (const [name, h] of hosts) {
      const mine = pairs.filter((p) => p.host === name);
      h.run(async (os) => {
        await Promise.all(mine.map((p) => connection(os, p, p.first, 'server', false)));
      }, 'clients');
    }
  }
  for (const [i, p] of sc.bare ? [] : pairs.entries()) {
    hosts.get(p.host)!.run(async (os) => {
      await os.sleep(Math.floor(i / sc.variants.length) * 3);
      await connection(os, p, p.first, sc.closer);
      if (sc.reconnectAtMs === undefined || sc.reconnects?.(p.v) === false) return;
      await os.sleep(Math.max(0, sc.reconnectAtMs - os.now()));
      p.second = { connected: false, got: '', eof: false, closed: false, startedAt: os.now() };
      await connection(os, p, p.second, 'server');
    }, 'client');
  }

  async function connection(os: OS, p: Pair, rec: Progress & { connectedAt?: number }, closer: 'client' | 'server', request = true) {
    const s = os.socket();
    s.setsockopt('SO_REUSEADDR', true);
    s.bind({ port: p.port });
    try {
      await s.connect({ host: serverName, port: serverPort });
      rec.connected = true;
      rec.connectedAt = os.now();
      if (request) await s.send(p.request);
      for (;;) {
        if (closer === 'client' && rec.got.endsWith('\n')) break;
        const part = await s.recv();
        if (part === '') {
          rec.eof = true;
          break;
        }
        rec.got += part;
      }
    } catch (error) {
      rec.error = errnoOf(error) ?? String(error);
    }
    await s.close();
    rec.closed = true;
  }

  return { world, states, serverName, serverIp, serverPort, pairs };
}

// ---------------------------------------------------------------- the learner's handler, guarded

/** Installs the learner's handler on every host, guarding the simulator against bad return values. */
function installPolicy(t: CheckContext<ImplementTimeWait>, world: World, pairs: Pair[]) {
  const m = implementTimeWaitMessages.messages[t.lang];
  const decisions: Decision[] = [];
  const durations: { t: number; host: string; ms: number }[] = [];
  // The kernel asks durationMs() as a socket enters TIME_WAIT: just before the
  // state change (from a full socket's FIN_WAIT_2 or CLOSING) or just after it (an orphan's
  // FIN_WAIT_2). A value waits for the state change, or the state change for a value.
  const fresh = new Map<string, number>();
  const waiting = new Map<string, (ms: number) => void>();
  const perSocket = new Map<string, number>();
  const shifts = new Map<string, Shift>();
  let problem: string | undefined;
  // The kernel asks durationMs() right after an 'ack-restart' verdict.
  let pendingRestart: Decision | undefined;
  const stop = (message: string) => {
    if (!problem) problem = message;
    world.stop(message);
  };
  const byAddress = new Map(pairs.map((p) => [`${p.ip}:${p.port}`, p]));
  const pairOf = (local: string, remote: string) => byAddress.get(remote) ?? byAddress.get(local);
  for (const h of world.hosts) {
    const host = h.name;
    const policy: TimeWaitPolicy = {
      durationMs() {
        let v: unknown;
        try {
          v = t.learner.durationMs();
        } catch (error) {
          stop(m.durationThrew({ error: String(error) }));
          return LINUX_TIME_WAIT_MS;
        }
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          stop(m.durationBad({ value: JSON.stringify(v) }));
          return LINUX_TIME_WAIT_MS;
        }
        const ms = Math.round(v);
        durations.push({ t: world.now(), host, ms });
        const wait = waiting.get(host);
        if (pendingRestart) pendingRestart.lengthMs = ms;
        else if (wait) {
          waiting.delete(host);
          wait(ms);
        } else fresh.set(host, ms);
        pendingRestart = undefined;
        return v;
      },
      onSegment(tw, seg) {
        const key = `${tw.local} ${tw.remote}`;
        const pair = pairOf(tw.local, tw.remote);
        const n = (perSocket.get(key) ?? 0) + 1;
        perSocket.set(key, n);
        if (n > MOST_DECISIONS_PER_SOCKET) {
          const last = decisions.filter((d) => d.key === key).slice(-4);
          stop(m.loop({ local: tw.local, remote: tw.remote, host, n, at: at(world.now()), last: last.map((d) => ({ flags: d.seg.flags, verdict: d.verdict })) }));
          return 'ignore';
        }
        let shift = shifts.get(key);
        if (!shift) {
          shift = { rcv: 0, snd: 0, ts: 0 };
          if (pair?.v.wrap) {
            const forward = pair.v.wrap === 'forward';
            shift.rcv = u32((forward ? TWO32 - t.vary.int(1, 4096) : 0) - tw.rcvNxt);
            shift.snd = u32(t.vary.int(0, TWO32 - 1) - tw.sndNxt);
            if (tw.tsRecent !== undefined) {
              const gap = seg.tsval !== undefined ? u32(tw.tsRecent - seg.tsval) : 0;
              const target = forward ? TWO32 - t.vary.int(1, 200) : gap > 0 && gap < 2 ** 31 ? Math.floor(gap / 2) : 0;
              shift.ts = u32(target - tw.tsRecent);
            }
          }
          shifts.set(key, shift);
        }
        const s = shift;
        // Copies, so a handler cannot change the simulator's own records.
        const view: TimeWaitView = Object.freeze({
          local: tw.local,
          remote: tw.remote,
          rcvNxt: u32(tw.rcvNxt + s.rcv),
          sndNxt: u32(tw.sndNxt + s.snd),
          tsRecent: tw.tsRecent !== undefined && tw.tsRecent >= 0 ? u32(tw.tsRecent + s.ts) : undefined,
          since: tw.since,
          expiresAt: tw.expiresAt,
        });
        const info: SegmentInfo = Object.freeze({
          id: seg.id,
          src: { ...seg.src },
          dst: { ...seg.dst },
          seq: u32(seg.seq + s.rcv),
          ack: seg.ackFlag ? u32(seg.ack + s.snd) : seg.ack,
          flags: seg.flags,
          syn: seg.syn,
          fin: seg.fin,
          rst: seg.rst,
          ackFlag: seg.ackFlag,
          win: seg.win,
          len: seg.len,
          data: seg.data,
          tsval: seg.tsval !== undefined ? u32(seg.tsval + s.ts) : undefined,
          tsecr: seg.tsecr,
          retransmission: seg.retransmission,
        });
        let v: unknown;
        try {
          v = t.learner.onSegment(view, info);
        } catch (error) {
          stop(m.segmentThrew({ error: String(error), flags: seg.flags }));
          return 'ignore';
        }
        if (!VERDICTS.includes(v as TimeWaitVerdict)) {
          stop(m.segmentBad({ value: JSON.stringify(v), flags: seg.flags, verdicts: VERDICTS.map((x) => `'${x}'`).join(', ') }));
          return 'ignore';
        }
        const decision: Decision = { t: world.now(), host, pair, key, seg: info, view, verdict: v as TimeWaitVerdict };
        decisions.push(decision);
        if (v === 'ack-restart') pendingRestart = decision;
        return v as TimeWaitVerdict;
      },
    };
    world.setTimeWaitPolicy(host, policy);
  }
  return {
    decisions,
    durations,
    /** A socket on `host` entered TIME_WAIT: `assign` gets the length it began with. */
    entered(host: string, assign: (ms: number) => void) {
      const ms = fresh.get(host);
      if (ms === undefined) waiting.set(host, assign);
      else {
        fresh.delete(host);
        assign(ms);
      }
    },
    requireNoProblem() {
      if (problem) fail(m.broke({ problem }));
    },
  };
}

// ---------------------------------------------------------------- reading a run

/** One TIME_WAIT period of one socket. */
interface Span {
  host: string;
  key: string;
  pair?: Pair;
  enteredAt: number;
  leftAt?: number;
  leftBecause?: string;
  decisions: Decision[];
  /** What durationMs() returned when it began. */
  lengthMs?: number;
}

function spans(states: StateEvent[], decisions: Decision[], lengths: Map<number, number>, pairs: Pair[], host: string): Span[] {
  const out: Span[] = [];
  const open = new Map<number, Span>();
  const byKey = new Map<string, Span[]>();
  const byAddress = new Map(pairs.map((p) => [`${p.ip}:${p.port}`, p]));
  for (const c of states) {
    if (c.host !== host) continue;
    const key = `${c.sock.local} ${c.sock.remote}`;
    if (c.to === 'TIME_WAIT') {
      const pair = byAddress.get(c.sock.remote) ?? byAddress.get(c.sock.local);
      const s: Span = { host, key, pair, enteredAt: c.t, decisions: [], lengthMs: lengths.get(c.n) };
      open.set(c.sock.id, s);
      out.push(s);
      const list = byKey.get(key) ?? [];
      list.push(s);
      byKey.set(key, list);
    } else if (c.from === 'TIME_WAIT') {
      const s = open.get(c.sock.id);
      if (s) {
        s.leftAt = c.t;
        s.leftBecause = c.cause;
        open.delete(c.sock.id);
      }
    }
  }
  for (const d of decisions) {
    if (d.host !== host) continue;
    const s = byKey.get(d.key)?.find((x) => x.enteredAt <= d.t && (x.leftAt === undefined || d.t <= x.leftAt));
    s?.decisions.push(d);
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3)} s`;
}

/** "client 'phone-no-ts' (with timestamps off ...)", for messages. */
function who(m: Messages, p: Pair | undefined): string {
  return p ? m.who({ host: p.host, label: m.variant[p.v.key] }) : m.aClient;
}

/** Arrivals at `host` of segments from `from` that match `pick`, as delivered. */
function arrivals(world: World, host: string, pick: (e: SegmentEvent) => boolean): SegmentEvent[] {
  return world.trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'deliver' && e.host === host && pick(e));
}

/**
 * The segment the check is about never reached the handler. Say why, from the
 * run: the TIME_WAIT had already ended (the learner's own length), or it never
 * began, or the scenario did not happen.
 */
function missing(m: Messages, span: Span | undefined, what: string, arrived: SegmentEvent | undefined, holder: string, p: Pair | undefined): never {
  if (!span) fail(m.neverEntered({ holder, conn: p ? m.connectionOf({ who: who(m, p) }) : '', what }));
  if (arrived && span.leftAt !== undefined && span.leftAt <= arrived.t) {
    fail(
      m.tooLate({
        what,
        holder,
        at: at(arrived.t),
        leftAt: at(span.leftAt),
        because: span.leftBecause ?? m.unknownCause,
        length: seconds(span.leftAt - span.enteredAt),
        returned: span.lengthMs,
      }),
    );
  }
  fail(m.neverReached({ what, holder }));
}

async function runScenario(t: CheckContext<ImplementTimeWait>, sc: Scenario) {
  const built = makeWorld(t, sc);
  const policy = installPolicy(t, built.world, built.pairs);
  // The length each TIME_WAIT began with, by the trace position of its state change.
  const lengths = new Map<number, number>();
  built.world.on('state', (e) => {
    if (e.to === 'TIME_WAIT') policy.entered(e.host, (ms) => lengths.set(e.n, ms));
  });
  const summary = await t.run(built.world);
  policy.requireNoProblem();
  const f = failures(summary)[0];
  const m = implementTimeWaitMessages.messages[t.lang];
  if (f) fail(m.failure({ failure: describeFailure(f, t.lang) }));
  const holder = sc.closer === 'client' ? undefined : built.serverName;
  const all = holder
    ? spans(built.states, policy.decisions, lengths, built.pairs, holder)
    : [...new Set(built.pairs.map((p) => p.host))].flatMap((h) => spans(built.states, policy.decisions, lengths, built.pairs, h));
  return { ...built, summary, decisions: policy.decisions, durations: policy.durations, spans: all, lang: t.lang, m };
}

/** When the timer should fire: the last restart (ack-restart) or entry, plus what durationMs() returned then. */
function dueAt(s: Span): number {
  const restart = s.decisions.filter((d) => d.verdict === 'ack-restart').at(-1);
  return (restart ? restart.t : s.enteredAt) + ((restart ? restart.lengthMs : s.lengthMs) ?? LINUX_TIME_WAIT_MS);
}

const seqNote = (m: Messages, p: Pair | undefined) => (p?.v.wrap ? m.seqNote : '');

// ---------------------------------------------------------------- the checks

const dropLastAck = (w: World, p: Pair) => w.fault({ action: 'drop', from: p.host, flags: '=A', state: 'TIME_WAIT', nth: 1 });
const clientFinVariants = [V.linux, V['no-ts'], V.both, V['wrap-backward']];

export default defineChecker<ImplementTimeWait>({
  lab: 'implement-time-wait',
  messages: implementTimeWaitMessages,
  exports: [
    { name: 'durationMs', kind: 'function', signature: 'export function durationMs(): number' },
    { name: 'onSegment', kind: 'function', signature: 'export function onSegment(tw: TimeWaitView, seg: SegmentInfo): TimeWaitVerdict' },
  ],
  checks: [
    {
      name: 'TIME_WAIT lasts 60 s, as on Linux',
      points: 1,
      task: 1,
      description: 'Clients close first (timestamps on and off); each TIME_WAIT must last exactly 60 s.',
      async run(t) {
        const r = await runScenario(t, { closer: 'client', variants: [V.linux, V['no-ts']] });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          if (!s) fail(m.noTimeWait({ who: who(m, p), how: p.first.error ? m.failedWith({ error: p.first.error }) : m.didNotFinish }));
          if (s.leftAt === undefined) fail(m.endless({ who: who(m, p), entered: at(s.enteredAt), now: at(r.summary.virtualMs) }));
          const length = s.leftAt - s.enteredAt;
          if (length < LINUX_TIME_WAIT_MS && s.leftBecause === 'TIME_WAIT timer') fail(m.tooShort({ length: seconds(length) }));
          if (length !== LINUX_TIME_WAIT_MS) {
            const d = s.decisions.at(-1);
            fail(
              m.notSixty({
                who: who(m, p),
                length: seconds(length),
                because: s.leftBecause ?? m.nothing,
                last: d ? { verdict: d.verdict, flags: d.seg.flags, at: at(d.t) } : undefined,
              }),
            );
          }
        }
      },
    },
    {
      name: 'a lost last ACK is sent again',
      points: 2,
      task: 2,
      description: "Each client's last ACK is dropped; the server's retransmitted FIN reaches TIME_WAIT and must be ACKed so the server leaves LAST_ACK cleanly (timestamps on and off, per-tuple ISN, numbers that wrap).",
      async run(t) {
        const r = await runScenario(t, { closer: 'client', variants: clientFinVariants, faults: dropLastAck });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          const fin = s?.decisions.find((d) => d.seg.fin);
          const serverEnd = stateChanges(r.world, r.serverName).find((c) => c.from === 'LAST_ACK' && c.sock.remote === `${p.ip}:${p.port}`);
          if (!fin) {
            const arrived = arrivals(r.world, p.host, (e) => e.seg.fin && e.seg.retransmission)[0];
            missing(m, s, m.retransmittedFin, arrived, who(m, p), p);
          }
          if (fin.verdict === 'ignore' || fin.verdict === 'kill') {
            fail(
              m.finUnanswered({
                verdict: fin.verdict,
                seq: fin.seg.seq,
                rcvNxt: fin.view.rcvNxt,
                note: seqNote(m, p),
                at: at(fin.t),
                who: who(m, p),
                end: serverEnd ? { at: at(serverEnd.t), cause: serverEnd.cause } : undefined,
              }),
            );
          }
          if (fin.verdict === 'rst') fail(m.finRst({ who: who(m, p), cause: serverEnd?.cause ?? m.reset }));
          if (fin.verdict === 'accept-syn') fail(m.finAcceptSyn({ who: who(m, p) }));
          if (!serverEnd || !/ACK/.test(serverEnd.cause) || /RST/.test(serverEnd.cause)) {
            fail(m.finNotClean({ verdict: fin.verdict, who: who(m, p), cause: serverEnd?.cause ?? m.nothing }));
          }
        }
      },
    },
    {
      name: 'a retransmitted FIN restarts the timer',
      points: 1,
      task: 2,
      description: 'After the retransmitted FIN is ACKed again, TIME_WAIT must last a full durationMs() from that moment.',
      async run(t) {
        const r = await runScenario(t, { closer: 'client', variants: clientFinVariants, faults: dropLastAck });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          const fin = s?.decisions.find((d) => d.seg.fin);
          if (!s || !fin) {
            const arrived = arrivals(r.world, p.host, (e) => e.seg.fin && e.seg.retransmission)[0];
            missing(m, s, m.retransmittedFin, arrived, who(m, p), p);
          }
          if (fin.verdict === 'ignore' || fin.verdict === 'kill' || fin.verdict === 'rst') fail(m.finNotAnswered({ verdict: fin.verdict, who: who(m, p) }));
          if (s.leftAt === undefined) fail(m.neverWentAway({ who: who(m, p), at: at(r.summary.virtualMs) }));
          const length = s.lengthMs ?? LINUX_TIME_WAIT_MS;
          const fromFin = s.leftAt - fin.t;
          if (Math.abs(fromFin - length) > 1) {
            fail(
              m.notRestarted({
                fromFin: seconds(fromFin),
                at: at(fin.t),
                who: who(m, p),
                length: seconds(length),
                because: s.leftBecause ?? m.unknownCause,
                verdict: fin.verdict,
              }),
            );
          }
        }
      },
    },
    {
      name: 'an old duplicate is ACKed and restarts the timer',
      points: 1,
      task: 3,
      description:
        "A copy of the server's reply, delayed 5 s, reaches each client's TIME_WAIT; as on Linux, the client must answer with an ACK, keep TIME_WAIT and restart its timer, so that it lasts a full durationMs() from the copy (timestamps on and off, numbers that wrap).",
      async run(t) {
        const r = await runScenario(t, {
          closer: 'client',
          variants: [V.linux, V['no-ts'], V['wrap-backward']],
          faults: (w, p, server) => w.fault({ action: 'duplicate', from: server, to: p.host, payload: p.reply, delayMs: 5000, nth: 1 }),
        });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          const dup = s?.decisions.find((d) => d.seg.len > 0);
          if (!s || !dup) {
            const arrived = arrivals(r.world, p.host, (e) => e.seg.len > 0 && e.t > 1000)[0];
            missing(m, s, m.delayedReply, arrived, who(m, p), p);
          }
          const what = m.oldData({ seq: dup.seg.seq, len: dup.seg.len, rcvNxt: dup.view.rcvNxt, note: seqNote(m, p), at: at(dup.t), who: who(m, p) });
          if (dup.verdict === 'kill' || dup.verdict === 'accept-syn') fail(m.dupDestroyed({ verdict: dup.verdict, what }));
          if (dup.verdict === 'rst') fail(m.dupRst({ what }));
          if (dup.verdict === 'ignore') fail(m.dupIgnored({ what }));
          if (dup.verdict !== 'ack-restart') fail(m.dupNoRestart({ verdict: dup.verdict, what }));
          if (s.leftBecause === 'TIME_WAIT timer' && Math.abs(s.leftAt! - dueAt(s)) > 1) fail(m.dupLength({ what, at: at(s.leftAt!), due: at(dueAt(s)) }));
        }
      },
    },
    {
      name: 'an RST does not assassinate TIME_WAIT',
      points: 2,
      task: 3,
      description: "A copy of each client's last ACK, delayed 2 s, makes the (closed) server answer with RST; the TIME_WAIT socket must ignore it (RFC 1337) and last its full length.",
      async run(t) {
        const r = await runScenario(t, {
          closer: 'client',
          variants: [V.linux, V['no-ts'], V['wrap-backward']],
          faults: (w, p) => w.fault({ action: 'duplicate', from: p.host, flags: '=A', state: 'TIME_WAIT', nth: 1, delayMs: 2000 }),
        });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          const rst = s?.decisions.find((d) => d.seg.rst);
          if (!s || !rst) {
            const arrived = arrivals(r.world, p.host, (e) => e.seg.rst)[0];
            missing(m, s, m.serverRst, arrived, who(m, p), p);
          }
          if (rst.verdict !== 'ignore') {
            fail(m.rstAnswered({ verdict: rst.verdict, seq: rst.seg.seq, rcvNxt: rst.view.rcvNxt, note: seqNote(m, p), at: at(rst.t), who: who(m, p) }));
          }
        }
      },
    },
    {
      name: 'a new SYN opens a new connection at once',
      points: 2,
      task: 4,
      description:
        'The server closes first and sits in TIME_WAIT; about 1 s later each client connects again from the same port. A SYN that Linux takes as new (a newer timestamp, or a sequence number beyond rcvNxt) must be accepted: connect within 1 s.',
      async run(t) {
        const r = await runScenario(t, {
          closer: 'server',
          variants: [V.linux, V['no-ts'], V['per-tuple'], V['wrap-forward']],
          reconnectAtMs: 1000 + t.vary.int(0, 500),
        });
        const m = r.m;
        for (const p of r.pairs) {
          const second = p.second;
          if (!second) fail(m.noSecond({ who: who(m, p), how: p.first.error ? m.failedWith({ error: p.first.error }) : m.didNotFinish }));
          const s = r.spans.find((x) => x.pair === p);
          const syn = s?.decisions.find((d) => d.seg.syn && !d.seg.ackFlag && d.t >= second.startedAt!);
          if (!s || !syn) {
            if (second.connectedAt !== undefined && second.connectedAt - second.startedAt! <= 1000) continue;
            const arrived = arrivals(r.world, r.serverName, (e) => e.seg.syn && !e.seg.ackFlag && e.seg.src.host === p.host && e.t >= second.startedAt!)[0];
            missing(m, s, m.newSynOf({ who: who(m, p) }), arrived, m.server, p);
          }
          const numbers = { seq: syn.seg.seq, rcvNxt: syn.view.rcvNxt, tsval: syn.seg.tsval, tsRecent: syn.view.tsRecent };
          const evidence =
            p.v.key === 'per-tuple' ? m.evidencePerTuple(numbers) : p.v.key === 'no-ts' ? m.evidenceNoTs(numbers) : m.evidenceBoth({ ...numbers, note: seqNote(m, p) });
          if (syn.verdict !== 'accept-syn') {
            const outcome = second.error
              ? m.secondFailedWith({ error: second.error })
              : second.connectedAt !== undefined
                ? m.secondSlow({ took: seconds(second.connectedAt - second.startedAt!) })
                : m.secondNever;
            fail(m.synRefused({ who: who(m, p), outcome, verdict: syn.verdict, at: at(syn.t), evidence }));
          }
          if (second.error) fail(m.acceptedButFailed({ who: who(m, p), error: second.error }));
          if (second.connectedAt === undefined) fail(m.acceptedButNever({ who: who(m, p) }));
          if (second.got !== p.reply) fail(m.wrongExchange({ who: who(m, p), got: JSON.stringify(second.got), want: JSON.stringify(p.reply) }));
        }
      },
    },
    {
      name: 'an old duplicate SYN is not accepted',
      points: 1,
      task: 4,
      description:
        "A copy of each client's first SYN, delayed 3 s, reaches the server's TIME_WAIT, and a client with a per-tuple ISN and no timestamps reconnects: a SYN that Linux does not take as new must be answered with an ACK, neither accepted nor reset.",
      async run(t) {
        const r = await runScenario(t, {
          closer: 'server',
          variants: [V.linux, V['no-ts'], V['wrap-backward'], V.both],
          reconnectAtMs: 1000 + t.vary.int(0, 500),
          reconnects: (v) => v.key === 'both',
          faults: (w, p) => {
            if (p.v.key !== 'both') w.fault({ action: 'duplicate', from: p.host, flags: '=S', nth: 1, delayMs: 3000 });
          },
        });
        const m = r.m;
        for (const p of r.pairs) {
          const s = r.spans.find((x) => x.pair === p);
          const ambiguous = p.v.key === 'both';
          const old = s?.decisions.find((d) => d.seg.syn && !d.seg.ackFlag);
          if (!s || !old) {
            const arrived = arrivals(r.world, r.serverName, (e) => e.seg.syn && !e.seg.ackFlag && e.seg.src.host === p.host && e.t > 500)[0];
            missing(m, s, ambiguous ? m.reconnectingSynOf({ who: who(m, p) }) : m.oldSynOf({ who: who(m, p) }), arrived, m.server, p);
          }
          const what = ambiguous
            ? m.ambiguousSyn({ label: m.variant[p.v.key], seq: old.seg.seq, rcvNxt: old.view.rcvNxt })
            : m.oldSyn({ seq: old.seg.seq, rcvNxt: old.view.rcvNxt, tsval: old.seg.tsval, tsRecent: old.view.tsRecent, note: seqNote(m, p), who: who(m, p) });
          if (old.verdict === 'accept-syn' || old.verdict === 'kill') fail(m.synDestroyed({ verdict: old.verdict, at: at(old.t), what }));
          if (old.verdict === 'rst') fail(m.synRst({ what, at: at(old.t), error: ambiguous ? p.second?.error : undefined }));
          if (old.verdict === 'ignore') fail(m.synIgnored({ what, at: at(old.t) }));
          if (ambiguous) {
            const second = p.second;
            if (second?.error || second?.connectedAt === undefined) {
              const restarts = s.decisions.filter((d) => d.seg.syn && d.verdict === 'ack-restart').length;
              fail(m.neverReconnected({ who: who(m, p), error: second?.error, restarts }));
            }
          }
        }
      },
    },
    {
      name: 'hundreds of TIME_WAIT sockets are each kept and answered',
      points: 1,
      task: 5,
      description:
        'The server closes first on 200 connections from four client hosts (timestamps on and off, per-tuple ISN), so it holds 200 TIME_WAIT sockets at once; some last ACKs are lost. Each must last its full 60 s from entry or from its own restart, and each retransmitted FIN must be ACKed.',
      async run(t) {
        const lost = [2, 9, 23, 31, 40, 47].map((n) => n + t.vary.int(0, 1));
        const r = await runScenario(t, {
          closer: 'server',
          variants: [V.linux, V['no-ts'], V['per-tuple'], V.both],
          perHost: 50,
          bare: true,
          faults: (w, p, server, i) => {
            // Once per client host: lose the server's last ACK to a few of its connections.
            if (i % 50 === 0) for (const nth of lost) w.fault({ action: 'drop', from: server, to: p.host, flags: '=A', state: 'TIME_WAIT', nth });
          },
        });
        const m = r.m;
        const bad = r.pairs.filter((p) => p.first.error || !p.first.eof);
        if (bad.length) {
          fail(m.unfinished({ bad: bad.length, total: r.pairs.length, who: who(m, bad[0]), detail: bad[0].first.error ?? m.noEof({ got: JSON.stringify(bad[0].first.got) }) }));
        }
        const peak = maxConcurrent(r.spans);
        if (r.spans.length < r.pairs.length) fail(m.tooFewSpans({ spans: r.spans.length, pairs: r.pairs.length }));
        const lengths = [...new Set(r.spans.map((s) => s.lengthMs))];
        if (lengths.length > 1) {
          const i = r.spans.findIndex((s) => s.lengthMs !== r.spans[0].lengthMs);
          const other = r.spans[i];
          const already = r.spans.slice(0, i).filter((s) => (s.leftAt ?? Infinity) > other.enteredAt).length;
          fail(
            m.lengths({
              list: listSome(lengths.map((x) => `${x} ms`), 3, r.lang),
              first: r.spans[0].lengthMs,
              at: at(other.enteredAt),
              already,
              other: other.lengthMs,
            }),
          );
        }
        // Judged here: that every socket is treated alike and on its own. What the
        // right answer to a retransmitted FIN is, and how long TIME_WAIT lasts, are the earlier checks'.
        const finAnswers = new Map<TimeWaitVerdict, Decision[]>();
        for (const s of r.spans) for (const d of s.decisions) if (d.seg.fin) finAnswers.set(d.verdict, [...(finAnswers.get(d.verdict) ?? []), d]);
        const fins = [...finAnswers.values()].reduce((n, l) => n + l.length, 0);
        if (fins === 0) fail(m.noFin);
        if (finAnswers.size > 1) {
          const parts = [...finAnswers].map(([v, l]) => m.finPart({ verdict: v, count: l.length, peer: l[0].key.split(' ')[1], at: at(l[0].t) }));
          fail(m.mixed({ peak, fins, parts }));
        }
        const off = r.spans.filter((s) => s.leftBecause === 'TIME_WAIT timer' && Math.abs(s.leftAt! - dueAt(s)) > 1);
        const never = r.spans.filter((s) => s.leftAt === undefined);
        if (off.length || never.length) {
          const list = [
            ...off.map((s) => m.offItem({ peer: s.key.split(' ')[1], at: at(s.leftAt!), due: at(dueAt(s)) })),
            ...never.map((s) => m.neverItem({ peer: s.key.split(' ')[1], at: at(r.summary.virtualMs) })),
          ];
          fail(m.off({ peak, count: list.length, list: listSome(list, 2, r.lang) }));
        }
      },
    },
  ],
});

function maxConcurrent(list: Span[]): number {
  const edges = list.flatMap((s) => [
    [s.enteredAt, 1],
    [s.leftAt ?? Infinity, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (n += d));
  return most;
}
