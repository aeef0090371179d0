import type { Simulation } from 'closing-time';

// What `ss -tano` says about a connection whose peer went quiet.
// The link breaks 1 s in (a partition: nothing gets through for two
// minutes). The client writes anyway; its data is never ACKed, so
// the retransmission timer runs and ss -o shows
//   timer:(on,<time left>,<retransmissions so far>)
// The server, idle with SO_KEEPALIVE, shows timer:(keepalive,...)
// counting down to its first probe.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  sim.partition(client, server, { fromMs: 1_000, untilMs: 121_000 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    conn.setsockopt('SO_KEEPALIVE', true);
    conn.setsockopt('TCP_KEEPIDLE', 60);
    while ((await conn.recv()) !== '') {
      // read until the client is done
    }
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await os.sleep(1_500); // the link is down from 1 s
    await s.send('order #1');
    for (const at of [3_000, 10_000, 30_000]) {
      await os.sleep(at - os.now());
      const ss = String(os.ss({ timers: true }));
      console.log(`client at ${at / 1000} s:\n${ss}`);
    }
    const ss = String(server.ss({ timers: true }));
    console.log(`server at 30 s:\n${ss}`);
  });
}
