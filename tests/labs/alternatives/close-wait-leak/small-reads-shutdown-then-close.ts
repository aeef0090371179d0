import type { Socket } from 'closing-time';

// Reads in small pieces, answers all complete lines of a piece with one send(),
// and at EOF half-closes before it closes: unusual, but every line is answered,
// the FIN goes out and the descriptor is released on every path.
export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  try {
    for (;;) {
      const data = await conn.recv(64);
      if (data === '') break;
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.length) await conn.send(lines.map((l) => `OK ${l}\n`).join(''));
    }
    if (pending !== '') await conn.send(`OK ${pending}\n`); // the line the FIN ended counts too
    conn.shutdown('SHUT_WR');
  } catch {
    // the client reset: nothing left to answer
  }
  await conn.close();
}
