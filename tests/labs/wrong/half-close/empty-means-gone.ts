// expect-fail: handler: answers an empty request
// expect-message: closed without answering an empty request
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 7 });
  await sock.send(request);
  sock.shutdown('SHUT_WR');
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
  if (request === '') {
    await conn.close(); // "the client went away without asking anything"
    return;
  }
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  await conn.close();
}
