import type { Simulation } from 'closing-time';

// The server writes a 20 KB answer and closes, as servers do. The client's
// application has stopped reading (stuck, or just slow): its 2 KB receive
// buffer fills, its window shuts, and the server's socket, orphaned by
// close(), waits in FIN_WAIT_1 with its FIN queued behind the data. The
// client's kernel answers every zero-window probe, so tcp_retries2 never
// counts; the orphan gives up (tcp_orphan_retries = 0) when its probe interval
// reaches 120 s, 5.4 minutes in. When the client reads at last, the host
// answers its window update with a RST.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const client = sim.host('client');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    const conn = await ls.accept();
    await conn.send('x'.repeat(20_000)); // fits the send buffer: send() returns
    await conn.close(); // returns at once; the kernel keeps an orphan
  });

  client.run(async (os) => {
    const s = os.socket();
    s.setsockopt('SO_RCVBUF', 2048);
    await s.connect({ host: 'server', port: 8080 });
    await os.sleep(7 * 60_000); // not reading
    try {
      for (;;) if ((await s.recv()) === '') break;
    } catch (e) {
      console.log(`the client reads at 7 min: ${(e as { code: string }).code}`);
    }
  });

  sim.at(60_000, () => console.log('ss -to on the server at 1 min:\n' + String(server.ss({ timers: true }))));
  sim.at(6 * 60_000, () => console.log('ss -to on the server at 6 min:\n' + String(server.ss({ timers: true }))));
  sim.until(8 * 60_000);
}
