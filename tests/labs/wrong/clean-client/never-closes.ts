// expect-fail: closes its socket after EOF
// expect-message: CLOSE_WAIT has no timer
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
  return reply; // forgot close(): the socket stays in CLOSE_WAIT
}
