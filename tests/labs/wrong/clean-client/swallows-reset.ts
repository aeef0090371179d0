// expect-fail: returns the whole reply
// expect-message: as if that were the whole reply
import type { OS } from 'closing-time';

/** Returns whatever arrived, even when the server reset the connection. */
export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  let reply = '';
  try {
    for (;;) {
      const part = await sock.recv();
      if (part === '') break;
      reply += part;
    }
  } catch {
    // "The server hung up: keep what we have."
  }
  await sock.close();
  return reply;
}
