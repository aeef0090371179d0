// expect-fail: returns the whole reply
// expect-message: however long the server pauses
import type { OS } from 'closing-time';

/** Stops reading once the server has been quiet for a moment: "it must be done". */
export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  let reply = '';
  let pending = sock.recv();
  for (;;) {
    const part = await Promise.race([pending, os.sleep(800).then(() => null)]);
    if (part === null) break; // 800 ms of silence
    if (part === '') break;
    reply += part;
    pending = sock.recv();
  }
  await sock.close();
  return reply;
}
