import type { Simulation } from 'closing-time';
import type { CleanClient } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'output', host: 'client', text: 'fetchAll returned 6000 of the 6000 bytes', label: 'fetchAll returns every byte, though the reply came in three pieces' },
  { kind: 'segment', host: 'server', flags: 'F.', label: 'the server closes first: its FIN' },
  { kind: 'state', host: 'client', to: 'CLOSE_WAIT', from: 'ESTABLISHED', label: "the server's FIN arrives: recv() returns ''" },
  { kind: 'state', host: 'client', to: 'LAST_ACK', from: 'CLOSE_WAIT', label: 'fetchAll calls close(): the client sends its FIN, not a RST' },
  { kind: 'segment', host: 'client', flags: 'F.', label: "the client's FIN" },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: 'the server, which closed first, ends in TIME_WAIT' },
  { kind: 'timer', host: 'server', timer: 'time-wait', label: 'TIME_WAIT sits on the server, not on your client' },
  { kind: 'output', host: 'client', text: 'sockets left on the client: 0', label: 'ss on the client: nothing left in CLOSE_WAIT' },
];

/**
 * The lab's server on port 80 reads one request line and answers with 6,000
 * bytes in three pieces 300 ms apart, then closes first. The client calls your
 * fetchAll once and prints what it got; at t=3 s it prints its `ss -tan`.
 */
export default function scenario(sim: Simulation, learner: CleanClient): void {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 5 });
  sim.until(65_000); // long enough to see TIME_WAIT run out (60 s)

  const reply = Array.from({ length: 6000 / 50 }, (_, i) => `line ${String(i + 1).padStart(3, '0')} of the report `.padEnd(49, '.') + '\n').join('');

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    const conn = await ls.accept();
    let request = '';
    while (!request.includes('\n')) {
      const part = await conn.recv();
      if (part === '') break;
      request += part;
    }
    console.log(`server got ${JSON.stringify(request)}`);
    for (let i = 0; i < 3; i++) {
      await conn.send(reply.slice(i * 2000, (i + 1) * 2000));
      await os.sleep(300);
    }
    await conn.close(); // the server closes first
  }, 'server');

  client.run(async (os) => {
    const got = await learner.fetchAll(os, 'server', 'GET /report\n');
    console.log(`fetchAll returned ${got.length} of the ${reply.length} bytes${got === reply ? '' : ' (not the reply the server sent)'}`);
  }, 'fetchAll');

  client.run(async (os) => {
    await os.sleep(3_000);
    const table = os.ss();
    console.log(String(table));
    console.log(`sockets left on the client: ${table.length}`);
  }, 'ss');
}
