// SO_LINGER with a zero timeout: close() aborts the connection with RST.
//
// { onoff: true, linger: 0 } makes close() throw the connection away: any
// unsent data is discarded, a RST goes to the peer instead of a FIN, and there
// is no TIME_WAIT (tcp-semantics 10). The peer reads the data that had already
// arrived, then its recv() fails with ECONNRESET.
//
// Servers sometimes do this to avoid TIME_WAIT. The price: the peer sees an
// error instead of an orderly end, and any data still in flight is lost.
//
// Run it:  closing-time run examples/linger-abort.ts
import { SocketError, type Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 80 });
    listener.listen();
    const conn = await listener.accept();
    await conn.send('partial answer');
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await conn.close(); // RST, not FIN
    console.log(`server: closed with SO_LINGER 0; sockets left:\n${os.ss()}`);
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await os.sleep(100);
    console.log(`client: read ${JSON.stringify(await s.recv())}`);
    try {
      await s.recv();
    } catch (error) {
      if (!(error instanceof SocketError)) throw error;
      console.log(`client: the next recv() failed with ${error.code}, the socket is ${s.state}`);
    }
    await s.close();
    console.log(`client: no TIME-WAIT on either side:\n${os.ss()}`);
  });
}
