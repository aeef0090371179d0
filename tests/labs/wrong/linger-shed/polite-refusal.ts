// expect-fail: overloaded connections are aborted at once with RST
// expect-message: closed with FIN
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  let request = '';
  while (!request.endsWith('\n')) {
    const part = await conn.recv();
    if (part === '') break;
    request += part;
  }
  if (load.overloaded) {
    await conn.close(); // request read, nothing unread: an orderly FIN
    return;
  }
  await conn.send(await load.reply());
  await conn.close();
}
