// expect-fail: closes its socket after EOF
// expect-message: close it on the error path too
import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  let reply = '';
  for (;;) {
    const part = await sock.recv(); // throws ECONNRESET if the server resets: close() below never runs
    if (part === '') break;
    reply += part;
  }
  await sock.close();
  return reply;
}
