import type { Simulation } from 'closing-time';
import type { DeadClient } from './checker.ts';

/** What a correct solution shows in the trace (the page ticks these off). Plain data, no imports. */
export const expect = [
  { kind: 'segment', host: 'server', flags: 'R.', label: 'keepalive gives up on the vanished idle client: RST' },
  { kind: 'output', host: 'server', text: 'laptop: connection ended (ETIMEDOUT)', label: 'the idle client that vanished is reclaimed' },
  { kind: 'output', host: 'server', text: 'phone: connection ended (ETIMEDOUT)', label: 'the client that vanished with a reply in flight is reclaimed' },
  { kind: 'output', host: 'desktop', text: 'desktop: reply after 2 minutes idle', label: 'the live, idle client is still served' },
];

/**
 * The lab's server on port 80 and three clients. `laptop` makes a request and
 * vanishes at 5 s while idle; `phone` asks for a slow reply and vanishes before
 * it comes; `desktop` stays, idle, and asks again after 2 minutes.
 */
export default function scenario(sim: Simulation, learner: DeadClient): void {
  const server = sim.host('server');
  const hosts = ['laptop', 'phone', 'desktop'].map((n) => sim.host(n));
  for (const h of hosts) sim.link(h, server, { delayMs: 10 });
  const [laptop, phone, desktop] = hosts;
  sim.until(150_000);

  server.run(async (os) => {
    const ls = os.socket();
    learner.configure(ls);
    ls.bind({ port: 80 });
    ls.listen();
    for (;;) {
      const conn = await ls.accept();
      const peer = conn.remoteAddress!.host;
      os.spawn(async (w) => {
        try {
          for (;;) {
            const req = await conn.recv();
            if (req === '') break;
            if (req.startsWith('slow')) await w.sleep(2_000);
            await conn.send(`reply to ${req}`);
          }
        } catch (e) {
          console.log(`${peer}: connection ended (${(e as { code?: string }).code})`);
        }
        await conn.close();
      }, `handle ${peer}`);
    }
  }, 'server');

  laptop!.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello');
    await s.recv();
    await os.sleep(600_000);
  });
  phone!.run(async (os) => {
    await os.sleep(1_000);
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('slow report');
    await os.sleep(600_000);
  });
  desktop!.run(async (os) => {
    const s = os.socket();
    await s.connect({ host: 'server', port: 80 });
    await s.send('hello');
    await s.recv();
    await os.sleep(120_000);
    await s.send('again');
    console.log(`desktop: ${(await s.recv()).startsWith('reply') ? 'reply after 2 minutes idle' : 'no reply'}`);
  });
  sim.partition(laptop!, server, { fromMs: 5_000, untilMs: 3_600_000 });
  sim.partition(phone!, server, { fromMs: 1_500, untilMs: 3_600_000 });
}
