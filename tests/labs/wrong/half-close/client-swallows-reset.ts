// expect-fail: client: gets the reply from a server that reads to EOF
// expect-message: as if it were complete
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  let reply = '';
  try {
    await sock.connect({ host: server, port: 7 });
    await sock.send(request);
    sock.shutdown('SHUT_WR');
    for (;;) {
      const part = await sock.recv();
      if (part === '') break;
      reply += part;
    }
  } catch {
    // "a reset at the end is harmless: we have what the server sent"
  } finally {
    await sock.close();
  }
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
