import type { Simulation } from 'closing-time';

// The client closes first. Its last ACK, the one that answers the server's FIN,
// is lost. TIME_WAIT is what lets the client answer the server's retransmission.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  // Drop the first bare ACK the client sends from TIME_WAIT.
  sim.fault({ action: 'drop', from: client, flags: '=A', state: 'TIME_WAIT', nth: 1 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    while ((await conn.recv()) !== '') {
      // read until the client's FIN
    }
    await conn.close(); // FIN -> LAST_ACK; waits for the ACK that was lost
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('bye');
    await s.close(); // active close: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT
    await os.sleep(1000);
    console.log(String(os.ss({ timers: true })));
  });
}
