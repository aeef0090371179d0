import type { Simulation } from 'closing-time';

// One server, two services, two kinds of "stuck connections".
// Port 80 answers and closes first (as an HTTP/1.0 server does):
// each request leaves a TIME_WAIT on the SERVER. Normal: 60 s each.
// Port 8080 forgets close() when the client hangs up: each
// connection stays in CLOSE_WAIT as long as the process lives.
export default function (sim: Simulation) {
  const server = sim.host('server');
  // client1 makes 6 requests, client2 4, client3 2.
  const clients = [6, 4, 2].map((requests, i) => ({
    host: sim.host(`client${i + 1}`),
    requests,
  }));
  for (const c of clients) sim.link(c.host, server, { delayMs: 5 });

  server.run(async (os) => {
    const web = os.socket();
    web.bind({ port: 80 });
    web.listen();
    for (;;) {
      const conn = await web.accept();
      os.spawn(async () => {
        await conn.recv();
        await conn.send('200 OK');
        await conn.close(); // closes first: TIME_WAIT lands here
      }, 'web');
    }
  }, 'web');

  server.run(async (os) => {
    const api = os.socket();
    api.bind({ port: 8080 });
    api.listen();
    for (;;) {
      const conn = await api.accept();
      os.spawn(async () => {
        await conn.send('hello');
        if ((await conn.recv()) === '') return; // BUG: no close()
      }, 'api');
    }
  }, 'api');

  for (const [n, { host, requests }] of clients.entries()) {
    host.run(async (os) => {
      await os.sleep(n * 100); // the clients start 0.1 s apart
      for (let i = 0; i < requests; i++) {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.send('GET /');
        while ((await s.recv()) !== '') {
          // read up to the server's FIN, as an HTTP/1.0 client does
        }
        await s.close();
        await os.sleep(1000);
      }
      const s = os.socket();
      await s.connect({ host: 'server', port: 8080 });
      await s.recv();
      await s.close(); // hangs up; the server never sends its FIN
    });
  }

  // The on-call view, 20 s in. On Linux:
  //   ss -Htan state time-wait | awk '{print $4}' | cut -d: -f1 \
  //     | sort | uniq -c | sort -rn
  // Here the same count, with os.ss().
  server.run(async (os) => {
    await os.sleep(20_000);
    const byPeer = new Map<string, number>();
    for (const row of os.ss().inState('TIME-WAIT')) {
      const ip = row.peer.slice(0, row.peer.lastIndexOf(':'));
      byPeer.set(ip, (byPeer.get(ip) ?? 0) + 1);
    }
    console.log('TIME-WAIT by peer:');
    const sorted = [...byPeer].sort((a, b) => b[1] - a[1]);
    for (const [ip, n] of sorted) {
      console.log(`${String(n).padStart(7)} ${ip}`);
    }
    const leaked = os.ss().inState('CLOSE-WAIT');
    const where = [...new Set(leaked.map((r) => r.local))].join(' ');
    console.log(`CLOSE-WAIT: ${leaked.length}, all on ${where}`);
    console.log(`TcpExtTW so far: ${os.nstat().TcpExtTW}`);
  }, 'monitor');
}
