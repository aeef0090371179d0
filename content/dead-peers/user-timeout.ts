import type { Simulation } from 'closing-time';

// The server has a reply to send when the client's host drops off the
// network (a partition: nothing gets through, nobody says so). The reply is
// retransmitted with a doubling timeout. Without TCP_USER_TIMEOUT the
// connection would last about 15 minutes (tcp_retries2 = 15); with 10 s it
// fails with ETIMEDOUT 10 s after the first retransmission, with no RST.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const client = sim.host('client');
  sim.link(client, server, { delayMs: 10 });
  sim.partition(client, server, { fromMs: 1_000, untilMs: 3_600_000 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    const conn = await ls.accept();
    conn.setsockopt('TCP_USER_TIMEOUT', 10_000); // ms
    await conn.recv();
    await os.sleep(2_000); // the client has vanished by now
    await conn.send('here is your answer');
    const t0 = os.now();
    try {
      await conn.recv();
    } catch (e) {
      console.log(`recv() failed with ${(e as { code: string }).code} after ${((os.now() - t0) / 1000).toFixed(1)} s`);
    }
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 8080 });
    await s.send('question');
    await os.sleep(3_600_000);
  });
  sim.until(60_000);
}
