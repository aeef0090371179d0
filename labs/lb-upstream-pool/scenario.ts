import type { Simulation } from 'closing-time';
import type { LbUpstreamPool } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'output', host: 'lb', text: 'requests 1-3 over one upstream connection', label: 'requests after short pauses share one upstream connection' },
  { kind: 'output', host: 'lb', text: 'GET /4 after 6.5 s idle: 200 /4', label: 'the request after a long pause is answered: the pool had dropped the idle connection before the backend did' },
  { kind: 'output', host: 'lb', text: 'GET /6 after the deploy: 200 /6', label: 'the GET that met the deploy is answered too: retried once on a new connection' },
  { kind: 'output', host: 'lb', text: '502s sent to clients: 0', label: 'the balancer never answers 502' },
];

/**
 * The lab's backend on port 8080 closes connections idle for 5 s (a Node.js
 * server's keepAliveTimeout). The balancer forwards six requests: three close
 * together, one after 6.5 s of quiet, one more, and a GET a second later; 2 ms
 * before it leaves the backend closes every idle connection at once (a
 * deploy). The balancer prints what each client got: the answer, or 502.
 */
export default function scenario(sim: Simulation, learner: LbUpstreamPool): void {
  const lb = sim.host('lb');
  const backend = sim.host('backend');
  sim.link(lb, backend, { delayMs: 5 });
  sim.until(80_000);

  const idle = new Set<() => void>();
  backend.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 8080 });
    ls.listen();
    let n = 0;
    for (;;) {
      const conn = await ls.accept();
      const id = ++n;
      os.spawn(async () => {
        let closed = false;
        const closeNow = () => {
          closed = true;
          void conn.close();
        };
        try {
          for (;;) {
            idle.add(closeNow);
            const part = await Promise.race([conn.recv(), os.sleep(5_000).then(() => null)]);
            idle.delete(closeNow);
            if (closed || part === null || part === '') break;
            await conn.send(`200 ${part.trim().replace(/^[A-Z]+ /, '')} conn-${id}\n`);
          }
        } catch {
          // reset by the balancer
        }
        if (!closed) await conn.close();
      }, 'conn');
    }
  }, 'backend');

  lb.run(async (os) => {
    const upstream = learner.createUpstream(os, 'backend', { backendKeepAliveMs: 5_000 });
    let errors = 0;
    const ask = async (method: 'GET' | 'POST', path: string) => {
      try {
        return await upstream.forward(method, path);
      } catch (e) {
        errors++;
        return `502 (${(e as Error).message})`;
      }
    };
    const first = [await ask('GET', '/1'), await ask('POST', '/2'), await ask('GET', '/3')];
    const conns = new Set(first.map((a) => a.split(' ')[2]));
    console.log(`requests 1-3 over ${conns.size === 1 ? 'one upstream connection' : `${conns.size} upstream connections`}`);
    await os.sleep(6_500);
    console.log(`GET /4 after 6.5 s idle: ${await ask('GET', '/4')}`);
    console.log(`POST /5: ${await ask('POST', '/5')}`);
    const deployAt = os.now() + 1_000;
    sim.at(deployAt - 2, () => {
      for (const close of [...idle]) close();
    });
    await os.sleep(deployAt - os.now());
    console.log(`GET /6 after the deploy: ${await ask('GET', '/6')}`);
    console.log(`502s sent to clients: ${errors}`);
  }, 'balancer');
}
