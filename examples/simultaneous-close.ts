// Simultaneous close (RFC 9293 §3.6, figure 13): both ends call close() at the
// same moment, so each FIN crosses the other on the wire.
//
//   client                          server
//   close() -> FIN_WAIT_1  --FIN-->  <--FIN--  close() -> FIN_WAIT_1
//   rcv FIN -> CLOSING                         rcv FIN -> CLOSING
//   rcv ACK -> TIME_WAIT                       rcv ACK -> TIME_WAIT
//
// Each FIN arrives in FIN_WAIT_1 without acknowledging ours, which is the one
// way into CLOSING. Both ends then wait in TIME_WAIT.
//
// Run it:  closing-time run examples/simultaneous-close.ts
import type { Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  // Both sides close at virtual t = 500 ms: long after the handshake, and at
  // the same instant, so neither FIN can be ACKed before the other one leaves.
  const CLOSE_AT = 500;

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 7 });
    listener.listen();
    const conn = await listener.accept();
    await listener.close();
    await os.sleep(CLOSE_AT - os.now());
    await conn.close();
    await os.sleep(100);
    console.log(`server at ${os.now()} ms:\n${os.ss()}`);
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 7 });
    await os.sleep(CLOSE_AT - os.now());
    await s.close();
    await os.sleep(100);
    console.log(`client at ${os.now()} ms:\n${os.ss()}`);
  });
}
