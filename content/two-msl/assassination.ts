import type { Simulation } from 'closing-time';

// TIME_WAIT assassination (RFC 1337). The server closes first, so the server
// holds TIME_WAIT. A stale copy of the client's request arrives 2 s later;
// the server's TIME_WAIT answers it with an ACK; the client, which has
// forgotten the connection, answers that ACK with RST; and the RST lands in
// the server's TIME_WAIT. Set RFC1337 to 1 to see Linux ignore it.
const RFC1337 = 0;

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  server.sysctl('net.ipv4.tcp_rfc1337', RFC1337);

  // A copy of the client's request wanders for 2 s before it arrives.
  sim.fault({ action: 'duplicate', from: client, payload: 'GET', delayMs: 2000 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    await conn.recv();
    await conn.send('200 OK');
    await conn.close(); // active close: this side will hold TIME_WAIT
    await os.sleep(3000);
    const tw = os.ss().inState('TIME-WAIT').length;
    console.log(`after 3 s the server has ${tw} socket(s) in TIME_WAIT${tw ? '' : ': it was assassinated'}`);
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('GET /');
    while ((await s.recv()) !== '') {
      // read the reply to EOF
    }
    await s.close(); // passive close: LAST_ACK, then the socket is gone
  });
}
