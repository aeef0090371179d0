// expect-fail: completes 100,000 requests in 60 s without EADDRNOTAVAIL
// expect-message: both directions' buffers were full
import type { OS } from 'closing-time';

// Fully pipelined: one connection, every ping written first, then every pong
// read. Fine for a few hundred pings; 100,000 are 500 KB.
export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  const s = os.socket();
  await s.connect({ host: server, port: 80 });
  await s.send('ping\n'.repeat(total));
  let text = '';
  let pongs = 0;
  while (pongs < total) {
    const part = await s.recv();
    if (part === '') break;
    text += part;
    const lines = text.split('\n');
    text = lines.pop()!;
    pongs += lines.length;
  }
  await s.close();
  return pongs;
}
