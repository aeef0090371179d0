// expect-fail: every served connection is closed, with FIN and not RST
// expect-message: was never closed: close() was never called on it
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
      if (part === '') break;
      request += part;
    }
    await conn.send(await load.reply());
  } finally {
    // FIN after the queued reply, and the kernel finishes the rest: ss shows nothing left behind.
    if (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE_WAIT') conn.shutdown('SHUT_WR');
  }
}
