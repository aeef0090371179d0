// expect-fail: answers every line
// expect-message: one recv() may hold part of a line or several lines
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  for (;;) {
    const data = await conn.recv();
    if (data === '') break;
    await conn.send(`OK ${data.trimEnd()}\n`); // one answer per recv(), not per line
  }
  await conn.close();
}
