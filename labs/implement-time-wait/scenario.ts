// What the Run button shows for this lab: your TIME_WAIT handler on a client
// and a server, in the situations the checks replay. The first connection: the
// client closes first, its last ACK is lost (the server retransmits its FIN),
// and a copy of that ACK, delayed 2 s, makes the closed server answer with RST.
// The second: the server closes first and the client comes back from the same
// port 1 s later.
import type { OS, SegmentInfo, Simulation, StateEvent } from 'closing-time';
import type { ImplementTimeWait } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). */
export const expect = [
  { kind: 'state', host: 'client', to: 'TIME_WAIT', label: 'the client closes first, so the client holds TIME_WAIT' },
  { kind: 'segment', host: 'server', flags: 'F.', label: 'the server sends its FIN, and again when the ACK of it is lost' },
  { kind: 'output', host: 'server', text: 'LAST_ACK ended by the ACK of its FIN', label: 'the lost last ACK is sent again' },
  { kind: 'segment', host: 'server', flags: 'R', label: 'a stray copy of the last ACK makes the closed server send RST' },
  { kind: 'output', host: 'client', text: 'TIME_WAIT ended by its timer', label: 'the RST does not end TIME_WAIT (RFC 1337)' },
  { kind: 'timer', host: 'client', timer: 'time-wait', label: 'the TIME_WAIT timer' },
  { kind: 'state', host: 'server', to: 'TIME_WAIT', label: 'on the second connection the server closes first' },
  { kind: 'output', host: 'client', text: 'reconnected at once', label: 'a new SYN from the same port opens a new connection at once' },
];

/** The world the page runs the scenario in can install a TIME_WAIT handler; a plain program cannot. */
type WithPolicy = Simulation & {
  setTimeWaitPolicy?: (host: string, policy: { durationMs(): number; onSegment(tw: unknown, seg: SegmentInfo): string }) => void;
};

export default function scenario(sim: Simulation, learner: ImplementTimeWait): void {
  const client = sim.host('client');
  const server = sim.host('server');
  sim.link(client, server, { delayMs: 20 });
  const world = sim as WithPolicy;
  if (typeof world.setTimeWaitPolicy === 'function') {
    for (const host of ['client', 'server']) {
      world.setTimeWaitPolicy(host, {
        durationMs: () => learner.durationMs(),
        onSegment: (tw, seg) => learner.onSegment(tw as Parameters<ImplementTimeWait['onSegment']>[0], seg),
      });
    }
  } else {
    console.log("this run cannot install your handler: the kernel's own TIME_WAIT code runs instead");
  }
  // First connection: the client's last ACK is lost, and a copy of the next one arrives 2 s late
  // (a dropped segment is not seen by the rules after the one that dropped it).
  sim.fault({ action: 'drop', from: 'client', flags: '=A', state: 'TIME_WAIT', nth: 1 });
  sim.fault({ action: 'duplicate', from: 'client', flags: '=A', state: 'TIME_WAIT', nth: 1, delayMs: 2000 });

  server.run(async (os) => {
    const ls = os.socket();
    ls.setsockopt('SO_REUSEADDR', true);
    ls.bind({ port: 80 });
    ls.listen();
    for (let n = 1; ; n++) {
      const conn = await ls.accept();
      os.spawn(async () => {
        await conn.recv();
        await conn.send('world\n');
        if (n === 1) while ((await conn.recv()) !== ''); // the client closes first
        await conn.close();
      }, `worker${n}`);
    }
  }, 'server');

  client.run(async (os) => {
    const s = os.socket();
    s.setsockopt('SO_REUSEADDR', true);
    s.bind({ port: 40000 });
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello\n');
    console.log(`got ${JSON.stringify(await s.recv())}; closing first`);
    await s.close();

    // Second connection, from another port: this time the server closes first.
    await os.sleep(200);
    const s2 = os.socket();
    s2.setsockopt('SO_REUSEADDR', true);
    s2.bind({ port: 40001 });
    await s2.connect({ host: 'server', port: 80 });
    await s2.send('hello again\n');
    while ((await s2.recv()) !== '');
    await s2.close();
    await os.sleep(1000);
    const s3 = os.socket();
    s3.setsockopt('SO_REUSEADDR', true);
    s3.bind({ port: 40001 });
    const started = os.now();
    try {
      await s3.connect({ host: 'server', port: 80 });
      const took = os.now() - started;
      console.log(took <= 1000 ? `reconnected at once from port 40001 (${took} ms) while the server held TIME_WAIT` : `reconnected only after ${(took / 1000).toFixed(1)} s`);
      await s3.send('hello once more\n');
      while ((await s3.recv()) !== '');
      await s3.close();
    } catch (error) {
      console.log(`the reconnect failed: ${String(error)}`);
    }
  }, 'client');

  // What happened, read from the trace once the timers have run.
  client.run((os) => report(os, sim, 'client', `${client.ip}:40000`, 'TIME_WAIT'), 'report');
  server.run((os) => report(os, sim, 'server', `${client.ip}:40000`, 'LAST_ACK'), 'report');
}

async function report(os: OS, sim: Simulation, host: string, peerOrLocal: string, state: 'TIME_WAIT' | 'LAST_ACK') {
  await os.sleep(150_000);
  const states = sim.trace.filter((e): e is StateEvent => e.kind === 'state' && e.host === host && (e.sock.local === peerOrLocal || e.sock.remote === peerOrLocal));
  const enter = states.find((e) => e.to === state);
  const leave = enter && states.find((e) => e.n > enter.n && e.from === state);
  if (!enter) console.log(`${state} never began`);
  else if (!leave) console.log(`${state} had not ended after ${(os.now() / 1000).toFixed(0)} s`);
  else if (state === 'LAST_ACK') console.log(`LAST_ACK ended ${/ACK/.test(leave.cause) && !/RST/.test(leave.cause) ? 'by the ACK of its FIN' : `by ${leave.cause}`} at t=${(leave.t / 1000).toFixed(3)} s`);
  else console.log(`TIME_WAIT ended ${leave.cause === 'TIME_WAIT timer' ? 'by its timer' : `by ${leave.cause}`} at t=${(leave.t / 1000).toFixed(3)} s, ${((leave.t - enter.t) / 1000).toFixed(3)} s after it began`);
}
