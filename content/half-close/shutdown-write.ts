import type { Simulation } from 'closing-time';

// A request whose end is marked by a half-close: the client sends, then
// shutdown('SHUT_WR'). Its FIN says "that was everything"; it can still read.
export default function (sim: Simulation) {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.bind({ port: 7 });
    ls.listen();
    const conn = await ls.accept();
    let request = '';
    for (let chunk = await conn.recv(); chunk !== ''; chunk = await conn.recv()) request += chunk;
    // recv() returned '': the client's FIN. We are in CLOSE_WAIT and may still send.
    console.log(`server got ${JSON.stringify(request)}, then EOF`);
    await conn.send(request.toUpperCase());
    await conn.close();
  });

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 7 });
    await s.send('hello, ');
    await s.send('half-closed world');
    s.shutdown('SHUT_WR'); // FIN: FIN_WAIT_1, then FIN_WAIT_2 when it is ACKed
    try {
      await s.send('one more thing');
    } catch (e) {
      console.log('send after shutdown:', (e as Error).message);
    }
    let answer = '';
    for (let chunk = await s.recv(); chunk !== ''; chunk = await s.recv()) answer += chunk;
    console.log(`client got ${JSON.stringify(answer)}`);
    await s.close();
  });
}
