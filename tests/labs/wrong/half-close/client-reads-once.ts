// expect-fail: client: gets the reply from a server that reads to EOF
// expect-message: keep calling recv() until it returns ''
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: server, port: 7 });
    await sock.send(request);
    sock.shutdown('SHUT_WR');
    return await sock.recv(); // "the server answers in one go"
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
