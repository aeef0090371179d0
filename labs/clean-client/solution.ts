import type { OS } from 'closing-time';

export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  let reply = '';
  for (;;) {
    const part = await sock.recv();
    if (part === '') break; // the server's FIN: nothing more will come
    reply += part;
  }
  // Nothing unread is left, so close() sends FIN (not RST) and the socket
  // leaves CLOSE_WAIT for LAST_ACK, then CLOSED when the server ACKs.
  await sock.close();
  return reply;
}
