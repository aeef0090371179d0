import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  try {
    await sock.connect({ host: server, port: 80 });
    await sock.send(request);
    let reply = '';
    for (;;) {
      const part = await sock.recv();
      if (part === '') break; // the server's FIN: nothing more will come
      reply += part;
    }
    return reply;
  } finally {
    // After EOF nothing unread is left, so close() sends FIN (not RST) and the
    // socket leaves CLOSE_WAIT for LAST_ACK, then CLOSED when the server ACKs.
    // If recv() threw (the server reset), the connection is gone, but the
    // descriptor is still ours until close(); the error goes on to the caller.
    await sock.close();
  }
}
