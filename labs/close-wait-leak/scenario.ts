import type { Simulation } from 'closing-time';
import type { CloseWaitLeak } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'state', host: 'server', to: 'CLOSE_WAIT', from: 'ESTABLISHED', label: "the client's FIN arrives: recv() returns ''" },
  { kind: 'state', host: 'server', to: 'LAST_ACK', from: 'CLOSE_WAIT', label: 'your handler calls close(): the server sends its FIN' },
  { kind: 'segment', host: 'server', flags: 'F.', label: "the server's FIN" },
  { kind: 'state', host: 'client', to: 'TIME_WAIT', label: 'the client, which closed first, ends in TIME_WAIT' },
  { kind: 'timer', host: 'client', timer: 'time-wait', label: 'TIME_WAIT sits on the client, not on your server' },
  { kind: 'output', host: 'client', text: 'half-closing client: 2 answers, then EOF', label: 'a client that half-closes gets its answers and then EOF' },
  { kind: 'output', host: 'server', text: 'CLOSE-WAIT sockets on the server: 0', label: 'ss on the server: nothing left in CLOSE_WAIT' },
];

/**
 * The lab's server on port 80 with three clients that close first: one sends
 * two lines in one go, one sends a line, waits for the answer and sends
 * another, and one half-closes after its lines and reads until EOF. At t=3 s
 * the server prints its `ss -tan`.
 */
export default function scenario(sim: Simulation, learner: CloseWaitLeak): void {
  const server = sim.host('server');
  const client = sim.host('client');
  sim.link(client, server, { delayMs: 5 });
  sim.until(65_000); // long enough to see TIME_WAIT run out (60 s)

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => learner.handle(conn), 'handle');
    }
  }, 'listener');

  server.run(async (os) => {
    await os.sleep(3_000);
    const table = os.ss();
    console.log(String(table));
    console.log(`CLOSE-WAIT sockets on the server: ${table.inState('CLOSE-WAIT').length}`);
  }, 'ss');

  /** Reads until `n` answer lines are in, or EOF. */
  async function answers(sock: { recv(): Promise<string> }, n: number, got = ''): Promise<string> {
    while (got.split('\n').length - 1 < n) {
      const part = await sock.recv();
      if (part === '') break;
      got += part;
    }
    return got;
  }

  client.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello\nhow are you\n');
    console.log(`batch client got ${JSON.stringify(await answers(s, 2))}`);
    await s.close();
  }, 'batch-client');

  client.run(async (os) => {
    await os.sleep(200);
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('first line\n');
    let got = await answers(s, 1);
    await os.sleep(1_200); // think before the next line: the connection is not over yet
    await s.send('second line\n');
    got = await answers(s, 2, got);
    console.log(`interactive client got ${JSON.stringify(got)}`);
    await s.close();
  }, 'interactive-client');

  client.run(async (os) => {
    await os.sleep(400);
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('ping\npong\n');
    s.shutdown('SHUT_WR'); // "that was everything": FIN, but we still read
    let got = '';
    for (let part = await s.recv(); part !== ''; part = await s.recv()) got += part;
    console.log(`half-closing client: ${got.split('\n').length - 1} answers, then EOF`);
    await s.close();
  }, 'half-closing-client');
}
