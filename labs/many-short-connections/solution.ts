import type { OS } from 'closing-time';

const CONNECTIONS = 20;
const BATCH = 50;

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  let remaining = total;
  let answered = 0;
  // Keep-alive: a few long-lived connections carry every request, so only
  // CONNECTIONS ports are ever used and only CONNECTIONS sockets end in
  // TIME_WAIT, instead of one per request. Each connection pipelines a batch
  // of pings per round trip.
  async function worker(os: OS) {
    const s = os.socket();
    await s.connect({ host: server, port: 80 });
    while (remaining > 0) {
      const n = Math.min(BATCH, remaining);
      remaining -= n;
      await s.send('ping\n'.repeat(n));
      let got = 0;
      let pending = '';
      while (got < n) {
        const part = await s.recv();
        if (part === '') throw new Error('server closed the connection early');
        pending += part;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          got++;
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
        }
      }
      answered += got;
    }
    await s.close();
  }
  // One process per connection: a process waits in one call at a time, like a thread.
  const workers = Array.from({ length: CONNECTIONS }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
