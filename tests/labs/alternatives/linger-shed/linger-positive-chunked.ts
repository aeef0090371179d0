// Unusual but correct: SO_LINGER with a positive timeout on served connections
// (close() waits until the FIN is acknowledged, and on Linux never resets),
// the request read a byte at a time, the reply sent in slices, and a client's
// reset caught and ended with close() like any other connection.
import type { Socket } from 'closing-time';

const SLICE = 8 * 1024;

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    return conn.close();
  }
  conn.setsockopt('SO_LINGER', { onoff: true, linger: 10 });
  try {
    for (;;) {
      const byte = await conn.recv(1);
      if (byte === '' || byte === '\n') break;
    }
    const reply = await load.reply();
    for (let i = 0; i < reply.length; i += SLICE) await conn.send(reply.slice(i, i + SLICE));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') throw error;
  } finally {
    await conn.close();
  }
}
