// expect-fail: every served connection is closed, with FIN and not RST
// expect-message: close() was called while received data was still unread
import type { Socket } from 'closing-time';

export async function handle(conn: Socket, load: { overloaded: boolean; reply: () => Promise<string> }): Promise<void> {
  if (load.overloaded) {
    conn.setsockopt('SO_LINGER', { onoff: true, linger: 0 });
    await conn.close();
    return;
  }
  try {
    await conn.recv(); // the request line is short: one recv() gets it
    await conn.send(await load.reply());
  } finally {
    await conn.close();
  }
}
