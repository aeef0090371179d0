import type { Simulation } from 'closing-time';

// Two ways a pooled keep-alive connection goes stale while it sits idle.
// 'web' closes connections idle for 5 s (nginx does this after
// keepalive_timeout, 75 s by default): its FIN reaches the pool, which nobody
// reads. 'api' reboots while the connection is idle: no FIN at all.
// The pool keeps idle connections for 30 s and reuses both.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const web = sim.host('web');
  const api = sim.host('api');
  sim.link(client, web, { delayMs: 10 });
  sim.link(client, api, { delayMs: 10 });

  const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  for (const host of [web, api]) {
    host.run(async (os) => {
      const ls = os.socket();
      ls.bind({ port: 80 });
      ls.listen();
      const conn = await ls.accept();
      for (;;) {
        // The next request, or keepalive_timeout (5 s here) passes first.
        const request = await Promise.race([conn.recv(), os.sleep(5_000).then(() => null)]);
        if (request === null || request === '') break;
        await conn.send(OK);
      }
      console.log(`${host.name}: connection idle for 5 s, closing it`);
      await conn.close(); // FIN: the server closes first, so TIME_WAIT lands here
    });
  }
  sim.at(3_000, () => api.crash()); // a reboot: the connection is forgotten, no FIN

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'web', port: 80 });
    await s.send('GET /a HTTP/1.1\r\nHost: web\r\n\r\n');
    console.log('client: web /a ->', JSON.stringify((await s.recv()).split('\r\n')[0]));
    await os.sleep(8_000); // idle in the pool, longer than the server allows
    console.log(`client: reusing the connection to web, state ${s.state}`);
    // A POST: the headers first, the body a moment later (read from a file, say).
    const n = await s.send('POST /b HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n\r\n');
    console.log(`client: send() of the headers returned ${n}: they are only queued locally`);
    await os.sleep(50);
    try {
      await s.send('hello');
    } catch (e) {
      console.log(`client: send() of the body failed: ${(e as Error).message}`);
    }
    console.log(`client: recv() returned ${JSON.stringify(await s.recv())} (the FIN that came at 5 s): no response`);
    await s.close();
  }, 'pool-web');

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'api', port: 80 });
    await s.send('GET /a HTTP/1.1\r\nHost: api\r\n\r\n');
    console.log('client: api /a ->', JSON.stringify((await s.recv()).split('\r\n')[0]));
    await os.sleep(8_000);
    console.log(`client: reusing the connection to api, state ${s.state}`);
    const n = await s.send('GET /b HTTP/1.1\r\nHost: api\r\n\r\n');
    console.log(`client: send() returned ${n}`);
    try {
      await s.recv();
    } catch (e) {
      console.log(`client: recv() failed: ${(e as Error).message}`);
    }
    try {
      await s.send('GET /c HTTP/1.1\r\nHost: api\r\n\r\n');
    } catch (e) {
      console.log(`client: the next send() failed: ${(e as Error).message}`);
    }
    await s.close();
  }, 'pool-api');
}
