// expect-fail: handler: reads the whole request before answering
// expect-message: The request ends at EOF
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
  const request = await conn.recv(); // the request is "whatever came first"
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  await conn.close();
}
