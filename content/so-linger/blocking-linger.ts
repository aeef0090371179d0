import type { Simulation } from 'closing-time';

// SO_LINGER { onoff: true, linger: 5 }: close() blocks until the peer has
// acknowledged our data and FIN, or 5 s pass. On Linux it returns 0 either
// way; at the timeout nothing is reset: the orphaned socket goes on
// retransmitting its FIN. (Windows differs: see the lesson.)
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 100 });
  // The network between them fails for 8 s, just as the client closes.
  sim.partition(client, server, { fromMs: 250, untilMs: 8000 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    while ((await conn.recv()) !== '') {
      // read to EOF
    }
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('last words');
    await os.sleep(50);
    s.setsockopt('SO_LINGER', { onoff: true, linger: 5 });
    const t0 = os.now();
    await s.close();
    console.log(`close() returned after ${os.now() - t0} ms`);
  });
}
