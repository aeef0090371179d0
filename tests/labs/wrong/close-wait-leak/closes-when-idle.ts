// expect-fail: answers every line
// expect-message: before the client's FIN
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
      await conn.send(`OK ${pending.slice(0, nl)}\n`);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
    // "Everything the client sent is answered: we are done." A client that
    // reads the answer before sending its next line is cut off.
    if (pending === '') {
      await conn.close();
      return;
    }
  }
}
