import type { Simulation } from 'closing-time';

// A server that forgets to close. Each client sends a request, reads the
// reply and closes. The handler returns on EOF without calling close(), so
// every connection stays in CLOSE_WAIT: CLOSE_WAIT has no timer.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const clients = [1, 2, 3].map((i) => sim.host(`client${i}`));
  for (const c of clients) sim.link(c, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        const request = await conn.recv();
        await conn.send(`echo: ${request}`);
        if ((await conn.recv()) === '') return; // BUG: returns without conn.close()
      }, 'handler');
    }
  });

  for (const c of clients) {
    c.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 8080 });
      await s.send(`hi from ${c.name}`);
      await s.recv();
      await s.close();
    });
  }

  // Ten minutes later, look at the server like an on-call engineer would.
  sim.at(10 * 60_000 - 1, () => {
    console.log('ss -tan on the server after 10 minutes:\n' + String(server.ss()));
  });
}
