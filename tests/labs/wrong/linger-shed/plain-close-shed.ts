// expect-fail: overloaded connections are aborted at once with RST
// expect-message: close() sends RST on its own only when received data is unread
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    // The request is sitting unread in the receive queue, so close() resets the
    // connection by itself (RFC 2525 §2.17): no need for SO_LINGER.
    await conn.close();
    return;
  }
  try {
    let request = '';
    while (!request.endsWith('\n')) {
      const part = await conn.recv();
      if (part === '') break;
      request += part;
    }
    await conn.send(await load.reply());
  } finally {
    await conn.close();
  }
}
