// expect-fail: closes its socket after EOF
// expect-message: That server reset the connection: recv() threw ECONNRESET
// Reads to EOF and closes, and lets a reset reach the caller: but on that path
// it never closes, so the descriptor stays with the process.
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
  await sock.close();
  return reply;
}
