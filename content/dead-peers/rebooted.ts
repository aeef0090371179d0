import type { Simulation } from 'closing-time';

// A peer that crashed and came back is easy to detect: its new kernel knows
// nothing of the connection, so the next segment that reaches it is answered
// with a RST (RFC 9293 §3.5.2: no connection exists). The server sends a
// heartbeat every 10 s; the client's host reboots at 15 s.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const client = sim.host('client');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    const conn = await ls.accept();
    try {
      for (;;) {
        await os.sleep(10_000);
        await conn.send('ping');
        const reply = await conn.recv();
        console.log(`${os.now() / 1000} s: ${reply}`);
      }
    } catch (e) {
      console.log(`${(os.now() / 1000).toFixed(2)} s: ${(e as { code: string }).code}`);
    }
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 8080 });
    for (;;) {
      if ((await s.recv()) === '') break;
      await s.send('pong');
    }
  });

  sim.at(15_000, () => client.crash()); // power off ... and back: a fresh kernel
}
