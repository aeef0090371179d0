// Ephemeral-port exhaustion: a client that closes first keeps each local port
// in TIME_WAIT for 60 s, so it can only open as many connections to one
// server ip:port per minute as it has ephemeral ports (tcp-semantics 18). With
// Linux's default range of 28,232 ports that is about 470 per second; here the
// range is cut to 10 ports so the wall is reached after 10 connections and
// connect() fails with EADDRNOTAVAIL. A minute later the ports are free again.
//
// Run it:  closing-time run examples/port-exhaustion.ts
import { SocketError, type Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 1 });
  client.sysctl('net.ipv4.ip_local_port_range', '40000 40009');

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 80 });
    listener.listen(1024);
    for (;;) {
      const conn = await listener.accept();
      os.spawn(async () => {
        await conn.recv(); // '' when the client closes
        await conn.close();
      });
    }
  });

  client.run(async (os) => {
    let opened = 0;
    for (let i = 0; i < 12; i++) {
      const s = os.socket();
      try {
        await s.connect({ host: 'server', port: 80 });
      } catch (error) {
        if (!(error instanceof SocketError)) throw error;
        const held = os.ss();
        console.log(
          `client: connection ${i + 1} failed with ${error.code}: all ${held.length} ports are held ` +
            `(${held.inState('TIME-WAIT').length} in TIME-WAIT, the rest still closing)`,
        );
        await s.close();
        continue;
      }
      opened++;
      await s.close(); // the client closes first: its port goes to TIME_WAIT
    }
    console.log(`client: ${opened} connections opened`);
    await os.sleep(60_500);
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    console.log(`client: a minute later connect() works again from ${s.localAddress?.ip}:${s.localAddress?.port}`);
    await s.close();
  });
}
