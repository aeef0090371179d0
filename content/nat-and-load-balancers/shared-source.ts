import type { Simulation } from 'closing-time';

// Two clients reach one server through a gateway that connects out from its
// own address: each client makes only six connections, but every one of them
// leaves the gateway from the same address to the same server ip:port, so all
// twelve share the gateway's one set of source ports. In the simulator there
// is no NAT, so the gateway is a user-space proxy (as an L7 load balancer or
// an HTTP egress proxy is); its port range is shrunk to 10 ports so the wall
// arrives at once. The proxy closes its upstream connection first (it has
// read the whole response), so each one leaves a TIME_WAIT on the gateway
// holding its port for 60 s.
export default function (sim: Simulation) {
  const clients = ['c1', 'c2'].map((name) => sim.host(name));
  const gw = sim.host('gateway');
  const server = sim.host('server');
  for (const c of clients) sim.link(c, gw, { delayMs: 1 });
  sim.link(gw, server, { delayMs: 5 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 443 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async (os) => {
        const req = await conn.recv();
        await conn.send(`200 OK for ${req}`);
        while ((await conn.recv()) !== '') {
          // wait for the gateway's FIN
        }
        await conn.close();
      });
    }
  });

  gw.run(async (os) => {
    gw.sysctl('net.ipv4.ip_local_port_range', '40000 40009');
    const ls = os.socket();
    ls.bind({ port: 3128 });
    ls.listen();
    for (;;) {
      const front = await ls.accept();
      const up = os.socket(); // made before the next accept(), so it takes the next descriptor
      os.spawn(async (os) => {
        const req = await front.recv();
        try {
          await up.connect({ host: 'server', port: 443 });
        } catch (e) {
          const held = os.ss().filter((r) => r.peer.endsWith(':443'));
          const tw = held.filter((r) => r.state === 'TIME-WAIT').length;
          console.log(`gateway: connect to server:443 failed: ${(e as { code?: string }).code}; all ${held.length} ports held (${tw} in TIME-WAIT)`);
          await front.send('503 Service Unavailable');
          return front.close();
        }
        await up.send(req);
        const res = await up.recv();
        await up.close(); // the gateway closes first: TIME_WAIT lands here
        await front.send(res);
        await front.close();
      });
    }
  });

  let ok = 0;
  let failed = 0;
  let done = 0;
  clients.forEach((c, i) =>
    c.run(async (os) => {
      await os.sleep(i); // the two start a millisecond apart
      for (let n = 1; n <= 6; n++) {
        const s = os.socket();
        await s.connect({ host: 'gateway', port: 3128 });
        await s.send(`GET /${c.name}/${n}`);
        const res = await s.recv();
        if (res.startsWith('200')) ok++;
        else failed++;
        await s.close();
        await os.sleep(20);
      }
      if (++done === clients.length) console.log(`12 requests from 2 clients: ${ok} ok, ${failed} failed`);
    }),
  );
}
