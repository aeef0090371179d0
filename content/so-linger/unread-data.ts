import type { Simulation } from 'closing-time';

// close() with data still unread in the receive queue sends RST, not FIN
// (RFC 2525 §2.17; Linux __tcp_close). The peer's recv() fails with ECONNRESET.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    await conn.recv(5); // reads only the first 5 bytes of the request ...
    await conn.close(); // ... and closes with the rest unread: RST
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('HELLO and a long request body');
    try {
      console.log('client got', JSON.stringify(await s.recv()));
    } catch (e) {
      console.log(`client: recv failed: ${(e as Error).message}`);
    }
  });
}
