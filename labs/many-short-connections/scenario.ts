// The Run button of this lab: your loadgen() against the ping/pong server, on
// a client with only 200 ephemeral ports, so that the one-connection-per-request
// pattern runs out of ports within a few hundred requests while keep-alive does not.
import type { Simulation } from 'closing-time';
import type { ManyShort } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). */
export const expect = [
  { kind: 'output', host: 'client', text: 'loadgen returned 600 of 600', label: 'every ping got its pong' },
  { kind: 'segment', host: 'client', flags: 'F.', label: 'the client ends its connections with FIN' },
  { kind: 'state', host: 'client', to: 'TIME_WAIT', label: 'a few client sockets end in TIME_WAIT (one per connection, not per request)' },
  { kind: 'timer', host: 'client', timer: 'time-wait', label: 'TIME_WAIT holds each port for 60 s' },
];

const REQUESTS = 600;

export default function scenario(sim: Simulation, learner: ManyShort): void {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 1 });
  // A few seconds are enough to see it; the TIME_WAIT sockets are still there in the final ss.
  sim.until(65_000); // long enough to see TIME_WAIT run out (60 s)
  // 200 ports instead of 28,232: the wall shows up after 200 connections the client closed first.
  client.sysctl('net.ipv4.ip_local_port_range', '32768 32967');

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen(4096);
    for (;;) {
      const conn = await ls.accept();
      os.spawn(async () => {
        let pending = '';
        for (;;) {
          const data = await conn.recv();
          if (data === '') break;
          pending += data;
          let out = '';
          let closeAfter = false;
          for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            out += line === 'ping' || line === 'ping close' ? 'pong\n' : 'error\n';
            if (line === 'ping close') closeAfter = true;
          }
          if (out) await conn.send(out);
          if (closeAfter) break;
        }
        await conn.close();
      }, 'conn');
    }
  }, 'server');

  client.run(async (os) => {
    try {
      const got = await learner.loadgen(os, 'server', REQUESTS);
      console.log(`loadgen returned ${got} of ${REQUESTS}`);
    } catch (error) {
      console.log(`loadgen failed: ${String(error)}`);
    }
    await os.sleep(100); // let the last closes finish
    const states = new Map<string, number>();
    for (const row of os.ss()) states.set(row.state, (states.get(row.state) ?? 0) + 1);
    console.log(`client sockets now: ${[...states].map(([state, n]) => `${n} ${state}`).join(', ') || 'none'}`);
  }, 'loadgen');
}
