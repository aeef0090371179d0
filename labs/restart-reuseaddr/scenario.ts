// The Run button of this lab: a server on port 8080 serves three clients and
// closes each connection first (TIME_WAIT lands on the server), is restarted,
// and the new server calls your listen() at once; two more clients follow.
import type { Simulation } from 'closing-time';
import type { RestartReuseaddr } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). */
export const expect = [
  { kind: 'segment', host: 'server', flags: 'F.', label: 'the server closes first' },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: "the old server's connections sit in TIME_WAIT on port 8080" },
  { kind: 'timer', host: 'server', timer: 'time-wait', label: 'each TIME_WAIT lasts 60 s' },
  { kind: 'output', host: 'server', text: 'restarted server listening on 8080', label: 'the restart binds at once' },
  { kind: 'output', host: 'client', text: 'client 5 got "hi 5"', label: 'clients after the restart are served' },
];

const PORT = 8080;

export default function scenario(sim: Simulation, learner: RestartReuseaddr): void {
  const server = sim.host('server');
  const client = sim.host('client');
  sim.link(client, server, { delayMs: 5 });
  sim.until(65_000); // long enough to see TIME_WAIT run out (60 s)
  let served = 0;

  async function serve(os: Parameters<Parameters<typeof server.run>[0]>[0], n: number, ls: Awaited<ReturnType<RestartReuseaddr['listen']>>) {
    for (let i = 0; i < n; i++) {
      const conn = await ls.accept();
      os.spawn(async () => {
        let line = '';
        while (!line.endsWith('\n')) {
          const part = await conn.recv();
          if (part === '') break;
          line += part;
        }
        await conn.send(`hi ${++served}\n`);
        await conn.close(); // the server closes first: TIME_WAIT is on the server's port
      }, 'worker');
    }
  }

  server.run(async (os) => {
    const ls = await learner.listen(os, PORT);
    console.log(`server listening on ${PORT}`);
    await serve(os, 3, ls);
    await os.sleep(200);
    await ls.close();
    console.log(`old server stopped; ${os.ss().inState('TIME-WAIT').length} sockets in TIME-WAIT on the port`);
    os.spawn(async (os2) => {
      try {
        const ls2 = await learner.listen(os2, PORT);
        console.log(`restarted server listening on ${PORT}`);
        await serve(os2, 2, ls2);
      } catch (error) {
        console.log(`restarted server failed: ${String(error)}`);
      }
    }, 'server-v2');
  }, 'server-v1');

  client.run(async (os) => {
    for (let i = 1; i <= 5; i++) {
      if (i === 4) await os.sleep(500); // during the restart
      const s = os.socket();
      try {
        await s.connect({ host: 'server', port: PORT });
        await s.send('hello\n');
        let reply = '';
        for (;;) {
          const part = await s.recv();
          if (part === '') break;
          reply += part;
        }
        console.log(`client ${i} got ${JSON.stringify(reply.trim())}`);
      } catch (error) {
        console.log(`client ${i} failed: ${String(error)}`);
      }
      await s.close();
    }
  }, 'client');
}
