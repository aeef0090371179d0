import type { Simulation, Socket } from 'closing-time';

// A load balancer in front of a backend whose keep-alive timeout is SHORTER
// than the balancer's idle timeout: the classic source of sporadic 502s.
// The balancer (a user-space proxy on host `lb`; the simulator has no
// middlebox) keeps its connection to the backend open between requests and
// reuses it; the backend closes a connection that has been idle for
// BACKEND_KEEPALIVE_MS. A request the balancer forwards while the backend's
// FIN is still on the wire reaches a socket that has been closed: the backend
// answers it with RST, and the balancer has nothing to return but 502.
const LB_IDLE_MS = 60_000; // e.g. an AWS ALB's default idle timeout
const BACKEND_KEEPALIVE_MS = 5_000; // e.g. Node.js http.Server's default keepAliveTimeout

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
        for (;;) {
          const req = await front.recv();
          if (req === '') break;
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
        }
        await front.close();
        await back?.close();
      });
    }
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'lb', port: 80 });
    await s.send('GET /1');
    console.log(`request 1: ${await s.recv()}`);
    // The next request happens to reach the backend just as its keep-alive
    // timer fires. With thousands of pooled connections, some request always does.
    await os.sleep(BACKEND_KEEPALIVE_MS - 11);
    await s.send('GET /2');
    console.log(`request 2: ${await s.recv()}`);
    await s.close();
  });
  void LB_IDLE_MS; // the balancer's idle timer never gets the chance to fire here
}
