// expect-fail: client: closes its socket, without RST or CLOSE_WAIT
// expect-message: close() was never called
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
  // "Both FINs have been exchanged, the connection is over": it is, but the
  // descriptor from socket() is still held.
  return reply;
}

export async function handle(conn: Socket): Promise<void> {
  try {
    let request = '';
    for (;;) {
      const part = await conn.recv();
      if (part === '') break;
      request += part;
    }
    await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  } finally {
    await conn.close();
  }
}
