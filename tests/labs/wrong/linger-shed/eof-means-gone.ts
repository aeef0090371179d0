// expect-fail: every served client gets its whole reply
// expect-message: shutdown(SHUT_WR) ends only the client's direction
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await conn.close();
    return;
  }
  try {
    let request = '';
    while (!request.endsWith('\n')) {
      const part = await conn.recv();
      if (part === '') return; // EOF before a full line: the client gave up, nobody to answer
      request += part;
    }
    await conn.send(await load.reply());
  } finally {
    await conn.close();
  }
}
