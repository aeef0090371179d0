// Runs a scenario in the simulator: the same steps, through the public
// program API (types/closing-time.d.ts), in virtual time.
import type { Fault, Host, NstatName, OS, Socket, Sysctls } from '../../types/closing-time.d.ts';
import { createWorld } from '../../src/sim/index.ts';
import type { Observations, Scenario, SegmentRecord, Side, Step, StepResult } from './scenario.ts';
import { markRetransmissions } from './scenario.ts';

/**
 * One-way delay of the simulated link. The kernel's veth pair has a round trip
 * of tens of microseconds; 1 ms each way is the simulator's closest: every RTO
 * stays at its 200 ms floor on both (tcp_rto_min).
 */
const LINK_DELAY_MS = 1;
/** Virtual-time limit: past every timer the scenarios look at (TIME_WAIT is 60 s). */
const UNTIL_MS = 120_000;

/**
 * Signals between the two sides. A process may only wait on what the
 * simulator controls (a plain Promise would leave it "waiting on a promise the
 * simulator does not control"), so a wait polls in 1 ms steps of virtual time,
 * like the kernel driver's threading.Event wakes within a scheduler tick.
 */
class Signals {
  private readonly raised = new Set<string>();
  signal(name: string) {
    this.raised.add(name);
  }
  async wait(os: OS, name: string) {
    const limit = os.now() + WAIT_LIMIT_MS;
    while (!this.raised.has(name)) {
      if (os.now() >= limit) throw new Error(`waited ${WAIT_LIMIT_MS} ms for signal '${name}'`);
      await os.sleep(1);
    }
  }
}
const WAIT_LIMIT_MS = 20_000;

interface Shared {
  signals: Signals;
  faults: Map<string, Fault>;
  drops: Record<string, number>;
  hosts: Record<Side, Host>;
  world: ReturnType<typeof createWorld>;
}

function errnoOf(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  throw e;
}

async function runSide(side: Side, steps: Step[], os: OS, shared: Shared, results: StepResult[], errors: string[]) {
  const socks = new Map<string, Socket>();
  const peer: Side = side === 'client' ? 'server' : 'client';
  const sock = (name: string) => {
    const s = socks.get(name);
    if (!s) throw new Error(`socket '${name}' used before 'socket'/'accept' created it`);
    return s;
  };
  const marks = new Map<string, number>();
  for (const [i, step] of steps.entries()) {
    const at = os.now();
    if (step.mark) marks.set(step.mark, at);
    const r: StepResult = { i, op: step.op, ok: true, at, tookMs: 0 };
    try {
      try {
        Object.assign(r, await doStep(step));
      } catch (e) {
        r.ok = false;
        r.errno = errnoOf(e);
      }
    } catch (e) {
      errors.push(`${side} step ${i} (${step.op}): ${(e as Error)?.stack ?? String(e)}`);
      return;
    }
    r.tookMs = os.now() - at;
    results.push(r);
  }

  async function doStep(step: Step): Promise<Partial<StepResult> | void> {
    switch (step.op) {
      case 'socket':
        socks.set(step.sock, os.socket());
        return;
      case 'setsockopt':
        // The union keeps option and value types paired; the API wants the same pairing.
        (sock(step.sock).setsockopt as (n: string, v: unknown) => void)(step.opt, step.value);
        return;
      case 'getsockopt':
        return { value: sock(step.sock).getsockopt(step.opt) };
      case 'inject':
        // The simulator has no way to put a segment on the wire that no socket
        // made (issue: segment truth item 7): the step records that nothing was sent.
        return { ok: false, errno: 'ENOTSUP' };
      case 'bind':
        sock(step.sock).bind(step.port === undefined ? {} : { port: step.port });
        return;
      case 'listen':
        sock(step.sock).listen(step.backlog ?? 16);
        return;
      case 'accept':
        socks.set(step.as, await sock(step.sock).accept());
        return;
      case 'connect':
        await sock(step.sock).connect({ host: step.to === 'loopback' ? '127.0.0.1' : shared.hosts[step.to === 'self' ? side : peer].name, port: step.port });
        return;
      case 'localport': {
        const a = sock(step.sock).localAddress;
        if (!a) throw new Error(`localport of '${step.sock}', which has no local address`);
        return { value: a.port };
      }
      case 'send': {
        const data = step.data.repeat(step.times ?? 1);
        await sock(step.sock).send(data);
        return { bytes: data.length };
      }
      case 'recv':
        return { data: await sock(step.sock).recv(step.max) };
      case 'recvall': {
        let data = '';
        try {
          for (;;) {
            const chunk = await sock(step.sock).recv();
            if (chunk === '') return { data, end: 'eof' };
            data += chunk;
          }
        } catch (e) {
          return { data, end: errnoOf(e) };
        }
      }
      case 'shutdown':
        sock(step.sock).shutdown(step.how);
        return;
      case 'close': {
        const s = sock(step.sock);
        socks.delete(step.sock);
        await s.close();
        return;
      }
      case 'sleep': {
        if (step.since === undefined) {
          await os.sleep(step.ms);
          return;
        }
        const mark = marks.get(step.since);
        if (mark === undefined) throw new Error(`no earlier step is marked '${step.since}'`);
        await os.sleep(Math.max(0, mark + step.ms - os.now()));
        return;
      }
      case 'ss':
        if (step.values) {
          const rows = os
            .ss({ timers: true })
            .map((row) => ({ row: `${row.state} ${row.timer ? row.timer.split(',')[0] : '-'}`, ms: row.timer ? timerMs(row.timer.split(',')[1]) : null }))
            .sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
          return { timers: rows.map((r) => r.row), timerMs: rows.map((r) => r.ms) };
        }
        if (step.timers) return { timers: os.ss({ timers: true }).map((row) => `${row.state} ${row.timer ? row.timer.split(',')[0] : '-'}`).sort() };
        return { states: os.ss().map((row) => row.state).sort() };
      case 'signal':
        shared.signals.signal(step.name);
        return;
      case 'wait':
        await shared.signals.wait(os, step.name);
        return;
      case 'drop': {
        const from = shared.hosts[step.from];
        const to = shared.hosts[step.from === 'client' ? 'server' : 'client'];
        shared.faults.set(step.id, shared.world.fault({ action: 'drop', from, to, ...(step.flags ? { flags: step.flags } : {}) }));
        return;
      }
      case 'undrop': {
        const fault = shared.faults.get(step.id);
        if (!fault) throw new Error(`undrop of unknown drop '${step.id}'`);
        shared.faults.delete(step.id);
        shared.drops[step.id] = fault.hits;
        fault.remove();
        return { hits: fault.hits };
      }
    }
  }
}

/** An `ss -o` timer value in ms: '59sec', '1min2sec', '1.500ms', '200ms' (same rule as the driver's). */
export function timerMs(text: string): number {
  const m = /^(?:(\d+)min)?(?:(\d+)(sec|\.))?(?:(\d+)ms)?$/.exec(text);
  if (!m) throw new Error(`unparsable ss timer value '${text}'`);
  return Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000 + Number(m[4] ?? 0);
}

export async function runOnSimulator(scenario: Scenario, seed = 1): Promise<Observations> {
  const world = createWorld({ seed, untilMs: UNTIL_MS });
  const hosts = { client: world.host('client'), server: world.host('server') } as Record<Side, Host>;
  world.link(hosts.client, hosts.server, { delayMs: LINK_DELAY_MS });
  for (const side of ['client', 'server'] as const) {
    for (const [name, value] of Object.entries(scenario.sysctls?.[side] ?? {})) {
      (hosts[side].sysctl as (n: keyof Sysctls, v: unknown) => void)(name as keyof Sysctls, value);
    }
  }
  const segments: Record<Side, Omit<SegmentRecord, 'rtx'>[]> = { client: [], server: [] };
  world.on('segment', (e) => {
    if (e.action !== 'send' || (e.host !== 'client' && e.host !== 'server')) return;
    // The kernel captures on the veth pair: a side's connections to itself (over loopback) are not in it.
    if (e.seg.dst.ip.startsWith('127.') || e.seg.dst.ip === e.seg.src.ip) return;
    segments[e.host].push({ t: e.t, flags: e.seg.flags, seq: e.seg.seq, ack: e.seg.ack, len: e.seg.len, sport: e.seg.src.port, dport: e.seg.dst.port });
  });
  const shared: Shared = { signals: new Signals(), faults: new Map(), drops: {}, hosts, world };
  const results: Record<Side, StepResult[]> = { client: [], server: [] };
  const errors: string[] = [];
  // Each side's counters when its steps end, as the kernel driver reads them (the hosts are new: they are the changes).
  const counters = {} as Record<Side, Record<string, number>>;
  const readCounters = (side: Side) => (counters[side] = { ...(hosts[side].nstat() as Readonly<Record<NstatName, number>>) });
  for (const side of ['client', 'server'] as const) {
    if (scenario[side].length === 0) continue;
    hosts[side].run(async (os) => {
      try {
        await runSide(side, scenario[side], os, shared, results[side], errors);
      } finally {
        readCounters(side);
      }
    }, side);
  }
  const summary = await world.run();
  if (summary.endedBy === 'error' || summary.endedBy === 'wall-limit') errors.push(`run ended by ${summary.endedBy}: ${summary.message}`);
  for (const side of ['client', 'server'] as const) {
    if (results[side].length < scenario[side].length && !errors.some((e) => e.startsWith(side))) {
      const blocked = summary.blocked.find((b) => b.host === side);
      errors.push(`${side} stopped at step ${results[side].length} (${scenario[side][results[side].length].op})${blocked ? `, still waiting in ${blocked.waitingIn}` : ''}`);
    }
  }
  for (const [id, fault] of shared.faults) shared.drops[id] = fault.hits;
  return {
    id: scenario.id,
    executor: 'simulator',
    sides: results,
    segments: { client: markRetransmissions(segments.client), server: markRetransmissions(segments.server) },
    drops: shared.drops,
    counters: { client: counters.client ?? readCounters('client'), server: counters.server ?? readCounters('server') },
    errors,
  };
}
