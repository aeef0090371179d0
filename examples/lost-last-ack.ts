// Why TIME_WAIT exists, reason one: the last ACK can be lost.
//
// The client closes first and ends in TIME_WAIT after ACKing the server's FIN.
// A fault rule drops that ACK. The server, in LAST_ACK, never hears it, so it
// retransmits its FIN when its retransmission timer fires. The client is still
// in TIME_WAIT, so it can ACK the FIN again (and restarts its 60 s timer,
// tcp-semantics 13). Without TIME_WAIT the client would have answered with RST
// and the server would have reported an error for a connection that worked.
//
// Run it:  closing-time run examples/lost-last-ack.ts
import type { Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  // Drop the first bare ACK the client sends from TIME_WAIT: the last ACK of the close.
  const lost = sim.fault({ action: 'drop', from: client, flags: '=A', state: 'TIME_WAIT', nth: 1 });

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 80 });
    listener.listen();
    const conn = await listener.accept();
    await conn.recv(); // '' : the client's FIN
    await conn.close(); // our FIN; LAST_ACK until it is ACKed
    await os.sleep(100);
    console.log(`server at ${os.now()} ms, the last ACK lost (${lost.hits} dropped):\n${os.ss({ timers: true })}`);
    await os.sleep(2000);
    console.log(`server at ${os.now()} ms, after its FIN was sent again:\n${os.ss({ timers: true })}`);
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.close();
  });
}
