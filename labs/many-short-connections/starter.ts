import type { OS } from 'closing-time';

/**
 * Send `total` requests to `server` port 80 and return how many answers came
 * back. The protocol is line based: send "ping\n", the server answers
 * "pong\n". The server keeps a connection open for as many pings as you like;
 * after "ping close\n" it answers and closes the connection itself.
 *
 * The budget: all `total` (100,000) within 60 virtual seconds.
 *
 * This version opens a new connection for every request, 50 at a time. Run it
 * and watch what `connect()` does after a few seconds.
 */
export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  let sent = 0;
  let answered = 0;
  // One process per worker: a process waits in one call at a time, like a thread.
  async function worker(os: OS) {
    while (sent < total) {
      sent++;
      const s = os.socket();
      await s.connect({ host: server, port: 80 });
      await s.send('ping\n');
      let reply = '';
      while (!reply.endsWith('\n')) reply += await s.recv();
      answered++;
      await s.close(); // we close first: this connection's port sits in TIME_WAIT for 60 s
    }
  }
  const workers = Array.from({ length: 50 }, (_, i) => os.spawn(worker, `worker-${i}`));
  await Promise.all(workers.map((w) => w.done));
  return answered;
}
