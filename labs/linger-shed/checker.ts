// Lab: shed load with SO_LINGER 0. An abortive close (linger on, 0 s) sends RST
// and purges the send queue (Linux __tcp_close -> tcp_disconnect path, RFC 9293
// §3.10.4 ABORT): right for refusing a connection at once, wrong for one whose
// reply is still in the send buffer.
import { defineChecker, ensure, fail, type CheckContext } from '../../src/grading/define-checker.ts';
import { at, fromState, count, describeFailure, failures } from '../../src/grading/trace-queries.ts';
import { errnoOf, payload, readUntil } from '../../src/grading/reference-io.ts';
import type { Socket, SegmentEvent } from '../../src/sim/index.ts';

export interface LingerShed {
  handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void>;
}

const LIMIT = 4;
/** Fits in the default send buffer, so send() resolves long before the client has it all. */
const REPLY_BYTES = 40_000;

const NOT_A_TIME_WAIT_FIX =
  'SO_LINGER 0 is not a TIME_WAIT fix: it skips TIME_WAIT by resetting the connection, and a reset throws away whatever is still in the send buffer. ' +
  'TIME_WAIT on the side that closes first is normal, costs a small record in the kernel, and protects the next connection on the same ports from old segments.';

interface ClientRecord {
  port?: number;
  bytes: number;
  complete: boolean;
  eof: boolean;
  error?: string;
  startMs: number;
}

async function runShed(t: CheckContext<LingerShed>) {
  const world = t.world();
  const server = world.host('server');
  const clients = world.host('clients');
  world.link(clients, server, { delayMs: 10 });
  const reply = payload(REPLY_BYTES, 'linger-shed');
  const overloadedPorts = new Map<number, { overloaded: boolean; acceptedAt: number }>();
  let active = 0;
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen(64);
    for (;;) {
      const conn = await ls.accept();
      const overloaded = active >= LIMIT;
      overloadedPorts.set(conn.remoteAddress?.port ?? -1, { overloaded, acceptedAt: os.now() });
      active++;
      os.spawn(async (worker) => {
        // Producing the reply takes 200 ms (a database, a template): that is what keeps connections in progress.
        const makeReply = () => worker.sleep(200).then(() => reply);
        try {
          await t.learner.handle(conn, { overloaded, reply: makeReply });
        } finally {
          active--;
        }
      }, overloaded ? 'handle(overloaded)' : 'handle');
    }
  }, 'listener');
  const records: ClientRecord[] = [];
  // A burst of 8 clients (4 get served, 4 must be shed), then 2 more once the server is idle again.
  const starts = [...Array.from({ length: 8 }, (_, i) => i * 2), ...Array.from({ length: 2 }, (_, i) => 8000 + i * 2)];
  for (const startMs of starts) {
    const rec: ClientRecord = { bytes: 0, complete: false, eof: false, startMs };
    records.push(rec);
    clients.run(async (os) => {
      await os.sleep(startMs);
      const s = os.socket();
      let got = '';
      try {
        await s.connect({ host: 'server', port: 80 });
        rec.port = s.localAddress?.port;
        await s.send(`GET /item/${startMs}\n`);
        for (;;) {
          const part = await s.recv();
          if (part === '') {
            rec.eof = true;
            break;
          }
          got += part;
        }
        await s.close();
      } catch (error) {
        rec.error = errnoOf(error) ?? String(error);
        await s.close().catch(() => undefined);
      }
      rec.bytes = got.length;
      rec.complete = got === reply;
    }, 'client');
  }
  const summary = await t.run(world);
  const handlerFailure = failures(summary, 'handle')[0];
  if (handlerFailure) fail(`your handler threw: ${describeFailure(handlerFailure)}.`);
  const served = records.filter((r) => r.port !== undefined && overloadedPorts.get(r.port)?.overloaded === false);
  const shed = records.filter((r) => r.port !== undefined && overloadedPorts.get(r.port)?.overloaded === true);
  const serverSegments = (port: number): SegmentEvent[] =>
    world.trace.filter((e): e is SegmentEvent => e.kind === 'segment' && e.action === 'send' && e.seg.src.host === 'server' && e.seg.dst.port === port);
  return { world, summary, records, served, shed, overloadedPorts, serverSegments };
}

export default defineChecker<LingerShed>({
  lab: 'linger-shed',
  exports: [{ name: 'handle', kind: 'function', signature: 'export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void>' }],
  checks: [
    {
      name: 'every served client gets its whole reply',
      points: 3,
      task: 1,
      description: `10 clients ask for a ${REPLY_BYTES.toLocaleString('en')}-byte reply; every connection the server was not overloaded for must deliver all of it.`,
      async run(t) {
        const r = await runShed(t);
        ensure(r.served.length >= LIMIT, `only ${r.served.length} connections were handed to your handler as not overloaded; the server should have served at least ${LIMIT}.`);
        const short = r.served.filter((c) => !c.complete);
        if (short.length) {
          const c = short[0];
          fail(
            `${count(short.length, 'served client')} did not get the whole reply: the first got ${c.bytes.toLocaleString('en')} of ${REPLY_BYTES.toLocaleString('en')} bytes` +
              `${c.error ? ` and then ${c.error}` : ''}. send() resolves once the data fits in the send buffer, not once it has arrived; ` +
              `${c.error === 'ECONNRESET' ? 'an abortive close (SO_LINGER 0) right after it reset the connection and purged what was still queued. ' : ''}` +
              NOT_A_TIME_WAIT_FIX,
          );
        }
      },
    },
    {
      name: 'overloaded connections are aborted at once with RST',
      points: 3,
      task: 2,
      description: 'For a connection accepted while 4 are active, the first thing the server sends after the handshake must be an RST, within 50 ms, and no data or FIN.',
      async run(t) {
        const r = await runShed(t);
        ensure(r.shed.length > 0, 'no connection was ever overloaded: the scenario needs the burst to exceed the limit (this is a checker problem, please report it).');
        for (const c of r.shed) {
          const acceptedAt = r.overloadedPorts.get(c.port!)!.acceptedAt;
          // The kernel's own ACKs of the request are not the handler's doing.
          const after = r.serverSegments(c.port!).filter((e) => !e.seg.syn && (e.seg.len > 0 || e.seg.fin || e.seg.rst));
          const first = after[0];
          if (!first) fail(`an overloaded connection (client port ${c.port}) got neither data, FIN nor RST from the server: abort it with SO_LINGER { onoff: true, linger: 0 } and close().`);
          if (first.seg.len > 0) fail(`on an overloaded connection (client port ${c.port}) the server sent ${first.seg.len} bytes of data first: shedding means refusing at once, before any work, with an RST.`);
          if (first.seg.fin) {
            fail(
              `an overloaded connection (client port ${c.port}) was closed with FIN at ${at(first.t)}: an orderly close leaves the server in FIN_WAIT and TIME_WAIT for that client. ` +
                `Set SO_LINGER { onoff: true, linger: 0 } before close() to abort with RST and keep no state.`,
            );
          }
          if (!first.seg.rst) fail(`on an overloaded connection (client port ${c.port}) the server's first segment was ${first.seg.flags}, not RST.`);
          ensure(
            first.t - acceptedAt <= 50,
            `an overloaded connection (client port ${c.port}) was reset ${(first.t - acceptedAt).toFixed(0)} ms after accept(): shed at once, before reading or computing anything.`,
          );
        }
        const serverRows = r.world.hosts.find((h) => h.name === 'server')!.ss();
        const leftovers = serverRows.filter((row) => r.shed.some((c) => row.peer.endsWith(`:${c.port}`)));
        ensure(leftovers.length === 0, `the server still holds ${count(leftovers.length, 'socket')} for shed clients (${leftovers.map((x) => x.state).join(', ')}).`);
      },
    },
    {
      name: 'served connections end with FIN, not RST',
      points: 2,
      task: 3,
      description: 'On connections that were not overloaded, the server must send no RST at all.',
      async run(t) {
        const r = await runShed(t);
        for (const c of r.served) {
          const rst = r.serverSegments(c.port!).find((e) => e.seg.rst);
          if (rst) {
            fail(
              `the server reset a connection it served (client port ${c.port}) at ${at(rst.t)}${fromState(rst)}: the client sees ECONNRESET instead of an end of stream, ` +
                `even when every byte happened to arrive. ${NOT_A_TIME_WAIT_FIX} Close served connections normally.`,
            );
          }
        }
      },
    },
  ],
});
