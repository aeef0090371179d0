import type { Simulation } from 'closing-time';

// A client that opens a new connection per request and closes first. Each
// close leaves a TIME_WAIT on the CLIENT, holding its ephemeral port for 60 s.
// The port range here is shrunk to 10 ports so the wall arrives quickly; the
// default (32768-60999) gives 28,232 ports: about 470 new connections per
// second to one server ip:port, sustained.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 1 });
  client.sysctl('net.ipv4.ip_local_port_range', '40000 40009');

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
    for (let i = 1; i <= 12; i++) {
      const s = os.socket();
      try {
        await s.connect({ host: 'server', port: 80 });
      } catch (e) {
        console.log(`request ${i}: connect failed: ${(e as Error).message}`);
        console.log(`client sockets in TIME-WAIT: ${os.ss().inState('TIME-WAIT').length}`);
        return;
      }
      await s.send('GET /');
      await s.recv();
      await s.close(); // the client closes first
      await os.sleep(10);
    }
  });
}
