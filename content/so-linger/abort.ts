import type { Simulation } from 'closing-time';

// SO_LINGER { onoff: true, linger: 0 }: close() aborts. The kernel sends RST
// instead of FIN, throws away whatever is still queued, and skips TIME_WAIT.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_RCVBUF', 2000); // a small window: the client cannot send everything at once
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    await os.sleep(100); // busy elsewhere; the data waits in the receive queue
    try {
      for (;;) {
        const data = await conn.recv();
        if (data === '') break;
        console.log(`server read ${data.length} bytes`);
      }
      console.log('server: clean end of stream');
    } catch (e) {
      console.log(`server: ${(e as Error).message}`);
    }
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('x'.repeat(6000)); // queued; only what fits the server's window (1448 bytes) goes out
    await os.sleep(60); // by now 1448 bytes have reached the server; 4552 wait in our send queue
    s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await s.close(); // RST: no FIN, no TIME_WAIT, and the 4552 queued bytes are gone
    console.log(String(os.ss()) || '(client has no sockets left)');
  });
}
