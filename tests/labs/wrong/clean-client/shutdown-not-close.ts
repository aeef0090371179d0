// expect-fail: closes its socket after EOF
// expect-message: close() was never called on it (shutdown(SHUT_WR) was
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
  // "Send my FIN": the connection ends and ss shows nothing, but the
  // descriptor is never released.
  sock.shutdown('SHUT_WR');
  return reply;
}
