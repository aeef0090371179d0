// expect-fail: every served client gets its whole reply
// expect-message: purged what was still queued
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
  if (load.overloaded) {
    await conn.close();
    return;
  }
  let request = '';
  while (!request.endsWith('\n')) {
    const part = await conn.recv();
    if (part === '') break;
    request += part;
  }
  await conn.send(await load.reply());
  await conn.close();
}
