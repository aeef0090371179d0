import type { Simulation } from 'closing-time';

// The same traffic, but the server closes first (as an HTTP/1.0 server does
// after its response). Now TIME_WAIT sits on the server, keyed by the full
// 4-tuple, and the client's ten ports are free again at once.
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
        await conn.close(); // the server closes first
      });
    }
  });

  client.run(async (os) => {
    for (let i = 1; i <= 12; i++) {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.send('GET /');
      while ((await s.recv()) !== '') {
        // read to the server's FIN
      }
      await s.close();
      await os.sleep(10);
    }
    console.log(`12 requests done; client TIME-WAIT: ${os.ss().inState('TIME-WAIT').length}, server TIME-WAIT: ${sim_server_tw()}`);
  });

  const sim_server_tw = () => server.ss().inState('TIME-WAIT').length;
}
