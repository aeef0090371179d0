import type { Simulation } from 'closing-time';

// One keep-alive server (keepalive_timeout 5 s) and two clients that each send
// three requests over one connection, then go idle. 'patient' keeps idle
// connections longer than the server does, but keeps a read pending on them,
// so it sees the server's FIN and closes its side: the server closed first and
// holds the TIME_WAIT. 'brisk' drops connections idle for 2 s, before the
// server would: the client closes first and the TIME_WAIT lands on it.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const patient = sim.host('patient');
  const brisk = sim.host('brisk');
  sim.link(patient, server, { delayMs: 10 });
  sim.link(brisk, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        let served = 0;
        for (;;) {
          const request = await Promise.race([conn.recv(), os.sleep(5_000).then(() => null)]);
          if (request === '') break; // the client closed first
          if (request === null) {
            console.log(`server: ${served} requests, then 5 s idle: closing`);
            break;
          }
          served++;
          await conn.send('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
        await conn.close();
      }, 'conn');
    }
  });

  for (const [host, idleMs] of [[patient, 30_000], [brisk, 2_000]] as const) {
    host.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      for (let i = 1; i <= 3; i++) {
        await s.send(`GET /${i} HTTP/1.1\r\nHost: server\r\n\r\n`);
        await s.recv();
        await os.sleep(500);
      }
      console.log(`${host.name}: 3 requests over 1 connection`);
      // Idle in the pool: a read stays pending, so a FIN is noticed at once.
      const eof = s.recv().then(() => 'the server closed it');
      const why = await Promise.race([eof, os.sleep(idleMs).then(() => `idle ${idleMs / 1000} s: the pool closes it`)]);
      console.log(`${host.name}: ${why}`);
      await s.close();
    });
  }
}
