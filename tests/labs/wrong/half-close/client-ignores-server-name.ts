// expect-fail: client: gets the reply from a server that reads to EOF
// expect-message: your client, called with server
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, _server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: 'server', port: 7 }); // "the server is always called server"
    await sock.send(request);
    sock.shutdown('SHUT_WR');
    let reply = '';
    for (;;) {
      const part = await sock.recv();
      if (part === '') break;
      reply += part;
    }
    return reply;
  } finally {
    await sock.close();
  }
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
