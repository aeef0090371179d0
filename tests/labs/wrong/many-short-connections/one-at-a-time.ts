// expect-fail: completes 100,000 requests in 60 s without EADDRNOTAVAIL
// expect-message: One request at a time on one connection takes a round trip
import type { OS } from 'closing-time';

export async function loadgen(os: OS, server: string, total: number): Promise<number> {
  const s = os.socket();
  await s.connect({ host: server, port: 80 });
  let answered = 0;
  for (let i = 0; i < total; i++) {
    await s.send('ping\n'); // keep-alive, but one round trip per request
    let reply = '';
    while (!reply.endsWith('\n')) reply += await s.recv();
    answered++;
  }
  await s.close();
  return answered;
}
