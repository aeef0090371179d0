// expect-fail: closes every socket it opens
// expect-message: close() was never called
import type { OS } from 'closing-time';

// A pool of keep-alive connections that ends each one politely with
// shutdown(SHUT_WR) and waits for the server's FIN, but never calls close().
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
      let pending = '';
      while (pending.split('\n').length - 1 < n) {
        const part = await s.recv();
        if (part === '') throw new Error('server closed early');
        pending += part;
      }
      answered += n;
    }
    s.shutdown('SHUT_WR');
    while ((await s.recv()) !== '') {
      // drain until the server's FIN
    }
  }
  const workers = Array.from({ length: 20 }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
