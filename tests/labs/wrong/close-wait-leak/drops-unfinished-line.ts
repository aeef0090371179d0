// expect-fail: half-closing clients get every answer and an EOF
// expect-message: but no EOF
import type { Socket } from 'closing-time';

export async function handle(conn: Socket): Promise<void> {
  let pending = '';
  for (;;) {
    const data = await conn.recv();
    if (data === '') {
      if (pending !== '') return; // "a broken request: give up on this client"
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
  }
}
