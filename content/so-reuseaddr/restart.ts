import type { Simulation } from 'closing-time';

// A server restarts while its last connection sits in TIME_WAIT on port 80.
// Linux's rule (inet_bind_conflict): bind() may share the port with a
// non-listening socket only if BOTH sockets set SO_REUSEADDR. Set
// OLD_HAD_REUSEADDR to true to see the restart succeed.
const OLD_HAD_REUSEADDR = false;

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  // Version 1 of the server: serves one client, closes first, exits.
  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', OLD_HAD_REUSEADDR);
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept(); // inherits the listener's SO_REUSEADDR
    await conn.send('v1 says bye');
    await conn.close(); // active close: TIME_WAIT on server:80
    await ls.close();
    console.log('v1 exited; ss on the server:\n' + String(os.ss()));
  }, 'server-v1');

  // Version 2 starts one second later, on the same port.
  sim.at(1000, () => {
    server.run(async (os) => {
      const ls = os.socket();
      ls.setsockopt('SO_REUSEADDR', true);
      try {
        ls.bind({ port: 80 });
        ls.listen();
        console.log('v2 is listening on port 80');
      } catch (e) {
        console.log(`v2 cannot start: ${(e as Error).message}`);
      }
    }, 'server-v2');
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    while ((await s.recv()) !== '') {
      // read to EOF
    }
    await s.close();
  });
}
