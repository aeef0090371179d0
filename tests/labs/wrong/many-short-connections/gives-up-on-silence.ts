// expect-fail: returns the number of pongs it received
// expect-message: an answer may take more than a second
import type { OS } from 'closing-time';

// Pipelined keep-alive that treats a second without an answer as a dead
// connection and stops there, returning what it got.
export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  let remaining = total;
  let answered = 0;
  async function worker(os: OS) {
    const s = os.socket();
    await s.connect({ host: server, port: 80 });
    let alive = true;
    while (alive && remaining > 0) {
      const n = Math.min(50, remaining);
      remaining -= n;
      await s.send('ping\n'.repeat(n));
      let got = 0;
      let pending = '';
      while (got < n) {
        const part = await Promise.race([s.recv(), os.sleep(1000).then(() => null)]);
        if (part === null || part === '') {
          alive = false;
          break;
        }
        pending += part;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        got += lines.length;
      }
      answered += got;
    }
    await s.close();
  }
  const workers = Array.from({ length: 20 }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
