import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  let reply = '';
  try {
    await sock.connect({ host: server, port: 80 });
    await sock.send(request);
    for (;;) {
      const part = await sock.recv();
      if (part === '') break; // the server's FIN: nothing more will come
      reply += part;
    }
  } catch (error) {
    // The server reset the connection (recv() threw ECONNRESET): it is gone,
    // but the descriptor is still ours until close(). The caller must learn
    // the reply was cut short, so the error goes on.
    await sock.close();
    throw error;
  }
  // Nothing unread is left, so close() sends FIN (not RST) and the socket
  // leaves CLOSE_WAIT for LAST_ACK, then CLOSED when the server ACKs.
  await sock.close();
  return reply;
}
