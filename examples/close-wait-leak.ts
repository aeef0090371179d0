// CLOSE_WAIT leaks: a server that never calls close() when a client goes away.
//
// Each client connects, sends a request and closes. The server reads the
// request, answers, and forgets the socket without closing it. The client's FIN
// puts that socket in CLOSE_WAIT, and CLOSE_WAIT has no timer (tcp-semantics 4):
// it stays until the application closes it, so every client leaves one behind.
// On the client side the orphaned FIN_WAIT_2 sockets are cleaned up after
// net.ipv4.tcp_fin_timeout (60 s) instead (tcp-semantics 6).
//
// Run it:  closing-time run examples/close-wait-leak.ts
import type { Simulation, Socket } from 'closing-time';

const CLIENTS = 5;

export default function (sim: Simulation) {
  const clients = sim.host('clients');
  const server = sim.host('server');
  sim.link(clients, server, { delayMs: 5 });

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 8080 });
    listener.listen();
    for (let i = 0; i < CLIENTS; i++) {
      const conn = await listener.accept();
      os.spawn(async () => handle(conn), `handler-${i + 1}`);
    }
    await os.sleep(5000);
    const leaked = os.ss().inState('CLOSE-WAIT');
    console.log(`server: ${leaked.length} sockets in CLOSE-WAIT, 5 s after the last client left:\n${os.ss()}`);
  });

  // The bug: the handler returns after one answer and never calls conn.close().
  async function handle(conn: Socket) {
    const request = await conn.recv();
    await conn.send(`you said ${request}`);
  }

  clients.run(async (os) => {
    for (let i = 0; i < CLIENTS; i++) {
      const s = os.socket();
      await s.connect({ host: 'server', port: 8080 });
      await s.send(`request ${i + 1}`);
      await s.recv();
      await s.close();
    }
  });
}
