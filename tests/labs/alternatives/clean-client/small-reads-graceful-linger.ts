import type { OS } from 'closing-time';

/**
 * Reads in small pieces and lingers up to 2 s in close() until the server has
 * acknowledged the FIN (a positive SO_LINGER is a graceful close, not an
 * abort). On an error it closes the descriptor and passes the error on.
 */
export async function fetchAll(os: OS, server: string, request: string): Promise<string> {
  const sock = os.socket();
  sock.setsockopt('SO_LINGER', { onoff: true, linger: 2 });
  let reply = '';
  try {
    await sock.connect({ host: server, port: 80 });
    for (let i = 0; i < request.length; i += 7) await sock.send(request.slice(i, i + 7));
    for (;;) {
      const part = await sock.recv(512);
      if (part.length === 0) break;
      reply += part;
    }
  } catch (error) {
    await sock.close();
    throw error;
  }
  await sock.close();
  return reply;
}
