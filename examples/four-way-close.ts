// The four-way close (RFC 9293 §3.6): the client closes first.
//
//   client                     server
//   ESTABLISHED                ESTABLISHED
//   close() -> FIN_WAIT_1  --FIN-->  CLOSE_WAIT (recv() returns '')
//   FIN_WAIT_2       <--ACK--
//                    <--FIN--  close() -> LAST_ACK
//   TIME_WAIT        --ACK-->  CLOSED
//   ... 60 s later (Linux's TCP_TIMEWAIT_LEN): CLOSED
//
// Linux delays the ACK of a FIN (tcp_fin() enters pingpong mode): a server that
// closes within the delayed-ACK time sends that ACK on its FIN, and the close
// takes three segments. This server works 100 ms first, so the ACK goes alone.
//
// Run it:  closing-time run examples/four-way-close.ts
// Watch the client end in TIME-WAIT: the side that closes first keeps the
// connection's 4-tuple for 60 s so a lost last ACK can be sent again.
import type { Simulation } from 'closing-time';

export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const listener = os.socket();
    listener.bind({ port: 80 });
    listener.listen();
    const conn = await listener.accept();
    const request = await conn.recv();
    await conn.send(`echo: ${request}`);
    // recv() resolves with '' once the client's FIN arrives: that is end of stream.
    const eof = await conn.recv();
    console.log(`server: recv() returned ${JSON.stringify(eof)}, the socket is ${conn.state}`);
    await os.sleep(100); // longer than the delayed-ACK timeout: the ACK of the FIN goes first, alone
    // Passive close: our FIN goes out, LAST_ACK until the client ACKs it. No TIME_WAIT here.
    await conn.close();
    await listener.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello');
    console.log(`client: ${await s.recv()}`);
    // Active close: FIN_WAIT_1, then FIN_WAIT_2 when the FIN is ACKed, then TIME_WAIT on the server's FIN.
    await s.close();
    await os.sleep(1000);
    // The socket is closed for us, but the kernel still holds it (as `ss -tan` shows):
    console.log(os.ss({ timers: true }));
  });
}
