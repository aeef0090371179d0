// expect-fail: every served connection is closed, with FIN and not RST
// expect-message: your handler threw
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
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
  await conn.close(); // never reached when send() fails
}
