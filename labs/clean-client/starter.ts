import type { OS } from 'closing-time';

/**
 * Connect to `server` on port 80, send `request`, read the whole reply, close
 * the socket cleanly and return the reply.
 *
 * The server sends its reply (it may come in several pieces) and then closes
 * its side: recv() returns '' once that FIN has arrived.
 */
export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  await sock.connect({ host: server, port: 80 });
  await sock.send(request);
  const reply = await sock.recv(); // only what has arrived so far...
  await sock.close();
  return reply;
}
