// expect-fail: every served connection is closed, with FIN and not RST
// expect-message: SO_LINGER 0 is not a TIME_WAIT fix
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
  await load.reply(); // 200 ms: by then the reply has arrived...
  await conn.close(); // ...so resetting loses nothing and leaves no TIME_WAIT
}
