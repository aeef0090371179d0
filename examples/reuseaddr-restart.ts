// Restarting a server while its old connections sit in TIME_WAIT.
//
// The server closes its connection first, so the TIME_WAIT socket is on the
// server and holds local port 80. A restarted server then binds port 80 again:
//  - without SO_REUSEADDR, bind() fails with EADDRINUSE (Linux's bind conflict
//    check, inet_bind_conflict, counts the TIME_WAIT socket);
//  - with SO_REUSEADDR set on the old listener (its TIME_WAIT socket inherits
//    the flag) and on the new socket, bind() succeeds (tcp-semantics 17).
//
// Run it:  closing-time run examples/reuseaddr-restart.ts
import { SocketError, type OS, type Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  /** One server "process lifetime": serve one connection, close it first, exit. */
  async function serveOnce(os: OS, reuse: boolean, label: string) {
    const listener = os.socket();
    listener.setsockopt('SO_REUSEADDR', reuse);
    try {
      listener.bind({ port: 80 });
    } catch (error) {
      if (!(error instanceof SocketError)) throw error;
      console.log(`${label}: bind(80) failed with ${error.code}`);
      await listener.close();
      return false;
    }
    listener.listen();
    console.log(`${label}: listening on port 80`);
    const conn = await listener.accept();
    await conn.send('hello from the server');
    await conn.close(); // the server closes first: TIME_WAIT lands here
    await listener.close();
    return true;
  }

  server.run(async (os) => {
    // First life without SO_REUSEADDR, then an immediate restart: refused.
    await serveOnce(os, false, 'server v1');
    await os.sleep(100);
    console.log(`server: after v1 exited:\n${os.ss()}`);
    await serveOnce(os, false, 'server v2 (no SO_REUSEADDR)');
    // Wait out that TIME_WAIT, then do it right: SO_REUSEADDR on every incarnation.
    await os.sleep(61_000);
    await serveOnce(os, true, 'server v3 (SO_REUSEADDR)');
    await os.sleep(100);
    await serveOnce(os, true, 'server v4 (SO_REUSEADDR, restarted over TIME_WAIT)');
  });

  client.run(async (os) => {
    for (let i = 0; i < 3; i++) {
      // Retry every 5 s until a server listens (connect() is refused meanwhile).
      for (;;) {
        const s = os.socket();
        try {
          await s.connect({ host: 'server', port: 80 });
        } catch (error) {
          if (!(error instanceof SocketError)) throw error;
          await s.close();
          await os.sleep(5000);
          continue;
        }
        console.log(`client: ${await s.recv()}`);
        await s.recv(); // the server's FIN
        await s.close();
        break;
      }
    }
  });
}
