// One connection, a writer and a reader: the writer streams every ping and
// then half-closes (shutdown SHUT_WR); the reader counts pong lines until the
// server's FIN, then the socket is closed. TCP's flow control paces the writer.
import type { OS } from 'closing-time';

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  const s = os.socket();
  await s.connect({ host: server, port: 80 });
  const writer = os.spawn(async () => {
    const chunk = 'ping\n'.repeat(1000);
    let left = total;
    while (left > 0) {
      const k = Math.min(1000, left);
      await s.send(k === 1000 ? chunk : 'ping\n'.repeat(k));
      left -= k;
    }
    s.shutdown('SHUT_WR');
  }, 'writer');
  let pongs = 0;
  let tail = '';
  for (;;) {
    const part = await s.recv();
    if (part === '') break;
    const text = tail + part;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      if (text.slice(from, nl) === 'pong') pongs++;
      from = nl + 1;
    }
    tail = text.slice(from);
  }
  await writer.done;
  await s.close();
  return pongs;
}
