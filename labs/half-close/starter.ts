import type { OS, Socket } from 'closing-time';

/**
 * The protocol: the client sends its request and then half-closes its side
 * (shutdown('SHUT_WR')): the request is everything up to that FIN. The server
 * reads to EOF, answers with `LEN <n>\n` followed by the request in upper
 * case, and closes. The client reads the answer until EOF.
 */

/** Connect to `server` port 7, send `request`, return the whole answer. */
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

/** Called with each accepted connection: read the request to EOF, answer, close. */
export async function handle(conn: Socket): Promise<void> {
  const request = await conn.recv();
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  await conn.close();
}
