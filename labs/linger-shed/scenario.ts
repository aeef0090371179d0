// What the Run button shows for this lab: a server that runs your handler for
// every connection it accepts, with at most 4 in progress, and a burst of 5
// clients that each ask for a 100 KB reply. Four are served; the fifth arrives
// while the server is overloaded and must be shed with an RST.
import type { Simulation } from 'closing-time';
import type { LingerShed } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). */
export const expect = [
  { kind: 'segment', host: 'server', flags: 'R.', label: 'the overloaded connection is aborted with RST' },
  { kind: 'errno', host: 'clients', errno: 'ECONNRESET', call: 'recv', label: 'the shed client sees ECONNRESET at once' },
  { kind: 'output', host: 'clients', text: '4 of 4 served clients got the whole reply', label: 'every byte of every reply arrives' },
  { kind: 'segment', host: 'server', flags: 'FP.', label: 'served connections end with FIN (on the last segment of the reply)' },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: 'TIME_WAIT on the server, after its orderly close, is normal' },
  { kind: 'timer', host: 'server', timer: 'time-wait', label: 'the TIME_WAIT timer' },
];

const LIMIT = 4;
const REPLY_BYTES = 100_000;

export default function scenario(sim: Simulation, learner: LingerShed): void {
  const server = sim.host('server');
  const clients = sim.host('clients');
  sim.link(clients, server, { delayMs: 10 });
  // 100,000 bytes in numbered lines of 50.
  const reply = Array.from({ length: REPLY_BYTES / 50 }, (_, i) => `line ${String(i).padStart(6, '0')} of the reply ........................\n`).join('');

  // Which connections the server found itself overloaded for, by client port.
  const overloadedFor = new Map<number, boolean>();
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen(64);
    let active = 0;
    for (;;) {
      const conn = await ls.accept();
      const overloaded = active >= LIMIT;
      overloadedFor.set(conn.remoteAddress?.port ?? -1, overloaded);
      active++;
      os.spawn(async (worker) => {
        try {
          await learner.handle(conn, { overloaded, reply: () => worker.sleep(200).then(() => reply) });
        } finally {
          active--;
        }
      }, overloaded ? 'handle(overloaded)' : 'handle');
    }
  }, 'server');

  const results: { served: boolean; complete: boolean }[] = [];
  for (let n = 1; n <= LIMIT + 1; n++) {
    clients.run(async (os) => {
      await os.sleep(n * 2);
      const s = os.socket();
      let got = '';
      let end = 'EOF';
      let port = -1;
      try {
        await s.connect({ host: 'server', port: 80 });
        port = s.localAddress?.port ?? -1;
        await s.send(`GET /report/${n}\n`);
        for (;;) {
          const part = await s.recv();
          if (part === '') break;
          got += part;
        }
      } catch (error) {
        end = (error as { code?: string }).code ?? String(error);
      }
      await s.close().catch(() => undefined);
      const served = overloadedFor.get(port) === false;
      results.push({ served, complete: got === reply });
      console.log(`client ${n}${served ? '' : ' (shed)'}: got ${got.length.toLocaleString('en')}${served ? ` of ${reply.length.toLocaleString('en')}` : ''} bytes, then ${end}`);
      if (results.length === LIMIT + 1) {
        const served = results.filter((r) => r.served);
        console.log(`${served.filter((r) => r.complete).length} of ${served.length} served clients got the whole reply`);
      }
    }, `client${n}`);
  }
}
