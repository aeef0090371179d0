import type { Simulation } from 'closing-time';

// Both ends call close() at the same moment. Each FIN crosses the other on
// the wire, so each end receives a FIN while still in FIN_WAIT_1.
export default function (sim: Simulation) {
  const a = sim.host('alice');
  const b = sim.host('bob');
  sim.link(a, b, { delayMs: 20 });

  b.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 9000 });
    ls.listen();
    const conn = await ls.accept();
    await os.sleep(100 - os.now()); // close at t = 100 ms exactly
    await conn.close();
  });

  a.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'bob', port: 9000 });
    await os.sleep(100 - os.now()); // and so does alice
    await s.close();
    await os.sleep(50);
    console.log(String(os.ss()));
  });
}
