import type { OS, Socket } from 'closing-time';

export async function client(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: server, port: 7 });
    await sock.send(request);
    // FIN after the request: the server's recv() returns '' and it knows the
    // request is complete. Our receive side stays open (FIN_WAIT_2, not orphaned).
    sock.shutdown('SHUT_WR');
    let reply = '';
    for (;;) {
      const part = await sock.recv(); // a reset throws ECONNRESET: a cut-off answer is not an answer
      if (part === '') break;
      reply += part;
    }
    return reply;
  } finally {
    await sock.close(); // the descriptor is released on every path
  }
}

export async function handle(conn: Socket): Promise<void> {
  try {
    let request = '';
    for (;;) {
      const part = await conn.recv();
      if (part === '') break; // the client's FIN: the request is complete
      request += part;
    }
    await conn.send(`LEN ${request.length}\n${request.toUpperCase()}`);
  } finally {
    await conn.close(); // our FIN is the client's end of the answer (and a reset client's fd is released too)
  }
}
