import type { Simulation } from 'closing-time';

// The client still closes first, but with net.ipv4.tcp_tw_reuse = 1 its
// connect() may take over a TIME_WAIT 4-tuple that is more than 1 s old.
// It needs TCP timestamps (on by default): they let the peer tell the new
// incarnation's segments from old ones (PAWS, RFC 7323).
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 1 });
  client.sysctl('net.ipv4.ip_local_port_range', '40000 40009');
  client.sysctl('net.ipv4.tcp_tw_reuse', 1);

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        await conn.recv();
        await conn.send('ok');
        while ((await conn.recv()) !== '') {
          // wait for the client's FIN
        }
        await conn.close();
      });
    }
  });

  client.run(async (os) => {
    for (let i = 1; i <= 15; i++) {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.send('GET /');
      await s.recv();
      await s.close(); // the client closes first: TIME_WAIT here
      await os.sleep(150);
    }
    console.log(`15 requests over 10 ports done; client TIME-WAIT now: ${os.ss().inState('TIME-WAIT').length}`);
  });
}
