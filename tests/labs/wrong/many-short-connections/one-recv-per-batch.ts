// expect-fail: returns the number of pongs it received
// expect-message: not recv() calls
import type { OS } from 'closing-time';

// Pipelined keep-alive that takes one recv() as the answer to a whole batch:
// against a server that answers each batch in one segment it looks right.
export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  let remaining = total;
  let answered = 0;
  async function worker(os: OS) {
    const s = os.socket();
    await s.connect({ host: server, port: 80 });
    while (remaining > 0) {
      const n = Math.min(50, remaining);
      remaining -= n;
      await s.send('ping\n'.repeat(n));
      const reply = await s.recv();
      if (reply === '') throw new Error('server closed early');
      answered += n;
    }
    await s.close();
  }
  const workers = Array.from({ length: 20 }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
