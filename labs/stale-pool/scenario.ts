import type { Simulation } from 'closing-time';
import type { StalePool } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'output', host: 'client', text: 'requests 1-3 over one connection', label: 'requests after short pauses share one connection' },
  { kind: 'output', host: 'client', text: 'request 4 after 6.5 s idle: 200 /4', label: 'the request after a long pause is answered: the pool opened a new connection' },
  { kind: 'output', host: 'client', text: 'request 6 after the reload: 200 /6', label: 'the request that met the reload is answered too: retried once on a new connection' },
  { kind: 'output', host: 'client', text: 'errors seen by the caller: 0', label: 'no error ever reaches the caller' },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: 'the server closed the connection idle for 5 s: TIME_WAIT lands on the server' },
];

/**
 * The lab's server on port 80 closes connections idle for 5 s. The caller
 * makes six requests: three close together, one after 6.5 s of quiet, one
 * more, and a sixth a second later; 2 ms before it leaves the server closes
 * every idle connection at once (a reload). The caller prints what it got.
 */
export default function scenario(sim: Simulation, learner: StalePool): void {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 5 });
  sim.until(80_000);

  const idle = new Set<() => void>();
  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    let n = 0;
    for (;;) {
      const conn = await ls.accept();
      const id = ++n;
      os.spawn(async () => {
        let closed = false;
        const closeNow = () => {
          closed = true;
          void conn.close();
        };
        try {
          for (;;) {
            idle.add(closeNow);
            const part = await Promise.race([conn.recv(), os.sleep(5_000).then(() => null)]);
            idle.delete(closeNow);
            if (closed || part === null || part === '') break;
            await conn.send(`200 ${part.trim().replace(/^GET /, '')} conn-${id}\n`);
          }
        } catch {
          // reset by the client
        }
        if (!closed) await conn.close();
      }, 'conn');
    }
  }, 'server');

  client.run(async (os) => {
    const pool = learner.createPool(os, 'server', { serverIdleMs: 5_000 });
    let errors = 0;
    const ask = async (path: string) => {
      try {
        return await pool.request(`GET ${path}\n`);
      } catch (e) {
        errors++;
        return `error: ${(e as Error).message}`;
      }
    };
    const first = [await ask('/1'), await ask('/2'), await ask('/3')];
    const conns = new Set(first.map((a) => a.split(' ')[2]));
    console.log(`requests 1-3 over ${conns.size === 1 ? 'one connection' : `${conns.size} connections`}`);
    await os.sleep(6_500);
    console.log(`request 4 after 6.5 s idle: ${await ask('/4')}`);
    console.log(`request 5: ${await ask('/5')}`);
    const reloadAt = os.now() + 1_000;
    sim.at(reloadAt - 2, () => {
      for (const close of [...idle]) close();
    });
    await os.sleep(reloadAt - os.now());
    console.log(`request 6 after the reload: ${await ask('/6')}`);
    console.log(`errors seen by the caller: ${errors}`);
  }, 'caller');
}
