import type { Simulation, Socket } from 'closing-time';

// The same balancer and backend, configured the right way round: the
// backend's keep-alive timeout (65 s) is LONGER than the balancer's idle
// timeout (60 s). The balancer is now always the side that closes an idle
// upstream connection, so it never sends a request into a connection the
// backend is closing: request 2 reuses the pooled connection, and 60 s of
// silence later the balancer closes both of its connections with FIN (and
// holds the TIME_WAITs). The backend's timer never fires.
const LB_IDLE_MS = 60_000; // e.g. an AWS ALB's default idle timeout
const BACKEND_KEEPALIVE_MS = 65_000; // above the balancer's: the balancer closes first

export default function (sim: Simulation) {
  const client = sim.host('client');
  const lb = sim.host('lb');
  const backend = sim.host('backend');
  sim.link(client, lb, { delayMs: 5 });
  sim.link(lb, backend, { delayMs: 2 });

  backend.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      let last = os.now();
      let open = true;
      os.spawn(async (os) => {
        // The keep-alive timer: an idle connection is closed.
        while (open) {
          const wait = last + BACKEND_KEEPALIVE_MS - os.now();
          if (wait > 0) {
            await os.sleep(wait);
            continue;
          }
          open = false;
          console.log(`backend: connection idle for ${BACKEND_KEEPALIVE_MS / 1000} s, closing it`);
          await conn.close();
        }
      });
      os.spawn(async (os) => {
        while (open) {
          const req = await conn.recv().catch(() => '');
          if (!open) return;
          if (req === '') {
            open = false;
            return conn.close();
          }
          await conn.send(`200 OK for ${req}`);
          last = os.now();
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
      let spare: Socket | null = os.socket(); // made before the next accept(), so it takes the next descriptor
      os.spawn(async (os) => {
        const newSocket = () => {
          const s = spare ?? os.socket();
          spare = null;
          return s;
        };
        let back: Socket | null = null;
        let last = os.now();
        let idle = false;
        os.spawn(async (os) => {
          // The balancer's idle timer, for the client's connection and its upstream.
          for (;;) {
            const wait = last + LB_IDLE_MS - os.now();
            if (wait > 0) {
              await os.sleep(wait);
              continue;
            }
            idle = true;
            console.log(`lb: idle for ${LB_IDLE_MS / 1000} s, closing both connections`);
            await back?.close();
            await front.close();
            return;
          }
        });
        for (;;) {
          const req = await front.recv().catch(() => '');
          if (req === '' || idle) break;
          // Reuse the pooled upstream connection if it still looks open.
          if (!back || back.state !== 'ESTABLISHED') {
            back = newSocket();
            await back.connect({ host: 'backend', port: 8080 });
          }
          let res = '';
          try {
            await back.send(req);
            res = await back.recv();
          } catch (e) {
            console.log(`lb: upstream ${(e as { code?: string }).code}`);
          }
          if (res === '') {
            await back.close();
            back = null;
            res = '502 Bad Gateway';
          }
          await front.send(res);
          last = os.now();
        }
      });
    }
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'lb', port: 80 });
    await s.send('GET /1');
    console.log(`request 1: ${await s.recv()}`);
    // The same moment as before: 5 s after request 1.
    await os.sleep(4_989);
    await s.send('GET /2');
    console.log(`request 2: ${await s.recv()}`);
    if ((await s.recv()) === '') console.log(`the balancer closed the idle connection at ${(os.now() / 1000).toFixed(1)} s`);
    await s.close();
    await os.sleep(100);
    console.log(`lb holds: ${lb.ss({ all: false }).map((r) => r.state).join(', ')}`);
  });
}
