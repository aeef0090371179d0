// expect-fail: closes the descriptor when a client resets
// expect-message: Close the connection in a finally block
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') {
      await conn.close();
      return;
    }
    pending += data;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      // A client that resets makes this send() (or the next recv()) throw,
      // and the close() above is never reached.
      await conn.send(`OK ${pending.slice(0, nl)}\n`);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
}
