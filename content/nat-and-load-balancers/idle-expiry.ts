import type { Simulation } from 'closing-time';

// A load balancer that forgets an idle flow without telling anyone, as an L4
// balancer, a NAT gateway or a firewall does when its idle timer runs out. In
// the simulator there is no middlebox in the network, so the balancer is a
// user-space proxy on host `lb`: it accepts the client, connects to the
// backend, copies bytes both ways, and after IDLE_MS without a byte it drops
// both connections. The two RSTs that dropping them sends are lost on purpose
// (the fault rule below): the client and the backend learn nothing, exactly
// as when a middlebox deletes its state.
const IDLE_MS = 60_000; // the balancer's idle timeout

export default function (sim: Simulation) {
  const client = sim.host('client');
  const lb = sim.host('lb');
  const backend = sim.host('backend');
  sim.link(client, lb, { delayMs: 5 });
  sim.link(lb, backend, { delayMs: 1 });
  sim.fault({ action: 'drop', from: lb, flags: 'R', nth: 1, count: 2 });

  backend.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async (os) => {
        for (;;) {
          const req = await conn.recv();
          if (req === '') return conn.close();
          await conn.send(`200 OK for ${req}`);
        }
      });
    }
  });

  lb.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const front = await ls.accept();
      const back = os.socket(); // made before the next accept(), so it takes the next descriptor
      os.spawn(async (os) => {
        await back.connect({ host: 'backend', port: 8080 });
        let last = os.now();
        let gone = false;
        const pump = async (from: typeof front, to: typeof front) => {
          try {
            for (;;) {
              const data = await from.recv();
              if (gone) return;
              if (data === '') return to.shutdown('SHUT_WR');
              last = os.now();
              await to.send(data);
            }
          } catch {
            // the flow was dropped under this pump
          }
        };
        os.spawn(() => pump(front, back));
        os.spawn(() => pump(back, front));
        // The idle timer: nothing either way for IDLE_MS, and the flow is forgotten.
        for (;;) {
          const wait = last + IDLE_MS - os.now();
          if (wait > 0) {
            await os.sleep(wait);
            continue;
          }
          gone = true;
          console.log(`lb: flow idle for ${IDLE_MS / 1000} s, state dropped`);
          for (const s of [front, back]) {
            s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
            await s.close();
          }
          return;
        }
      });
    }
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'lb', port: 80 });
    await s.send('GET /1');
    console.log(`request 1: ${await s.recv()}`);
    await os.sleep(70_000); // a pooled connection left idle longer than the balancer allows
    await s.send('GET /2');
    try {
      console.log(`request 2: ${await s.recv()}`);
    } catch (e) {
      console.log(`request 2 failed: ${(e as { code?: string }).code}`);
    }
    console.log(`backend still holds: ${backend.ss({ all: false }).map((r) => r.state).join(', ')}`);
  });
}
