// expect-fail: answers every line
// expect-message: was still waiting for the answer
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  // Read the whole conversation first, then answer it: fine for clients that
  // send everything and half-close, a deadlock for one that waits for each answer.
  let request = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') break;
    request += data;
  }
  const lines = request.split('\n');
  lines.pop();
  for (const line of lines) await conn.send(`OK ${line}\n`);
  await conn.close();
}
