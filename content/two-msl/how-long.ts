import type { Simulation } from 'closing-time';

// How long is TIME_WAIT? Two clients close the same way: one runs Linux
// (a fixed 60 s, TCP_TIMEWAIT_LEN), the other follows RFC 9293 to the letter
// (2 x MSL with MSL = 2 minutes: 4 minutes).
export default function (sim: Simulation) {
  const linux = sim.host('linux');
  const rfc = sim.host('rfc', { profile: 'rfc9293' });
  const server = sim.host('server');
  sim.link(linux, server, { delayMs: 10 });
  sim.link(rfc, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        while ((await conn.recv()) !== '') {
          // read to EOF
        }
        await conn.close();
      });
    }
  });

  for (const host of [linux, rfc]) {
    host.run(async (os) => {
      const s = os.socket();
      await s.connect({ host: 'server', port: 80 });
      await s.close(); // active close: TIME_WAIT on this host
      const start = os.now();
      while (os.ss().length > 0) await os.sleep(1000); // FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT ...
      console.log(`${host.name}: the closed socket lingered about ${Math.round((os.now() - start) / 1000)} s`);
    });
  }
}
