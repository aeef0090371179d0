// expect-fail: returns the whole reply
// expect-message: send the request you are given, as is
import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, _request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send('GET /report\n'); // the request from the lab's example
  let reply = '';
  for (;;) {
    const part = await sock.recv();
    if (part === '') break;
    reply += part;
  }
  await sock.close();
  return reply;
}
