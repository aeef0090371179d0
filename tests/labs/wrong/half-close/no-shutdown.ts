// expect-fail: client: gets the reply from a server that reads to EOF
// expect-message: call shutdown('SHUT_WR') after sending
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 7 });
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

export async function handle(conn: Socket): Promise<void> {
  let request = '';
  for (;;) {
    const part = await conn.recv();
    if (part === '') break;
    request += part;
  }
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  await conn.close();
}
