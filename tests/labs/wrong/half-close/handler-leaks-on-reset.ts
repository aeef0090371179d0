// expect-fail: handler: closes after answering
// expect-message: Close the socket in a finally block
import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: server, port: 7 });
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
  let request = '';
  for (;;) {
    const part = await conn.recv(); // throws ECONNRESET if the client resets ...
    if (part === '') break;
    request += part;
  }
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`); // ... and so may this
  await conn.close(); // never reached then
}
