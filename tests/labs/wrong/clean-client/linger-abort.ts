// expect-fail: ends without RST
// expect-message: SO_LINGER, { onoff: true, linger: 0 }
import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  let reply = '';
  for (;;) {
    const part = await sock.recv();
    if (part === '') break;
    reply += part;
  }
  sock.setsockopt('SO_LINGER', { onoff: true, linger: 0 }); // "close faster"
  await sock.close();
  return reply;
}
