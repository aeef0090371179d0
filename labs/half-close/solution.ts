import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 7 });
  await sock.send(request);
  // FIN after the request: the server's recv() returns '' and it knows the
  // request is complete. Our receive side stays open (FIN_WAIT_2, not orphaned).
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
    if (part === '') break; // the client's FIN: the request is complete
    request += part;
  }
  await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  await conn.close(); // our FIN is the client's end of the answer
}
