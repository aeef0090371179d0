// expect-fail: handler: closes after answering
// expect-message: close() was never called
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
    const part = await conn.recv();
    if (part === '') break;
    request += part;
  }
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  // "The client only needs our FIN": it gets it, and ss shows nothing left,
  // but the descriptor is never released.
  conn.shutdown('SHUT_WR');
}
