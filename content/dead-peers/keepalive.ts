import type { Simulation } from 'closing-time';

// Two clients connect and go quiet. At 5 s client1 drops off the network (its
// power, a cable, or a NAT that forgot the flow): no FIN, no RST, nothing gets
// through any more. client2 stays, idle but alive. The server waits in recv()
// on both; keepalive (set on the listener, so accepted sockets inherit it)
// finds out which peer is gone: after 20 s of silence a probe, then one every
// 5 s, and after 3 unanswered probes a RST and ETIMEDOUT. The live client
// answers each probe and is never dropped.
export default function (sim: Simulation) {
  const server = sim.host('server');
  const client1 = sim.host('client1');
  const client2 = sim.host('client2');
  sim.link(client1, server, { delayMs: 10 });
  sim.link(client2, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_KEEPALIVE', true);
    ls.setsockopt('TCP_KEEPIDLE', 20); // seconds of silence before the first probe
    ls.setsockopt('TCP_KEEPINTVL', 5); // seconds between probes
    ls.setsockopt('TCP_KEEPCNT', 3); // unanswered probes before giving up
    ls.bind({ port: 8080 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        const peer = conn.remoteAddress!.host;
        try {
          await conn.recv(); // nothing will ever come
        } catch (e) {
          console.log(`${(os.now() / 1000).toFixed(1)} s: recv() from ${peer} failed: ${(e as { code: string }).code}`);
        }
        await conn.close();
      }, 'handler');
    }
  });

  for (const c of [client1, client2]) {
    c.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 8080 });
      await os.sleep(10 * 60_000); // connected, idle
    });
  }

  sim.partition(client1, server, { fromMs: 5_000, untilMs: 3_600_000 });
  sim.at(60_000, () => console.log('ss -to on the server at 60 s:\n' + String(server.ss({ timers: true }))));
  sim.until(61_000);
}
