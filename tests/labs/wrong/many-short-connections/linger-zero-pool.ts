// expect-fail: ends its connections with FIN, not RST
// expect-message: close() with SO_LINGER 0
import type { OS } from 'closing-time';

// A pool of keep-alive connections that, to leave no TIME_WAIT behind at all,
// sets SO_LINGER 0 before closing each one.
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
    s.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await s.close();
  }
  const workers = Array.from({ length: 20 }, (_, i) => os.spawn(worker, `conn-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
