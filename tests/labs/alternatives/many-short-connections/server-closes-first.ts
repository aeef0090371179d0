// The other fix the lab names: one request per connection, but the server
// closes first ("ping close"), so TIME_WAIT sits on the server and the
// client's ports are free again as soon as each close completes.
import type { OS } from 'closing-time';

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  let sent = 0;
  let answered = 0;
  async function worker(os: OS) {
    while (sent < total) {
      sent++;
      const s = os.socket();
      await s.connect({ host: server, port: 80 });
      await s.send('ping close\n');
      let reply = '';
      for (;;) {
        const part = await s.recv();
        if (part === '') break; // the server's FIN came first
        reply += part;
      }
      if (reply === 'pong\n') answered++;
      await s.close();
    }
  }
  const workers = Array.from({ length: 40 }, (_, i) => os.spawn(worker, `worker-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
