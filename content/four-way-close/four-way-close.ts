import type { Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    console.log('server read:', await conn.recv());
    console.log('server read:', JSON.stringify(await conn.recv()), '(EOF: the client sent FIN)');
    // Some work before closing, longer than the delayed-ACK timeout: the ACK of the
    // client's FIN goes alone. Delete this line and the close takes three segments.
    await os.sleep(100);
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('GET / HTTP/1.0\r\n\r\n');
    await s.close();
  });
}
