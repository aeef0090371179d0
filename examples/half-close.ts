// Half-close: shutdown('SHUT_WR') sends a FIN but keeps the socket open for
// reading. The classic use: a client sends its whole request, says "that is
// all" with a FIN, and then reads the reply until the server's FIN.
//
//   client: send(request); shutdown(SHUT_WR) --FIN-->  server: recv() ... ''  (EOF)
//   client: FIN_WAIT_2, still reading       <--data--  server: send(reply)
//                                           <--FIN---  server: close()
//   client: recv() ... ''  -> TIME_WAIT
//
// After SHUT_WR, send() fails with EPIPE (tcp-semantics 5); the client is not
// orphaned, so on Linux its FIN_WAIT_2 has no timeout while it waits.
//
// Run it:  closing-time run examples/half-close.ts
import { SocketError, type Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 9000 });
    listener.listen();
    const conn = await listener.accept();
    // Read the request until end of stream: the client's FIN.
    let request = '';
    for (let part = await conn.recv(); part !== ''; part = await conn.recv()) request += part;
    console.log(`server: request complete (${request.length} bytes), now in ${conn.state}`);
    // The connection is half-closed: we may still send as much as we like.
    await conn.send(`${request.length} bytes received;`);
    await os.sleep(200);
    await conn.send(' bye');
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 9000 });
    await s.send('line 1\n');
    await s.send('line 2\n');
    s.shutdown('SHUT_WR');
    try {
      await s.send('too late');
    } catch (error) {
      if (error instanceof SocketError) console.log(`client: send after SHUT_WR failed with ${error.code}`);
      else throw error;
    }
    let reply = '';
    for (let part = await s.recv(); part !== ''; part = await s.recv()) {
      console.log(`client: got ${JSON.stringify(part)} while in ${s.state}`);
      reply += part;
    }
    console.log(`client: reply ${JSON.stringify(reply)}; server closed its side too`);
    await s.close();
  });
}
