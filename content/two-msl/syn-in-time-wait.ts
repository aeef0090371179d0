import type { Simulation } from 'closing-time';

// A SYN for a 4-tuple that is in TIME_WAIT. The server closed first and holds
// TIME_WAIT; the client comes back from the same port 200 ms later. Linux
// accepts the SYN as a new incarnation because its timestamp is newer than
// the last one it saw (RFC 6191), or its sequence number is beyond the old
// connection's (tcp_timewait_state_process).
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (let i = 1; i <= 2; i++) {
      const conn = await ls.accept();
      console.log(`server: connection ${i} from ${conn.remoteAddress?.ip}:${conn.remoteAddress?.port}`);
      await conn.send(`hello #${i}`);
      await conn.close(); // the server closes first: TIME_WAIT is here
    }
  });

  client.run(async (os) => {
    for (let i = 1; i <= 2; i++) {
      const s = os.socket();
      s.setsockopt('SO_REUSEADDR', true);
      s.bind({ port: 50000 }); // the same 4-tuple both times
      await s.connect({ host: 'server', port: 80 });
      let reply = '';
      for (let chunk = await s.recv(); chunk !== ''; chunk = await s.recv()) reply += chunk;
      await s.close();
      console.log(`client: got ${JSON.stringify(reply)}`);
      await os.sleep(200);
    }
  });
}
