// Runs a WorldPlan in the simulator and keeps what the invariants need: the
// trace, the run summary, and per connection and direction the bytes offered
// to send(), the bytes send() accepted, and the bytes recv() returned.
import type { NstatTable, OS, Socket, TraceEvent } from '../../types/closing-time.d.ts';
import { SocketError, createWorld, type RunSummary } from '../../src/sim/index.ts';
import type { Action, WorldPlan } from './plan.ts';
import { DELIBERATE_MESSAGE, StreamText, type CallRecord, type Direction, type StreamLog } from './streams.ts';

export interface PlanRun {
  plan: WorldPlan;
  summary: RunSummary;
  trace: readonly TraceEvent[];
  streams: Map<string, StreamLog>;
  /** Failed calls and their errno. */
  failures: CallRecord[];
  /** Anything thrown by the simulator that is not a SocketError. */
  unexpected: string[];
  /** Processes that threw on purpose. */
  deliberate: string[];
  /** Each host's counters at the end of the run. */
  nstat: { client: NstatTable; server: NstatTable };
}

const UNTIL_MS = 400_000;

export async function runPlan(plan: WorldPlan, options: { record?: boolean } = {}): Promise<PlanRun> {
  const world = createWorld({ seed: plan.seed, untilMs: UNTIL_MS, wallMs: 5_000, record: options.record ?? true });
  const client = world.host('client');
  const server = world.host('server');
  world.link(client, server, plan.link);
  for (const p of plan.partitions) world.partition(client, server, p);
  for (const [host, values] of [[client, plan.sysctls.client], [server, plan.sysctls.server]] as const) {
    for (const [name, value] of Object.entries(values)) (host.sysctl as (n: string, v: unknown) => void)(name, value);
  }
  const streams = new Map<string, StreamLog>();
  const failures: CallRecord[] = [];
  const unexpected: string[] = [];
  const deliberate: string[] = [];
  const log = (k: number, dir: Direction) => {
    const key = `${k}:${dir}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { offered: '', accepted: '', read: '', sawEof: false }));
    return s;
  };

  /** Runs one socket call; a SocketError is an outcome, anything else a finding. */
  async function call<T>(process: string, name: string, fn: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false; errno?: string }> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (e instanceof SocketError) {
        failures.push({ process, call: name, errno: e.code });
        return { ok: false, errno: e.code };
      }
      unexpected.push(`${process} ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { ok: false };
    }
  }

  async function perform(os: OS, process: string, sock: Socket, k: number, mine: Direction, actions: Action[]) {
    const out = log(k, mine);
    const inbound = log(k, mine === 'c2s' ? 's2c' : 'c2s');
    const text = new StreamText(`${mine}${k}#`);
    // After our own shutdown(SHUT_RD) recv() returns '' without any FIN (Linux
    // tcp_recvmsg: RCV_SHUTDOWN), so that '' says nothing about the peer's stream.
    // Likewise after the connection failed (ECONNRESET, ETIMEDOUT): tcp_done()
    // sets SHUTDOWN_MASK, so later recv() calls return '' with no FIN behind them.
    let readShut = false;
    const eof = () => {
      if (!readShut) inbound.sawEof = true;
    };
    const failedRecv = () => {
      readShut = true;
    };
    for (const a of actions) {
      switch (a.do) {
        case 'send': {
          const data = text.slice(out.offered.length, a.bytes);
          out.offered += data;
          const r = await call(process, 'send', () => sock.send(data));
          if (r.ok) out.accepted += data;
          else if (r.errno !== 'EPIPE') failedRecv();
          break;
        }
        case 'recv': {
          const r = await call(process, 'recv', () => sock.recv());
          if (r.ok) {
            if (r.value === '') eof();
            inbound.read += r.value;
          } else failedRecv();
          break;
        }
        case 'recvall':
          for (;;) {
            const r = await call(process, 'recv', () => sock.recv());
            if (!r.ok) {
              failedRecv();
              break;
            }
            if (r.value === '') {
              eof();
              break;
            }
            inbound.read += r.value;
          }
          break;
        case 'shutdown':
          if ((await call(process, 'shutdown', () => sock.shutdown(a.how))).ok && a.how !== 'SHUT_WR') readShut = true;
          break;
        case 'close':
          await call(process, 'close', () => sock.close());
          return;
        case 'sleep':
          await os.sleep(a.ms);
          break;
        case 'linger':
          await call(process, 'setsockopt', () => sock.setsockopt('SO_LINGER', { onoff: true, linger: a.seconds }));
          break;
        case 'throw':
          deliberate.push(process);
          throw new Error(DELIBERATE_MESSAGE);
      }
    }
  }

  plan.connections.forEach((c, k) => {
    server.run(async (os) => {
      const name = `server-${k}`;
      const ls = os.socket();
      if (!(await call(name, 'setsockopt', () => ls.setsockopt('SO_REUSEADDR', c.reuseaddr))).ok) return;
      if (!(await call(name, 'bind', () => ls.bind({ port: c.port }))).ok) return;
      if (!(await call(name, 'listen', () => ls.listen())).ok) return;
      const conn = await call(name, 'accept', () => ls.accept());
      if (conn.ok) await perform(os, name, conn.value, k, 's2c', c.server);
    }, `server-${k}`);
    client.run(async (os) => {
      const name = `client-${k}`;
      await os.sleep(c.clientStartMs);
      const s = os.socket();
      // The listener binds at time 0 of the server's process; a connect at 0 can race it, as on a real network.
      if ((await call(name, 'connect', () => s.connect({ host: 'server', port: c.port }))).ok) {
        await perform(os, name, s, k, 'c2s', c.client);
      } else {
        await call(name, 'close', () => s.close());
      }
    }, `client-${k}`);
  });

  const summary = await world.run();
  return { plan, summary, trace: world.trace, streams, failures, unexpected, deliberate, nstat: { client: client.nstat(), server: server.nstat() } };
}
