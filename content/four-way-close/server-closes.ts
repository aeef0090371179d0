import type { Simulation } from 'closing-time';

// The same exchange, but the server closes first (as an HTTP/1.0 server does
// after its response). Now the server walks the active path and holds
// TIME_WAIT; the client's socket disappears as soon as its FIN is ACKed.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    await conn.recv();
    await conn.send('HTTP/1.0 200 OK\r\n\r\nhello');
    await conn.close(); // the server's FIN comes first
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('GET / HTTP/1.0\r\n\r\n');
    let reply = '';
    for (let chunk = await s.recv(); chunk !== ''; chunk = await s.recv()) reply += chunk;
    console.log(`client read ${reply.length} bytes, then EOF`);
    await s.close();
  });
}
