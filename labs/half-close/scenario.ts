import type { Simulation } from 'closing-time';
import type { HalfClose } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'state', host: 'client', to: 'FIN_WAIT_1', from: 'ESTABLISHED', label: "your client's shutdown('SHUT_WR') sends its FIN" },
  { kind: 'state', host: 'server', to: 'CLOSE_WAIT', from: 'ESTABLISHED', label: "the request ends: your handler's recv() returns ''" },
  { kind: 'state', host: 'client', to: 'FIN_WAIT_2', from: 'FIN_WAIT_1', label: 'the client waits, half-closed, for the answer' },
  { kind: 'state', host: 'server', to: 'LAST_ACK', from: 'CLOSE_WAIT', label: 'your handler answers and closes' },
  { kind: 'state', host: 'client', to: 'TIME_WAIT', from: 'FIN_WAIT_2', label: "the server's FIN ends the answer; the client ends in TIME_WAIT" },
  { kind: 'no-state', host: 'server', to: 'TIME_WAIT', label: 'the server closed second: no TIME_WAIT on it' },
  { kind: 'output', host: 'client', text: 'answer: LEN 27', label: 'the answer to "hello, half-closed world!\\n..."' },
  { kind: 'output', host: 'client', text: 'answer: LEN 0', label: 'an empty request still gets its answer' },
];

/** Your client sends two requests (one of them empty) to your handler on `server`, port 7. */
export default function scenario(sim: Simulation, learner: HalfClose): void {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 10 });
  sim.until(5_000);

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 7 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      os.spawn(() => learner.handle(conn), 'handle');
    }
  }, 'listener');

  client.run(async (os) => {
    for (const request of ['hello, half-closed world!\nx', '']) {
      const reply = await learner.client(os, 'server', request);
      console.log(`answer: ${reply.split('\n')[0]} (${reply.length} bytes)`);
      await os.sleep(500);
    }
  }, 'client');
}
