import type { Simulation } from 'closing-time';

// One server, two services, two kinds of "stuck connections".
// Port 80 answers and closes first (as an HTTP/1.0 server does): every
// request leaves a TIME_WAIT on the SERVER. Normal, bounded, 60 s each.
// Port 8080 forgets close() when the client hangs up: every connection
// stays in CLOSE_WAIT for as long as the process lives. That is the bug.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const clients = [6, 4, 2].map((requests, i) => ({ host: sim.host(`client${i + 1}`), requests }));
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
        await conn.close(); // the server closes first: TIME_WAIT lands here
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
        await conn.send(`hello ${String(conn.remoteAddress?.ip)}`);
        if ((await conn.recv()) === '') return; // BUG: no conn.close() on EOF
      }, 'api');
    }
  }, 'api');

  for (const { host, requests } of clients) {
    host.run(async (os) => {
      for (let i = 0; i < requests; i++) {
        const s = os.socket();
        await s.connect({ host: 'server', port: 80 });
        await s.send('GET /');
        while ((await s.recv()) !== '') {
          // read the reply up to the server's FIN, as an HTTP/1.0 client does
        }
        await s.close();
        await os.sleep(1000);
      }
      const s = os.socket();
      await s.connect({ host: 'server', port: 8080 });
      await s.recv();
      await s.close(); // the client hangs up; the server never answers with its FIN
    });
  }

  // The on-call view, 20 s in: what `ss -tan state time-wait | awk '{print $4}' |
  // cut -d: -f1 | sort | uniq -c | sort -rn` prints on Linux, counted here with os.ss().
  server.run(async (os) => {
    await os.sleep(20_000);
    const byPeer = new Map<string, number>();
    for (const row of os.ss().inState('TIME-WAIT')) {
      const peer = row.peer.slice(0, row.peer.lastIndexOf(':'));
      byPeer.set(peer, (byPeer.get(peer) ?? 0) + 1);
    }
    console.log('TIME-WAIT by peer:');
    for (const [peer, n] of [...byPeer].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(7)} ${peer}`);
    const leaked = os.ss().inState('CLOSE-WAIT');
    console.log(`CLOSE-WAIT: ${leaked.length}, all on ${[...new Set(leaked.map((r) => r.local))].join(' ')}`);
    console.log(`TcpExtTW so far: ${os.nstat().TcpExtTW}`);
  }, 'monitor');
}
